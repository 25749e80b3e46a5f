//! A connection arrives: what the driver tells the router, and what the router answers.

use crate::ids::{ConnectionId, Hex, SubscriptionId};
use core::fmt;
use hybridsim_proto::linking::ClientPayloadError;
use hybridsim_proto::tunnel_url::UrlError;
use std::net::IpAddr;

/// The WebSocket subprotocol every tunnel connection asks for and the server must select
/// (docs/protocol.md §5.3).
pub const SUBPROTOCOL: &str = "fido.cable";
/// Response header of `/cable/new`: this instance's routing id, 6 upper-case hex digits.
pub const ROUTING_ID_HEADER: &str = "X-caBLE-Routing-ID";
/// Request header of `/cable/contact`: hex of the CBOR client payload.
pub const CLIENT_PAYLOAD_HEADER: &str = "X-caBLE-Client-Payload";
/// Request header of `/cable/contact`, echoed in the response: the desktop wants one binary
/// `00` message when the phone joins.
pub const SIGNAL_CONNECTION_HEADER: &str = "X-caBLE-Signal-Connection";
/// The one message the server sends itself: to a signalling desktop, when the phone joins.
pub const CONNECT_SIGNAL: [u8; 1] = [0x00];

/// A WebSocket upgrade request for a tunnel route, as the driver read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The driver's number for this connection.
    pub conn: ConnectionId,
    /// The peer's address, for the per-IP limit.
    pub peer_ip: IpAddr,
    /// The request path, e.g. `/cable/new/0A1B…`.
    pub path: String,
    /// Every token of every `Sec-WebSocket-Protocol` header, in order.
    pub subprotocols: Vec<String>,
    /// The first `X-caBLE-Client-Payload` header, if any.
    pub client_payload: Option<String>,
    /// The first `X-caBLE-Signal-Connection` header, if any (any value asks for the signal).
    pub signal_connection: Option<String>,
}

/// The router's answer to a [`ConnectionRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Complete the upgrade (HTTP 101).
    Accept(Accept),
    /// Refuse with an HTTP error.
    Reject(Reject),
}

/// How to complete an accepted upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    /// The subprotocol to select: always [`SUBPROTOCOL`].
    pub subprotocol: &'static str,
    /// Extra response headers, in order.
    pub headers: Vec<(&'static str, String)>,
    /// What the connection did to the tunnel table (for logs).
    pub joined: Joined,
}

/// What an accepted connection did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// `/cable/new`: a tunnel is registered and waits for its second peer.
    Registered {
        /// The tunnel id from the path.
        tunnel_id: [u8; 16],
    },
    /// `/cable/connect`: the connection is the second peer of a tunnel; relaying starts.
    Paired {
        /// The tunnel id from the path.
        tunnel_id: [u8; 16],
    },
    /// `/cable/contact`: a fresh tunnel holds the desktop, and the phone was sent a wake-up.
    Contacted {
        /// The random tunnel id the phone will connect to.
        tunnel_id: [u8; 16],
        /// The phone's registration that got the wake-up.
        subscription: SubscriptionId,
    },
}

impl fmt::Display for Joined {
    /// One line for logs, e.g. `paired tunnel 68…21` (ids in upper-case hex).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Joined::Registered { tunnel_id } => write!(f, "registered tunnel {}", Hex(tunnel_id)),
            Joined::Paired { tunnel_id } => write!(f, "paired tunnel {}", Hex(tunnel_id)),
            Joined::Contacted {
                tunnel_id,
                subscription,
            } => write!(f, "woke {subscription} for tunnel {}", Hex(tunnel_id)),
        }
    }
}

/// Why a connection was refused. [`Reject::status`] is the HTTP status; the text is the
/// response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// The path is not a tunnel route (not under `/cable/`, or not new, connect or contact).
    #[error("unknown route: {0}")]
    UnknownRoute(UrlError),
    /// A tunnel route with malformed ids.
    #[error("bad tunnel path: {0}")]
    BadPath(UrlError),
    /// The request does not offer the `fido.cable` subprotocol (Google's server: 400).
    #[error("missing Sec-WebSocket-Protocol: fido.cable")]
    MissingSubprotocol,
    /// The peer's address already holds the maximum of open tunnel connections.
    #[error("too many connections from {ip} (limit {limit})")]
    TooManyConnectionsFromIp {
        /// The peer's address.
        ip: IpAddr,
        /// The configured limit.
        limit: usize,
    },
    /// The instance holds the maximum of tunnels.
    #[error("tunnel server is full ({limit} tunnels)")]
    ServerFull {
        /// The configured limit.
        limit: usize,
    },
    /// `/cable/new` for a tunnel id that is already waiting for its peer (webauthn-rs: 409).
    #[error("tunnel {} is already registered", Hex(.tunnel_id))]
    DuplicateTunnel {
        /// The tunnel id from the path.
        tunnel_id: [u8; 16],
    },
    /// `/cable/connect` for a tunnel id no one registered, or that is already paired
    /// (webauthn-rs: 404).
    #[error("unknown tunnel {}", Hex(.tunnel_id))]
    UnknownTunnel {
        /// The tunnel id from the path.
        tunnel_id: [u8; 16],
    },
    /// `/cable/connect` names another instance's routing id. Answered 404, like an unknown
    /// tunnel (this instance cannot hold it), with a body that says which ids differ.
    #[error("routing id {} is not this server's (this is {})", Hex(.requested), Hex(.ours))]
    RoutingIdMismatch {
        /// The routing id in the path.
        requested: [u8; 3],
        /// This instance's routing id.
        ours: [u8; 3],
    },
    /// `/cable/contact` for a contact id no phone registered: 410 Gone, which makes the
    /// desktop delete its linking record (docs/protocol.md §5.3).
    #[error("unknown contact id")]
    UnknownContact,
    /// `/cable/contact` without `X-caBLE-Client-Payload`.
    #[error("missing X-caBLE-Client-Payload")]
    MissingClientPayload,
    /// `/cable/contact` with a client payload that does not parse.
    #[error("bad X-caBLE-Client-Payload: {0}")]
    BadClientPayload(ClientPayloadError),
    /// `/cable/contact`: every random tunnel id drawn was in use.
    #[error("no free tunnel id")]
    NoFreeTunnelId,
    /// The server is shutting down ([`Router::handle_shutdown`](crate::Router::handle_shutdown)).
    #[error("server shutting down")]
    ShuttingDown,
    /// The driver offered a connection number the router still holds (a driver bug).
    #[error("{0} is already in use")]
    ConnectionIdInUse(ConnectionId),
}

impl Reject {
    /// The HTTP status code to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Reject::BadPath(_)
            | Reject::MissingSubprotocol
            | Reject::MissingClientPayload
            | Reject::BadClientPayload(_) => 400,
            Reject::UnknownRoute(_)
            | Reject::UnknownTunnel { .. }
            | Reject::RoutingIdMismatch { .. } => 404,
            Reject::DuplicateTunnel { .. } => 409,
            Reject::UnknownContact => 410,
            Reject::TooManyConnectionsFromIp { .. } => 429,
            Reject::ConnectionIdInUse(_) => 500,
            Reject::ServerFull { .. } | Reject::NoFreeTunnelId | Reject::ShuttingDown => 503,
        }
    }

    /// A short stable name, used as the `reason` label of the rejection metric.
    pub fn label(&self) -> &'static str {
        match self {
            Reject::UnknownRoute(_) => "unknown_route",
            Reject::BadPath(_) => "bad_path",
            Reject::MissingSubprotocol => "missing_subprotocol",
            Reject::TooManyConnectionsFromIp { .. } => "too_many_connections_from_ip",
            Reject::ServerFull { .. } => "server_full",
            Reject::DuplicateTunnel { .. } => "duplicate_tunnel",
            Reject::UnknownTunnel { .. } => "unknown_tunnel",
            Reject::RoutingIdMismatch { .. } => "routing_id_mismatch",
            Reject::UnknownContact => "unknown_contact",
            Reject::MissingClientPayload => "missing_client_payload",
            Reject::BadClientPayload(_) => "bad_client_payload",
            Reject::NoFreeTunnelId => "no_free_tunnel_id",
            Reject::ShuttingDown => "shutting_down",
            Reject::ConnectionIdInUse(_) => "connection_id_in_use",
        }
    }

    /// Every [`Reject::label`], so a metrics page can show zero counts too.
    pub const LABELS: [&'static str; 14] = [
        "unknown_route",
        "bad_path",
        "missing_subprotocol",
        "too_many_connections_from_ip",
        "server_full",
        "duplicate_tunnel",
        "unknown_tunnel",
        "routing_id_mismatch",
        "unknown_contact",
        "missing_client_payload",
        "bad_client_payload",
        "no_free_tunnel_id",
        "shutting_down",
        "connection_id_in_use",
    ];

    /// Classifies a path error: not a tunnel route at all (404) or a tunnel route with bad
    /// ids (400).
    pub(crate) fn from_url_error(error: UrlError) -> Reject {
        match error {
            UrlError::NotCable(_) | UrlError::UnknownRoute(_) => Reject::UnknownRoute(error),
            _ => Reject::BadPath(error),
        }
    }
}
