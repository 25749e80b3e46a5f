//! `hybridsim run --keylog FILE --pcapng DIR`: the sessions a suite's ceremonies recorded
//! ([`StepResult::session`](crate::run::StepResult::session)), written as one key log for
//! the whole run and one capture per scenario.
//!
//! One key log: every session's secrets under a `#` line naming the scenario and the step,
//! appended in the scenarios' order, so `decode session` and the Wireshark dissector find
//! any of them in one file. One capture per scenario (`DIR/<scenario id>.pcapng`, `/` in
//! the id becoming `__`): a scenario is what a person opens after it failed, and it holds
//! that scenario's ceremonies one after the other (a QR registration, then its linked
//! sign-in), each with its own TCP streams.

use crate::suite::ScenarioResult;
use hybridsim_pcapng::files::{self, FileError, KeyLogFile};
use hybridsim_pcapng::record::SessionRecord;
use std::path::{Path, PathBuf};

/// Why the run's captures could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A key log or capture file.
    #[error(transparent)]
    File(#[from] FileError),
    /// The capture folder could not be made.
    #[error("--pcapng {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The recorded sessions of one scenario, named `<scenario id> step N (…): …`.
pub fn sessions(result: &ScenarioResult) -> Vec<SessionRecord> {
    result
        .steps
        .iter()
        .filter_map(|step| step.session.clone())
        .map(|mut record| {
            record.name = format!("{} {}", result.id, record.name);
            record
        })
        .collect()
}

/// The capture file of a scenario in `dir`.
pub fn capture_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{}.pcapng", id.replace('/', "__")))
}

/// Appends every session to `keylog` and writes one capture per scenario with sessions
/// into `pcapng_dir`; returns the captures written.
pub fn write(
    results: &[ScenarioResult],
    keylog: Option<&Path>,
    pcapng_dir: Option<&Path>,
) -> Result<Vec<PathBuf>, CaptureError> {
    if let Some(path) = keylog {
        let mut file = KeyLogFile::open(path)?;
        for result in results {
            file.records(&sessions(result))?;
        }
    }
    let Some(dir) = pcapng_dir else {
        return Ok(Vec::new());
    };
    std::fs::create_dir_all(dir).map_err(|source| CaptureError::Folder {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::new();
    for result in results {
        let records = sessions(result);
        if records.is_empty() {
            continue;
        }
        let path = capture_path(dir, &result.id);
        files::write_capture(&path, &records)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn scenario_ids_become_flat_file_names() {
        let path = capture_path(Path::new("out"), "interop/chrome-qr");
        assert_eq!(path, Path::new("out/interop__chrome-qr.pcapng"));
    }
}
