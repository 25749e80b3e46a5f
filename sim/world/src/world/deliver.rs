//! Deliveries: each popped event handed to its peer or to the tunnel router, what the
//! router emits sent on, adverts broadcast over the radio.

use super::actor::{Event, Frame};
use super::{ActorId, World};
use crate::fault::Medium;
use crate::radio;
use crate::trace::Direction;
use hybridsim_peers::{Input, Layer, SocketId};
use hybridsim_proto::time::Millis;
use hybridsim_tunnel::{ConnectionRequest, Decision, Output as RouterOutput};
use rand_core::RngCore;

impl World {
    pub(super) fn deliver(&mut self, event: Event) {
        match event {
            Event::ToActor(actor, input) => self.hand_to_actor(actor, input),
            Event::ActorTimer(actor) => {
                let due = self.actors.get(actor.0).is_some_and(|a| {
                    !a.silent
                        && a.peer
                            .poll_timeout()
                            .is_some_and(|t| t <= a.local(self.now))
                });
                if due {
                    if let Some(a) = self.actors.get_mut(actor.0) {
                        let local = a.local(self.now);
                        a.peer.handle_timeout(local);
                    }
                    self.drain(actor);
                }
            }
            Event::Broadcast(actor, generation) => self.broadcast(actor, generation),
            Event::Connect(actor, socket, request, index) => {
                self.connect(actor, socket, request, index)
            }
            Event::ToRouter(conn, incoming) => {
                self.router.handle_message(self.now, conn, incoming);
                self.drain_router();
            }
            Event::RouterClose(conn) => {
                self.router.handle_close(self.now, conn);
                self.drain_router();
            }
            Event::RouterTimer => {
                if self.router.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.router.handle_timeout(self.now);
                    self.drain_router();
                }
            }
        }
    }

    pub(super) fn hand_to_actor(&mut self, actor: ActorId, input: Input) {
        let Some(a) = self.actors.get_mut(actor.0) else {
            return;
        };
        if a.done() {
            return;
        }
        if let (Some(wire), Input::Message { data, .. }) = (&mut self.wire, &input) {
            wire.delivered(self.now, actor, data);
        }
        let (layer, what, bytes) = match &input {
            Input::Message { socket, data } if self.channels.carries((actor, *socket)) => {
                (Layer::Ble, "ble channel message".to_owned(), data.clone())
            }
            other => describe_input(other),
        };
        let name = a.name.clone();
        self.trace
            .record(self.now, &name, layer, Direction::Recv, what, &bytes, false);
        if let Some(a) = self.actors.get_mut(actor.0) {
            let local = a.local(self.now);
            a.peer.handle_input(local, input);
        }
        self.drain(actor);
    }

    /// Carries out everything `actor` queued, then schedules its timer.
    pub(super) fn drain(&mut self, actor: ActorId) {
        while let Some(output) = self
            .actors
            .get_mut(actor.0)
            .filter(|a| !a.silent)
            .and_then(|a| a.peer.poll_output())
        {
            self.carry_out(actor, output);
        }
        let deadline = self.actors.get(actor.0).and_then(|a| {
            let local = a.peer.poll_timeout()?;
            // Back from the actor's clock to the world's.
            Some(Millis(local.as_millis().saturating_sub(a.clock_offset_ms)))
        });
        if let Some(deadline) = deadline {
            self.queue
                .push(deadline.max(self.now), Event::ActorTimer(actor));
        }
    }

    pub(super) fn broadcast(&mut self, actor: ActorId, generation: u64) {
        let Some(a) = self.actors.get(actor.0) else {
            return;
        };
        let (Some((uuid, data)), true) = (a.advert.clone(), a.advert_generation == generation)
        else {
            return;
        };
        let from = a.name.clone();
        let listeners: Vec<ActorId> = (0..self.actors.len())
            .map(ActorId)
            .filter(|id| self.actors.get(id.0).is_some_and(|l| l.listens))
            .collect();
        for listener in listeners {
            let to = self.name(listener);
            if radio::happens(self.radio.loss, self.rng.next_u32()) {
                self.trace.record(
                    self.now,
                    &from,
                    Layer::Ble,
                    Direction::Drop,
                    format!("advert lost on the way to {to}"),
                    &data,
                    false,
                );
                continue;
            }
            let copies = if radio::happens(self.radio.duplicate, self.rng.next_u32()) {
                2
            } else {
                1
            };
            for (delay, bytes, _) in
                self.apply_rules(Medium::Radio, &from, &to, generation, data.clone())
            {
                for _ in 0..copies {
                    let input = Input::Advert {
                        uuid,
                        data: bytes.clone(),
                        rssi: self.radio.rssi,
                    };
                    let at = self.at(self.radio.latency_ms + delay);
                    self.queue.push(at, Event::ToActor(listener, input));
                }
            }
        }
        let next = self.at(self.radio.interval_ms);
        self.queue.push(next, Event::Broadcast(actor, generation));
    }

    pub(super) fn connect(
        &mut self,
        actor: ActorId,
        socket: SocketId,
        request: ConnectionRequest,
        index: u64,
    ) {
        let conn = request.conn;
        let name = self.name(actor);
        let input = match self.router.handle_connection(self.now, request) {
            Decision::Accept(accept) => {
                self.sockets.insert(conn, (actor, socket));
                self.by_socket.insert((actor, socket), conn);
                let mut headers: Vec<(String, String)> = accept
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect();
                headers.push(("sec-websocket-protocol".into(), accept.subprotocol.into()));
                for rule in &mut self.connect_rules {
                    if rule.on_accept(&name, index, &mut headers) {
                        let shown: Vec<String> =
                            headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                        let what = format!(
                            "upgrade response rewritten by {}: {}",
                            rule.name(),
                            shown.join("; ")
                        );
                        self.trace.record(
                            self.now,
                            "tunnel",
                            Layer::Tunnel,
                            Direction::Note,
                            what,
                            &[],
                            false,
                        );
                    }
                }
                Input::SocketOpened { socket, headers }
            }
            Decision::Reject(reject) => Input::SocketRefused {
                socket,
                status: reject.status(),
                reason: reject.label().to_owned(),
            },
        };
        let at = self.at(self.network_latency_ms);
        self.queue.push(at, Event::ToActor(actor, input));
        self.drain_router();
    }

    pub(super) fn drain_router(&mut self) {
        while let Some(output) = self.router.poll_output() {
            match output {
                RouterOutput::Transmit(t) => {
                    if let Some(&(actor, socket)) = self.sockets.get(&t.to) {
                        self.relay(actor, socket, t.message);
                    }
                }
                RouterOutput::Close(c) => {
                    if let Some((actor, socket)) = self.sockets.remove(&c.conn) {
                        self.by_socket.remove(&(actor, socket));
                        self.held.remove(&(actor, socket));
                        let at = self.at(self.network_latency_ms);
                        let input = Input::SocketClosed {
                            socket,
                            code: c.code.as_u16(),
                        };
                        self.queue.push(at, Event::ToActor(actor, input));
                    }
                }
                RouterOutput::Wake(w) => {
                    if let Some(&phone) = self.subscriptions.get(&w.subscription) {
                        let input = Input::WakeUp {
                            tunnel_id: w.tunnel_id,
                            routing_id: w.routing_id,
                            client_payload: w.client_payload,
                        };
                        let at = self.at(self.network_latency_ms);
                        self.queue.push(at, Event::ToActor(phone, input));
                    }
                }
            }
        }
        if let Some(deadline) = self.router.poll_timeout() {
            self.queue.push(deadline.max(self.now), Event::RouterTimer);
        }
    }

    pub(super) fn relay(&mut self, actor: ActorId, socket: SocketId, message: Vec<u8>) {
        let to = self.name(actor);
        let index = self.actors.get_mut(actor.0).map_or(0, |a| {
            a.relayed += 1;
            a.relayed - 1
        });
        let earlier = self.held.remove(&(actor, socket)).unwrap_or_default();
        let mut delivered = false;
        for (delay, data, frame) in self.apply_rules(Medium::Relay, "tunnel", &to, index, message) {
            let input = match frame {
                Frame::Held => {
                    self.held.entry((actor, socket)).or_default().push(data);
                    continue;
                }
                Frame::Text => Input::TextMessage { socket },
                Frame::Binary => Input::Message { socket, data },
            };
            delivered = true;
            let at = self.at(self.network_latency_ms + delay);
            self.queue.push(at, Event::ToActor(actor, input));
        }
        if delivered {
            let at = self.at(self.network_latency_ms);
            for data in earlier {
                self.queue
                    .push(at, Event::ToActor(actor, Input::Message { socket, data }));
            }
        } else if !earlier.is_empty() {
            let slot = self.held.entry((actor, socket)).or_default();
            let later = std::mem::replace(slot, earlier);
            slot.extend(later);
        }
    }
}

fn describe_input(input: &Input) -> (Layer, String, Vec<u8>) {
    match input {
        Input::QrScanned(text) => (Layer::Qr, "QR scanned".into(), text.as_bytes().to_vec()),
        Input::Advert { uuid, data, rssi } => (
            Layer::Ble,
            format!("advert {uuid:04x} rssi {rssi}"),
            data.clone(),
        ),
        Input::SocketOpened { headers, .. } => {
            let shown: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            (
                Layer::Tunnel,
                format!("101 {}", shown.join("; ")),
                Vec::new(),
            )
        }
        Input::SocketRefused { status, reason, .. } => (
            Layer::Tunnel,
            format!("refused {status} {reason}"),
            Vec::new(),
        ),
        Input::Message { data, .. } => (Layer::Tunnel, "message".into(), data.clone()),
        Input::TextMessage { .. } => (Layer::Tunnel, "text message".into(), Vec::new()),
        Input::SocketClosed { code, .. } => (Layer::Tunnel, format!("closed {code}"), Vec::new()),
        Input::DataChannelOpened { .. } => (Layer::Ble, "ble channel open".into(), Vec::new()),
        Input::DataChannelRefused { reason, .. } => (
            Layer::Ble,
            format!("ble channel refused: {reason}"),
            Vec::new(),
        ),
        Input::DataChannelClosed { .. } => (Layer::Ble, "ble channel closed".into(), Vec::new()),
        Input::WakeUp { client_payload, .. } => {
            (Layer::Tunnel, "wake-up".into(), client_payload.clone())
        }
    }
}
