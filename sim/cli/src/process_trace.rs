//! The trace of a desktop or phone running alone (`hybridsim desktop|phone --trace`): the
//! driver's log as the simulated world's trace records (`LogEntry::to_record`), one JSON
//! line each, so the two can be compared line by line.

use crate::failure::Failure;
use hybridsim_sockets::drive::LogEntry;
use std::path::Path;

/// The log as JSON lines; the QR secret stays in only when `reveal_secrets`.
pub fn to_json_lines(log: &[LogEntry], reveal_secrets: bool) -> String {
    let mut out = String::new();
    for entry in log {
        out.push_str(&entry.to_record(reveal_secrets).to_json());
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
