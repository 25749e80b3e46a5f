//! The phone state file as the commands use it (`authenticator`, `ceremony`, `phone`,
//! `migrate`). Locking, starting, building and saving are `hybridsim_state::open`'s; what
//! stays here is the command-line side: profile names and files.

use crate::builtin;
use crate::failure::Failure;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::Authenticator;
use hybridsim_state::open;
use hybridsim_state::{Locked, PhoneState};
use std::path::Path;

pub use hybridsim_state::open::{finish, lock_existing, read_existing};

/// Takes the state file's lock for the rest of the command.
pub fn lock(path: &Path) -> Result<Locked, Failure> {
    Ok(Locked::acquire(path)?)
}

/// The state in the file, or a new one for `profile` (a shipped name or a TOML file).
pub fn load_or_start(
    lock: &Locked,
    profile: Option<&str>,
    seed: u64,
) -> Result<PhoneState, Failure> {
    let load = |asked| builtin::load_phone(asked, Path::new(".")).map_err(Failure::bad_input);
    let asked = profile.map(load).transpose()?;
    Ok(open::load_or_start(lock, asked, seed)?)
}

/// The authenticator the state describes, with randomness fresh for this operation.
pub fn build(state: &PhoneState, user: ScriptedUser) -> Result<Authenticator, Failure> {
    Ok(open::build(state, user, builtin::attestation_file)?)
}
