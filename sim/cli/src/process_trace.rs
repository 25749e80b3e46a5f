//! The trace of a desktop or phone running alone (`hybridsim desktop|phone --trace`): the
//! driver's log as JSON lines with the field names of the simulated world's trace (`t_ms`,
//! `actor`, `layer`, `dir`, `what`, `len`, `hex`), so the two can be compared line by line.
//! The peer's own events have `dir` `note`, as in the world; what the driver did on the
//! sockets, the radio and the QR hop has `dir` `wire`.

use crate::failure::Failure;
use hybridsim_sockets::drive::LogEntry;
use hybridsim_world::trace::layer_name;
use serde_json::json;
use std::path::Path;

/// The log as JSON lines.
pub fn to_json_lines(log: &[LogEntry]) -> String {
    let mut out = String::new();
    for entry in log {
        let (len, hex) = match entry.secret_len {
            Some(len) => (len, "secret".to_owned()),
            None => (entry.bytes.len() / 2, entry.bytes.clone()),
        };
        let line = json!({
            "t_ms": entry.at.as_millis(),
            "actor": entry.side.to_string(),
            "layer": layer_name(entry.layer),
            "dir": if entry.peer_event { "note" } else { "wire" },
            "what": entry.what,
            "len": len,
            "hex": hex,
        });
        out.push_str(&line.to_string());
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
