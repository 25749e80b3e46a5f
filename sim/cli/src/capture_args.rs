//! `--keylog FILE` and `--pcapng FILE`, shared by `ceremony`, `desktop`, `phone` and `run`;
//! the files are written by `hybridsim_pcapng::files`.

use crate::failure::{OrFail, Outcome};
use clap::Args;
use hybridsim_pcapng::record::SessionRecord;
use std::path::PathBuf;

/// Where to put a run's secrets and capture.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Append the session's secrets to this key log (created with mode 0600), one
    /// `LABEL TUNNEL_ID_HEX VALUE_HEX` line each after a `#` line naming the session.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Write the session as pcapng: advert, tunnel, embedded key log, decoded comments.
    #[arg(long, value_name = "FILE")]
    pub pcapng: Option<PathBuf>,
}

impl CaptureArgs {
    /// Whether the peers must log their secrets and the driver keep the wire.
    pub fn wanted(&self) -> bool {
        self.keylog.is_some() || self.pcapng.is_some()
    }

    /// Appends the key log and writes the capture of `records`.
    pub fn write(&self, records: &[SessionRecord]) -> Outcome {
        let (keylog, pcapng) = (self.keylog.as_deref(), self.pcapng.as_deref());
        hybridsim_pcapng::files::write_all(keylog, pcapng, records).or_environment()
    }
}
