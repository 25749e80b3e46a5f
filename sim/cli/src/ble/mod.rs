//! `hybridsim ble scan`: the hybrid adverts of real phones nearby, heard through this
//! machine's Bluetooth adapter (`hybridsim_ble`), decrypted when the QR secret is given
//! (docs/protocol.md §4: 0xFFF9/0xFDE2 service data, 20 bytes or longer CTAP 2.3 adverts);
//! `hybridsim ble advertise`: one advert for a QR code, broadcast on that adapter.
//!
//! Without the `ble` cargo feature every BLE command says so and exits 3.

pub mod args;

use crate::failure::{Failure, Outcome};
use args::BleCommand;

/// Runs one `ble` command.
pub fn run(command: BleCommand) -> Outcome {
    match command {
        #[cfg(feature = "ble")]
        BleCommand::Scan(args) => scan(&args),
        #[cfg(feature = "ble")]
        BleCommand::Advertise(args) => advertise(&args),
        #[cfg(not(feature = "ble"))]
        BleCommand::Scan(_) | BleCommand::Advertise(_) => Err(not_built()),
    }
}

/// The failure of a BLE command in a build without the `ble` feature.
#[cfg(not(feature = "ble"))]
pub fn not_built() -> Failure {
    Failure::environment(
        "this hybridsim was built without BLE support (cargo feature `ble`, on by default; \
         it needs libdbus-1-dev and pkg-config to build)",
    )
}

/// A radio problem as the one exit-3 line: what is missing, then what to do.
#[cfg(feature = "ble")]
pub fn failure(error: &hybridsim_ble::BleError) -> Failure {
    Failure::environment(format!("{error}; {}", error.what_to_do()))
}

/// Runs one radio command on a runtime of its own (whose D-Bus task must not hold the
/// process open afterwards); a radio problem is the exit-3 line.
#[cfg(feature = "ble")]
fn on_radio<T>(
    work: impl std::future::Future<Output = Result<T, hybridsim_ble::BleError>>,
) -> Result<T, Failure> {
    let runtime = crate::standalone::runtime()?;
    let done = runtime.block_on(work);
    runtime.shutdown_background();
    done.map_err(|e| failure(&e))
}

/// `ble advertise`: the advert for the QR code, on the air until the time is up.
#[cfg(feature = "ble")]
fn advertise(args: &args::BleAdvertise) -> Outcome {
    use hybridsim_ble::beacon::run;
    let secret = crate::decode::qr_secret(None, Some(&args.qr))?;
    let id = match args.routing_id.as_deref() {
        Some(hex) => Some(crate::hex_arg::fixed("--routing-id", hex)?),
        None => None,
    };
    let (say, note) = (|line| say!("{line}"), |line| eprintln!("{line}"));
    let (domain, seconds) = (args.domain_id, args.seconds);
    on_radio(run(&secret, id, domain, seconds, say, note))
}

/// `ble scan`: the listing, exit 1 when secrets were given and none decrypted an advert.
#[cfg(feature = "ble")]
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
