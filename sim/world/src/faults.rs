//! The catalogue of named faults a ceremony can be run with (`NAME[@STEP]`), and how each
//! is injected: by a world rule ([`crate::fault`]), by a connection rule, by the world's own
//! misbehaviour (clock offset, silence) or by peer configuration.
//!
//! `STEP` picks the occurrence the fault hits; what it counts depends on the medium:
//!
//! - advert faults: the adverts the desktop receives (every broadcast is a reception),
//!   from 1. Without a step, every reception is hit.
//! - tunnel faults (`tunnel-*`, `routing-id-*`): the WebSocket upgrades in the world, from
//!   1; in a QR ceremony 1 is the phone's `/cable/new` and 2 the desktop's `/cable/connect`.
//! - WebSocket and handshake faults (`ws-*`, `noise-bad-tag`, `handshake-wrong-length`):
//!   the messages the tunnel server relays, both directions together, from 1. In a QR
//!   registration: 1 Noise message 1 (desktop → phone), 2 message 2 (phone → desktop), 3
//!   the post-handshake message, 4 the update message, 5 the CTAP request, 6 the CTAP
//!   response, 7 the shutdown. In a linked ceremony the server's `00` connect signal to the
//!   desktop is one of them.
//! - `clock-skew`: how many seconds the desktop's clock runs ahead.
//! - `ble-channel-dropped`: the BLE data channel's messages, both directions together,
//!   from 1 (1 Noise message 1, 2 message 2, 3 the post-handshake message, ...).
//! - `ble-channel-slow`: milliseconds added to every BLE data channel message.
//! - `phone-silent`, `desktop-silent`: after how many of its own WebSocket messages the
//!   party stops answering.
//! - the others take no step.
//!
//! The expected outcome of each fault (who fails, at which layer, with what, when) is in its
//! documentation and shown by a test in `tests/faults.rs` (the `ble-channel-*` faults, which
//! need a desktop and a phone that both offer the BLE channel, in `tests/ble_channel.rs`); the rows of docs/protocol.md §9 are
//! cited there.

mod rules;

pub(crate) use rules::{AdvertRule, CameraRule, RelayRule, SecondCommandRule, UpgradeRule};

use core::fmt;
use core::str::FromStr;

/// A named fault. Each variant's documentation says what is done and what a test observes
/// with the default step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// `advert-dropped`: adverts are lost. The tunnel server closes the phone's unpaired
    /// tunnel after its 60 s pending TTL (the phone fails at the tunnel layer, close 1008);
    /// the desktop times out at the BLE layer after 300 s. With a step, only that reception
    /// is lost and the next broadcast matches.
    AdvertDropped,
    /// `advert-duplicated`: every advert arrives twice. Ignored: the ceremony succeeds.
    AdvertDuplicated,
    /// `advert-corrupted`: a bit of the advert's tag is flipped. Ignored as not for this
    /// desktop: the outcome of `advert-dropped` (phone closed at 60 s, desktop BLE timeout
    /// at 300 s). The same "BLE timeout" below means this outcome.
    AdvertCorrupted,
    /// `advert-other-secret`: an advert made for another QR secret arrives before each real
    /// one. Ignored: the ceremony succeeds.
    AdvertOtherSecret,
    /// `advert-wrong-length`: the service data is 21 bytes. Ignored (Chromium wants
    /// exactly 20): BLE timeout.
    AdvertWrongLength,
    /// `advert-reserved-byte`: the EID's reserved byte is 1 (re-encrypted with the right
    /// key). Refused: BLE timeout.
    AdvertReservedByte,
    /// `advert-reserved-domain`: the EID names domain id 7 (2–255 are reserved). Refused:
    /// BLE timeout.
    AdvertReservedDomain,
    /// `qr-stale`: the desktop's QR timestamp (key 3) is a year old. Nobody checks it: the
    /// ceremony succeeds.
    QrStale,
    /// `qr-malformed`: the camera reads the `FIDO:/` text one digit short. The phone fails
    /// at the QR layer at once; the desktop times out at the BLE layer after 300 s.
    QrMalformed,
    /// `tunnel-no-subprotocol`: the upgrade lacks `Sec-WebSocket-Protocol: fido.cable`;
    /// the server answers HTTP 400. Default step 2: the desktop fails at the tunnel layer
    /// at once, and the phone's unpaired tunnel is closed after 60 s; step 1: the phone
    /// fails and the desktop times out at the BLE layer.
    TunnelNoSubprotocol,
    /// `tunnel-unknown`: the desktop's `/cable/connect` names a tunnel id nobody opened;
    /// the server answers HTTP 404 and the desktop fails at the tunnel layer (the phone as
    /// with `tunnel-no-subprotocol`).
    TunnelUnknown,
    /// `tunnel-duplicate-new`: a second phone scans the same QR code; its `/cable/new` for
    /// the same tunnel id gets HTTP 409 and it fails at the tunnel layer, while the first
    /// phone completes the ceremony. QR ceremonies only: a linked one refuses it.
    TunnelDuplicateNew,
    /// `contact-gone`: linked ceremonies only. The tunnel server knows no phone under the
    /// contact id: HTTP 410 on `/cable/contact`; the desktop fails at the tunnel layer and
    /// says to forget the link; the phone is never woken and the run stalls (nothing more
    /// can happen), which the outcome reports as the phone never finishing.
    ContactGone,
    /// `routing-id-missing`: the `/cable/new` response lacks `X-caBLE-Routing-ID`. The
    /// phone fails at the tunnel layer; the desktop times out at the BLE layer.
    RoutingIdMissing,
    /// `routing-id-bad`: the `/cable/new` response's routing id is not 6 hex digits. As
    /// `routing-id-missing`.
    RoutingIdBad,
    /// `ws-truncated`: a relayed message loses its last byte. Default step 6 (the CTAP
    /// response): the desktop fails at the transport layer (it does not decrypt).
    WsTruncated,
    /// `ws-duplicated`: a relayed message arrives twice. Default step 5 (the CTAP
    /// request): the phone answers the first copy, then fails at the transport layer on the
    /// replay; the desktop has its response and succeeds.
    WsDuplicated,
    /// `ws-reordered`: a relayed message is held back until after the next one to the
    /// same receiver. Default step 3 (the post-handshake message, overtaken by the update):
    /// the desktop fails at the transport layer.
    WsReordered,
    /// `ws-split`: a relayed message arrives as two messages. Default step 3 (the
    /// post-handshake message): the desktop fails at the transport layer.
    WsSplit,
    /// `ws-text`: a relayed message arrives as a text frame. Default step 2 (Noise message
    /// 2): the desktop fails at the tunnel layer; step 1: the phone does.
    WsText,
    /// `noise-bad-tag`: a bit of a handshake message's tag is flipped. Default step 2
    /// (message 2): the desktop fails at the Noise layer; step 1: the phone does.
    NoiseBadTag,
    /// `noise-wrong-psk`: the desktop hears a valid advert with another nonce, so derives
    /// another PSK. The phone fails at the Noise layer on message 1.
    NoiseWrongPsk,
    /// `handshake-wrong-length`: a handshake message is one byte short (80 bytes).
    /// Default step 2: the desktop fails at the Noise layer; step 1: the phone does.
    HandshakeWrongLength,
    /// `phone-shutdown`: the phone sends a shutdown message instead of its CTAP reply. The
    /// desktop fails at the transport layer (a remote close).
    PhoneShutdown,
    /// `second-ctap-command`: the desktop's CTAP request is followed by a second copy
    /// (forged with the session key, as a second command). The phone fails at the CTAP
    /// layer; the desktop already has its response and succeeds.
    SecondCtapCommand,
    /// `update-not-cbor`: the phone's update message is not CBOR. Under the default
    /// (Chromium) update policy the desktop fails at the transport layer; a lenient
    /// desktop ignores it and succeeds.
    UpdateNotCbor,
    /// `linking-bad-signature`: linking is offered and the phone's linking signature has a
    /// bit flipped. Under the default update policy the desktop fails at the transport
    /// layer; a lenient desktop succeeds without a link.
    LinkingBadSignature,
    /// `clock-skew`: the desktop's clock runs ahead (default 600 s). Only QR key 3 shows
    /// it: the ceremony succeeds. Given more than once, the last one counts.
    ClockSkew,
    /// `phone-silent`: the phone stops answering after its first WebSocket message (Noise
    /// message 2). The desktop times out at the transport layer 30 s later.
    PhoneSilent,
    /// `desktop-silent`: the desktop stops answering after its first WebSocket message
    /// (Noise message 1). The phone's 120 s transaction timer ends it at the CTAP layer.
    DesktopSilent,
    /// `ble-channel-refused`: the phone's radio refuses the CTAP 2.3 BLE data channel. A
    /// desktop that asked for it falls back to the tunnel the phone opened on the scan: the
    /// ceremony succeeds over WebSocket. Without the channel on both sides, no effect.
    BleChannelRefused,
    /// `ble-channel-dropped`: the BLE data channel is lost when its `STEP`-th message (from
    /// 1, both directions together, as the relay count of `ws-*`) is sent; default 3, the
    /// post-handshake message. Both parties fail at the BLE layer (`channel-dropped`); there
    /// is no fallback once the handshake ran on the channel.
    BleChannelDropped,
    /// `ble-channel-slow`: every BLE channel message takes `STEP` more milliseconds
    /// (default 400). The ceremony still completes, later.
    BleChannelSlow,
}

impl Fault {
    /// Every fault, in catalogue order.
    pub const ALL: &'static [Fault] = &[
        Fault::AdvertDropped,
        Fault::AdvertDuplicated,
        Fault::AdvertCorrupted,
        Fault::AdvertOtherSecret,
        Fault::AdvertWrongLength,
        Fault::AdvertReservedByte,
        Fault::AdvertReservedDomain,
        Fault::QrStale,
        Fault::QrMalformed,
        Fault::TunnelNoSubprotocol,
        Fault::TunnelUnknown,
        Fault::TunnelDuplicateNew,
        Fault::ContactGone,
        Fault::RoutingIdMissing,
        Fault::RoutingIdBad,
        Fault::WsTruncated,
        Fault::WsDuplicated,
        Fault::WsReordered,
        Fault::WsSplit,
        Fault::WsText,
        Fault::NoiseBadTag,
        Fault::NoiseWrongPsk,
        Fault::HandshakeWrongLength,
        Fault::PhoneShutdown,
        Fault::SecondCtapCommand,
        Fault::UpdateNotCbor,
        Fault::LinkingBadSignature,
        Fault::ClockSkew,
        Fault::PhoneSilent,
        Fault::DesktopSilent,
        Fault::BleChannelRefused,
        Fault::BleChannelDropped,
        Fault::BleChannelSlow,
    ];

    /// The fault's kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Fault::AdvertDropped => "advert-dropped",
            Fault::AdvertDuplicated => "advert-duplicated",
            Fault::AdvertCorrupted => "advert-corrupted",
            Fault::AdvertOtherSecret => "advert-other-secret",
            Fault::AdvertWrongLength => "advert-wrong-length",
            Fault::AdvertReservedByte => "advert-reserved-byte",
            Fault::AdvertReservedDomain => "advert-reserved-domain",
            Fault::QrStale => "qr-stale",
            Fault::QrMalformed => "qr-malformed",
            Fault::TunnelNoSubprotocol => "tunnel-no-subprotocol",
            Fault::TunnelUnknown => "tunnel-unknown",
            Fault::TunnelDuplicateNew => "tunnel-duplicate-new",
            Fault::ContactGone => "contact-gone",
            Fault::RoutingIdMissing => "routing-id-missing",
            Fault::RoutingIdBad => "routing-id-bad",
            Fault::WsTruncated => "ws-truncated",
            Fault::WsDuplicated => "ws-duplicated",
            Fault::WsReordered => "ws-reordered",
            Fault::WsSplit => "ws-split",
            Fault::WsText => "ws-text",
            Fault::NoiseBadTag => "noise-bad-tag",
            Fault::NoiseWrongPsk => "noise-wrong-psk",
            Fault::HandshakeWrongLength => "handshake-wrong-length",
            Fault::PhoneShutdown => "phone-shutdown",
            Fault::SecondCtapCommand => "second-ctap-command",
            Fault::UpdateNotCbor => "update-not-cbor",
            Fault::LinkingBadSignature => "linking-bad-signature",
            Fault::ClockSkew => "clock-skew",
            Fault::PhoneSilent => "phone-silent",
            Fault::DesktopSilent => "desktop-silent",
            Fault::BleChannelRefused => "ble-channel-refused",
            Fault::BleChannelDropped => "ble-channel-dropped",
            Fault::BleChannelSlow => "ble-channel-slow",
        }
    }

    /// The step used when none is given (`None`: every occurrence, or no step at all).
    pub fn default_step(self) -> Option<u64> {
        match self {
            Fault::TunnelNoSubprotocol | Fault::TunnelUnknown => Some(2),
            Fault::RoutingIdMissing | Fault::RoutingIdBad => Some(1),
            Fault::WsTruncated => Some(6),
            Fault::WsDuplicated => Some(5),
            Fault::WsReordered | Fault::WsSplit => Some(3),
            Fault::WsText | Fault::NoiseBadTag | Fault::HandshakeWrongLength => Some(2),
            Fault::ClockSkew => Some(600),
            Fault::PhoneSilent | Fault::DesktopSilent => Some(1),
            Fault::BleChannelDropped => Some(3),
            Fault::BleChannelSlow => Some(400),
            _ => None,
        }
    }

    /// Whether the fault takes a step at all.
    pub fn takes_step(self) -> bool {
        !matches!(
            self,
            Fault::QrStale
                | Fault::QrMalformed
                | Fault::TunnelDuplicateNew
                | Fault::ContactGone
                | Fault::PhoneShutdown
                | Fault::SecondCtapCommand
                | Fault::UpdateNotCbor
                | Fault::LinkingBadSignature
                | Fault::BleChannelRefused
        )
    }

    /// What the fault acts on, which decides what its step counts and which world rule
    /// injects it (see the module documentation).
    pub fn medium(self) -> Medium {
        match self {
            Fault::AdvertDropped
            | Fault::AdvertDuplicated
            | Fault::AdvertCorrupted
            | Fault::AdvertOtherSecret
            | Fault::AdvertWrongLength
            | Fault::AdvertReservedByte
            | Fault::AdvertReservedDomain
            | Fault::NoiseWrongPsk => Medium::Advert,
            Fault::TunnelNoSubprotocol
            | Fault::TunnelUnknown
            | Fault::RoutingIdMissing
            | Fault::RoutingIdBad => Medium::Upgrade,
            Fault::WsTruncated
            | Fault::WsDuplicated
            | Fault::WsReordered
            | Fault::WsSplit
            | Fault::WsText
            | Fault::NoiseBadTag
            | Fault::HandshakeWrongLength => Medium::Relay,
            Fault::QrStale
            | Fault::QrMalformed
            | Fault::TunnelDuplicateNew
            | Fault::ContactGone
            | Fault::PhoneShutdown
            | Fault::SecondCtapCommand
            | Fault::UpdateNotCbor
            | Fault::LinkingBadSignature
            | Fault::ClockSkew
            | Fault::PhoneSilent
            | Fault::DesktopSilent
            | Fault::BleChannelRefused
            | Fault::BleChannelDropped
            | Fault::BleChannelSlow => Medium::Other,
        }
    }

    /// Whether the fault only makes sense in a linked ceremony.
    pub fn linked_only(self) -> bool {
        self == Fault::ContactGone
    }

    /// Whether the fault only makes sense in a QR ceremony: `tunnel-duplicate-new`'s second
    /// phone scans the QR code, and a linked ceremony shows none (the phone would wait for
    /// ever, and the run with it).
    pub fn qr_only(self) -> bool {
        self == Fault::TunnelDuplicateNew
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a fault acts on ([`Fault::medium`]): the three media whose occurrences a step counts
/// from 1, each injected by one kind of world rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// The adverts the desktop receives (an advert rule).
    Advert,
    /// The WebSocket upgrades in the world (a connection rule).
    Upgrade,
    /// The messages the tunnel server relays, both directions together (a relay rule).
    Relay,
    /// Anything else: a step in a unit of its own (seconds, one party's messages, the BLE
    /// channel's messages) or none, injected its own way.
    Other,
}

/// A fault and the step it hits (`NAME[@STEP]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultAt {
    /// Which fault.
    pub fault: Fault,
    /// Which occurrence (see the module documentation); `None`: the fault's default.
    pub step: Option<u64>,
}

impl FaultAt {
    /// `fault` at `step`.
    pub fn new(fault: Fault, step: u64) -> FaultAt {
        FaultAt {
            fault,
            step: Some(step),
        }
    }

    /// The step in force: the one given, or the fault's default.
    pub fn step(&self) -> Option<u64> {
        self.step.or(self.fault.default_step())
    }
}

impl From<Fault> for FaultAt {
    fn from(fault: Fault) -> FaultAt {
        FaultAt { fault, step: None }
    }
}

impl fmt::Display for FaultAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(f, "{}@{step}", self.fault),
            None => write!(f, "{}", self.fault),
        }
    }
}

/// Why a `NAME[@STEP]` text is not a fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseFaultError(String);

impl FromStr for FaultAt {
    type Err = ParseFaultError;

    fn from_str(text: &str) -> Result<FaultAt, ParseFaultError> {
        let (name, step) = match text.split_once('@') {
            Some((name, step)) => (name, Some(step)),
            None => (text, None),
        };
        let fault = Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                ParseFaultError(format!(
                    "no fault {name:?}; the faults are: {}",
                    names.join(", ")
                ))
            })?;
        let step = match step {
            None => None,
            Some(_) if !fault.takes_step() => {
                return Err(ParseFaultError(format!("fault {name} takes no @STEP")))
            }
            Some(step) => match step.parse::<u64>() {
                Ok(n) if n >= 1 || fault == Fault::ClockSkew => Some(n),
                _ => {
                    return Err(ParseFaultError(format!(
                        "fault {name}: step {step:?} is not a number from 1"
                    )))
                }
            },
        };
        Ok(FaultAt { fault, step })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for fault in Fault::ALL {
            let parsed: FaultAt = fault.name().parse().unwrap();
            assert_eq!(parsed, FaultAt::from(*fault));
        }
        assert_eq!(
            "ws-split@4".parse::<FaultAt>().unwrap(),
            FaultAt::new(Fault::WsSplit, 4)
        );
        assert_eq!(
            "ws-split@4".parse::<FaultAt>().unwrap().to_string(),
            "ws-split@4"
        );
    }

    #[test]
    fn bad_names_and_steps_are_refused() {
        assert!("ws-nope"
            .parse::<FaultAt>()
            .unwrap_err()
            .to_string()
            .contains("advert-dropped"));
        assert!("ws-split@0".parse::<FaultAt>().is_err());
        assert!("ws-split@x".parse::<FaultAt>().is_err());
        assert!("qr-stale@2".parse::<FaultAt>().is_err());
    }
}
