//! The router's configuration: who this instance is, and its limits.

use core::time::Duration;

/// Chromium's mock tunnel server answers `/cable/new` with this routing id (docs/protocol.md §5.3).
pub const DEFAULT_ROUTING_ID: [u8; 3] = [0x2A, 0x00, 0x00];

/// Largest binary message relayed, in bytes: 16 KiB, the webauthn-rs server's limit.
///
/// Real hybrid traffic is far below it: Noise messages are 81 bytes, the padded linking
/// update 528, the post-handshake message and CTAP requests and replies well under 2 KiB
/// (docs/protocol.md §7). Chromium itself would accept up to 1 MiB (§5.5); 16 KiB keeps eight
/// times headroom over real traffic while bounding what one peer can make the server buffer
/// (this × [`DEFAULT_MAX_MESSAGES_PER_PEER`] = 256 KiB per pending tunnel).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024;

/// Messages one peer may send over a tunnel's life: 16, the webauthn-rs server's limit.
///
/// A QR transaction needs about five per side (handshake, post-handshake, linking update, one
/// CTAP request or reply, shutdown; phones hang up after one command, docs/protocol.md §10 item 4).
pub const DEFAULT_MAX_MESSAGES_PER_PEER: u32 = 16;

/// How long a tunnel waits for its second peer: 60 s. Long enough for a user to scan a QR
/// code and for a push wake-up to arrive; a tunnel no one joins is closed with 1008.
pub const DEFAULT_PENDING_TTL: Duration = Duration::from_secs(60);

/// How long a paired tunnel lives, counted from the moment the second peer joins: 120 s,
/// the webauthn-rs server's TTL. Both sides are then closed with 1008.
pub const DEFAULT_TUNNEL_TTL: Duration = Duration::from_secs(120);

/// Tunnels (pending and paired together) one instance holds at most before answering 503.
pub const DEFAULT_MAX_TUNNELS: usize = 10_000;

/// Open tunnel connections from one IP address before answering 429. Generous, because one
/// NAT can hide many users; tests on loopback (all 127.0.0.1) may need to raise it.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 256;

/// Configuration of one tunnel-server instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// This instance's routing id: sent in `X-caBLE-Routing-ID` on `/cable/new`, and the only
    /// one accepted in `/cable/connect/{routing id}/…`.
    pub routing_id: [u8; 3],
    /// Largest binary message relayed; a larger one closes its sender with 1009.
    pub max_message_size: usize,
    /// Messages one peer may send; the next one closes it with 1008.
    pub max_messages_per_peer: u32,
    /// How long a tunnel waits for its second peer before its first is closed with 1008.
    pub pending_ttl: Duration,
    /// How long a paired tunnel lives from the second peer's arrival; then both get 1008.
    pub tunnel_ttl: Duration,
    /// Tunnels held at most (pending and paired); `/new` and `/contact` beyond it get 503.
    pub max_tunnels: usize,
    /// Open tunnel connections per peer IP address; beyond it a connection gets 429.
    pub max_connections_per_ip: usize,
}

impl Config {
    /// The default limits with the given routing id.
    pub fn new(routing_id: [u8; 3]) -> Config {
        Config {
            routing_id,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_messages_per_peer: DEFAULT_MAX_MESSAGES_PER_PEER,
            pending_ttl: DEFAULT_PENDING_TTL,
            tunnel_ttl: DEFAULT_TUNNEL_TTL,
            max_tunnels: DEFAULT_MAX_TUNNELS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
        }
    }
}

impl Default for Config {
    /// The default limits with [`DEFAULT_ROUTING_ID`].
    fn default() -> Config {
        Config::new(DEFAULT_ROUTING_ID)
    }
}
