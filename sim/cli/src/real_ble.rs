//! `--real-ble`: this machine's Bluetooth adapter as the radio, in place of advert lines
//! (`hybridsim_ble`). It is checked up front, before the QR code is shown or the tunnel
//! opened, so that a machine without a usable one fails at once: one line, exit 3.

use crate::failure::Failure;
use hybridsim_peers::FedAdvert;
use hybridsim_proto::advert_line::AdvertLine;
use std::future::Future;
use std::pin::Pin;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

#[cfg(feature = "ble")]
pub use hybridsim_ble::{Advertiser, Scanner};
/// Without the `ble` feature there is no radio, and asking for one is exit 3.
#[cfg(not(feature = "ble"))]
pub enum Scanner {}
/// As [`Scanner`].
#[cfg(not(feature = "ble"))]
pub enum Advertiser {}

/// Starts scanning when `wanted` (`desktop --real-ble`).
pub fn scanner(wanted: bool, runtime: &Runtime) -> Result<Option<Scanner>, Failure> {
    if !wanted {
        return Ok(None);
    }
    #[cfg(feature = "ble")]
    return match runtime.block_on(Scanner::start()) {
        Ok(scanner) => {
            eprintln!("listening for the phone's advert on {}", scanner.adapter());
            Ok(Some(scanner))
        }
        Err(e) => Err(crate::ble::failure(&e)),
    };
    #[cfg(not(feature = "ble"))]
    Ok(runtime).and(Err(crate::ble::not_built()))
}

/// Feeds every hybrid advert `scanner` hears to `feed` (noting each on stderr).
pub fn spawn_feed(scanner: Scanner, feed: UnboundedSender<FedAdvert>) -> JoinHandle<()> {
    #[cfg(feature = "ble")]
    return tokio::spawn(hybridsim_ble::feed_desktop(scanner, feed, |seen| {
        eprintln!("{}", hybridsim_ble::report::heard_line(seen))
    }));
    #[cfg(not(feature = "ble"))]
    match (scanner, feed) {}
}

/// Gets the adapter ready to advertise when `wanted` (`phone --real-ble`); the advert's form
/// and tunnel domain are the phone's, from its profile's `[hybrid]` table.
pub fn advertiser(wanted: bool, runtime: &Runtime) -> Result<Option<Advertiser>, Failure> {
    if !wanted {
        return Ok(None);
    }
    #[cfg(feature = "ble")]
    return runtime
        .block_on(hybridsim_ble::phone_radio::prepare())
        .map(Some)
        .map_err(|e| crate::ble::failure(&e));
    #[cfg(not(feature = "ble"))]
    Ok(runtime).and(Err(crate::ble::not_built()))
}

/// Runs the phone (`run`) with its adverts on the air; its output, and exit 3 for a radio
/// that failed or 130 for Ctrl-C / SIGTERM (the advert withdrawn either way).
pub async fn on_air<T, F: Future<Output = T>>(
    advertiser: Advertiser,
    run: impl FnOnce(UnboundedSender<AdvertLine>, Pin<Box<dyn Future<Output = String> + Send>>) -> F,
) -> (T, Result<(), Failure>) {
    #[cfg(feature = "ble")]
    {
        use hybridsim_ble::phone_radio::{self, RadioEnd};
        let (output, end) = phone_radio::on_air(advertiser, |line| eprintln!("{line}"), run).await;
        let code = crate::failure::Code::Interrupted;
        (
            output,
            match end {
                RadioEnd::Finished => Ok(()),
                RadioEnd::Failed(e) => Err(crate::ble::failure(&e)),
                RadioEnd::Interrupted(_) => Err(Failure {
                    code,
                    message: end.to_string(),
                }),
            },
        )
    }
    #[cfg(not(feature = "ble"))]
    match (advertiser, run) {}
}

/// Draws the QR code on stderr for the phone's camera (stdout keeps the `FIDO:/` line and
/// the response JSON for scripts).
pub fn show_qr(qr: &str) {
    match hybridsim_optical::render_terminal(qr) {
        Ok(picture) => eprintln!("{picture}\nscan this QR code with the phone"),
        Err(e) => eprintln!("cannot draw the QR code in the terminal: {e}"),
    }
}
