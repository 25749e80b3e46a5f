//! `hybridsim desktop create|get`: the desktop (browser) of a hybrid ceremony alone, to test
//! someone else's phone.
//!
//! The QR code goes out as a line (and optionally a PNG); the phone's adverts come in as hex
//! lines from a file, a FIFO or stdin (the BLE hop carried as text, see
//! `hybridsim_proto::advert_line`); the tunnel, Noise and CTAP run over real sockets through
//! `hybridsim_sockets::run_desktop`. Seeds are the simulated ceremony's (`--seed` as in
//! `hybridsim ceremony`), so a run against our own phone can be compared with it.

pub mod args;

use crate::browser::Pending;
use crate::failure::{Failure, OrFail, Outcome};
use crate::{real_ble, standalone};
use args::{DesktopCommand, DesktopRun};
use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::Millis;
use hybridsim_session::names::command_name;
use hybridsim_sockets::advert_feed::read_advert_source;
use hybridsim_sockets::run_desktop;
use hybridsim_world::world::derive_seed;
use std::io::Write;
use tokio::sync::mpsc::unbounded_channel;

/// Runs one desktop command.
pub fn run(command: DesktopCommand) -> Outcome {
    match command {
        DesktopCommand::Create(args) => {
            let pending = Pending::create(&args.options, &args.origin)?;
            ceremony(&args, &pending)
        }
        DesktopCommand::Get(args) => {
            let pending = Pending::get(&args.options, &args.origin)?;
            ceremony(&args, &pending)
        }
    }
}

fn ceremony(args: &DesktopRun, pending: &Pending) -> Outcome {
    let (route, endpoint, options) = args.side.prepare(300)?;
    let runtime = standalone::runtime()?;
    let radio = real_ble::scanner(args.real_ble, &runtime)?;
    let seed = args
        .seed
        .unwrap_or_else(|| hybridsim_sockets::drive::desktop_seed(args.real_ble));
    let (command, params) = pending.ctap_request();
    let mut config = DesktopConfig::new(command, params, derive_seed(seed, b"desktop"));
    config.tunnel = endpoint;
    config.log_secrets = args.side.capture.wanted();
    if let Some(profile) = crate::builtin::desktop_profile(args.desktop_profile.as_deref())? {
        profile.apply(&mut config);
    }
    let desktop = Desktop::new(config, Millis::ZERO);
    let qr = desktop
        .qr_url()
        .ok_or_else(|| Failure::bad_input("the desktop made no QR code"))?
        .to_owned();
    if let Some(path) = &args.qr_png {
        let png =
            hybridsim_optical::render_png(&qr, 8).or_bad_input_on("cannot draw the QR code")?;
        crate::output::write_file(path, png)?;
    }
    write_qr(&args.qr_out, &qr)?;
    if radio.is_some() {
        real_ble::show_qr(&qr);
    }

    let advert_in = args.advert_in.clone();
    let outcome = runtime.block_on(async move {
        let (feed, adverts) = unbounded_channel();
        let reader = match radio {
            Some(scanner) => real_ble::spawn_feed(scanner, feed),
            None => tokio::spawn(async move { read_advert_source(&advert_in, feed).await }),
        };
        let outcome = run_desktop(&route, desktop, adverts, options).await;
        reader.abort();
        outcome
    });
    // A read blocked on stdin or a FIFO must not keep the process alive.
    runtime.shutdown_background();

    let name = format!("hybridsim desktop, seed {seed}: {}", command_name(command));
    let session = outcome.wire.session(&name, outcome.desktop.secrets());
    args.side.capture.record(&outcome.log, session)?;
    standalone::ended(outcome.unreachable.as_ref(), &outcome.result)?;
    let reply = outcome
        .ctap_response
        .ok_or_else(|| Failure::no_match("the desktop received no CTAP response"))?;
    let transports = ["hybrid".to_owned(), "internal".to_owned()];
    let json = pending.response_json(&reply, &transports)?;
    say!("{json}");
    Ok(())
}

/// Writes the `FIDO:/` line to a file or, for `-`, to stdout (flushed: the phone side is
/// waiting for it).
fn write_qr(to: &str, qr: &str) -> Outcome {
    if to == "-" {
        say!("{qr}");
        let _ = std::io::stdout().flush();
        return Ok(());
    }
    std::fs::write(to, format!("{qr}\n"))
        .map_err(|e| Failure::bad_input(format!("cannot write the QR code to {to}: {e}")))
}
