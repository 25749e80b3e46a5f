//! `hybridsim ble scan`: the hybrid adverts of real phones nearby, heard through this
//! machine's Bluetooth adapter (`hybridsim_ble`), decrypted when the QR secret is given
//! (docs/protocol.md §4: 0xFFF9/0xFDE2 service data, 20 bytes or longer CTAP 2.3 adverts);
//! `hybridsim ble advertise`: one advert for a QR code, broadcast on that adapter.
//!
//! Without the `ble` cargo feature every BLE command says so and exits 3 (the radio's `NotBuilt`).

pub mod args;

use crate::failure::{Failure, Outcome};
use args::BleCommand;

/// Runs one `ble` command.
pub fn run(command: BleCommand) -> Outcome {
    match command {
        BleCommand::Scan(args) => scan(&args),
        BleCommand::Advertise(args) => advertise(&args),
    }
}

/// A radio problem as the one exit-3 line: what is missing, then what to do.
pub fn failure(error: &hybridsim_ble::BleError) -> Failure {
    Failure::environment(format!("{error}; {}", error.what_to_do()))
}

/// Runs one radio command on a runtime of its own (whose D-Bus task must not hold the
/// process open afterwards); a radio problem is the exit-3 line.
fn on_radio<T>(
    work: impl std::future::Future<Output = Result<T, hybridsim_ble::BleError>>,
) -> Result<T, Failure> {
    let runtime = crate::standalone::runtime()?;
    let done = runtime.block_on(work);
    runtime.shutdown_background();
    done.map_err(|e| failure(&e))
}

/// `ble advertise`: the advert for the QR code, on the air until the time is up.
fn advertise(args: &args::BleAdvertise) -> Outcome {
    use hybridsim_ble::beacon::run;
    let secret = crate::decode::qr_secret(None, Some(&args.qr))?;
    let id = args.routing_id.as_deref();
    let id = id
        .map(|hex| crate::hex_arg::fixed("--routing-id", hex))
        .transpose()?;
    let (say, note) = (|line| say!("{line}"), |line| eprintln!("{line}"));
    let (domain, seconds) = (args.domain_id, args.seconds);
    on_radio(run(&secret, id, domain, seconds, say, note))
}

/// `ble scan`: the listing, exit 1 when secrets were given and none decrypted an advert.
fn scan(args: &args::BleScan) -> Outcome {
    use crate::decode::qr_secret;
    let secrets = args.secret.iter().map(|hex| qr_secret(Some(hex), None));
    let qrs = args.qr.iter().map(|qr| qr_secret(None, Some(qr)));
    let keys = secrets
        .chain(qrs)
        .map(|s| s.map(|s| hybridsim_proto::derive::eid_key(&s)));
    let keys = keys.collect::<Result<Vec<_>, _>>()?;
    let (seconds, count, json) = (args.seconds, args.count, args.json);
    let listing = hybridsim_ble::listing::Listing {
        keys,
        seconds,
        count,
        json,
    };
    let (say, note) = (|line| say!("{line}"), |line| eprintln!("{line}"));
    let heard = on_radio(hybridsim_ble::listing::listen(&listing, say, note))?;
    let keys_given = !listing.keys.is_empty();
    heard.verdict(keys_given).map_err(Failure::no_match)
}
