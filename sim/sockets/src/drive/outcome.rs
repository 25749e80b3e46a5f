//! Where the driver reads a peer's state and who failed first from text: the state's name
//! from a peer's `Debug` output, and the log line the driver writes when a peer fails. Kept
//! in this one module so that typed values from `hybridsim-peers` can replace it in one
//! place.

use super::log::{LogEntry, Side};
use super::socket_task::WakeState;
use hybridsim_peers::Layer;
use std::fmt::Debug;

/// The `what` of the log line the driver writes when a peer finishes with an error.
const FAILED_PREFIX: &str = "finished: failed";

/// The log line for a peer that finished (or was made to finish) with `message`.
pub(super) fn failed_note(message: &impl std::fmt::Display) -> String {
    format!("{FAILED_PREFIX}: {message}")
}

/// The peer whose failure the log notes first, if any failed.
pub(super) fn failed_first(log: &[LogEntry]) -> Option<Side> {
    log.iter()
        .find(|e| e.what.starts_with(FAILED_PREFIX))
        .map(|e| e.side)
}

/// Why the peer other than `side` failed, as the log notes it.
pub(super) fn failure_of_other(log: &[LogEntry], side: Side) -> Option<String> {
    log.iter()
        .find(|e| e.what.starts_with(FAILED_PREFIX) && e.side != side)
        .map(|e| {
            e.what
                .trim_start_matches(FAILED_PREFIX)
                .trim_start_matches(": ")
                .to_owned()
        })
}

/// The state's name of a peer (`AwaitingHandshake`), from its `Debug` text.
pub(super) fn state_of(peer: &impl Debug) -> String {
    state_name(&format!("{peer:?}"))
}

/// Whether a desktop still waits for an advert.
pub(super) fn awaits_advert(desktop: &impl Debug) -> bool {
    matches!(
        state_of(desktop).as_str(),
        "AwaitingAdvert" | "AwaitingLinkedAdvert"
    )
}

/// The state's name from a peer's `Debug` text (`… state: AwaitingHandshake(…) …`).
fn state_name(debug: &str) -> String {
    debug
        .split_once("state: ")
        .map(|(_, rest)| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The layer and what a peer in `state` waits for (`alone`: the other peer runs elsewhere).
pub(super) fn waiting_in(
    side: Side,
    state: &str,
    alone: bool,
    wake: &WakeState,
) -> (Layer, String) {
    let (layer, what) = match (side, state) {
        (Side::Phone, "AwaitingHandshake") if alone => (
            Layer::Noise,
            "Noise handshake message 1 from the desktop (did it hear the advert?)",
        ),
        (Side::Phone, "Idle") => match wake {
            WakeState::Open { .. } => {
                (Layer::Tunnel, "a wake-up on its wake socket (none arrived)")
            }
            WakeState::Failed(why) => return (Layer::Tunnel, format!("a wake-up, but {why}")),
            WakeState::Unused => (Layer::Qr, "a QR code to scan (none was shown)"),
        },
        (Side::Phone, "Starting") => (Layer::Tunnel, "its connect delay before opening the tunnel"),
        (Side::Phone, "AwaitingHandshake") => {
            (Layer::Noise, "Noise handshake message 1 from the desktop")
        }
        (Side::Phone, "AwaitingRequest") => (Layer::Ctap, "the desktop's CTAP request"),
        (Side::Phone, "AwaitingShutdown") => {
            (Layer::Transport, "the desktop's shutdown message or close")
        }
        (Side::Desktop, "AwaitingAdvert" | "AwaitingLinkedAdvert") => {
            (Layer::Ble, "the phone's advert (none matched)")
        }
        (Side::Desktop, "AwaitingConnectSignal") => (
            Layer::Tunnel,
            "the server's 00 connect signal (the phone joining the tunnel)",
        ),
        (Side::Desktop, "AwaitingHandshake") => {
            (Layer::Noise, "Noise handshake message 2 from the phone")
        }
        (Side::Desktop, "AwaitingPostHandshake") => {
            (Layer::Transport, "the phone's post-handshake message")
        }
        (Side::Desktop, "AwaitingCtapResponse") => (Layer::Ctap, "the phone's CTAP response"),
        (Side::Desktop, "Lingering") => (
            Layer::Transport,
            "the phone to close the tunnel after the shutdown message",
        ),
        _ => (Layer::Tunnel, "its next input"),
    };
    (layer, what.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_come_from_the_debug_text() {
        assert_eq!(
            state_name("Phone { config: PhoneConfig { name: \"x\" }, state: AwaitingRequest(Session { .. }), socket: Open }"),
            "AwaitingRequest"
        );
        assert_eq!(state_name("Phone { state: Idle, socket: None }"), "Idle");
        assert_eq!(state_name("nothing here"), "unknown");
    }
}
