//! `hybridsim ceremony create|get`: `authenticator create|get` with every byte going through
//! the simulated hybrid path: the QR code, the BLE radio, the tunnel server, the Noise
//! handshake, the transport and CTAP, in the deterministic world of `hybridsim-world`.
//!
//! With `--tunnel ws://HOST:PORT` the same ceremony runs over that real tunnel server instead
//! (`Ceremony::register_with` / `sign_in_with` with the socket driver): only the tunnel hop
//! is real, the QR code and the adverts stay in-process, and everything after is the same.
//! A tunnel host that cannot be reached at all is exit 3.
//!
//! Same options JSON in, same response JSON out, same state file as `authenticator`. The
//! state is saved after every run (a phone keeps a credential it made even when the desktop
//! later failed). With `--trace` the JSON-lines trace is written, `--keylog` appends the
//! session's secrets and `--pcapng` writes it for Wireshark, also when the ceremony fails.
//! Exit 1, with one line naming the party, the layer and the error, when a party failed
//! (the response JSON is still printed if the browser got one) or the authenticator
//! refused; exit 2 for unusable input, including an unknown fault.

pub mod args;

use crate::authenticator::args::AuthenticatorCommon;
use crate::failure::{Failure, OrFail, Outcome as CommandOutcome};
use crate::input::read_text as read;
use crate::phone_state;
use crate::real_tunnel::SocketDriver;
use args::{CeremonyCommand, CeremonyCreate, CeremonyGet, CeremonyRun};
use hybridsim_ctap::Authenticator;
use hybridsim_scenario::run::{register_over, sign_in_over, Keep, RealTunnel};
use hybridsim_state::{Locked, PhoneState};
use hybridsim_world::ceremony::{Ceremony, CeremonyFailed, Outcome};
use hybridsim_world::faults::FaultAt;

/// Runs one ceremony command.
pub fn run(command: CeremonyCommand) -> CommandOutcome {
    match command {
        CeremonyCommand::Create(args) => create(&args),
        CeremonyCommand::Get(args) => get(&args),
    }
}

fn create(args: &CeremonyCreate) -> CommandOutcome {
    let common = &args.common;
    let real = tunnel(&args.run)?;
    let lock = phone_state::lock(&common.state)?;
    let mut state = phone_state::load_or_start(&lock, args.profile.as_deref(), args.run.seed)?;
    let options = read(&common.options)?;
    let ceremony = ceremony(&args.run, common, &state, None)?;
    let outcome = register_over(real.as_ref(), ceremony, &options).or_bad_input()?;
    finish(&args.run, &lock, &mut state, outcome)
}

fn get(args: &CeremonyGet) -> CommandOutcome {
    let common = &args.common;
    let real = tunnel(&args.run)?;
    let (lock, mut state) = phone_state::lock_existing(
        &common.state,
        "run `hybridsim ceremony create` with it first",
    )?;
    let options = read(&common.options)?;
    let ceremony = ceremony(&args.run, common, &state, args.account)?;
    let outcome = sign_in_over(real.as_ref(), ceremony, &options, None).or_bad_input()?;
    finish(&args.run, &lock, &mut state, outcome)
}

/// The ceremony the arguments describe, with the state's authenticator as the phone.
fn ceremony(
    run: &CeremonyRun,
    common: &AuthenticatorCommon,
    state: &PhoneState,
    account: Option<usize>,
) -> Result<Ceremony, Failure> {
    let faults = run
        .fault
        .iter()
        .map(|text| {
            text.parse::<FaultAt>()
                .or_bad_input_on(format!("--fault {text}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let phone: Authenticator = phone_state::build(state, common.user.scripted(account))?;
    let ceremony = Ceremony::new(run.seed)
        .phone(phone)
        .origin(&common.origin)
        .reveal_secrets(run.capture.reveal_secrets)
        .record_session(run.capture.wanted())
        .faults(faults);
    Ok(
        match crate::builtin::desktop_profile(run.desktop_profile.as_deref())? {
            Some(profile) => ceremony.desktop_profile(profile),
            None => ceremony,
        },
    )
}

/// The real tunnel server `--tunnel` names, reached with the socket driver; exit 2 for a
/// URL that names none.
fn tunnel(run: &CeremonyRun) -> Result<Option<RealTunnel<'static>>, Failure> {
    let Some(url) = &run.tunnel else {
        return Ok(None);
    };
    let keep = Keep {
        secret_bytes: run.capture.reveal_secrets,
        wire: run.capture.wanted(),
    };
    RealTunnel::new(url, &SocketDriver, keep)
        .map(Some)
        .or_bad_input_on("--tunnel")
}

/// Writes the trace and the state, prints the response, and says how it went.
fn finish(
    run: &CeremonyRun,
    lock: &Locked,
    state: &mut PhoneState,
    outcome: Outcome,
) -> CommandOutcome {
    run.capture.write_trace(|_| outcome.trace.to_json_lines())?;
    if let Some(phone) = &outcome.phone_state {
        phone_state::finish(lock, state, &phone.authenticator)?;
    }
    run.capture.write(outcome.session.as_slice())?;
    if let Some(json) = &outcome.response_json {
        say!("{json}");
    }
    outcome.verdict().map(drop).map_err(|e| match e {
        CeremonyFailed::Unreachable(host) => Failure::environment(host.to_string()),
        e => Failure::no_match(e.to_string()),
    })
}
