//! The files a user names, read bounded: options JSON, profiles, scenario files and their
//! approved traces, expectations, state files, key logs, PEM certificates and keys, QR
//! pictures, exports. A wrong path or a hostile file (`/dev/zero`, a FIFO, a file that grows
//! while it is read, a `/proc` file whose size says 0) must cost neither unbounded memory nor
//! a wait that never ends, so every reader here:
//!
//! - looks at the path's metadata before opening it: anything but a regular file (a device,
//!   a FIFO, a directory) is refused without being opened, as opening a FIFO for reading
//!   waits for a writer;
//! - opens it without blocking (on Unix) and checks again that what it opened is a regular
//!   file: the path may have been replaced in between, and a FIFO put there in that instant
//!   is refused here instead of making the open wait for a writer;
//! - reads at most `limit + 1` bytes, whatever the metadata said, and refuses the file when
//!   that extra byte arrives: the size in the metadata only serves to refuse early.
//!
//! Errors are one [`ReadError`] naming the file (echoed bounded, as
//! [`hybridsim_proto::echo`] bounds every input quoted back) and saying what was wrong; its
//! text is the line the command-line tool prints. Callers with error types of their own map
//! its [`Problem`]. Streams that are meant to come from FIFOs (advert lines) are not files in
//! this sense and do not come here.

use hybridsim_proto::echo;
use std::fmt;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

#[cfg(test)]
mod tests;

/// The largest file read as a named input: far above any options file, profile, scenario,
/// certificate, QR picture or authenticator-app export.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The largest PEM file read (TLS certificate chains, keys, CA bundles): they are a few
/// kilobytes, Mozilla's whole root list about 200 KiB.
pub const MAX_PEM_BYTES: u64 = 1 << 20;

/// A named file that could not be read: which file, and what was wrong.
#[derive(Debug)]
pub struct ReadError {
    /// The path as it was given.
    pub path: PathBuf,
    /// What was wrong.
    pub problem: Problem,
}

/// What was wrong with a named file. Its text leaves the file out, for messages that name it
/// already; [`ReadError`]'s text names it.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The metadata, the open or a read failed (a missing file, no permission, an I/O error).
    #[error("cannot read it: {0}")]
    Unreadable(std::io::Error),
    /// The path names a device, a FIFO or a directory.
    #[error("not a regular file (a device, FIFO or directory): give a file")]
    NotRegular,
    /// The file holds more than the limit.
    #[error("larger than the input limit of {}", size(*limit))]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Text was asked for and the bytes are not UTF-8.
    #[error("not UTF-8 text ({0})")]
    NotText(std::str::Utf8Error),
}

impl ReadError {
    fn new(path: &Path, problem: Problem) -> ReadError {
        ReadError {
            path: path.to_owned(),
            problem,
        }
    }

    /// Whether the file does not exist (for callers to whom a missing file means something
    /// else, such as "give one of the shipped names").
    pub fn is_missing(&self) -> bool {
        matches!(&self.problem, Problem::Unreadable(e) if e.kind() == ErrorKind::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = shown(&self.path);
        match &self.problem {
            Problem::Unreadable(e) => write!(f, "cannot read {path}: {e}"),
            Problem::NotRegular => write!(f, "{path} is {}", self.problem),
            Problem::TooLarge { .. } => write!(f, "{path} is {}", self.problem),
            Problem::NotText(_) => write!(f, "{path}: {}", self.problem),
        }
    }
}

/// The text already names the cause; it is not repeated as a source.
impl std::error::Error for ReadError {}

/// Checks that `path` is a regular file of at most `limit` bytes, for files another library
/// opens itself. That library must still bound what it reads: the file can change after the
/// check.
pub fn check(path: &Path, limit: u64) -> Result<(), ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::new(path, Problem::Unreadable(e)))?;
    regular_within(path, &meta, limit)
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let unreadable = |e| ReadError::new(path, Problem::Unreadable(e));
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    // Checked before opening: opening a FIFO for reading waits for a writer.
    regular_within(path, &meta, limit)?;
    let file = open_nonblocking(path).map_err(unreadable)?;
    // What was opened may not be what was checked, if the path changed in between.
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(ReadError::new(path, Problem::NotRegular));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > limit) {
        return Err(ReadError::new(path, Problem::TooLarge { limit }));
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file at `path`, at most `limit` bytes of it.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    text(path, read_bytes(path, limit)?)
}

/// As [`read_bytes`], with `None` when there is no file at `path` (a dangling symlink
/// included): for files that may not exist yet (state files, key logs, approved traces).
pub fn read_bytes_if_exists(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match read_bytes(path, limit) {
        Err(e) if e.is_missing() => Ok(None),
        result => result.map(Some),
    }
}

/// As [`read_text`], with `None` when there is no file at `path`.
pub fn read_text_if_exists(path: &Path, limit: u64) -> Result<Option<String>, ReadError> {
    read_bytes_if_exists(path, limit)?
        .map(|bytes| text(path, bytes))
        .transpose()
}

/// A path as messages show it: whole when short, else cut with its length given
/// ([`echo::MAX_ECHO_CHARS`]).
pub fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    if text.chars().count() > echo::MAX_ECHO_CHARS {
        echo::shown(&text)
    } else {
        text
    }
}

/// Opens `path` for reading without waiting: for a FIFO without a writer, `open` would block.
/// Reads from a regular file are unaffected by the flag.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

/// Elsewhere there are no FIFOs to wait on at an ordinary path.
#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Refuses what is not a regular file, or says it is larger than `limit` already.
fn regular_within(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::new(path, Problem::NotRegular));
    }
    if meta.len() > limit {
        return Err(ReadError::new(path, Problem::TooLarge { limit }));
    }
    Ok(())
}

fn text(path: &Path, bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::new(path, Problem::NotText(e.utf8_error())))
}

/// A limit as people read it: `16 MiB`, `64 KiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}
