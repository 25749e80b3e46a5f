//! The desktop's side of the CTAP 2.3 data channels: whether a matched advert lets it use
//! the BLE channel instead of the tunnel, opening that channel, and what happens when the
//! radio refuses it (the WebSocket fallback CTAP 2.3 asks for) or loses it.
//!
//! The channel is used only when both sides offer it: this desktop's QR key 6 lists channel
//! 1 and the phone's advert suffix, read channel-keyed as libwebauthn and Android write it
//! (`{1: PSM}`), names channel 1 with a PSM. Everything else stays on the tunnel, byte for
//! byte as before. On the channel the same Noise handshake, post-handshake message and CTAP
//! messages travel as on the tunnel (docs/protocol.md §0.1).

use super::advert::AdvertMatched;
use super::state::{connect_tunnel, AwaitingAdvert, Connecting, QrKeys, State};
use super::{Cx, DesktopConfig, Socket, DESKTOP_BLE_CHANNEL};
use crate::common::Deadline;
use crate::io::{Layer, Output};
use crate::outcome::Reason;
use hybridsim_proto::channels::{AdvertSuffix, Channel, SuffixKeys};
use hybridsim_proto::qr::Key6;

impl AwaitingAdvert {
    /// Commits to the phone (Chromium: the first match wins): the CTAP 2.3 BLE channel when
    /// both sides offer it, else `/cable/connect`.
    pub(super) fn on_matched(
        self,
        cx: &mut Cx<'_>,
        matched: AdvertMatched,
    ) -> Result<State, Reason> {
        match ble_offer(cx.config, &matched) {
            Some(psm) => Ok(open(cx, self.keys, matched, psm)),
            None => connect_tunnel(cx, self.keys, matched),
        }
    }
}

/// The PSM of the BLE channel when this desktop's QR code offered it and the matched
/// advert's suffix offers it too; `None` keeps the transaction on the tunnel.
fn ble_offer(config: &DesktopConfig, matched: &AdvertMatched) -> Option<u16> {
    let offered = matches!(&config.qr.key6, Some(Key6::TransportChannels(ids))
        if ids.contains(&Channel::Ble.id()));
    if !offered || matched.suffix.is_empty() {
        return None;
    }
    AdvertSuffix::decode(&matched.suffix, SuffixKeys::ChannelKeyed)
        .ok()?
        .iter()
        .find(|s| s.channel == Channel::Ble.id())
        .and_then(|s| s.extra)
        .and_then(|psm| u16::try_from(psm).ok())
}

/// Asks the radio for the L2CAP channel to the phone; message 1 goes out when it opens.
fn open(cx: &mut Cx<'_>, keys: QrKeys, matched: AdvertMatched, psm: u16) -> State {
    cx.out.event(
        Layer::Ble,
        format!("data channel: ble (both sides offer it; L2CAP PSM {psm:#06x})"),
        [],
    );
    cx.out.push(Output::OpenDataChannel {
        socket: DESKTOP_BLE_CHANNEL,
        psm,
    });
    *cx.ble = Socket::Requested;
    *cx.data = DESKTOP_BLE_CHANNEL;
    State::Connecting(Connecting {
        keys,
        matched,
        via: Channel::Ble,
        deadline: Deadline::after(cx.now, cx.config.timeouts.handshake),
    })
}

impl State {
    /// The BLE channel is open: the handshake starts on it.
    pub(super) fn on_channel_open(self, cx: &mut Cx<'_>) -> Result<State, Reason> {
        match self {
            State::Connecting(s) if s.via == Channel::Ble => s.on_open(cx, &[]),
            other => {
                let what = "DataChannelOpened ignored: no channel was pending";
                cx.out.event(Layer::Ble, what, []);
                Ok(other)
            }
        }
    }

    /// The phone's radio refused the channel: CTAP 2.3's fallback, the tunnel the phone
    /// opened when it scanned the code.
    pub(super) fn on_channel_refused(self, cx: &mut Cx<'_>, reason: &str) -> Result<State, Reason> {
        match self {
            State::Connecting(s) if s.via == Channel::Ble => {
                let what = format!("ble channel refused: {reason}; falling back to websocket");
                cx.out.event(Layer::Ble, what, []);
                connect_tunnel(cx, s.keys, s.matched)
            }
            other => Ok(other),
        }
    }

    /// The channel closed: the normal end while lingering, otherwise the transaction is lost
    /// with it (no fallback once the handshake has started on the channel).
    pub(super) fn on_channel_closed(self, cx: &mut Cx<'_>) -> Result<State, Reason> {
        match self {
            State::Lingering(s) => Ok(s.end(cx, "the ble channel closed").into()),
            other => Err(Reason::ChannelDropped {
                waiting: other.waiting(),
            }),
        }
    }
}
