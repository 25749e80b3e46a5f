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

/// A run's log as the trace of a desktop or phone running alone (`hybridsim desktop|phone
/// --trace`): one JSON trace record a line, as the simulated world writes them, so the two
/// can be compared line by line. The QR secret stays in only when `reveal_secrets`.
pub fn trace_json_lines(log: &[LogEntry], reveal_secrets: bool) -> String {
    let mut out = String::new();
    for entry in log {
        out.push_str(&entry.to_record(reveal_secrets).to_json());
        out.push('\n');
    }
    out
}

/// What a phone run served, from the phone's CTAP events in its log, one line:
/// `served makeCredential: status 0x00`, `received getAssertion but sent no response`, or
/// `finished without a CTAP request`.
pub fn served(log: &[LogEntry]) -> String {
    let first_byte = |what: &str| {
        log.iter()
            .find(|e| e.peer_event && e.layer == Layer::Ctap && e.what == what)
            .and_then(|e| e.bytes.get(..2))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
    };
    let command = match first_byte("ctap request") {
        Some(0x01) => "makeCredential".to_owned(),
        Some(0x02) => "getAssertion".to_owned(),
        Some(other) => format!("command {other:#04x}"),
        None => return "finished without a CTAP request".to_owned(),
    };
    match first_byte("ctap response") {
        Some(status) => format!("served {command}: status {status:#04x}"),
        None => format!("received {command} but sent no response"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(what: &str, bytes: &str) -> LogEntry {
        LogEntry {
            at: Millis(7),
            side: Side::Phone,
            layer: Layer::Tunnel,
            what: what.to_owned(),
            bytes: bytes.to_owned(),
            peer_event: false,
            secret_len: None,
        }
    }

    #[test]
    fn the_trace_is_one_record_a_line() {
        let log = [entry("sent", "a1b2"), entry("received", "")];
        let text = trace_json_lines(&log, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(text.ends_with('\n'));
        for (line, entry) in lines.iter().zip(&log) {
            assert_eq!(*line, entry.to_record(false).to_json());
        }
        assert!(lines.first().is_some_and(|l| l.contains("a1b2")));
    }

    fn ctap(what: &str, bytes: &str) -> LogEntry {
        LogEntry {
            layer: Layer::Ctap,
            peer_event: true,
            ..entry(what, bytes)
        }
    }

    #[test]
    fn served_names_the_command_and_the_status() {
        let log = [ctap("ctap request", "01a1"), ctap("ctap response", "00a0")];
        assert_eq!(served(&log), "served makeCredential: status 0x00");
        let log = [ctap("ctap request", "02"), ctap("ctap response", "2e")];
        assert_eq!(served(&log), "served getAssertion: status 0x2e");
        let log = [ctap("ctap request", "04")];
        assert_eq!(served(&log), "received command 0x04 but sent no response");
        // The driver's own wire notes are not the phone's CTAP events.
        let log = [entry("ctap request", "01")];
        assert_eq!(served(&log), "finished without a CTAP request");
    }

    #[test]
    fn an_empty_log_is_an_empty_trace() {
        assert_eq!(trace_json_lines(&[], true), "");
    }
}
