//! What a run records, shared by `ceremony`, `desktop` and `phone`: its trace (`--trace`,
//! `--reveal-secrets`), key log and capture (`--keylog`, `--pcapng`); the key log and capture
//! are written by `hybridsim_pcapng::files`.

use crate::failure::Outcome;
use clap::Args;
use hybridsim_pcapng::record::SessionRecord;
use hybridsim_sockets::drive::LogEntry;
use std::path::PathBuf;

/// Where to put a run's trace, secrets and capture.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Write the trace here as JSON lines (also when the run fails).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Keep secret bytes (keys, PSKs, link secrets) in the trace.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Append the session's secrets to this key log (created with mode 0600), one
    /// `LABEL TUNNEL_ID_HEX VALUE_HEX` line each after a `#` line naming the session.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Write the session as pcapng: advert, tunnel (the real bytes of a `ws://` tunnel),
    /// embedded key log, decoded comments.
    #[arg(long, value_name = "FILE")]
    pub pcapng: Option<PathBuf>,
}

impl CaptureArgs {
    /// Whether the peers must log their secrets and the driver keep the wire.
    pub fn wanted(&self) -> bool {
        self.keylog.is_some() || self.pcapng.is_some()
    }

    /// Writes the trace's JSON lines, when `--trace` asked for them.
    pub fn write_trace(&self, json_lines: impl FnOnce(bool) -> String) -> Outcome {
        match &self.trace {
            Some(path) => crate::output::write_file(path, json_lines(self.reveal_secrets)),
            None => Ok(()),
        }
    }

    /// Writes what a standalone side (`desktop`, `phone`) recorded: its trace from the
    /// driver's log, its key log and capture from `session`; also when it failed.
    pub fn record(&self, log: &[LogEntry], session: SessionRecord) -> Outcome {
        self.write_trace(|reveal| hybridsim_sockets::drive::trace_json_lines(log, reveal))?;
        self.write(&[session])
    }

    /// Appends the key log and writes the capture of `records`.
    pub fn write(&self, records: &[SessionRecord]) -> Outcome {
        let (keylog, pcapng) = (self.keylog.as_deref(), self.pcapng.as_deref());
        Ok(hybridsim_pcapng::files::write_all(keylog, pcapng, records)?)
    }
}
