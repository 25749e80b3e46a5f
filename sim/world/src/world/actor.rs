//! What the world keeps per actor, and the deliveries its queue holds.

use super::ActorId;
use hybridsim_peers::{Input, Output, Peer, PeerError, SocketId};
use hybridsim_proto::time::Millis;
use hybridsim_tunnel::{ConnectionId, ConnectionRequest, Incoming};
use std::any::Any;

/// A peer the world can hand back after the run, as its concrete type.
pub(super) trait AnyPeer: Peer {
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
pub(super) struct Taken;

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
pub(super) enum Frame {
    /// A binary message.
    Binary,
    /// A text frame (a fault's doing).
    Text,
    /// Held back until the next message goes through.
    Held,
}

/// One actor: its peer, what the world keeps for it, and the faults set on it.
pub(super) struct Actor {
    pub(super) name: String,
    pub(super) peer: Box<dyn AnyPeer>,
    /// Receives the QR codes desktops show (a phone whose camera points at the screen).
    pub(super) scans_qr: bool,
    /// Receives adverts (a desktop scanning BLE).
    pub(super) listens: bool,
    pub(super) advert: Option<(u16, Vec<u8>)>,
    pub(super) advert_generation: u64,
    pub(super) finished: Option<Result<(), PeerError>>,
    pub(super) finished_at: Option<Millis>,
    pub(super) sends: u64,
    /// QR codes its camera read.
    pub(super) scans: u64,
    /// Messages the tunnel relayed to it.
    pub(super) relayed: u64,
    /// How far its clock runs ahead of the world's.
    pub(super) clock_offset_ms: u64,
    /// Goes silent once it has sent this many network messages.
    pub(super) silent_after: Option<u64>,
    /// Takes no more inputs or timers and emits nothing.
    pub(super) silent: bool,
    /// When it went silent (world time).
    pub(super) silent_at: Option<Millis>,
}

impl Actor {
    /// Whether the run need not wait for it.
    pub(super) fn done(&self) -> bool {
        self.finished.is_some() || self.silent
    }

    pub(super) fn local(&self, now: Millis) -> Millis {
        Millis(now.as_millis().saturating_add(self.clock_offset_ms))
    }
}

/// A delivery the queue holds.
pub(super) enum Event {
    ToActor(ActorId, Input),
    ActorTimer(ActorId),
    Broadcast(ActorId, u64),
    Connect(ActorId, SocketId, ConnectionRequest, u64),
    ToRouter(ConnectionId, Incoming),
    RouterClose(ConnectionId),
    RouterTimer,
}

/// The peer behind an unrelated advertiser: it does nothing; the world broadcasts for it.
pub(super) struct Beacon;

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
