//! [`World`]: peers, the radio, the camera and one tunnel server on one virtual clock.
//!
//! Calling convention: add actors, then [`World::run`] until every actor has finished (or
//! the step bound is hit, which is reported as a livelock, never a hang). Each popped
//! delivery is handed to its peer or to the tunnel router, and what they emit is scheduled
//! with the medium's latency after passing the fault rules.

use crate::fault::{InFlight, Medium, Rule, Verdict};
use crate::queue::Queue;
use crate::radio::{self, RadioConfig};
use crate::trace::{Direction, Trace};
use hybridsim_peers::{Input, Layer, Output, Peer, PeerError, SocketId};
use hybridsim_proto::time::Millis;
use hybridsim_tunnel::{
    Config as TunnelConfig, ConnectionId, ConnectionRequest, Decision, Incoming,
    Output as RouterOutput, Router, SubscriptionId,
};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

/// An actor's index in the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub usize);

/// Why a run ended without every actor finishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldError {
    /// The step bound was reached with actors still running.
    Livelock {
        /// Steps taken.
        steps: u64,
        /// Actors that had not finished.
        running: Vec<String>,
    },
    /// Nothing was left to deliver, yet these actors had not finished.
    Stalled {
        /// Actors that had not finished.
        running: Vec<String>,
    },
}

struct Actor {
    name: String,
    peer: Box<dyn Peer>,
    /// Receives the QR codes desktops show (a phone whose camera points at the screen).
    scans_qr: bool,
    /// Receives adverts (a desktop scanning BLE).
    listens: bool,
    advert: Option<(u16, Vec<u8>)>,
    advert_generation: u64,
    finished: Option<Result<(), PeerError>>,
    sends: u64,
}

enum Event {
    ToActor(ActorId, Input),
    ActorTimer(ActorId),
    Broadcast(ActorId, u64),
    Connect(ActorId, SocketId, ConnectionRequest),
    ToRouter(ConnectionId, Incoming),
    RouterClose(ConnectionId),
    RouterTimer,
}

/// The simulated world.
pub struct World {
    now: Millis,
    queue: Queue<Event>,
    actors: Vec<Actor>,
    router: Router,
    sockets: BTreeMap<ConnectionId, (ActorId, SocketId)>,
    by_socket: BTreeMap<(ActorId, SocketId), ConnectionId>,
    subscriptions: BTreeMap<SubscriptionId, ActorId>,
    next_conn: u64,
    rng: ChaCha20Rng,
    radio: RadioConfig,
    network_latency_ms: u64,
    camera_delay_ms: u64,
    rules: Vec<Box<dyn Rule>>,
    trace: Trace,
    steps: u64,
}

impl World {
    /// An empty world. `seed` drives the radio's dice and the tunnel server's tunnel ids;
    /// each peer has its own seed, given when it is built.
    pub fn new(seed: u64, tunnel: TunnelConfig, reveal_secrets: bool) -> World {
        let seed_bytes = derive_seed(seed, b"world");
        let router_seed = derive_seed(seed, b"tunnel");
        World {
            now: Millis::ZERO,
            queue: Queue::default(),
            actors: Vec::new(),
            router: Router::new(tunnel, router_seed),
            sockets: BTreeMap::new(),
            by_socket: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            next_conn: 0,
            rng: ChaCha20Rng::from_seed(seed_bytes),
            radio: RadioConfig::default(),
            network_latency_ms: 20,
            camera_delay_ms: 1500,
            rules: Vec::new(),
            trace: Trace::new(reveal_secrets),
            steps: 0,
        }
    }

    /// Replaces the radio conditions.
    pub fn set_radio(&mut self, radio: RadioConfig) {
        self.radio = radio;
    }

    /// Sets the one-way latency between any actor and the tunnel server.
    pub fn set_network_latency(&mut self, ms: u64) {
        self.network_latency_ms = ms;
    }

    /// Installs a fault rule after the ones already installed.
    pub fn add_rule(&mut self, rule: Box<dyn Rule>) {
        self.rules.push(rule);
    }

    /// Adds a desktop-like actor: it hears adverts; the QR codes it shows go to scanning
    /// phones.
    pub fn add_desktop(&mut self, name: &str, peer: Box<dyn Peer>) -> ActorId {
        self.add(name, peer, false, true)
    }

    /// Adds a phone-like actor whose camera reads the QR codes desktops show (`scans_qr`),
    /// or one that only waits for wake-ups (linked flow).
    pub fn add_phone(&mut self, name: &str, peer: Box<dyn Peer>, scans_qr: bool) -> ActorId {
        self.add(name, peer, scans_qr, false)
    }

    fn add(&mut self, name: &str, peer: Box<dyn Peer>, scans_qr: bool, listens: bool) -> ActorId {
        let id = ActorId(self.actors.len());
        self.actors.push(Actor {
            name: name.to_owned(),
            peer,
            scans_qr,
            listens,
            advert: None,
            advert_generation: 0,
            finished: None,
            sends: 0,
        });
        id
    }

    /// Registers `actor` for contact wake-ups of `contact_id` (the push channel).
    pub fn register_contact(&mut self, actor: ActorId, contact_id: Vec<u8>) -> bool {
        match self.router.register_contact(contact_id) {
            Ok(subscription) => {
                self.subscriptions.insert(subscription, actor);
                true
            }
            Err(_) => false,
        }
    }

    /// Lets every actor emit what it has to at the start (a desktop shows its QR code).
    pub fn start(&mut self) {
        for index in 0..self.actors.len() {
            self.drain(ActorId(index));
        }
    }

    /// Runs until every actor has finished; `max_steps` bounds the work.
    pub fn run(&mut self, max_steps: u64) -> Result<(), WorldError> {
        self.start();
        loop {
            if self.actors.iter().all(|a| a.finished.is_some()) {
                return Ok(());
            }
            if self.steps >= max_steps {
                return Err(WorldError::Livelock {
                    steps: self.steps,
                    running: self.running(),
                });
            }
            let Some((at, event)) = self.queue.pop() else {
                return Err(WorldError::Stalled {
                    running: self.running(),
                });
            };
            self.now = self.now.max(at);
            self.steps += 1;
            self.deliver(event);
        }
    }

    fn running(&self) -> Vec<String> {
        self.actors
            .iter()
            .filter(|a| a.finished.is_none())
            .map(|a| a.name.clone())
            .collect()
    }

    /// The virtual time now.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// How an actor finished, if it has.
    pub fn outcome(&self, actor: ActorId) -> Option<&Result<(), PeerError>> {
        self.actors.get(actor.0).and_then(|a| a.finished.as_ref())
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The tunnel router (for its metrics).
    pub fn router(&self) -> &Router {
        &self.router
    }

    fn name(&self, actor: ActorId) -> String {
        self.actors
            .get(actor.0)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    }

    fn at(&self, delay_ms: u64) -> Millis {
        Millis(self.now.as_millis().saturating_add(delay_ms))
    }

    fn deliver(&mut self, event: Event) {
        match event {
            Event::ToActor(actor, input) => self.hand_to_actor(actor, input),
            Event::ActorTimer(actor) => {
                let due = self
                    .actors
                    .get(actor.0)
                    .and_then(|a| a.peer.poll_timeout())
                    .is_some_and(|t| t <= self.now);
                if due {
                    if let Some(a) = self.actors.get_mut(actor.0) {
                        a.peer.handle_timeout(self.now);
                    }
                    self.drain(actor);
                }
            }
            Event::Broadcast(actor, generation) => self.broadcast(actor, generation),
            Event::Connect(actor, socket, request) => self.connect(actor, socket, request),
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

    fn hand_to_actor(&mut self, actor: ActorId, input: Input) {
        let Some(a) = self.actors.get_mut(actor.0) else {
            return;
        };
        if a.finished.is_some() {
            return;
        }
        let (layer, what, bytes) = describe_input(&input);
        let name = a.name.clone();
        self.trace
            .record(self.now, &name, layer, Direction::Recv, what, &bytes, false);
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.peer.handle_input(self.now, input);
        }
        self.drain(actor);
    }

    /// Carries out everything `actor` queued, then schedules its timer.
    fn drain(&mut self, actor: ActorId) {
        while let Some(output) = self
            .actors
            .get_mut(actor.0)
            .and_then(|a| a.peer.poll_output())
        {
            self.carry_out(actor, output);
        }
        if let Some(deadline) = self.actors.get(actor.0).and_then(|a| a.peer.poll_timeout()) {
            self.queue
                .push(deadline.max(self.now), Event::ActorTimer(actor));
        }
    }

    fn carry_out(&mut self, actor: ActorId, output: Output) {
        let name = self.name(actor);
        let now = self.now;
        match output {
            Output::ShowQr(text) => {
                self.trace.record(
                    now,
                    &name,
                    Layer::Qr,
                    Direction::Send,
                    "show QR",
                    text.as_bytes(),
                    false,
                );
                let scanners: Vec<ActorId> = (0..self.actors.len())
                    .map(ActorId)
                    .filter(|id| self.actors.get(id.0).is_some_and(|a| a.scans_qr))
                    .collect();
                for phone in scanners {
                    let at = self.at(self.camera_delay_ms);
                    self.queue
                        .push(at, Event::ToActor(phone, Input::QrScanned(text.clone())));
                }
            }
            Output::Advertise { uuid, data } => {
                self.trace.record(
                    now,
                    &name,
                    Layer::Ble,
                    Direction::Send,
                    format!("advertise {uuid:04x}"),
                    &data,
                    false,
                );
                if let Some(a) = self.actors.get_mut(actor.0) {
                    a.advert = Some((uuid, data));
                    a.advert_generation += 1;
                    let generation = a.advert_generation;
                    self.queue.push(now, Event::Broadcast(actor, generation));
                }
            }
            Output::StopAdvertising => {
                self.trace.record(
                    now,
                    &name,
                    Layer::Ble,
                    Direction::Send,
                    "stop advertising",
                    &[],
                    false,
                );
                if let Some(a) = self.actors.get_mut(actor.0) {
                    a.advert = None;
                    a.advert_generation += 1;
                }
            }
            Output::Connect {
                socket,
                url,
                headers,
            } => {
                let path = url.route.path();
                self.trace.record(
                    now,
                    &name,
                    Layer::Tunnel,
                    Direction::Send,
                    format!("connect {url}"),
                    &[],
                    false,
                );
                let header = |wanted: &str| {
                    headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
                        .map(|(_, v)| v.clone())
                };
                let conn = ConnectionId(self.next_conn);
                self.next_conn += 1;
                let request = ConnectionRequest {
                    conn,
                    peer_ip: IpAddr::V4(Ipv4Addr::new(
                        10,
                        0,
                        0,
                        u8::try_from(actor.0 % 250).unwrap_or(0) + 1,
                    )),
                    path,
                    subprotocols: header("Sec-WebSocket-Protocol")
                        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
                        .unwrap_or_default(),
                    client_payload: header("X-caBLE-Client-Payload"),
                    signal_connection: header("X-caBLE-Signal-Connection"),
                };
                let at = self.at(self.network_latency_ms);
                self.queue.push(at, Event::Connect(actor, socket, request));
            }
            Output::Send { socket, data } => {
                self.trace.record(
                    now,
                    &name,
                    Layer::Tunnel,
                    Direction::Send,
                    "message",
                    &data,
                    false,
                );
                let Some(&conn) = self.by_socket.get(&(actor, socket)) else {
                    return;
                };
                let index = self.actors.get(actor.0).map_or(0, |a| a.sends);
                if let Some(a) = self.actors.get_mut(actor.0) {
                    a.sends += 1;
                }
                for (delay, bytes) in
                    self.apply_rules(Medium::Network, &name, "tunnel", index, data)
                {
                    let at = self.at(self.network_latency_ms + delay);
                    self.queue
                        .push(at, Event::ToRouter(conn, Incoming::Binary(bytes)));
                }
            }
            Output::Close { socket, code } => {
                self.trace.record(
                    now,
                    &name,
                    Layer::Tunnel,
                    Direction::Send,
                    format!("close {code}"),
                    &[],
                    false,
                );
                if let Some(conn) = self.by_socket.remove(&(actor, socket)) {
                    self.sockets.remove(&conn);
                    let at = self.at(self.network_latency_ms);
                    self.queue.push(at, Event::RouterClose(conn));
                }
            }
            Output::Event(event) => {
                self.trace.record(
                    now,
                    &name,
                    event.layer,
                    Direction::Note,
                    event.what,
                    &event.bytes,
                    event.secret,
                );
            }
            Output::Finished(result) => {
                let what = match &result {
                    Ok(()) => "finished".to_owned(),
                    Err(e) => format!("failed: {e}"),
                };
                let layer = result.as_ref().err().map_or(Layer::Ctap, |e| e.layer);
                self.trace
                    .record(now, &name, layer, Direction::Note, what, &[], false);
                if let Some(a) = self.actors.get_mut(actor.0) {
                    a.finished = Some(result);
                    a.advert = None;
                }
            }
        }
    }

    /// Runs a message past the fault rules: the copies to deliver, each with an extra delay.
    fn apply_rules(
        &mut self,
        medium: Medium,
        from: &str,
        to: &str,
        index: u64,
        data: Vec<u8>,
    ) -> Vec<(u64, Vec<u8>)> {
        let now = self.now;
        let mut verdict = Verdict::Pass;
        let mut rule_name = String::new();
        for rule in &mut self.rules {
            let message = InFlight {
                medium,
                from,
                to,
                index,
                data: &data,
                now,
            };
            verdict = rule.on_message(&message);
            if verdict != Verdict::Pass {
                rule_name = rule.name().to_owned();
                break;
            }
        }
        let layer = match medium {
            Medium::Radio => Layer::Ble,
            Medium::Network => Layer::Tunnel,
        };
        match verdict {
            Verdict::Pass => vec![(0, data)],
            Verdict::Drop => {
                self.trace.record(
                    now,
                    from,
                    layer,
                    Direction::Drop,
                    format!("dropped by {rule_name}"),
                    &data,
                    false,
                );
                Vec::new()
            }
            Verdict::Delay(ms) => vec![(ms, data)],
            Verdict::Replace(bytes) => {
                self.trace.record(
                    now,
                    from,
                    layer,
                    Direction::Note,
                    format!("replaced by {rule_name}"),
                    &bytes,
                    false,
                );
                vec![(0, bytes)]
            }
            Verdict::Duplicate => vec![(0, data.clone()), (0, data)],
        }
    }

    fn broadcast(&mut self, actor: ActorId, generation: u64) {
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
            for (delay, bytes) in
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

    fn connect(&mut self, actor: ActorId, socket: SocketId, request: ConnectionRequest) {
        let conn = request.conn;
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

    fn drain_router(&mut self) {
        while let Some(output) = self.router.poll_output() {
            match output {
                RouterOutput::Transmit(t) => {
                    if let Some(&(actor, socket)) = self.sockets.get(&t.to) {
                        let at = self.at(self.network_latency_ms);
                        self.queue.push(
                            at,
                            Event::ToActor(
                                actor,
                                Input::Message {
                                    socket,
                                    data: t.message,
                                },
                            ),
                        );
                    }
                }
                RouterOutput::Close(c) => {
                    if let Some((actor, socket)) = self.sockets.remove(&c.conn) {
                        self.by_socket.remove(&(actor, socket));
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
}

/// A 32-byte seed for one user of randomness: the world seed and a label, so that streams
/// do not overlap.
fn derive_seed(seed: u64, label: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in seed.to_le_bytes().iter().chain(label.iter()).enumerate() {
        if let Some(slot) = out.get_mut(i % 32) {
            *slot ^= *byte;
        }
    }
    out
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
        Input::WakeUp { client_payload, .. } => {
            (Layer::Tunnel, "wake-up".into(), client_payload.clone())
        }
    }
}
