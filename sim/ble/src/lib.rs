//! A real Bluetooth LE adapter as the desktop's radio: the desktop side of the hybrid BLE hop
//! (docs/protocol.md §4) through BlueZ on Linux, via `btleplug`.
//!
//! The desktop driver (`hybridsim_sockets::run_desktop`) takes the phone's adverts from a
//! channel of [`FedAdvert`]s and does not know what fills it: advert lines from a file, the
//! simulated radio, or [`feed_desktop`] here, which scans a real adapter. [`Scanner`] also
//! serves a plain listing of every hybrid advert in range (`hybridsim ble scan`).
//!
//! The phone's side is [`Advertiser`]: its advert broadcast through BlueZ's
//! LEAdvertisingManager1 (`advertise`), for `hybridsim phone --real-ble` ([`phone_radio`])
//! and `hybridsim ble advertise`.
//!
//! Everything the machine may lack on the way to the radio (a system bus, BlueZ, an adapter,
//! power, permission) is a [`BleError`] with a one-line remedy, never a panic or a hang.
//!
//! The BlueZ backend is the `bluez` cargo feature (on by default; building it needs
//! libdbus-1-dev and pkg-config). Without it the crate still builds, with the same API: its
//! [`Scanner`] and [`Advertiser`] cannot be opened ([`BleError::NotBuilt`]), so callers need
//! no cfg of their own to build without a radio.
//!
//! Without hardware, this code is tested against python-dbusmock's BlueZ template on a
//! private bus (see `sim/cli/tests/ble.rs`).

#[cfg(feature = "bluez")]
pub mod advertise;
pub mod beacon;
#[cfg(feature = "bluez")]
mod classify;
mod error;
pub mod listing;
pub mod phone_radio;
pub mod report;
#[cfg(feature = "bluez")]
mod scan;
mod seen;
#[cfg(not(feature = "bluez"))]
mod unbuilt;

#[cfg(feature = "bluez")]
pub use advertise::Advertiser;
pub use error::BleError;
#[cfg(feature = "bluez")]
pub use scan::{Scanner, SETUP_TIMEOUT};
pub use seen::SeenAdvert;
#[cfg(not(feature = "bluez"))]
pub use unbuilt::{Advertiser, Scanner};

use hybridsim_peers::FedAdvert;
use hybridsim_proto::advert_line::AdvertLine;
use tokio::sync::mpsc::UnboundedSender;

/// Scans until the desktop hangs up (`feed`'s receiver is dropped) or the radio fails, sending
/// every hybrid advert to the desktop. `heard` sees each advert first (for progress output).
/// A radio failure mid-scan is sent as an `Err` line, which the desktop notes, and ends the
/// feed, so the desktop stops waiting for adverts that cannot come.
pub async fn feed_desktop(
    mut scanner: Scanner,
    feed: UnboundedSender<FedAdvert>,
    mut heard: impl FnMut(&SeenAdvert) + Send,
) {
    loop {
        let next = tokio::select! {
            next = scanner.next() => next,
            () = feed.closed() => break,
        };
        match next {
            None => {
                let _ = feed.send(Err("the Bluetooth event stream ended".to_owned()));
                break;
            }
            Some(Err(e)) => {
                let _ = feed.send(Err(format!("{e}: {}", e.what_to_do())));
                break;
            }
            Some(Ok(seen)) => {
                heard(&seen);
                let advert = AdvertLine {
                    uuid: seen.uuid,
                    data: seen.data,
                };
                if feed.send(Ok(advert)).is_err() {
                    break;
                }
            }
        }
    }
    let _ = scanner.stop().await;
}
