//! A peer's outputs carried out, one method per kind: the QR code shown to every camera,
//! adverts put on the air, WebSockets opened, messages sent and closed, notes and the end
//! of the transaction recorded.

use super::actor::{Event, Frame};
use super::{ActorId, World};
use crate::fault::Medium;
use crate::trace::Direction;
use hybridsim_peers::{Input, Layer, Output, PeerError, PeerEvent, SocketId};
use hybridsim_proto::tunnel_url::TunnelUrl;
use hybridsim_tunnel::{ConnectionId, ConnectionRequest, Incoming};
use std::net::{IpAddr, Ipv4Addr};

impl World {
    /// Carries out one output of `actor`.
    pub(super) fn carry_out(&mut self, actor: ActorId, output: Output) {
        if let Some(wire) = &mut self.wire {
            wire.observe(self.now, actor, &output);
        }
        match output {
            Output::ShowQr(text) => self.show_qr(actor, text),
            Output::Advertise { uuid, data } => self.advertise(actor, uuid, data),
            Output::StopAdvertising => self.stop_advertising(actor),
            Output::Connect {
                socket,
                url,
                headers,
            } => self.open_socket(actor, socket, &url, &headers),
            Output::OpenDataChannel { socket, psm } => self.open_channel(actor, socket, psm),
            Output::Send { socket, data } if self.channels.carries((actor, socket)) => {
                self.channel_send(actor, socket, data)
            }
            Output::Send { socket, data } => self.send(actor, socket, data),
            Output::Close { socket, .. } if self.channels.carries((actor, socket)) => {
                self.channel_close(actor, socket)
            }
            Output::Close { socket, code } => self.close(actor, socket, code),
            Output::Event(event) => self.note(actor, event),
            Output::Finished(result) => self.finish(actor, result),
        }
    }

    /// A record of what `actor` did, with no secret bytes.
    pub(super) fn record(
        &mut self,
        actor: ActorId,
        layer: Layer,
        dir: Direction,
        what: String,
        bytes: &[u8],
    ) {
        let name = self.name(actor);
        self.trace
            .record(self.now, &name, layer, dir, what, bytes, false);
    }

    /// The QR code, photographed by every phone whose camera points at the screen.
    fn show_qr(&mut self, actor: ActorId, text: String) {
        self.record(
            actor,
            Layer::Qr,
            Direction::Send,
            "show QR".into(),
            text.as_bytes(),
        );
        let name = self.name(actor);
        let scanners: Vec<ActorId> = (0..self.actors.len())
            .map(ActorId)
            .filter(|id| self.actors.get(id.0).is_some_and(|a| a.scans_qr))
            .collect();
        for phone in scanners {
            let to = self.name(phone);
            let index = self.actors.get_mut(phone.0).map_or(0, |a| {
                a.scans += 1;
                a.scans - 1
            });
            let copies =
                self.apply_rules(Medium::Camera, &name, &to, index, text.as_bytes().to_vec());
            for (delay, bytes, _) in copies {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let Some(read) = self.photograph(&to, text) else {
                    continue;
                };
                let at = self.at(self.camera_delay_ms + delay);
                let input = Input::QrScanned(read);
                self.queue.push(at, Event::ToActor(phone, input));
            }
        }
    }

    /// A new advert on the air, broadcast from now on.
    fn advertise(&mut self, actor: ActorId, uuid: u16, data: Vec<u8>) {
        let what = format!("advertise {uuid:04x}");
        self.record(actor, Layer::Ble, Direction::Send, what, &data);
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.advert = Some((uuid, data));
            a.advert_generation += 1;
            let generation = a.advert_generation;
            self.queue
                .push(self.now, Event::Broadcast(actor, generation));
        }
    }

    fn stop_advertising(&mut self, actor: ActorId) {
        self.record(
            actor,
            Layer::Ble,
            Direction::Send,
            "stop advertising".into(),
            &[],
        );
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.advert = None;
            a.advert_generation += 1;
        }
    }

    /// The upgrade request to the tunnel server, past the connect rules.
    fn open_socket(
        &mut self,
        actor: ActorId,
        socket: SocketId,
        url: &TunnelUrl,
        headers: &[(String, String)],
    ) {
        let name = self.name(actor);
        self.record(
            actor,
            Layer::Tunnel,
            Direction::Send,
            format!("connect {url}"),
            &[],
        );
        let header = |wanted: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.clone())
        };
        let conn = ConnectionId(self.next_conn);
        self.next_conn += 1;
        let mut request = ConnectionRequest {
            conn,
            peer_ip: IpAddr::V4(Ipv4Addr::new(
                10,
                0,
                0,
                u8::try_from(actor.0 % 250).unwrap_or(0) + 1,
            )),
            path: url.route.path(),
            subprotocols: header("Sec-WebSocket-Protocol")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default(),
            client_payload: header("X-caBLE-Client-Payload"),
            signal_connection: header("X-caBLE-Signal-Connection"),
        };
        let index = self.connects;
        self.connects += 1;
        let mut rewritten = Vec::new();
        for rule in &mut self.connect_rules {
            if rule.on_request(&name, index, &mut request) {
                rewritten.push(format!(
                    "upgrade request rewritten by {}: {} (subprotocols: {})",
                    rule.name(),
                    request.path,
                    request.subprotocols.join(", ")
                ));
            }
        }
        for what in rewritten {
            self.record(actor, Layer::Tunnel, Direction::Note, what, &[]);
        }
        let at = self.at(self.network_latency_ms);
        self.queue
            .push(at, Event::Connect(actor, socket, request, index));
    }

    /// One message to the tunnel server, past the network rules; the actor goes silent once
    /// it has sent as many as a fault allows.
    fn send(&mut self, actor: ActorId, socket: SocketId, data: Vec<u8>) {
        self.record(
            actor,
            Layer::Tunnel,
            Direction::Send,
            "message".into(),
            &data,
        );
        let Some(&conn) = self.by_socket.get(&(actor, socket)) else {
            return;
        };
        let index = self.actors.get(actor.0).map_or(0, |a| a.sends);
        let mut silenced = false;
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.sends += 1;
            if a.silent_after.is_some_and(|n| a.sends >= n) {
                a.silent = true;
                a.silent_at = Some(self.now);
                silenced = true;
            }
        }
        let name = self.name(actor);
        for (delay, bytes, frame) in self.apply_rules(Medium::Network, &name, "tunnel", index, data)
        {
            let at = self.at(self.network_latency_ms + delay);
            let incoming = match frame {
                Frame::Text => Incoming::Text,
                Frame::Binary | Frame::Held => Incoming::Binary(bytes),
            };
            self.queue.push(at, Event::ToRouter(conn, incoming));
        }
        if silenced {
            let what = "went silent (fault): no more inputs, timers or outputs";
            self.record(actor, Layer::Tunnel, Direction::Note, what.into(), &[]);
        }
    }

    fn close(&mut self, actor: ActorId, socket: SocketId, code: u16) {
        self.record(
            actor,
            Layer::Tunnel,
            Direction::Send,
            format!("close {code}"),
            &[],
        );
        if let Some(conn) = self.by_socket.remove(&(actor, socket)) {
            self.sockets.remove(&conn);
            let at = self.at(self.network_latency_ms);
            self.queue.push(at, Event::RouterClose(conn));
        }
    }

    /// A peer's own note: shown to the rules, then recorded (secrets hidden unless revealed).
    fn note(&mut self, actor: ActorId, event: PeerEvent) {
        let name = self.name(actor);
        for rule in &mut self.rules {
            rule.observe(&name, &event);
        }
        self.trace.record(
            self.now,
            &name,
            event.layer,
            Direction::Note,
            event.what,
            &event.bytes,
            event.secret,
        );
    }

    /// The end of the actor's transaction: recorded, its advert off the air.
    fn finish(&mut self, actor: ActorId, result: Result<(), PeerError>) {
        let (layer, what) = match &result {
            Ok(()) => (Layer::Ctap, "finished".to_owned()),
            Err(e) => (e.layer, format!("failed: {e}")),
        };
        self.record(actor, layer, Direction::Note, what, &[]);
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.finished = Some(result);
            a.finished_at = Some(self.now);
            a.advert = None;
        }
    }
}
