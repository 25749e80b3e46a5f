//! The phone's side of the CTAP 2.3 BLE data channel: a desktop that read the advert suffix
//! connects to the phone's PSM, and from then on the session's messages (Noise, the
//! post-handshake message, CTAP) travel on that channel instead of the tunnel, which the
//! phone opened on the scan as always and keeps as the fallback (docs/protocol.md §0.1).

use super::state::State;
use super::{CtapHandler, Cx, Phone, Socket, PHONE_BLE_CHANNEL, PHONE_SOCKET};
use crate::common::CLOSE_NORMAL;
use crate::io::Layer;
use crate::outcome::Reason;
use hybridsim_proto::channels::Channel;

impl<H: CtapHandler> Phone<H> {
    /// A desktop opened the BLE channel: taken when the profile offers BLE in its advert and
    /// no session has started on the tunnel; otherwise closed at once.
    pub(super) fn on_channel_opened(&mut self) {
        let offers =
            self.config.advert_suffix.is_some() && self.config.channels.contains(&Channel::Ble);
        let free = self.data == PHONE_SOCKET && self.ble == Socket::None;
        if offers && free && self.record.handshake_hash.is_none() {
            self.ble = Socket::Open;
            self.data = PHONE_BLE_CHANNEL;
            let what = "ble channel opened by the desktop: the session runs on it";
            self.out.event(Layer::Ble, what, []);
        } else {
            let what = "ble channel refused: not offered, or a session is running";
            self.out.event(Layer::Ble, what, []);
            self.out.close(PHONE_BLE_CHANNEL, CLOSE_NORMAL);
        }
    }
}

impl State {
    /// The BLE channel the session runs on closed: after the CTAP reply it ends the session
    /// as a tunnel close would; before, the session is lost with it.
    pub(super) fn on_channel_closed<H>(self, cx: &mut Cx<'_, H>) -> Result<State, Reason> {
        *cx.ble = Socket::Gone;
        match self {
            State::AwaitingShutdown(_) => self.on_closed(cx, CLOSE_NORMAL),
            other => Err(Reason::ChannelDropped {
                waiting: other.waiting(),
            }),
        }
    }
}
