//! What the desktop and the phone share: the output queue, tunnel endpoints and headers,
//! seeded random draws.

use crate::io::{Layer, Output, PeerEvent, SocketId};
use crate::outcome::PeerError;
use crate::outcome::Reason;
use core::time::Duration;
use hybridsim_proto::domain;
use hybridsim_proto::keys;
use hybridsim_proto::time::Millis;
use hybridsim_proto::tunnel_url::{Route, Scheme, TunnelUrl};
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use std::collections::VecDeque;

/// The WebSocket subprotocol every hybrid connection asks for and the server must select.
pub const SUBPROTOCOL: &str = "fido.cable";
/// Request header naming the subprotocol.
pub const SUBPROTOCOL_HEADER: &str = "Sec-WebSocket-Protocol";
/// Request header with the origin of the tunnel URL itself (Chromium: `wss://{host}`).
pub const ORIGIN_HEADER: &str = "Origin";
/// `/cable/new` response header with the 3-byte routing id in hex.
pub const ROUTING_ID_HEADER: &str = "X-caBLE-Routing-ID";
/// `/cable/contact` request header: hex of the client payload CBOR.
pub const CLIENT_PAYLOAD_HEADER: &str = "X-caBLE-Client-Payload";
/// `/cable/contact` request header asking for the `00` connect signal; echoed by servers
/// that will send it.
pub const SIGNAL_CONNECTION_HEADER: &str = "X-caBLE-Signal-Connection";

/// Largest message Chromium's `WebSocketAdapter` accepts (1 MiB); a larger one fails the
/// connection.
pub(crate) const MAX_MESSAGE_LEN: usize = 1 << 20;

/// WebSocket close code for a normal end.
pub(crate) const CLOSE_NORMAL: u16 = 1000;
/// WebSocket close code when a peer gives up on a protocol error or a timeout.
pub(crate) const CLOSE_PROTOCOL_ERROR: u16 = 1002;

/// Where to open tunnel WebSockets instead of the host a domain id names, keeping the path
/// (for simulated tunnel servers and `hybridsim tunnel serve` on loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelEndpoint {
    /// `ws` or `wss`.
    pub scheme: Scheme,
    /// Host name or address.
    pub host: String,
    /// Port, when not the scheme's default.
    pub port: Option<u16>,
}

impl TunnelEndpoint {
    /// An endpoint.
    pub fn new(scheme: Scheme, host: &str, port: Option<u16>) -> TunnelEndpoint {
        TunnelEndpoint {
            scheme,
            host: host.to_owned(),
            port,
        }
    }

    /// The URL of `route` on this endpoint.
    pub fn url(&self, route: Route) -> TunnelUrl {
        TunnelUrl::new(self.scheme, &self.host, self.port, route)
    }
}

/// The URL for `route` on the host `domain_id` names, or on the override.
pub(crate) fn tunnel_url(
    domain_id: u16,
    endpoint: Option<&TunnelEndpoint>,
    route: Route,
) -> Result<TunnelUrl, domain::DomainError> {
    match endpoint {
        Some(endpoint) => Ok(endpoint.url(route)),
        None => Ok(TunnelUrl::new(
            Scheme::Wss,
            &domain::host(domain_id)?,
            None,
            route,
        )),
    }
}

/// The request headers of every tunnel connection: the subprotocol, and the tunnel URL's own
/// origin as Chromium sends it (`url::Origin::Create(url)`).
pub(crate) fn base_headers(url: &TunnelUrl) -> Vec<(String, String)> {
    let scheme = match url.scheme {
        Scheme::Wss => "wss",
        Scheme::Ws => "ws",
    };
    let origin = match url.port {
        Some(port) => format!("{scheme}://{}:{port}", url.host),
        None => format!("{scheme}://{}", url.host),
    };
    vec![
        (SUBPROTOCOL_HEADER.to_owned(), SUBPROTOCOL.to_owned()),
        (ORIGIN_HEADER.to_owned(), origin),
    ]
}

/// Every value of response header `name` (compared case-insensitively).
pub(crate) fn header_values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Chromium's `WebSocketAdapter` abandons a connection whose 101 response does not select
/// `fido.cable`.
pub(crate) fn check_subprotocol(headers: &[(String, String)]) -> Result<(), Reason> {
    match header_values(headers, SUBPROTOCOL_HEADER).as_slice() {
        [one] if one.trim() == SUBPROTOCOL => Ok(()),
        [] => Err(Reason::Subprotocol(None)),
        other => Err(Reason::Subprotocol(Some(other.join(", ")))),
    }
}

/// A timer: when it fires and what it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// When.
    pub at: Millis,
    /// How long it was set for (for the error message).
    pub after: Duration,
}

impl Deadline {
    pub fn after(now: Millis, duration: Duration) -> Deadline {
        Deadline {
            at: now.saturating_add(duration),
            after: duration,
        }
    }

    pub fn passed(&self, now: Millis) -> bool {
        now >= self.at
    }
}

/// The queue a peer's outputs wait in until the driver polls them.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Output>,
    /// Key-log secrets, kept apart from the queue so no trace ever sees them.
    pub keys: crate::keylog::SecretLog,
}

impl Outbox {
    pub fn push(&mut self, output: Output) {
        self.queue.push_back(output);
    }

    pub fn pop(&mut self) -> Option<Output> {
        self.queue.pop_front()
    }

    /// A trace note that is not secret.
    pub fn event(&mut self, layer: Layer, what: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.note(layer, what.into(), bytes.into(), false);
    }

    /// A trace note about key material: traces hide its bytes unless asked.
    pub fn secret(&mut self, layer: Layer, what: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.note(layer, what.into(), bytes.into(), true);
    }

    fn note(&mut self, layer: Layer, what: String, bytes: Vec<u8>, secret: bool) {
        self.push(Output::Event(PeerEvent {
            layer,
            what,
            bytes,
            secret,
        }));
    }

    pub fn send(&mut self, socket: SocketId, data: Vec<u8>) {
        self.push(Output::Send { socket, data });
    }

    pub fn close(&mut self, socket: SocketId, code: u16) {
        self.push(Output::Close { socket, code });
    }

    pub fn finish(&mut self, result: Result<(), PeerError>) {
        self.push(Output::Finished(result));
    }
}

/// `N` bytes from the peer's stream.
pub(crate) fn draw<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

/// A valid P-256 private scalar: 32 bytes from the stream, drawn again in the (about 2^-32)
/// case that they are zero or not below the group order, so a seed always yields a key.
pub(crate) fn draw_scalar(rng: &mut ChaCha20Rng) -> [u8; 32] {
    loop {
        let candidate = draw::<32>(rng);
        if keys::parse_private(&candidate).is_ok() {
            return candidate;
        }
    }
}
