//! A run's log: which peer, and one line per event or wire action.

use core::fmt;
use hybridsim_peers::{Layer, Millis};

/// Which peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The desktop (client platform).
    Desktop,
    /// The phone (authenticator).
    Phone,
}

impl Side {
    /// The other peer.
    pub fn other(self) -> Side {
        match self {
            Side::Desktop => Side::Phone,
            Side::Phone => Side::Desktop,
        }
    }
}

impl fmt::Display for Side {
    /// `desktop` or `phone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Desktop => "desktop",
            Side::Phone => "phone",
        })
    }
}

/// One line of a run's log: a peer's own event, or what the driver did for it on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// When, on the peers' clock.
    pub at: Millis,
    /// Whose.
    pub side: Side,
    /// The layer it belongs to (the driver's socket work is [`Layer::Tunnel`], the
    /// in-process QR and radio hops [`Layer::Qr`] and [`Layer::Ble`]).
    pub layer: Layer,
    /// What happened, e.g. `sent`, `received`, `upgrade refused`, or the peer's event name.
    pub what: String,
    /// The bytes concerned, in hex (empty if none; `(secret, N B)` for hidden secrets).
    pub bytes: String,
    /// Whether this is one of the peer's own events ([`Output::Event`](hybridsim_peers::Output::Event)) rather than the
    /// driver's note of what it did on the wire.
    pub peer_event: bool,
    /// The length of secret bytes left out of [`LogEntry::bytes`], when they were.
    pub secret_len: Option<usize>,
}

impl fmt::Display for LogEntry {
    /// `  0.251s phone    Tunnel     sent 81 B  a1b2…` (bytes shortened to 64 hex digits).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at, side, layer) = (
            self.at.to_string(),
            self.side.to_string(),
            format!("{:?}", self.layer),
        );
        write!(f, "{at:>9} {side:<7} {layer:<9} {}", self.what)?;
        if !self.bytes.is_empty() {
            let shown: String = self.bytes.chars().take(64).collect();
            let more = if self.bytes.len() > shown.len() {
                "…"
            } else {
                ""
            };
            write!(f, "  {shown}{more}")?;
        }
        Ok(())
    }
}
