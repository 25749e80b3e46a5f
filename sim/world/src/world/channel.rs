//! The CTAP 2.3 BLE data channel on the simulated radio: a reliable, ordered L2CAP-like
//! channel between a desktop and the phone whose advert offered it (the suffix names
//! channel 1 and the PSM). Messages take the radio's latency (plus any `ble-channel-slow`
//! delay) and arrive in order; the channel's faults refuse it, lose it after a number of
//! messages, or slow it (see [`crate::faults`]). Trace lines on it are at the BLE layer and
//! say "ble channel", so a trace shows which channel a session used.

use super::actor::Event;
use super::{ActorId, World};
use crate::trace::Direction;
use hybridsim_peers::phone::PHONE_BLE_CHANNEL;
use hybridsim_peers::{Input, Layer, SocketId};
use hybridsim_proto::advert::ADVERT_LEN;
use hybridsim_proto::channels::{AdvertSuffix, Channel, SuffixKeys};
use std::collections::{BTreeMap, BTreeSet};

/// How the radio treats data channels (the `ble-channel-*` faults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelFaults {
    /// Every channel request is refused (`ble-channel-refused`).
    pub refuse: bool,
    /// The channel is lost when this message (from 1, both directions together) is sent
    /// (`ble-channel-dropped`); it never arrives.
    pub drop_at: Option<u64>,
    /// Extra milliseconds every channel message takes (`ble-channel-slow`).
    pub slow_ms: u64,
}

/// The open channels, each end mapped to the other, and the faults on them.
#[derive(Debug, Default)]
pub(super) struct Channels {
    links: BTreeMap<(ActorId, SocketId), (ActorId, SocketId)>,
    /// Every end a channel ever had: what is sent on or delivered to one after the channel
    /// closed is still a channel message (lost, or arriving late), never a tunnel one.
    ends: BTreeSet<(ActorId, SocketId)>,
    pub(super) faults: ChannelFaults,
    sent: u64,
}

impl Channels {
    /// Whether `end` is (or was) one end of a channel.
    pub(super) fn carries(&self, end: (ActorId, SocketId)) -> bool {
        self.ends.contains(&end)
    }

    /// Removes the channel `end` belongs to; the other end, if it was open.
    fn sever(&mut self, end: (ActorId, SocketId)) -> Option<(ActorId, SocketId)> {
        let other = self.links.remove(&end)?;
        self.links.remove(&other);
        Some(other)
    }
}

/// Whether service data carries a CTAP 2.3 suffix offering BLE on `psm`, in either key
/// reading (the radio connects by address; the PSM picks the phone's listening channel).
fn offers_psm(data: &[u8], psm: u16) -> bool {
    let Some(suffix) = data.get(ADVERT_LEN..).filter(|s| !s.is_empty()) else {
        return false;
    };
    [SuffixKeys::ChannelKeyed, SuffixKeys::IdKeyed]
        .into_iter()
        .filter_map(|keys| AdvertSuffix::decode(suffix, keys).ok())
        .flatten()
        .any(|s| s.channel == Channel::Ble.id() && s.extra == Some(u64::from(psm)))
}

impl World {
    /// Sets how the radio treats data channels (the `ble-channel-*` faults).
    pub fn set_channel_faults(&mut self, faults: ChannelFaults) {
        self.channels.faults = faults;
    }

    /// How the radio treats data channels now.
    pub fn channel_faults(&self) -> ChannelFaults {
        self.channels.faults
    }

    /// A desktop's channel request: to the phone on the air offering `psm`, unless refused.
    pub(super) fn open_channel(&mut self, actor: ActorId, socket: SocketId, psm: u16) {
        let what = format!("open ble channel psm {psm:#06x}");
        self.record(actor, Layer::Ble, Direction::Send, what, &[]);
        let phone = (0..self.actors.len()).map(ActorId).find(|id| {
            *id != actor
                && self.actors.get(id.0).is_some_and(|a| {
                    !a.done() && a.advert.as_ref().is_some_and(|(_, d)| offers_psm(d, psm))
                })
        });
        let at = self.at(self.radio.latency_ms);
        let refusal = match phone {
            _ if self.channels.faults.refuse => {
                Some("the phone's radio refused it (fault ble-channel-refused)")
            }
            None => Some("no phone on the air offers this PSM"),
            Some(_) => None,
        };
        match (phone, refusal) {
            (Some(phone), None) => {
                let ends = ((actor, socket), (phone, PHONE_BLE_CHANNEL));
                self.channels.links.insert(ends.0, ends.1);
                self.channels.links.insert(ends.1, ends.0);
                self.channels.ends.extend([ends.0, ends.1]);
                let opened = |socket| Input::DataChannelOpened { socket };
                self.queue
                    .push(at, Event::ToActor(phone, opened(PHONE_BLE_CHANNEL)));
                self.queue.push(at, Event::ToActor(actor, opened(socket)));
            }
            (_, reason) => {
                let reason = reason.unwrap_or_default().to_owned();
                let input = Input::DataChannelRefused { socket, reason };
                self.queue.push(at, Event::ToActor(actor, input));
            }
        }
    }

    /// One message on the channel: to the other end in order, or the channel lost with it.
    pub(super) fn channel_send(&mut self, actor: ActorId, socket: SocketId, data: Vec<u8>) {
        let what = "ble channel message".to_owned();
        self.record(actor, Layer::Ble, Direction::Send, what, &data);
        let Some(&(peer, peer_socket)) = self.channels.links.get(&(actor, socket)) else {
            let what = "ble channel closed: message lost".to_owned();
            self.record(actor, Layer::Ble, Direction::Drop, what, &[]);
            return;
        };
        self.channels.sent += 1;
        if self.channels.faults.drop_at == Some(self.channels.sent) {
            let what = "ble channel lost with this message (fault)".to_owned();
            self.record(actor, Layer::Ble, Direction::Drop, what, &[]);
            self.close_channel_ends(actor, socket);
            return;
        }
        let delay = self.radio.latency_ms + self.channels.faults.slow_ms;
        let input = Input::Message {
            socket: peer_socket,
            data,
        };
        self.queue.push(self.at(delay), Event::ToActor(peer, input));
    }

    /// `actor` closed its end: the other end hears it after the radio's latency.
    pub(super) fn channel_close(&mut self, actor: ActorId, socket: SocketId) {
        let what = "close ble channel".to_owned();
        self.record(actor, Layer::Ble, Direction::Send, what, &[]);
        if let Some((peer, peer_socket)) = self.channels.sever((actor, socket)) {
            let input = Input::DataChannelClosed {
                socket: peer_socket,
            };
            let at = self.at(self.radio.latency_ms);
            self.queue.push(at, Event::ToActor(peer, input));
        }
    }

    /// The link is lost: both ends hear the channel close.
    fn close_channel_ends(&mut self, actor: ActorId, socket: SocketId) {
        if let Some(other) = self.channels.sever((actor, socket)) {
            let at = self.at(self.radio.latency_ms);
            for (who, end) in [(actor, socket), other] {
                let input = Input::DataChannelClosed { socket: end };
                self.queue.push(at, Event::ToActor(who, input));
            }
        }
    }
}
