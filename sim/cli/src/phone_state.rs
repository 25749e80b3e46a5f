//! The phone state file as the commands use it (`authenticator`, `ceremony`, `phone`,
//! `migrate`): locked for the whole command, started from a profile when new, turned into
//! the profile's authenticator, and saved back. The format and the file handling are
//! `hybridsim-state`'s; what stays here is the command-line side (profile names and files,
//! the scripted user).

use crate::browser;
use crate::builtin;
use crate::failure::{Failure, Outcome};
use hybridsim_ctap::user::{ScriptedUser, Verification};
use hybridsim_ctap::{Authenticator, Profile};
use hybridsim_state::{BuildError, Locked, PhoneState};
use std::path::Path;

/// Takes the state file's lock for the rest of the command.
pub fn lock(path: &Path) -> Result<Locked, Failure> {
    Ok(Locked::acquire(path)?)
}

/// Locks and loads the state at `path`, refused with `hint` (what to run first) when
/// missing; a missing file is refused before any lock file is made beside it.
pub fn lock_existing(path: &Path, hint: &str) -> Result<(Locked, PhoneState), Failure> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(missing(path, hint));
    }
    let lock = lock(path)?;
    let state = PhoneState::load(&lock)?.ok_or_else(|| missing(path, hint))?;
    Ok((lock, state))
}

/// The state at `path` read without a lock (commands that only read it).
pub fn read_existing(path: &Path, hint: &str) -> Result<PhoneState, Failure> {
    PhoneState::read(path)?.ok_or_else(|| missing(path, hint))
}

fn missing(path: &Path, hint: &str) -> Failure {
    Failure::bad_input(format!("{} does not exist: {hint}", path.display()))
}

/// The state in the file, or a new one for `profile`; a profile different from the one the
/// file was made with is refused rather than silently switched.
pub fn load_or_start(
    lock: &Locked,
    profile: Option<&str>,
    seed: u64,
) -> Result<PhoneState, Failure> {
    let path = lock.path();
    match PhoneState::load(lock)? {
        Some(state) => {
            if let Some(asked) = profile {
                let (name, _) = profile_text(asked)?;
                if name != state.profile {
                    return Err(Failure::bad_input(format!(
                        "{} belongs to profile {}, not {name}: use another state file",
                        path.display(),
                        state.profile
                    )));
                }
            }
            Ok(state)
        }
        None => {
            let asked = profile.ok_or_else(|| {
                Failure::bad_input(format!("{} is new: give --profile", path.display()))
            })?;
            let (name, text) = profile_text(asked)?;
            Ok(PhoneState::new(name, text, seed))
        }
    }
}

/// A built-in profile by name, or a TOML file by path: (name, text).
fn profile_text(asked: &str) -> Result<(String, String), Failure> {
    if let Some(text) = builtin::profile(asked) {
        return Ok((asked.to_owned(), text.to_owned()));
    }
    let path = Path::new(asked);
    if !path.exists() {
        let names: Vec<&str> = builtin::PROFILES.iter().map(|(n, _)| *n).collect();
        return Err(Failure::bad_input(format!(
            "no profile {}: give a file or one of {}",
            crate::echo::shown(asked),
            names.join(", ")
        )));
    }
    let text = browser::read(path)?;
    let profile = Profile::from_toml_str(&text)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
    Ok((profile.name, text))
}

/// The user's scripted answers: refuse presence, fail verification, pick an account.
pub fn scripted_user(user_absent: bool, uv_fails: bool, account: Option<usize>) -> ScriptedUser {
    let mut user = ScriptedUser::approving();
    if user_absent {
        user = user.then_presence(false);
    }
    if uv_fails {
        user = user.then_verification(Verification::Failed);
    }
    if let Some(index) = account {
        user = user.then_account(Some(index));
    }
    user
}

/// The authenticator the state describes, with randomness fresh for this operation.
pub fn build(state: &PhoneState, user: ScriptedUser) -> Result<Authenticator, Failure> {
    state
        .authenticator(user, builtin::attestation_file)
        .map_err(|e| match e {
            BuildError::Profile(e) => {
                Failure::bad_input(format!("profile {} in the state file: {e}", state.profile))
            }
            BuildError::Attester(e) => {
                Failure::bad_input(format!("profile {}: {e}", state.profile))
            }
        })
}

/// Records the operation and saves the state under the lock.
pub fn finish(lock: &Locked, state: &mut PhoneState, authenticator: &Authenticator) -> Outcome {
    state.record(authenticator.store().clone());
    Ok(lock.save(state)?)
}
