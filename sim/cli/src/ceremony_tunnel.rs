//! `hybridsim ceremony … --tunnel ws://HOST:PORT`: the ceremony over a real tunnel server.
//!
//! The same desktop and phone as in the simulated world, driven over real WebSockets by
//! `hybridsim-sockets`; the QR code and the advert go from one to the other in-process. The
//! response JSON and the state file behave as in the simulated ceremony.

use crate::authenticator::args::AuthenticatorCommon;
use crate::browser::Pending;
use crate::ceremony::args::CeremonyRun;
use crate::failure::{Failure, Outcome};
use crate::{authenticator, phone_state, standalone};
use hybridsim_pcapng::record::merge_secrets;
use hybridsim_sockets::drive::{pair_logging, tunnel_endpoint};
use hybridsim_sockets::{run_peers, DriveOptions};
use hybridsim_state::{Locked, PhoneState};

/// Runs one ceremony through `tunnel` and prints the response JSON.
pub fn run(
    tunnel: &str,
    run: &CeremonyRun,
    common: &AuthenticatorCommon,
    (lock, state): (&Locked, &mut PhoneState),
    account: Option<usize>,
    pending: &Pending,
) -> Outcome {
    let endpoint = tunnel_endpoint(tunnel)
        .map_err(|e| Failure::bad_input(format!("--tunnel {tunnel}: {e}")))?;
    let authenticator = phone_state::build(state, authenticator::user(common, account))?;
    let request = pending.ctap_request();
    let logging = run.capture.wanted();
    let (desktop, phone) = pair_logging(&endpoint, request, authenticator, run.seed, logging);
    let runtime = standalone::runtime()?;
    let options = DriveOptions {
        record_bytes: run.capture.pcapng.is_some(),
        ..DriveOptions::default()
    };
    let outcome = runtime.block_on(run_peers(tunnel, desktop, phone, options));
    if let Some(path) = &run.trace {
        std::fs::write(path, outcome.log_text())
            .map_err(|e| Failure::bad_input(format!("cannot write {}: {e}", path.display())))?;
    }
    let secrets = merge_secrets(outcome.desktop.secrets(), outcome.phone.secrets());
    let name = format!("hybridsim ceremony over {tunnel}, seed {}", run.seed);
    let session = outcome.wire.session(&name, &secrets);
    // The earliest failure of either party names the cause; the other's is a consequence.
    let verdict = outcome.ok();
    let authenticator = outcome.phone.into_authenticator();
    phone_state::finish(lock, state, &authenticator)?;
    run.capture.write(&[session])?;
    if let Err(failure) = verdict {
        return Err(Failure::no_match(format!(
            "ceremony failed over {tunnel}: {failure}"
        )));
    }
    let reply = outcome.ctap_response.ok_or_else(|| {
        Failure::no_match("ceremony failed: the desktop received no CTAP response")
    })?;
    let transports = authenticator.get_info().transports.unwrap_or_default();
    let json = pending.response_json(&reply, &transports)?;
    say!("{json}");
    Ok(())
}
