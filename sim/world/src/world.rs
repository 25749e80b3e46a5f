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

mod actor;
mod channel;
mod deliver;
mod outputs;
mod rules;
mod wire;

pub use channel::ChannelFaults;
pub use wire::{WireEvent, WireLog};

use crate::fault::{ConnectRule, Rule};
use crate::queue::Queue;
use crate::radio::RadioConfig;
use crate::trace::{Direction, Trace};
use actor::{Actor, AnyPeer, Beacon, Event, Taken};
use hybridsim_peers::{Layer, Peer, PeerError, SocketId};
use hybridsim_proto::time::Millis;
use hybridsim_tunnel::{Config as TunnelConfig, ConnectionId, Router, SubscriptionId};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::any::Any;
use std::collections::BTreeMap;

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
    /// What went on the wire, when asked ([`World::record_wire`]).
    wire: Option<WireLog>,
    /// CTAP 2.3 BLE data channels.
    channels: channel::Channels,
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
            wire: None,
            channels: channel::Channels::default(),
        }
    }

    /// Keeps the QR codes, adverts and messages actors put out, as typed values, from now
    /// on (for captures: see [`World::wire`]).
    pub fn record_wire(&mut self) {
        self.wire.get_or_insert_with(WireLog::default);
    }

    /// What went on the wire since [`World::record_wire`], if it was called.
    pub fn wire(&self) -> Option<&WireLog> {
        self.wire.as_ref()
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
            a.silent_at = (sends == 0).then_some(self.now);
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
            silent_at: None,
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

    /// When an actor went silent (world time), if it did.
    pub fn silent_since(&self, actor: ActorId) -> Option<Millis> {
        self.actors.get(actor.0).and_then(|a| a.silent_at)
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
