//! Locking, bounded reading and atomic, private writing of a JSON state file.
//!
//! The lock is `flock(2)` on a sidecar file `NAME.lock` beside the state file's real target
//! (through `fs4`: the lock lives on an owned `File` and is released when it is dropped, so
//! a [`Locked`] can be held across a whole command). The sidecar is never removed: removing
//! it would let a waiting process lock a file that a newcomer no longer sees. The state file
//! itself is replaced by rename, so it cannot carry the lock.

use crate::error::StateError;
use hybridsim_files::{Problem, ReadError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The largest state file read: far above any real phone or credential file, small enough
/// that pointing `--state` at a huge file cannot exhaust memory.
pub const MAX_STATE_BYTES: u64 = 64 << 20;

/// How long a command waits for another one holding the same state file before it gives up
/// (and writes nothing).
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// How often a waiting command retries the lock.
const POLL: Duration = Duration::from_millis(10);

/// Symlinks followed at most, as the kernel's own limit.
const MAX_LINKS: usize = 40;

/// An exclusive hold on one state file, from before its load to after its save.
#[derive(Debug)]
pub struct Locked {
    path: PathBuf,
    /// The open sidecar file; the lock goes with it when it is dropped.
    _lock: File,
}

impl Locked {
    /// Takes the lock on `path`, waiting up to [`LOCK_WAIT`] for another holder.
    pub fn acquire(path: &Path) -> Result<Locked, StateError> {
        Self::acquire_within(path, LOCK_WAIT)
    }

    /// Takes the lock on `path`, waiting up to `wait` ([`StateError::Busy`] after that).
    pub fn acquire_within(path: &Path, wait: Duration) -> Result<Locked, StateError> {
        let lock = sidecar(&resolve(path)?);
        let fail = |source| StateError::Lock {
            path: path.to_owned(),
            lock: lock.clone(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        private(&mut options);
        let file = options.open(&lock).map_err(fail)?;
        let start = Instant::now();
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => {
                    return Ok(Locked {
                        path: path.to_owned(),
                        _lock: file,
                    })
                }
                Err(fs4::TryLockError::WouldBlock) => {}
                Err(fs4::TryLockError::Error(e)) => return Err(fail(e)),
            }
            let waited = start.elapsed();
            if waited >= wait {
                return Err(StateError::Busy {
                    path: path.to_owned(),
                    lock,
                    waited_ms: waited.as_millis(),
                });
            }
            std::thread::sleep(POLL.min(wait.saturating_sub(waited)));
        }
    }

    /// The state file's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The value in the file, or `None` when there is no file yet.
    pub fn load<T: DeserializeOwned>(&self) -> Result<Option<T>, StateError> {
        read(&self.path)
    }

    /// Replaces the file's value atomically ([`write_atomic`]).
    pub fn save<T: Serialize>(&self, value: &T) -> Result<(), StateError> {
        write_atomic(&self.path, &to_json(&self.path, value)?)
    }
}

/// `value` as the pretty JSON text a state file holds, ending with a newline.
pub fn to_json<T: Serialize>(path: &Path, value: &T) -> Result<Vec<u8>, StateError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| StateError::Serialise {
        path: path.to_owned(),
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads the JSON value at `path` without a lock (a reader sees the old or the new file,
/// never half of one), or `None` when there is no file. Refuses a non-regular file before
/// opening it (a FIFO would block), a file over [`MAX_STATE_BYTES`] and invalid JSON.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, StateError> {
    let Some(bytes) =
        hybridsim_files::read_bytes_if_exists(path, MAX_STATE_BYTES).map_err(unusable)?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StateError::Invalid {
            path: path.to_owned(),
            source,
        })
}

/// The shared reader's refusal as the state file's own error.
fn unusable(error: ReadError) -> StateError {
    let path = error.path;
    match error.problem {
        Problem::NotRegular => StateError::NotRegular { path },
        Problem::TooLarge { limit } => StateError::TooLarge { path, limit },
        Problem::Unreadable(source) => StateError::Unreadable { path, source },
        // Bytes were asked for, never text.
        Problem::NotText(e) => StateError::Unreadable {
            path,
            source: std::io::Error::new(ErrorKind::InvalidData, e),
        },
    }
}

/// Replaces the file at `path` with `bytes`: a temporary file created exclusively with mode
/// 0600 beside the target, written, synced and renamed over it. A symlink at `path` is
/// written through (the target is replaced, the link stays); a read-only or non-regular
/// target is refused and left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let target = resolve(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => {
            return Err(StateError::NotRegular {
                path: path.to_owned(),
            })
        }
        Ok(meta) if meta.permissions().readonly() => {
            return Err(StateError::ReadOnly {
                path: path.to_owned(),
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(source) => {
            return Err(StateError::Write {
                path: path.to_owned(),
                source,
            })
        }
    }
    let temporary = temporary(path, &target, bytes)?;
    temporary.persist(&target).map_err(|e| StateError::Write {
        path: path.to_owned(),
        source: e.error,
    })?;
    sync_dir(&target);
    Ok(())
}

/// Writes `bytes` to a new file at `path` (mode 0600, complete or absent), refusing to
/// replace anything already there, a dangling symlink included.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let exists = || StateError::Exists {
        path: path.to_owned(),
    };
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let temporary = temporary(path, path, bytes)?;
    temporary.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == ErrorKind::AlreadyExists {
            exists()
        } else {
            StateError::Write {
                path: path.to_owned(),
                source: e.error,
            }
        }
    })?;
    sync_dir(path);
    Ok(())
}

/// A synced temporary file holding `bytes` in `target`'s directory. `tempfile` opens it with
/// `O_CREAT | O_EXCL` under a random name and mode 0600, so a file or symlink planted at a
/// guessable name is never followed or reused.
fn temporary(
    path: &Path,
    target: &Path,
    bytes: &[u8],
) -> Result<tempfile::NamedTempFile, StateError> {
    let fail = |source| StateError::Write {
        path: path.to_owned(),
        source,
    };
    let mut prefix = OsString::from(".");
    prefix.push(target.file_name().unwrap_or_default());
    prefix.push(".");
    let mut file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(directory(target))
        .map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    Ok(file)
}

/// Follows symlinks at `path` to the file they finally name (which need not exist yet).
fn resolve(path: &Path) -> Result<PathBuf, StateError> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link =
                    std::fs::read_link(&current).map_err(|source| StateError::Unreadable {
                        path: path.to_owned(),
                        source,
                    })?;
                current = directory(&current).join(link);
            }
            _ => return Ok(current),
        }
    }
    Err(StateError::SymlinkLoop {
        path: path.to_owned(),
    })
}

/// The directory a file is in (`.` for a bare name).
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `NAME.lock` beside `target`.
fn sidecar(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    target.with_file_name(name)
}

/// Makes the rename durable; best effort, as the data itself is already synced.
fn sync_dir(target: &Path) {
    if let Ok(dir) = File::open(directory(target)) {
        let _ = dir.sync_all();
    }
}

/// Files this module creates are private to their owner.
fn private(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}
