//! `hybridsim desktop … --real-ble`: the desktop's radio is this machine's Bluetooth adapter.
//! The scanner feeds the same advert channel the `--advert-in` lines do, so the desktop
//! driver cannot tell which it has.

use crate::failure::Failure;
use hybridsim_peers::FedAdvert;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// The adapter, scanning, when `--real-ble` was given.
pub struct Radio {
    #[cfg(feature = "ble")]
    scanner: Option<hybridsim_ble::Scanner>,
}

/// Starts scanning when `wanted`, before the QR code is shown, so that a machine without a
/// usable adapter fails at once (exit 3) instead of after a phone has scanned the code.
pub fn open(wanted: bool, runtime: &Runtime) -> Result<Radio, Failure> {
    #[cfg(feature = "ble")]
    {
        let scanner = if wanted {
            let scanner = runtime
                .block_on(hybridsim_ble::Scanner::start())
                .map_err(|e| crate::ble::failure(&e))?;
            eprintln!("listening for the phone's advert on {}", scanner.adapter());
            Some(scanner)
        } else {
            None
        };
        Ok(Radio { scanner })
    }
    #[cfg(not(feature = "ble"))]
    {
        let _ = runtime;
        if wanted {
            return Err(crate::ble::not_built());
        }
        Ok(Radio {})
    }
}

/// The desktop's seed: `--seed` when given; otherwise 0, except on a real radio, where a
/// fixed QR secret would let anyone who saw an earlier run's code predict this one.
pub fn seed(given: Option<u64>, real_ble: bool) -> u64 {
    match given {
        Some(seed) => seed,
        None if real_ble => {
            use rand_core::RngCore;
            rand_core::OsRng.next_u64()
        }
        None => 0,
    }
}

/// Draws the QR code on stderr for the phone's camera (stdout keeps the `FIDO:/` line and
/// the response JSON for scripts).
pub fn show_qr(qr: &str) {
    match hybridsim_optical::render_terminal(qr) {
        Ok(picture) => eprintln!("{picture}\nscan this QR code with the phone"),
        Err(e) => eprintln!("cannot draw the QR code in the terminal: {e}"),
    }
}

impl Radio {
    /// Whether a real adapter is scanning.
    pub fn is_real(&self) -> bool {
        #[cfg(feature = "ble")]
        {
            self.scanner.is_some()
        }
        #[cfg(not(feature = "ble"))]
        {
            false
        }
    }

    /// Feeds every hybrid advert heard to `feed` (noting each on stderr), or hands `feed`
    /// back when there is no radio.
    pub fn spawn_feed(
        self,
        feed: UnboundedSender<FedAdvert>,
    ) -> Result<JoinHandle<()>, UnboundedSender<FedAdvert>> {
        #[cfg(feature = "ble")]
        if let Some(scanner) = self.scanner {
            return Ok(tokio::spawn(hybridsim_ble::feed_desktop(
                scanner,
                feed,
                |seen| eprintln!("{}", hybridsim_ble::report::heard_line(seen)),
            )));
        }
        Err(feed)
    }
}
