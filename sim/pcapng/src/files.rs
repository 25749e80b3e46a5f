//! The files `--keylog` and `--pcapng` name: a key log appended to (created with mode 0600,
//! as it holds every secret of the session), and a capture file written whole.
//!
//! An existing key log is read first (bounded, through `hybridsim_files`) to learn what it
//! holds, so that a line already there is not repeated and a contradicting session is noted.
//! So it must be a regular file: a device or a FIFO is refused before anything is opened
//! (appending to a FIFO waits for a reader; reading `/dev/zero` never ends). A key log
//! larger than [`MAX_KEYLOG_BYTES`] (what the key-log reader takes) is appended to without
//! that check, as one that does not parse is.

use crate::capture::CaptureError;
use crate::record::{self, SessionRecord};
use hybridsim_files::{Problem, ReadError};
use hybridsim_session::keylog::{Entry, KeyLog, KeyLogWriter, Label};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// The most of an existing key log read to learn what it holds: what the key-log reader
/// (`decode session`) takes. A larger one is appended to all the same.
pub const MAX_KEYLOG_BYTES: u64 = 4 << 20;

/// Why a key log or a capture could not be written; says which file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The key log named is not one to append to: a device, a FIFO or a directory. Nothing
    /// was written.
    #[error("--keylog {0}")]
    KeyLogInput(ReadError),
    /// The key log could not be opened or appended to.
    #[error("--keylog {path}: {source}")]
    KeyLog {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The capture could not be built.
    #[error("--pcapng {path}: {source}")]
    Capture {
        /// The file.
        path: PathBuf,
        /// Why.
        source: CaptureError,
    },
    /// The capture could not be written.
    #[error("--pcapng {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A key log open for appending: several runs and sessions share one file, as with
/// `SSLKEYLOGFILE`. Each line is flushed as it is written, so a run that dies half-way
/// leaves every secret it had.
///
/// The file must stay readable: its reader refuses a label given twice for one tunnel id
/// with different values. Simulated sessions can share a tunnel id (two scenarios with the
/// same seed draw the same QR secret) while differing in a secret (another advert, so
/// another PSK), so [`KeyLogFile::records`] writes a line only when the file does not hold
/// it already, and passes over (with a `#` line saying why) a session that would
/// contradict it; that session's capture embeds its own key log.
#[derive(Debug)]
pub struct KeyLogFile {
    path: PathBuf,
    writer: KeyLogWriter<File>,
    /// What the file holds: the lines already in it (when it reads) and those written.
    known: Known,
}

/// A key log's values by tunnel id and label.
type Known = BTreeMap<([u8; 16], Label), Vec<u8>>;

impl KeyLogFile {
    /// Opens `path` for appending, creating it with mode 0600 (an existing file keeps its
    /// mode), once what it holds is read ([`FileError::KeyLogInput`] when it cannot be).
    pub fn open(path: &Path) -> Result<KeyLogFile, FileError> {
        // Read before opening: the read refuses devices and FIFOs without opening them.
        let known = known_lines(path)?;
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|source| FileError::KeyLog {
            path: path.to_owned(),
            source,
        })?;
        Ok(KeyLogFile {
            path: path.to_owned(),
            writer: KeyLogWriter::new(file),
            known,
        })
    }

    /// A `# …` line naming the session that follows.
    pub fn comment(&mut self, text: &str) -> Result<(), FileError> {
        let result = self.writer.comment(text);
        result.map_err(|source| self.error(source))
    }

    /// One line per entry.
    pub fn entries(&mut self, entries: &[Entry]) -> Result<(), FileError> {
        for entry in entries {
            let result = self.writer.entry(entry);
            result.map_err(|source| self.error(source))?;
        }
        Ok(())
    }

    /// The comment line and the secrets of every record, in order: lines the file holds
    /// already are not repeated, and a record that contradicts the file is passed over with
    /// a `#` line naming the tunnel id and label.
    pub fn records(&mut self, records: &[SessionRecord]) -> Result<(), FileError> {
        for record in records {
            let conflict = record.secrets.iter().find(|e| {
                self.known
                    .get(&(e.tunnel_id, e.label))
                    .is_some_and(|value| *value != e.value)
            });
            if let Some(e) = conflict {
                let tunnel = hex::encode_upper(e.tunnel_id);
                self.comment(&format!(
                    "{}: not logged: tunnel {tunnel} has another {} above (sessions of one \
                     seed share a QR secret); its capture embeds its own key log",
                    record.name, e.label
                ))?;
                continue;
            }
            self.comment(&record.name)?;
            let new: Vec<Entry> = record
                .secrets
                .iter()
                .filter(|e| !self.known.contains_key(&(e.tunnel_id, e.label)))
                .cloned()
                .collect();
            self.entries(&new)?;
            for e in new {
                self.known.insert((e.tunnel_id, e.label), e.value);
            }
        }
        Ok(())
    }

    fn error(&self, source: io::Error) -> FileError {
        FileError::KeyLog {
            path: self.path.clone(),
            source,
        }
    }
}

/// The labelled lines an existing key log holds: none when there is no file yet, or when it
/// does not read, is larger than [`MAX_KEYLOG_BYTES`] or does not parse (it is appended to
/// all the same; opening it says what is wrong, if anything is). A file that is no key log
/// to append to (a device, a FIFO) is refused.
fn known_lines(path: &Path) -> Result<Known, FileError> {
    let mut known = BTreeMap::new();
    let text = match hybridsim_files::read_bytes_if_exists(path, MAX_KEYLOG_BYTES) {
        Ok(Some(text)) => text,
        Ok(None)
        | Err(ReadError {
            problem: Problem::Unreadable(_) | Problem::TooLarge { .. },
            ..
        }) => return Ok(known),
        Err(e) => return Err(FileError::KeyLogInput(e)),
    };
    let Ok(log) = KeyLog::parse(&text) else {
        return Ok(known);
    };
    for id in log.tunnel_ids() {
        let Some(keys) = log.session(id) else {
            continue;
        };
        for label in keys.labels() {
            if let Some(value) = keys.get(label) {
                known.insert((*id, label), value.to_vec());
            }
        }
    }
    Ok(known)
}

/// Writes one capture of every record to `path` (replacing it).
pub fn write_capture(path: &Path, records: &[SessionRecord]) -> Result<(), FileError> {
    let bytes = record::capture(records)
        .to_bytes()
        .map_err(|source| FileError::Capture {
            path: path.to_owned(),
            source,
        })?;
    std::fs::write(path, bytes).map_err(|source| FileError::Write {
        path: path.to_owned(),
        source,
    })
}

/// What `--keylog FILE` and `--pcapng FILE` ask of a run that collects its records first
/// (the simulated world): append the key log, write the capture.
pub fn write_all(
    keylog: Option<&Path>,
    pcapng: Option<&Path>,
    records: &[SessionRecord],
) -> Result<(), FileError> {
    if let Some(path) = keylog {
        KeyLogFile::open(path)?.records(records)?;
    }
    if let Some(path) = pcapng {
        write_capture(path, records)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use hybridsim_session::keylog::{KeyLog, Label};

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hybridsim-pcapng-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        path
    }

    fn record(name: &str, id: u8) -> SessionRecord {
        let mut record = SessionRecord::new(name);
        record.secrets.push(Entry {
            label: Label::Psk,
            tunnel_id: [id; 16],
            value: vec![id; 32],
        });
        record
    }

    #[test]
    fn the_key_log_is_appended_to_and_private() {
        let path = scratch("keys.log");
        write_all(Some(&path), None, &[record("one", 1)]).unwrap();
        write_all(Some(&path), None, &[record("two", 2)]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# one\nPSK 0101"), "{text}");
        assert!(text.contains("# two\nPSK 0202"), "{text}");
        let log = KeyLog::parse(text.as_bytes()).unwrap();
        assert_eq!(log.tunnel_ids().count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_session_contradicting_the_file_is_passed_over_and_repeats_are_not_written() {
        let path = scratch("shared.log");
        write_all(Some(&path), None, &[record("one", 1)]).unwrap();
        let mut other = record("other", 1);
        other.secrets[0].value = vec![9; 32];
        let again = record("again", 1);
        write_all(Some(&path), None, &[other, again]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# other: not logged: tunnel 0101"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("PSK ")).count(), 1);
        assert!(text.ends_with("# again\n"), "{text}");
        let log = KeyLog::parse(text.as_bytes()).unwrap();
        assert!(log.notices.is_empty());
    }

    /// Before the key log was read bounded, `/dev/zero` was read until memory ran out and a
    /// FIFO blocked the run for good (opened for appending, it waits for a reader).
    #[test]
    fn a_key_log_that_is_a_device_or_a_fifo_is_refused_without_hanging() {
        let fifo = scratch("keys.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        for path in [Path::new("/dev/zero"), &fifo] {
            let error = write_all(Some(path), None, &[record("one", 1)]).unwrap_err();
            assert!(
                matches!(&error, FileError::KeyLogInput(e) if matches!(e.problem, Problem::NotRegular)),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "--keylog {} is not a regular file (a device, FIFO or directory): give a file",
                    path.display()
                )
            );
        }
    }

    #[test]
    fn a_key_log_larger_than_its_reader_takes_is_appended_to_all_the_same() {
        assert_eq!(
            MAX_KEYLOG_BYTES,
            hybridsim_session::keylog::Limits::default().max_bytes as u64
        );
        let path = scratch("huge.log");
        let huge = "# filler\n".repeat((MAX_KEYLOG_BYTES / 9 + 1) as usize);
        std::fs::write(&path, &huge).unwrap();
        write_all(Some(&path), None, &[record("one", 1)]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let added = text
            .strip_prefix(huge.as_str())
            .expect("the old lines kept");
        assert!(added.starts_with("# one\nPSK 0101"), "{added}");
    }

    #[test]
    fn an_unwritable_key_log_names_the_file() {
        let path = Path::new("/nonexistent-dir/keys.log");
        let error = write_all(Some(path), None, &[]).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("--keylog /nonexistent-dir/keys.log: "));
    }
}
