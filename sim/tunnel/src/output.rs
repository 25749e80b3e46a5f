//! What a connection sends the router, and what the router asks the driver to do.

use crate::ids::{ConnectionId, SubscriptionId};
use core::fmt;
use core::time::Duration;

/// One WebSocket message received on a tunnel connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A binary message: relayed verbatim, one message in, one message out.
    Binary(Vec<u8>),
    /// A text message: Chromium only accepts binary frames, so this closes the sender
    /// with 1003.
    Text,
    /// A message the driver refused to read because it exceeds the size limit (tungstenite
    /// stops at its configured maximum); closes the sender with 1009.
    TooBig {
        /// Its size, as far as the driver knows.
        len: usize,
    },
}

/// Something the driver must do. Take them with [`Router::poll_output`](crate::Router::poll_output)
/// and carry them out in order: the order of messages to one connection is the relay order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send one binary message.
    Transmit(Transmit),
    /// Close a connection with a close frame. The router has already forgotten it.
    Close(Close),
    /// Wake a phone (the contact flow).
    Wake(Wake),
}

/// Send `message` as one binary WebSocket message on `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The connection to send on.
    pub to: ConnectionId,
    /// The message, verbatim.
    pub message: Vec<u8>,
}

/// Close `conn` with a close frame of `code` and `reason` (its text, at most 123 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    /// The connection to close.
    pub conn: ConnectionId,
    /// The close code, always `reason.code()`.
    pub code: CloseCode,
    /// Why; its `Display` is the close frame's reason text.
    pub reason: CloseReason,
}

/// Tell a registered phone to connect to a tunnel: the three values Google sends by FCM as
/// `caBLE.tunnelID`, `caBLE.routingID` and `caBLE.clientPayload` (docs/protocol.md §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wake {
    /// The registration to deliver it to.
    pub subscription: SubscriptionId,
    /// The contact id the desktop asked for.
    pub contact_id: Vec<u8>,
    /// The fresh tunnel id: the phone connects to `/cable/connect/{routing id}/{this}`.
    pub tunnel_id: [u8; 16],
    /// This instance's routing id.
    pub routing_id: [u8; 3],
    /// The desktop's client payload (CBOR bytes, as sent in hex).
    pub client_payload: Vec<u8>,
}

/// WebSocket close codes the tunnel server uses (RFC 6455 §7.4.1; 1000, 1003, 1008 and 1009
/// as webauthn-rs' server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CloseCode {
    /// 1000: the peer went away cleanly.
    Normal,
    /// 1001: the server is shutting down.
    GoingAway,
    /// 1003: a message type the tunnel does not relay (text).
    Unsupported,
    /// 1008: a policy limit (too many messages, TTL).
    Policy,
    /// 1009: a message too big.
    TooBig,
}

impl CloseCode {
    /// The numeric code.
    pub fn as_u16(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::Unsupported => 1003,
            CloseCode::Policy => 1008,
            CloseCode::TooBig => 1009,
        }
    }
}

/// Why the router closes a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The other side of the tunnel closed or was closed (1000).
    PeerClosed,
    /// The connection sent a text message (1003).
    NotBinary,
    /// The connection sent a message over the size limit (1009).
    TooBig {
        /// The message's size.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The connection sent more messages than the per-peer limit (1008).
    TooManyMessages {
        /// The limit.
        limit: u32,
    },
    /// No second peer joined within the pending TTL (1008).
    NoPeer {
        /// The pending TTL.
        ttl: Duration,
    },
    /// The paired tunnel's TTL ran out (1008).
    TunnelExpired {
        /// The tunnel TTL.
        ttl: Duration,
    },
    /// The server is shutting down (1001).
    ServerShutdown,
}

impl CloseReason {
    /// The close code that goes with this reason.
    pub fn code(&self) -> CloseCode {
        match self {
            CloseReason::PeerClosed => CloseCode::Normal,
            CloseReason::NotBinary => CloseCode::Unsupported,
            CloseReason::TooBig { .. } => CloseCode::TooBig,
            CloseReason::TooManyMessages { .. }
            | CloseReason::NoPeer { .. }
            | CloseReason::TunnelExpired { .. } => CloseCode::Policy,
            CloseReason::ServerShutdown => CloseCode::GoingAway,
        }
    }

    /// A short stable name, used as the `reason` label of the close metric.
    pub fn label(&self) -> &'static str {
        match self {
            CloseReason::PeerClosed => "peer_closed",
            CloseReason::NotBinary => "not_binary",
            CloseReason::TooBig { .. } => "too_big",
            CloseReason::TooManyMessages { .. } => "too_many_messages",
            CloseReason::NoPeer { .. } => "no_peer",
            CloseReason::TunnelExpired { .. } => "tunnel_expired",
            CloseReason::ServerShutdown => "server_shutdown",
        }
    }

    /// Every [`CloseReason::label`], so a metrics page can show zero counts too.
    pub const LABELS: [&'static str; 7] = [
        "peer_closed",
        "not_binary",
        "too_big",
        "too_many_messages",
        "no_peer",
        "tunnel_expired",
        "server_shutdown",
    ];
}

impl fmt::Display for CloseReason {
    /// The close frame's reason text (short: a close frame holds at most 123 bytes of it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::PeerClosed => f.write_str("remote peer cleanly disconnected"),
            CloseReason::NotBinary => f.write_str("only binary messages are relayed"),
            CloseReason::TooBig { len, limit } => {
                write!(f, "message of {len} bytes exceeds the limit of {limit}")
            }
            CloseReason::TooManyMessages { limit } => {
                write!(f, "more than {limit} messages from this peer")
            }
            CloseReason::NoPeer { ttl } => {
                write!(f, "no peer joined within {} ms", ttl.as_millis())
            }
            CloseReason::TunnelExpired { ttl } => {
                write!(f, "tunnel TTL of {} ms expired", ttl.as_millis())
            }
            CloseReason::ServerShutdown => f.write_str("server shutting down"),
        }
    }
}
