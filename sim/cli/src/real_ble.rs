//! `--real-ble`: this machine's Bluetooth adapter as the radio, in place of advert lines
//! (`hybridsim_ble`). It is checked up front, before the QR code is shown or the tunnel
//! opened, so that a machine (or a build) without one fails at once: one line, exit 3.

use crate::ble::failure;
use crate::failure::{Code, Failure};
use hybridsim_ble::phone_radio::{self, RadioEnd, StopRequest};
use hybridsim_peers::FedAdvert;
use hybridsim_proto::advert_line::AdvertLine;
use std::future::Future;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

pub use hybridsim_ble::{Advertiser, Scanner};

/// Starts scanning when `wanted` (`desktop --real-ble`).
pub fn scanner(wanted: bool, runtime: &Runtime) -> Result<Option<Scanner>, Failure> {
    if !wanted {
        return Ok(None);
    }
    let started = runtime.block_on(Scanner::start());
    let scanner = started.map_err(|e| failure(&e))?;
    eprintln!("listening for the phone's advert on {}", scanner.adapter());
    Ok(Some(scanner))
}

/// Feeds every hybrid advert `scanner` hears to `feed` (noting each on stderr).
pub fn spawn_feed(scanner: Scanner, feed: UnboundedSender<FedAdvert>) -> JoinHandle<()> {
    tokio::spawn(hybridsim_ble::feed_desktop(scanner, feed, |seen| {
        eprintln!("{}", hybridsim_ble::report::heard_line(seen))
    }))
}

/// Gets the adapter ready to advertise when `wanted` (`phone --real-ble`); the advert's form
/// and tunnel domain are the phone's, from its profile's `[hybrid]` table.
pub fn advertiser(wanted: bool, runtime: &Runtime) -> Result<Option<Advertiser>, Failure> {
    let open = || runtime.block_on(phone_radio::prepare());
    let advertiser = wanted.then(open).transpose();
    advertiser.map_err(|e| failure(&e))
}

/// Runs the phone (`run`) with its adverts on the air; its output, and exit 3 for a radio
/// that failed or 130 for Ctrl-C / SIGTERM (the advert withdrawn either way).
pub async fn on_air<T, F: Future<Output = T>>(
    advertiser: Advertiser,
    run: impl FnOnce(UnboundedSender<AdvertLine>, StopRequest) -> F,
) -> (T, Result<(), Failure>) {
    let (output, end) = phone_radio::on_air(advertiser, |line| eprintln!("{line}"), run).await;
    let ended = match end {
        RadioEnd::Finished => Ok(()),
        RadioEnd::Failed(e) => Err(failure(&e)),
        RadioEnd::Interrupted(_) => Err(Failure {
            code: Code::Interrupted,
            message: end.to_string(),
        }),
    };
    (output, ended)
}

/// Draws the QR code on stderr for the phone's camera (stdout keeps the `FIDO:/` line and
/// the response JSON for scripts).
pub fn show_qr(qr: &str) {
    match hybridsim_optical::render_terminal(qr) {
        Ok(picture) => eprintln!("{picture}\nscan this QR code with the phone"),
        Err(e) => eprintln!("cannot draw the QR code in the terminal: {e}"),
    }
}
