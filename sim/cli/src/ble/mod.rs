//! `hybridsim ble scan`: the hybrid adverts of real phones nearby, heard through this
//! machine's Bluetooth adapter (`hybridsim_ble`), decrypted when the QR secret is given
//! (docs/protocol.md §4: 0xFFF9/0xFDE2 service data, 20 bytes or longer CTAP 2.3 adverts).
//!
//! Without the `ble` cargo feature every BLE command says so and exits 3.

pub mod args;

use crate::failure::{Failure, Outcome};
use args::BleCommand;

/// Runs one `ble` command.
pub fn run(command: BleCommand) -> Outcome {
    match command {
        #[cfg(feature = "ble")]
        BleCommand::Scan(args) => scan::run(&args),
        #[cfg(not(feature = "ble"))]
        BleCommand::Scan(_) => Err(not_built()),
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

#[cfg(feature = "ble")]
mod scan {
    use super::args::BleScan;
    use super::failure;
    use crate::decode::qr_secret;
    use crate::failure::{Failure, Outcome};
    use crate::{json, standalone};
    use hybridsim_ble::{report, Scanner};
    use hybridsim_proto::derive;
    use std::time::Duration;

    pub fn run(args: &BleScan) -> Outcome {
        if args.seconds == 0 {
            return Err(Failure::bad_input("--seconds must be at least 1"));
        }
        let mut keys = Vec::new();
        for hex in &args.secret {
            keys.push(derive::eid_key(&qr_secret(Some(hex), None)?));
        }
        for qr in &args.qr {
            keys.push(derive::eid_key(&qr_secret(None, Some(qr))?));
        }
        let runtime = standalone::runtime()?;
        let (heard, matched) = runtime.block_on(listen(args, &keys))?;
        // The D-Bus connection's task must not hold the process open.
        runtime.shutdown_background();
        if !keys.is_empty() && matched == 0 {
            return Err(Failure::no_match(format!(
                "no advert decrypted with the given secret(s) ({heard} hybrid adverts heard)"
            )));
        }
        Ok(())
    }

    /// Scans and prints; returns how many adverts were heard and how many decrypted.
    async fn listen(args: &BleScan, keys: &[[u8; 64]]) -> Result<(u64, u64), Failure> {
        let mut scanner = Scanner::start().await.map_err(|e| failure(&e))?;
        if !args.json {
            eprintln!(
                "scanning on {} for {} s (Ctrl-C stops)",
                scanner.adapter(),
                args.seconds
            );
        }
        let deadline = tokio::time::sleep(Duration::from_secs(args.seconds));
        tokio::pin!(deadline);
        let (mut heard, mut matched) = (0u64, 0u64);
        let outcome = loop {
            let next = tokio::select! {
                () = &mut deadline => break Ok(()),
                next = scanner.next() => next,
            };
            let seen = match next {
                None => break Ok(()),
                Some(Err(e)) => break Err(failure(&e)),
                Some(Ok(seen)) => seen,
            };
            heard += 1;
            let verdict = report::trial(keys, &seen.data);
            matched += u64::from(report::decrypted(&verdict));
            if args.json {
                json::print(&report::to_json(&seen, !keys.is_empty(), &verdict));
            } else {
                for line in report::to_lines(&seen, !keys.is_empty(), &verdict) {
                    say!("{line}");
                }
            }
            if args.count.is_some_and(|n| heard >= n) {
                break Ok(());
            }
        };
        let _ = scanner.stop().await;
        outcome.map(|()| (heard, matched))
    }
}
