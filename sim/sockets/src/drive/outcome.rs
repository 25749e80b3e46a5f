//! What the driver knows about how its peers are doing, as typed values from
//! `hybridsim-peers`: each peer's phase and what it waits for, and the failures in the order
//! they happened (so the first failure is a value, not a scan of the log's text).

use super::log::Side;
use super::socket_task::WakeState;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{Desktop, DesktopPhase, Layer, PeerError, Phone, PhonePhase};

/// The `what` of the log line the driver writes when a peer finishes with an error (for
/// people reading the log; the driver itself keeps [`Failed`] records).
const FAILED_PREFIX: &str = "finished: failed";

/// The log line for a peer that finished (or was made to finish) with `message`.
pub(super) fn failed_note(message: &impl std::fmt::Display) -> String {
    format!("{FAILED_PREFIX}: {message}")
}

/// A peer's failure as the driver saw it happen: its own `Finished(Err)`, or the driver's
/// verdict when its advert input ended.
#[derive(Debug, Clone)]
pub(super) struct Failed {
    /// Whose.
    pub(super) side: Side,
    /// The error.
    pub(super) error: PeerError,
    /// Whether the driver, not the peer, decided it.
    pub(super) by_driver: bool,
}

impl Failed {
    /// The cause, as the other peer's abandonment quotes it.
    pub(super) fn cause(&self) -> String {
        if self.by_driver {
            self.error.reason.to_string()
        } else {
            self.error.to_string()
        }
    }
}

/// Where a peer is: a desktop's or a phone's phase, or no such peer in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PeerPhase {
    /// The desktop's.
    Desktop(DesktopPhase),
    /// The phone's.
    Phone(PhonePhase),
    /// The peer runs elsewhere.
    Absent,
}

impl PeerPhase {
    /// The desktop's phase, if the driver runs one.
    pub(super) fn of_desktop(desktop: Option<&&mut Desktop>) -> PeerPhase {
        desktop.map_or(PeerPhase::Absent, |d| PeerPhase::Desktop(d.phase()))
    }

    /// The phone's phase, if the driver runs one.
    pub(super) fn of_phone<H: CtapHandler>(phone: Option<&&mut Phone<H>>) -> PeerPhase {
        phone.map_or(PeerPhase::Absent, |p| PeerPhase::Phone(p.phase()))
    }

    /// The state's name (`AwaitingHandshake`), `unknown` for an absent peer.
    pub(super) fn name(self) -> &'static str {
        match self {
            PeerPhase::Desktop(p) => p.name(),
            PeerPhase::Phone(p) => p.name(),
            PeerPhase::Absent => "unknown",
        }
    }
}

/// Whether a desktop still waits for an advert.
pub(super) fn awaits_advert(desktop: &&mut Desktop) -> bool {
    matches!(
        desktop.phase(),
        DesktopPhase::AwaitingAdvert | DesktopPhase::AwaitingLinkedAdvert
    )
}

/// The layer and what a peer in `phase` waits for (`alone`: the other peer runs elsewhere).
pub(super) fn waiting_in(phase: PeerPhase, alone: bool, wake: &WakeState) -> (Layer, String) {
    let (layer, what) = match phase {
        PeerPhase::Phone(PhonePhase::AwaitingHandshake) if alone => (
            Layer::Noise,
            "Noise handshake message 1 from the desktop (did it hear the advert?)",
        ),
        PeerPhase::Phone(PhonePhase::Idle) => match wake {
            WakeState::Open { .. } => {
                (Layer::Tunnel, "a wake-up on its wake socket (none arrived)")
            }
            WakeState::Failed(why) => return (Layer::Tunnel, format!("a wake-up, but {why}")),
            WakeState::Unused => (Layer::Qr, "a QR code to scan (none was shown)"),
        },
        PeerPhase::Phone(PhonePhase::Starting) => {
            (Layer::Tunnel, "its connect delay before opening the tunnel")
        }
        PeerPhase::Phone(PhonePhase::AwaitingHandshake) => {
            (Layer::Noise, "Noise handshake message 1 from the desktop")
        }
        PeerPhase::Phone(PhonePhase::AwaitingRequest) => {
            (Layer::Ctap, "the desktop's CTAP request")
        }
        PeerPhase::Phone(PhonePhase::AwaitingShutdown) => {
            (Layer::Transport, "the desktop's shutdown message or close")
        }
        PeerPhase::Desktop(DesktopPhase::AwaitingAdvert | DesktopPhase::AwaitingLinkedAdvert) => {
            (Layer::Ble, "the phone's advert (none matched)")
        }
        PeerPhase::Desktop(DesktopPhase::AwaitingConnectSignal) => (
            Layer::Tunnel,
            "the server's 00 connect signal (the phone joining the tunnel)",
        ),
        PeerPhase::Desktop(DesktopPhase::AwaitingHandshake) => {
            (Layer::Noise, "Noise handshake message 2 from the phone")
        }
        PeerPhase::Desktop(DesktopPhase::AwaitingPostHandshake) => {
            (Layer::Transport, "the phone's post-handshake message")
        }
        PeerPhase::Desktop(DesktopPhase::AwaitingCtapResponse) => {
            (Layer::Ctap, "the phone's CTAP response")
        }
        PeerPhase::Desktop(DesktopPhase::Lingering) => (
            Layer::Transport,
            "the phone to close the tunnel after the shutdown message",
        ),
        _ => (Layer::Tunnel, "its next input"),
    };
    (layer, what.to_owned())
}
