//! The socket driver's log as trace records (`hybridsim desktop|phone --trace`, and scenarios
//! over a real tunnel server): the simulated world's record type, so the two can be compared
//! line by line. The peer's own events have `dir` `note`, as in the world; what the driver
//! did on the sockets, the radio and the QR hop has `dir` `wire`.

use crate::failure::Failure;
use hybridsim_net::drive::LogEntry;
use hybridsim_peers::trace::{Direction, TraceRecord, HIDDEN};
use hybridsim_peers::Vocabulary;
use std::path::Path;

/// One log entry as a trace record: the one conversion from the driver's log.
pub fn record(entry: &LogEntry) -> TraceRecord {
    let (len, hex) = match entry.secret_len {
        Some(len) => (len, HIDDEN.to_owned()),
        None => (entry.bytes.len() / 2, entry.bytes.clone()),
    };
    TraceRecord {
        t_ms: entry.at.as_millis(),
        actor: entry.side.party().name().to_owned(),
        layer: entry.layer,
        dir: if entry.peer_event {
            Direction::Note
        } else {
            Direction::Wire
        },
        what: entry.what.clone(),
        len,
        hex,
        cbor: None,
    }
}

/// The log as JSON lines.
pub fn to_json_lines(log: &[LogEntry]) -> String {
    let mut out = String::new();
    for entry in log {
        out.push_str(&record(entry).to_json());
        out.push('\n');
    }
    out
}

/// Writes the log to `path` as JSON lines.
pub fn write(path: &Path, log: &[LogEntry]) -> Result<(), Failure> {
    std::fs::write(path, to_json_lines(log)).map_err(|e| {
        Failure::bad_input(format!("cannot write the trace to {}: {e}", path.display()))
    })
}
