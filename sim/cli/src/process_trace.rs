//! The socket driver's log as trace records (`hybridsim desktop|phone --trace`, and scenarios
//! over a real tunnel server): the simulated world's record type, so the two can be compared
//! line by line. The peer's own events have `dir` `note`, as in the world; what the driver
//! did on the sockets, the radio and the QR hop has `dir` `wire`.

use crate::failure::Failure;
use hybridsim_net::drive::LogEntry;
use hybridsim_peers::trace::{Direction, Step, TraceRecord, HIDDEN};
use hybridsim_peers::Vocabulary;
use std::path::Path;

/// One log entry as a trace record: the one conversion from the driver's log. Made by
/// [`TraceRecord::new`], so the QR secret is redacted unless `reveal_secrets` (the driver
/// already left out the other secrets unless asked).
pub fn record(entry: &LogEntry, reveal_secrets: bool) -> TraceRecord {
    let dir = if entry.peer_event {
        Direction::Note
    } else {
        Direction::Wire
    };
    let actor = entry.side.party().name();
    let bytes = match entry.secret_len {
        None => hex::decode(&entry.bytes).unwrap_or_default(),
        Some(_) => Vec::new(),
    };
    let step = Step {
        at: entry.at,
        actor,
        layer: entry.layer,
        dir,
        what: &entry.what,
        bytes: &bytes,
        secret: false,
    };
    let mut record = TraceRecord::new(step, reveal_secrets);
    if let Some(len) = entry.secret_len {
        (record.len, record.hex) = (len, HIDDEN.to_owned());
    }
    record
}

/// The log as JSON lines.
pub fn to_json_lines(log: &[LogEntry], reveal_secrets: bool) -> String {
    let mut out = String::new();
    for entry in log {
        out.push_str(&record(entry, reveal_secrets).to_json());
        out.push('\n');
    }
    out
}

/// Writes the log to `path` as JSON lines.
pub fn write(path: &Path, log: &[LogEntry], reveal_secrets: bool) -> Result<(), Failure> {
    std::fs::write(path, to_json_lines(log, reveal_secrets)).map_err(|e| {
        Failure::bad_input(format!("cannot write the trace to {}: {e}", path.display()))
    })
}
