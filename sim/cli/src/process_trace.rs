//! The trace of a desktop or phone running alone (`hybridsim desktop|phone --trace`),
//! rendered by `hybridsim_sockets::drive::trace_json_lines`, written to its file.

use crate::failure::Failure;
use hybridsim_sockets::drive::{trace_json_lines, LogEntry};
use std::path::Path;

/// Writes the log to `path` as JSON lines.
pub fn write(path: &Path, log: &[LogEntry], reveal_secrets: bool) -> Result<(), Failure> {
    std::fs::write(path, trace_json_lines(log, reveal_secrets)).map_err(|e| {
        Failure::bad_input(format!("cannot write the trace to {}: {e}", path.display()))
    })
}
