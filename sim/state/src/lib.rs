//! The files hybridsim keeps between commands, and how they are written.
//!
//! A phone's state file (its passkey profile, seed and credentials, and its authenticator
//! app's OTP accounts) is read and written by several commands (`authenticator`, `ceremony`,
//! `phone`, `migrate`); a relying party's credential file by `rp verify-*`. They hold things
//! the user cannot get back (private keys, OTP secrets), so every write here:
//!
//! * runs under an exclusive advisory lock on a sidecar file `NAME.lock`, held from the load
//!   to the save ([`Locked`]), so concurrent commands on one file never lose each other's
//!   updates; a lock that cannot be taken in a bounded time is an error, never a silent write;
//! * goes to a temporary file created exclusively (never through a planted symlink) with mode
//!   0600 in the target's directory, then renamed over the target ([`write_atomic`]): a crash
//!   leaves the old or the new state, never half of one;
//! * writes through a state path that is a symlink to its target (the link stays a link), and
//!   refuses a read-only target instead of replacing it.
//!
//! Reading refuses what is not a regular file, is larger than [`MAX_STATE_BYTES`], or does
//! not parse, and leaves such a file exactly as it was.
//!
//! * [`file`](mod@file): locking, bounded reading and atomic writing of any JSON value.
//! * [`phone`]: the phone state file's layout, version check and per-operation seed.
//! * [`open`]: a phone state file for one command (lock, start, build, finish).
//! * [`app`]: the authenticator app with the authenticator's passkeys in it (one copy of each).
//! * [`error`]: what can go wrong, naming the file.

pub mod app;
pub mod error;
pub mod file;
pub mod open;
pub mod phone;

pub use error::StateError;
pub use file::{write_atomic, write_new, Locked, LOCK_WAIT, MAX_STATE_BYTES};
pub use phone::{BuildError, PhoneState};
