//! The driver's side of the wire: what the socket tasks report, the adverts fed from
//! outside, and the wake channel.

use super::driver::Driver;
use super::log::Side;
use super::options::{TunnelRoute, Unreachable, ADVERT_RSSI};
use super::outcome::{self, Failed};
use super::socket_task::{wake_task, NetEvent, Phase, WakeState};
use crate::text::one_line;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{FedAdvert, Input, Layer, PeerError, Reason, SocketId};
use hybridsim_tunnel::{wake_path, WakeUp};
use tokio::sync::mpsc::unbounded_channel;
use tokio::time::Instant;

impl<H: CtapHandler> Driver<'_, H> {
    /// What a socket task reported: one small method per kind of event.
    pub(super) fn on_event(&mut self, event: NetEvent) {
        match event {
            NetEvent::Opened {
                side,
                socket,
                headers,
            } => self.opened(side, socket, headers),
            NetEvent::Refused {
                side,
                socket,
                status,
                reason,
                unreachable,
            } => self.refused(side, socket, status, reason, unreachable),
            NetEvent::Message { side, socket, data } => self.received(side, socket, data),
            NetEvent::Text { side, socket } => {
                self.note(side, Layer::Tunnel, "received a text message", &[]);
                let now = self.now();
                self.input(side, now, Input::TextMessage { socket });
            }
            NetEvent::Closed { side, socket, code } => {
                let what = format!("closed by the server: {code}");
                self.note(side, Layer::Tunnel, what, &[]);
                self.set_gone(side, socket);
                let now = self.now();
                self.input(side, now, Input::SocketClosed { socket, code });
            }
            NetEvent::Wake(text) => self.woken(&text),
            NetEvent::WakeEnded(why) => {
                let what = format!("wake socket {why}");
                self.note(Side::Phone, Layer::Tunnel, what, &[]);
                self.wake = WakeState::Failed(format!("the wake socket {why}"));
            }
        }
    }

    fn opened(&mut self, side: Side, socket: SocketId, headers: Vec<(String, String)>) {
        let listed: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let what = format!("upgraded (101; {})", listed.join("; "));
        self.note(side, Layer::Tunnel, what, &[]);
        if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
            if entry.phase == Phase::Upgrading {
                entry.phase = Phase::Open;
            }
        }
        let now = self.now();
        self.input(side, now, Input::SocketOpened { socket, headers });
    }

    fn refused(
        &mut self,
        side: Side,
        socket: SocketId,
        status: u16,
        reason: String,
        unreachable: Option<Unreachable>,
    ) {
        if self.unreachable.is_none() {
            self.unreachable = unreachable;
        }
        let what = format!("upgrade refused: status {status}, {}", one_line(&reason));
        self.note(side, Layer::Tunnel, what, &[]);
        self.set_gone(side, socket);
        let now = self.now();
        let input = Input::SocketRefused {
            socket,
            status,
            reason,
        };
        self.input(side, now, input);
    }

    fn received(&mut self, side: Side, socket: SocketId, data: Vec<u8>) {
        let what = format!("received {} B", data.len());
        self.note(side, Layer::Tunnel, what, &data);
        // With both peers here the sender already put it on the record.
        let sender_here = match side {
            Side::Desktop => self.phone.is_some(),
            Side::Phone => self.desktop.is_some(),
        };
        if !sender_here {
            self.wire.message(side.other(), &data);
        }
        if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
            entry.received += 1;
        }
        let now = self.now();
        self.input(side, now, Input::Message { socket, data });
    }

    /// A wake-up on the wake socket becomes the phone's [`Input::WakeUp`].
    fn woken(&mut self, text: &str) {
        let wake = match WakeUp::from_json(text) {
            Ok(wake) => wake,
            Err(e) => {
                let what = format!("unreadable wake-up ignored: {e}");
                return self.note(Side::Phone, Layer::Tunnel, what, text.as_bytes());
            }
        };
        let what = "wake-up received on the wake socket";
        self.note(Side::Phone, Layer::Tunnel, what, text.as_bytes());
        let input = Input::WakeUp {
            tunnel_id: wake.tunnel_id,
            routing_id: wake.routing_id,
            client_payload: wake.client_payload,
        };
        let now = self.now();
        self.input(Side::Phone, now, input);
    }

    /// An advert (or an unreadable line) from outside, for the desktop running alone.
    pub(super) fn on_fed(&mut self, fed: Option<FedAdvert>) {
        let now = self.now();
        match fed {
            Some(Ok(advert)) => {
                let what = format!("advert heard under {:#06x} (from outside)", advert.uuid);
                self.note(Side::Desktop, Layer::Ble, what, &advert.data);
                self.wire.advert(advert.uuid, &advert.data);
                let input = Input::Advert {
                    uuid: advert.uuid,
                    data: advert.data,
                    rssi: ADVERT_RSSI,
                };
                self.input(Side::Desktop, now, input);
            }
            Some(Err(why)) => {
                let what = format!("advert input ignored: {}", one_line(&why));
                self.note(Side::Desktop, Layer::Ble, what, &[]);
            }
            None => {
                self.links.adverts_in = None;
                self.note(Side::Desktop, Layer::Ble, "advert input ended", &[]);
                let waiting = self.desktop.as_ref().is_some_and(outcome::awaits_advert);
                if waiting && !self.forced.contains_key(&Side::Desktop) {
                    let error = PeerError::new(Side::Desktop, Reason::AdvertsEnded);
                    let note = outcome::failed_note(&error.reason);
                    self.note(Side::Desktop, Layer::Ble, note, &[]);
                    self.forced.insert(Side::Desktop, error.clone());
                    self.failed.push(Failed {
                        side: Side::Desktop,
                        error,
                        by_driver: true,
                    });
                }
            }
        }
    }
    /// Registers the phone's contact id on the wake socket before the desktop contacts it.
    pub(super) async fn open_wake_channel(&mut self, deadline: Instant) {
        let Some(contact) = self.phone.as_ref().map(|p| p.config().contact_id.clone()) else {
            return;
        };
        // The wake channel is this server's own extension; a real tunnel domain has none.
        let TunnelRoute::Server(target) = &self.route else {
            return;
        };
        let target = target.clone();
        let path = wake_path(&contact);
        self.note(
            Side::Phone,
            Layer::Tunnel,
            format!("wake socket {target}{path}"),
            &[],
        );
        let wait = self
            .options
            .upgrade_timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        match target.upgrade(&path, &[], wait).await {
            Ok(upgraded) => {
                self.note(Side::Phone, Layer::Tunnel, "wake socket registered", &[]);
                let ws = upgraded.into_websocket().await;
                let (commands, receiver) = unbounded_channel();
                self.wake = WakeState::Open {
                    _close_on_drop: commands,
                };
                self.tasks.spawn(wake_task(
                    ws,
                    receiver,
                    self.events.clone(),
                    self.options.close_linger,
                ));
            }
            Err(refusal) => {
                let why = format!("wake socket {path} refused: {refusal}");
                self.note(Side::Phone, Layer::Tunnel, why.clone(), &[]);
                self.wake = WakeState::Failed(why.clone());
                self.forced.insert(
                    Side::Phone,
                    PeerError::new(Side::Phone, Reason::NeverWoken(why)),
                );
                self.start_grace();
            }
        }
    }
}
