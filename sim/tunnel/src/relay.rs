//! One tunnel: its two sides and the state of each direction (hyper-style: the two
//! directions are independent, each with its own count and, while the peer is missing, its
//! own queue).

use crate::ids::ConnectionId;
use crate::time::Millis;
use std::collections::VecDeque;

/// Which end of a tunnel a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The first to arrive: the phone on `/new`, the desktop on `/contact`.
    A,
    /// The one that joins with `/connect`.
    B,
}

impl Side {
    pub(crate) fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// How a tunnel came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `/cable/new` (QR flow).
    New,
    /// `/cable/contact`; `signal` when the desktop asked for the connect signal.
    Contact { signal: bool },
}

/// Messages flowing from one side to the other.
#[derive(Debug, Default)]
pub(crate) struct Direction {
    /// Messages the sending side has sent so far (the per-peer limit counts these).
    pub(crate) sent: u32,
    /// Messages waiting for the receiving side to join, oldest first.
    pub(crate) queued: VecDeque<Vec<u8>>,
}

impl Direction {
    /// Counts one more message; false when that exceeds `limit`.
    pub(crate) fn count(&mut self, limit: u32) -> bool {
        self.sent = self.sent.saturating_add(1);
        self.sent <= limit
    }
}

/// A tunnel: pending while `b` is `None`, paired after.
#[derive(Debug)]
pub(crate) struct Tunnel {
    pub(crate) id: [u8; 16],
    pub(crate) origin: Origin,
    pub(crate) a: ConnectionId,
    pub(crate) b: Option<ConnectionId>,
    pub(crate) a_to_b: Direction,
    pub(crate) b_to_a: Direction,
    /// When the pending or tunnel TTL runs out.
    pub(crate) deadline: Millis,
}

impl Tunnel {
    pub(crate) fn new(id: [u8; 16], origin: Origin, a: ConnectionId, deadline: Millis) -> Tunnel {
        Tunnel {
            id,
            origin,
            a,
            b: None,
            a_to_b: Direction::default(),
            b_to_a: Direction::default(),
            deadline,
        }
    }

    /// The connection at `side`, if it is there.
    pub(crate) fn conn(&self, side: Side) -> Option<ConnectionId> {
        match side {
            Side::A => Some(self.a),
            Side::B => self.b,
        }
    }

    /// The direction of messages `side` sends.
    pub(crate) fn sent_by(&mut self, side: Side) -> &mut Direction {
        match side {
            Side::A => &mut self.a_to_b,
            Side::B => &mut self.b_to_a,
        }
    }

    pub(crate) fn is_paired(&self) -> bool {
        self.b.is_some()
    }
}
