//! [`World`]: peers, the radio, the camera and one tunnel server on one virtual clock.
//!
//! Calling convention: add actors, then [`World::run`] until every actor has finished (or
//! the step bound is hit, which is reported as a livelock, never a hang). Each popped
//! delivery is handed to its peer or to the tunnel router, and what they emit is scheduled
//! with the medium's latency after passing the fault rules.
//!
//! Besides the rules, the world can misbehave on its own terms for fault injection: an
//! actor's clock can run ahead of the world's ([`World::set_clock_offset`]), and an actor
//! can go silent after a number of messages ([`World::silence_after`]), as a hung app whose
//! socket stays open. After a run, [`World::take_peer`] hands a peer back for its results.

use crate::fault::{ConnectRule, InFlight, Medium, Rule, Verdict};
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
use std::any::Any;
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

/// A peer the world can hand back after the run, as its concrete type.
trait AnyPeer: Peer {
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Peer + Any> AnyPeer for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// What stands in for a peer taken back with [`World::take_peer`]: it does nothing.
struct Taken;

impl Peer for Taken {
    fn handle_input(&mut self, _: Millis, _: Input) {}
    fn handle_timeout(&mut self, _: Millis) {}
    fn poll_output(&mut self) -> Option<Output> {
        None
    }
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}

/// How one delivery of a message goes out after the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Binary,
    Text,
    Held,
}

struct Actor {
    name: String,
    peer: Box<dyn AnyPeer>,
    /// Receives the QR codes desktops show (a phone whose camera points at the screen).
    scans_qr: bool,
    /// Receives adverts (a desktop scanning BLE).
    listens: bool,
    advert: Option<(u16, Vec<u8>)>,
    advert_generation: u64,
    finished: Option<Result<(), PeerError>>,
    finished_at: Option<Millis>,
    sends: u64,
    /// QR codes its camera read.
    scans: u64,
    /// Messages the tunnel relayed to it.
    relayed: u64,
    /// How far its clock runs ahead of the world's.
    clock_offset_ms: u64,
    /// Goes silent once it has sent this many network messages.
    silent_after: Option<u64>,
    /// Takes no more inputs or timers and emits nothing.
    silent: bool,
}

impl Actor {
    /// Whether the run need not wait for it.
    fn done(&self) -> bool {
        self.finished.is_some() || self.silent
    }

    fn local(&self, now: Millis) -> Millis {
        Millis(now.as_millis().saturating_add(self.clock_offset_ms))
    }
}

enum Event {
    ToActor(ActorId, Input),
    ActorTimer(ActorId),
    Broadcast(ActorId, u64),
    Connect(ActorId, SocketId, ConnectionRequest, u64),
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
    /// Pixels per QR module when the camera reads rendered images (`None`: the text passes
    /// straight through).
    camera_image_px: Option<u32>,
    rules: Vec<Box<dyn Rule>>,
    connect_rules: Vec<Box<dyn ConnectRule>>,
    connects: u64,
    held: BTreeMap<(ActorId, SocketId), Vec<Vec<u8>>>,
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
            camera_image_px: None,
            rules: Vec::new(),
            connect_rules: Vec::new(),
            connects: 0,
            held: BTreeMap::new(),
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

    /// Sets the time from a desktop showing a QR code to a phone's camera reading it.
    pub fn set_camera_delay(&mut self, ms: u64) {
        self.camera_delay_ms = ms;
    }

    /// Makes phone cameras read QR codes as a real camera would: the desktop's text is
    /// rendered to a PNG at `module_px` pixels per module and decoded from the image, so a QR
    /// code that scanners cannot read fails here too.
    pub fn set_camera_reads_images(&mut self, module_px: u32) {
        self.camera_image_px = Some(module_px);
    }

    /// Adds an unrelated advertiser to the room: it broadcasts `data` under `uuid` at the
    /// radio's interval for the whole run and takes no other part (a fitness band, another
    /// phone's stale advert). Desktops must ignore it.
    pub fn add_beacon(&mut self, name: &str, uuid: u16, data: Vec<u8>) -> ActorId {
        let id = self.add(name, Box::new(Beacon), false, false);
        if let Some(actor) = self.actors.get_mut(id.0) {
            actor.advert = Some((uuid, data));
            actor.advert_generation = 1;
            actor.finished = Some(Ok(()));
        }
        self.queue.push(self.now, Event::Broadcast(id, 1));
        id
    }

    /// Installs a fault rule after the ones already installed.
    pub fn add_rule(&mut self, rule: Box<dyn Rule>) {
        self.rules.push(rule);
    }

    /// Installs a rule on WebSocket upgrades after the ones already installed.
    pub fn add_connect_rule(&mut self, rule: Box<dyn ConnectRule>) {
        self.connect_rules.push(rule);
    }

    /// Makes `actor`'s clock run `ahead_ms` ahead of the world's: every time it is told
    /// (inputs, timers) is shifted, and its deadlines are shifted back. Clock skew between
    /// parties.
    pub fn set_clock_offset(&mut self, actor: ActorId, ahead_ms: u64) {
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.clock_offset_ms = ahead_ms;
        }
    }

    /// Makes `actor` go silent once it has sent `sends` network messages (0: from the start):
    /// from then on it takes no inputs or timers and emits nothing, but its WebSocket stays
    /// open, as a hung app's would. The run does not wait for a silent actor.
    pub fn silence_after(&mut self, actor: ActorId, sends: u64) {
        if let Some(a) = self.actors.get_mut(actor.0) {
            a.silent_after = Some(sends);
            a.silent = sends == 0;
        }
    }

    /// Adds a desktop-like actor: it hears adverts; the QR codes it shows go to scanning
    /// phones.
    pub fn add_desktop<P: Peer + Any>(&mut self, name: &str, peer: Box<P>) -> ActorId {
        self.add(name, peer, false, true)
    }

    /// Adds a phone-like actor whose camera reads the QR codes desktops show (`scans_qr`),
    /// or one that only waits for wake-ups (linked flow).
    pub fn add_phone<P: Peer + Any>(
        &mut self,
        name: &str,
        peer: Box<P>,
        scans_qr: bool,
    ) -> ActorId {
        self.add(name, peer, scans_qr, false)
    }

    fn add(
        &mut self,
        name: &str,
        peer: Box<dyn AnyPeer>,
        scans_qr: bool,
        listens: bool,
    ) -> ActorId {
        let id = ActorId(self.actors.len());
        self.actors.push(Actor {
            name: name.to_owned(),
            peer,
            scans_qr,
            listens,
            advert: None,
            advert_generation: 0,
            finished: None,
            finished_at: None,
            sends: 0,
            scans: 0,
            relayed: 0,
            clock_offset_ms: 0,
            silent_after: None,
            silent: false,
        });
        id
    }

    /// What a phone's camera reads from the screen: the text itself, or, when the camera
    /// reads images, what rqrr decodes from the rendered PNG (`None` when it cannot).
    fn photograph(&mut self, phone: &str, text: String) -> Option<String> {
        let Some(module_px) = self.camera_image_px else {
            return Some(text);
        };
        let read = hybridsim_optical::render_png(&text, module_px)
            .map_err(|e| e.to_string())
            .and_then(|png| hybridsim_optical::read_image(&png).map_err(|e| e.to_string()));
        match read {
            Ok(texts) if !texts.is_empty() => texts.into_iter().next(),
            Ok(_) => None,
            Err(reason) => {
                self.trace.record(
                    self.now,
                    phone,
                    Layer::Qr,
                    Direction::Drop,
                    format!("camera could not read the QR code: {reason}"),
                    text.as_bytes(),
                    false,
                );
                None
            }
        }
    }

    /// The peer of `actor`, as its concrete type (e.g. `world.peer::<Desktop>(id)`).
    pub fn peer<T: Any>(&self, actor: ActorId) -> Option<&T> {
        self.actors
            .get(actor.0)
            .and_then(|a| a.peer.as_any().downcast_ref::<T>())
    }

    /// Takes `actor`'s peer out of the world (for its results after a run: downcast it with
    /// `Box::<dyn Any>::downcast`). The actor stays, inert; taking it twice gives the stand-in.
    pub fn take_peer(&mut self, actor: ActorId) -> Option<Box<dyn Any>> {
        let a = self.actors.get_mut(actor.0)?;
        let peer = std::mem::replace(&mut a.peer, Box::new(Taken));
        Some(peer.into_any())
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
            if self.actors.iter().all(Actor::done) {
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
            if self.inert(&event) {
                // Nothing would happen: the clock does not move for it.
                continue;
            }
            self.now = self.now.max(at);
            self.steps += 1;
            self.deliver(event);
        }
    }

    /// Whether delivering `event` would do nothing: an input or timer for an actor that is
    /// done, a broadcast of an advert no longer on the air.
    fn inert(&self, event: &Event) -> bool {
        match event {
            Event::ToActor(actor, _) | Event::ActorTimer(actor) => {
                self.actors.get(actor.0).is_none_or(Actor::done)
            }
            Event::Broadcast(actor, generation) => self
                .actors
                .get(actor.0)
                .is_none_or(|a| a.advert.is_none() || a.advert_generation != *generation),
            Event::Connect(..)
            | Event::ToRouter(..)
            | Event::RouterClose(..)
            | Event::RouterTimer => false,
        }
    }

    fn running(&self) -> Vec<String> {
        self.actors
            .iter()
            .filter(|a| !a.done())
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

    /// When an actor finished (world time), if it has.
    pub fn finished_at(&self, actor: ActorId) -> Option<Millis> {
        self.actors.get(actor.0).and_then(|a| a.finished_at)
    }

    /// Whether an actor went silent ([`World::silence_after`]).
    pub fn is_silent(&self, actor: ActorId) -> bool {
        self.actors.get(actor.0).is_some_and(|a| a.silent)
    }

    /// The actor's name.
    pub fn actor_name(&self, actor: ActorId) -> Option<&str> {
        self.actors.get(actor.0).map(|a| a.name.as_str())
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

    fn hand_to_actor(&mut self, actor: ActorId, input: Input) {
        let Some(a) = self.actors.get_mut(actor.0) else {
            return;
        };
        if a.done() {
            return;
        }
        let (layer, what, bytes) = describe_input(&input);
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
    fn drain(&mut self, actor: ActorId) {
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
                    let to = self.name(phone);
                    let index = self.actors.get_mut(phone.0).map_or(0, |a| {
                        a.scans += 1;
                        a.scans - 1
                    });
                    let copies = self.apply_rules(
                        Medium::Camera,
                        &name,
                        &to,
                        index,
                        text.as_bytes().to_vec(),
                    );
                    for (delay, bytes, _) in copies {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        let Some(read) = self.photograph(&to, text) else {
                            continue;
                        };
                        let at = self.at(self.camera_delay_ms + delay);
                        self.queue
                            .push(at, Event::ToActor(phone, Input::QrScanned(read)));
                    }
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
                let mut request = ConnectionRequest {
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
                let index = self.connects;
                self.connects += 1;
                for rule in &mut self.connect_rules {
                    if rule.on_request(&name, index, &mut request) {
                        let what = format!(
                            "upgrade request rewritten by {}: {} (subprotocols: {})",
                            rule.name(),
                            request.path,
                            request.subprotocols.join(", ")
                        );
                        self.trace.record(
                            now,
                            &name,
                            Layer::Tunnel,
                            Direction::Note,
                            what,
                            &[],
                            false,
                        );
                    }
                }
                let at = self.at(self.network_latency_ms);
                self.queue
                    .push(at, Event::Connect(actor, socket, request, index));
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
                let mut silenced = false;
                if let Some(a) = self.actors.get_mut(actor.0) {
                    a.sends += 1;
                    if a.silent_after.is_some_and(|n| a.sends >= n) {
                        a.silent = true;
                        silenced = true;
                    }
                }
                for (delay, bytes, frame) in
                    self.apply_rules(Medium::Network, &name, "tunnel", index, data)
                {
                    let at = self.at(self.network_latency_ms + delay);
                    let incoming = match frame {
                        Frame::Text => Incoming::Text,
                        Frame::Binary | Frame::Held => Incoming::Binary(bytes),
                    };
                    self.queue.push(at, Event::ToRouter(conn, incoming));
                }
                if silenced {
                    self.trace.record(
                        now,
                        &name,
                        Layer::Tunnel,
                        Direction::Note,
                        "went silent (fault): no more inputs, timers or outputs",
                        &[],
                        false,
                    );
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
                for rule in &mut self.rules {
                    rule.observe(&name, &event);
                }
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
                    a.finished_at = Some(now);
                    a.advert = None;
                }
            }
        }
    }

    /// Runs a message past the fault rules: the copies to deliver, each with an extra delay
    /// and how it goes out.
    fn apply_rules(
        &mut self,
        medium: Medium,
        from: &str,
        to: &str,
        index: u64,
        data: Vec<u8>,
    ) -> Vec<(u64, Vec<u8>, Frame)> {
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
            Medium::Network | Medium::Relay => Layer::Tunnel,
            Medium::Camera => Layer::Qr,
        };
        let frames = matches!(medium, Medium::Network | Medium::Relay);
        let note = |trace: &mut Trace, what: String, bytes: &[u8]| {
            trace.record(now, from, layer, Direction::Note, what, bytes, false);
        };
        match verdict {
            Verdict::Pass => vec![(0, data, Frame::Binary)],
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
            Verdict::Delay(ms) => vec![(ms, data, Frame::Binary)],
            Verdict::Replace(bytes) => {
                note(&mut self.trace, format!("replaced by {rule_name}"), &bytes);
                vec![(0, bytes, Frame::Binary)]
            }
            Verdict::Duplicate => {
                note(&mut self.trace, format!("duplicated by {rule_name}"), &data);
                vec![(0, data.clone(), Frame::Binary), (0, data, Frame::Binary)]
            }
            Verdict::Many(messages) => {
                for (i, bytes) in messages.iter().enumerate() {
                    let what = format!(
                        "replaced by {rule_name}: message {} of {}",
                        i + 1,
                        messages.len()
                    );
                    note(&mut self.trace, what, bytes);
                }
                messages
                    .into_iter()
                    .map(|bytes| (0, bytes, Frame::Binary))
                    .collect()
            }
            Verdict::Text if frames => {
                note(
                    &mut self.trace,
                    format!("sent as a text frame by {rule_name}"),
                    &data,
                );
                vec![(0, data, Frame::Text)]
            }
            Verdict::Hold if medium == Medium::Relay => {
                note(&mut self.trace, format!("held back by {rule_name}"), &data);
                vec![(0, data, Frame::Held)]
            }
            Verdict::Text | Verdict::Hold => vec![(0, data, Frame::Binary)],
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

    fn connect(
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

    fn drain_router(&mut self) {
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
}

impl World {
    /// One message the tunnel relays to `actor`, past the rules (split, text, held back…).
    fn relay(&mut self, actor: ActorId, socket: SocketId, message: Vec<u8>) {
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

/// A 32-byte seed for one user of randomness: the world seed and a label, so that streams
/// do not overlap. Public so that peers run outside the world (in separate processes) can be
/// given the very seeds a [`crate::ceremony::Ceremony`] gives them (`b"desktop"`,
/// `b"phone"`), and their traces compared with the simulated one.
pub fn derive_seed(seed: u64, label: &[u8]) -> [u8; 32] {
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

/// The peer behind an unrelated advertiser: it does nothing; the world broadcasts for it.
struct Beacon;

impl Peer for Beacon {
    fn handle_input(&mut self, _now: Millis, _input: Input) {}
    fn handle_timeout(&mut self, _now: Millis) {}
    fn poll_output(&mut self) -> Option<Output> {
        None
    }
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}
