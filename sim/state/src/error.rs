//! What can go wrong with a state file, always naming the file.

use hybridsim_apps::AppModel;
use hybridsim_ctap::profile::ProfileError;
use std::path::PathBuf;

/// A state file could not be read, locked or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but cannot be read.
    #[error("cannot read state file {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The path names something other than a regular file (a directory, a device, a FIFO).
    #[error("state file {path} is not a regular file; it was left untouched")]
    NotRegular {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than any state file this tool writes.
    #[error("state file {path} is larger than {limit} bytes; it was left untouched")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, [`crate::MAX_STATE_BYTES`].
        limit: u64,
    },
    /// The file does not parse as the expected JSON.
    #[error(
        "state file {path} is not valid ({source}); it was left untouched: fix it or move it away"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parse error (with line and column).
        source: serde_json::Error,
    },
    /// The file is a hybridsim file of another kind or version.
    #[error("{path} is a {format} v{version} file; this build reads {expected} v{expected_version} (left untouched)")]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// The format the file names.
        format: String,
        /// The version the file names.
        version: u32,
        /// The format this build reads.
        expected: &'static str,
        /// The version this build reads.
        expected_version: u32,
    },
    /// Another process held the lock for longer than the wait allowed; nothing was written.
    #[error("state file {path} is in use: another process held {lock} for {waited_ms} ms; nothing was written")]
    Busy {
        /// The state file.
        path: PathBuf,
        /// The sidecar lock file.
        lock: PathBuf,
        /// How long this process waited.
        waited_ms: u128,
    },
    /// The lock file could not be created, opened or locked.
    #[error("cannot lock state file {path} (through {lock}): {source}")]
    Lock {
        /// The state file.
        path: PathBuf,
        /// The sidecar lock file.
        lock: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The target is read-only: it is refused rather than replaced.
    #[error("{path} is read-only: refusing to replace it (make it writable, or use another file)")]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The file exists and the write asked for a new file.
    #[error("{path} exists: refusing to overwrite it")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A symlink chain at the path is too long or loops.
    #[error("{path}: too many levels of symbolic links")]
    SymlinkLoop {
        /// The path.
        path: PathBuf,
    },
    /// Writing, syncing or renaming failed; the old file (if any) is unchanged.
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The value could not be turned into JSON.
    #[error("cannot serialise the state for {path}: {source}")]
    Serialise {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The state file does not exist and the command needs one.
    #[error("{} does not exist: {hint}", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
        /// What to run first.
        hint: String,
    },
    /// The state file was made with another profile than the one asked for.
    #[error("{} belongs to profile {held}, not {asked}: use another state file", path.display())]
    OtherProfile {
        /// The file.
        path: PathBuf,
        /// The profile it was made with.
        held: String,
        /// The profile asked for.
        asked: String,
    },
    /// A new state file needs a profile to start from.
    #[error("{} is new: give --profile", path.display())]
    NeedsProfile {
        /// The file.
        path: PathBuf,
    },
    /// The file holds a phone with another authenticator app than the one asked for: one state
    /// file is one phone, and its app is never switched.
    #[error("{} holds a {} phone, not {}: use another state file", path.display(), held.name(), asked.name())]
    OtherApp {
        /// The file.
        path: PathBuf,
        /// The app its phone has.
        held: AppModel,
        /// The app asked for.
        asked: AppModel,
    },
    /// The command reads authenticator-app accounts and the file's phone has no app yet.
    #[error("{} holds no authenticator-app accounts: {hint}", path.display())]
    NoApp {
        /// The file.
        path: PathBuf,
        /// What to run first.
        hint: String,
    },
    /// The profile kept in the file gives no authenticator (an edited file, or attestation
    /// files that cannot be had).
    #[error("profile {profile} in the state file: {source}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// Why (boxed: it is large and rare).
        source: Box<ProfileError>,
    },
}
