//! A run's log: which peer, and one line per event or wire action; and the one conversion
//! of a log line into the trace record every driver shares.

use core::fmt;
use hybridsim_peers::trace::{Direction, Step, TraceRecord, HIDDEN};
use hybridsim_peers::{Layer, Millis, Vocabulary};

/// Which peer: the outcome vocabulary's [`Party`](hybridsim_peers::Party), under the name
/// this driver has always used.
pub use hybridsim_peers::Party as Side;

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

impl LogEntry {
    /// The entry as a trace record, made by [`TraceRecord::new`] as the simulated world's
    /// are: the peer's own events have `dir` `note`, what the driver did on the sockets, the
    /// radio and the QR hop has `dir` `wire`. The QR secret is redacted unless
    /// `reveal_secrets`; other secrets the driver already left out unless asked
    /// ([`DriveOptions::log_secrets`](super::DriveOptions::log_secrets)).
    pub fn to_record(&self, reveal_secrets: bool) -> TraceRecord {
        let dir = if self.peer_event {
            Direction::Note
        } else {
            Direction::Wire
        };
        let bytes = match self.secret_len {
            None => hex::decode(&self.bytes).unwrap_or_default(),
            Some(_) => Vec::new(),
        };
        let step = Step {
            at: self.at,
            actor: self.side.name(),
            layer: self.layer,
            dir,
            what: &self.what,
            bytes: &bytes,
            secret: false,
        };
        let mut record = TraceRecord::new(step, reveal_secrets);
        if let Some(len) = self.secret_len {
            (record.len, record.hex) = (len, HIDDEN.to_owned());
        }
        record
    }
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
