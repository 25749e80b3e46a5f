//! A phone state file as one command uses it: locked from load to save, started from a
//! profile when new (and never silently switched to another profile), turned into the
//! profile's authenticator, and saved back with the operation recorded.
//!
//! Which profile a name means (a shipped one, or a TOML file) is the caller's to resolve:
//! this crate keeps files, not the catalogue of profiles.

use crate::error::StateError;
use crate::file::Locked;
use crate::phone::{BuildError, PhoneState};
use hybridsim_apps::{AppModel, Phone};
use hybridsim_ctap::profile::ProfileText;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::Authenticator;
use std::path::Path;

/// Locks and loads the state at `path`; a missing file is refused with `hint` (what to run
/// first) before any lock file is made beside it.
pub fn lock_existing(path: &Path, hint: &str) -> Result<(Locked, PhoneState), StateError> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(missing(path, hint));
    }
    let lock = Locked::acquire(path)?;
    let state = PhoneState::load(&lock)?.ok_or_else(|| missing(path, hint))?;
    Ok((lock, state))
}

/// The state at `path` read without a lock (for commands that only read it), refused with
/// `hint` when missing.
pub fn read_existing(path: &Path, hint: &str) -> Result<PhoneState, StateError> {
    PhoneState::read(path)?.ok_or_else(|| missing(path, hint))
}

fn missing(path: &Path, hint: &str) -> StateError {
    StateError::Missing {
        path: path.to_owned(),
        hint: hint.to_owned(),
    }
}

/// The state in the locked file, or a new one started from `asked` with `seed`. A profile
/// other than the one the file was made with is refused rather than switched; a new file
/// needs a profile.
pub fn load_or_start(
    lock: &Locked,
    asked: Option<ProfileText>,
    seed: u64,
) -> Result<PhoneState, StateError> {
    let path = lock.path().to_owned();
    match (PhoneState::load(lock)?, asked) {
        (Some(state), Some(asked)) if asked.name != state.profile => {
            Err(StateError::OtherProfile {
                path,
                held: state.profile,
                asked: asked.name,
            })
        }
        (Some(state), _) => Ok(state),
        (None, Some(asked)) => Ok(PhoneState::new(asked.name, asked.toml, seed)),
        (None, None) => Err(StateError::NeedsProfile { path }),
    }
}

/// `state` (loaded from `path`) with a phone of the `asked` app, made with `default` when it
/// has none yet; a phone of another app is refused rather than switched.
pub fn with_app_phone(
    mut state: PhoneState,
    path: &Path,
    asked: Option<AppModel>,
    default: AppModel,
) -> Result<PhoneState, StateError> {
    match state.phone_for(asked, default) {
        Ok(_) => Ok(state),
        Err(held) => Err(StateError::OtherApp {
            path: path.to_owned(),
            held,
            asked: asked.unwrap_or(default),
        }),
    }
}

/// The app of `state` (loaded from `path`) with its passkeys; refused with `hint` (what to
/// run first) when the phone has no app.
pub fn app_of(state: &PhoneState, path: &Path, hint: &str) -> Result<Phone, StateError> {
    state.app().ok_or_else(|| StateError::NoApp {
        path: path.to_owned(),
        hint: hint.to_owned(),
    })
}

/// The authenticator the state describes, answering as `user` does, with randomness fresh
/// for this operation; `read_pem` finds the attestation files its profile names.
pub fn build(
    state: &PhoneState,
    user: ScriptedUser,
    read_pem: impl FnMut(&str) -> Option<String>,
) -> Result<Authenticator, StateError> {
    state
        .authenticator(user, read_pem)
        .map_err(|error| StateError::Profile {
            profile: state.profile.clone(),
            source: match error {
                BuildError::Profile(e) | BuildError::Attester(e) => Box::new(e),
            },
        })
}

/// Records the operation the authenticator ran and saves the state under the lock.
pub fn finish(
    lock: &Locked,
    state: &mut PhoneState,
    authenticator: &Authenticator,
) -> Result<(), StateError> {
    state.record(authenticator.store().clone());
    lock.save(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(name: &str) -> Option<ProfileText> {
        Some(ProfileText {
            name: name.to_owned(),
            toml: String::new(),
        })
    }

    #[test]
    fn a_file_is_started_once_and_its_profile_never_switched() -> Result<(), StateError> {
        let dir = tempfile::tempdir().map_err(|source| StateError::Write {
            path: "tempdir".into(),
            source,
        })?;
        let path = dir.path().join("phone.json");
        let missing = lock_existing(&path, "create it first");
        assert!(matches!(missing, Err(StateError::Missing { .. })));
        assert!(!dir.path().join("phone.json.lock").exists());
        let lock = Locked::acquire(&path)?;
        let new = load_or_start(&lock, None, 0);
        assert!(matches!(new, Err(StateError::NeedsProfile { .. })));
        let state = load_or_start(&lock, start("a"), 7)?;
        assert_eq!((state.profile.as_str(), state.seed), ("a", 7));
        lock.save(&state)?;
        let other = load_or_start(&lock, start("b"), 0);
        assert!(matches!(other, Err(StateError::OtherProfile { held, .. }) if held == "a"));
        assert_eq!(load_or_start(&lock, None, 0)?, state);
        Ok(())
    }

    #[test]
    fn a_state_keeps_the_app_its_phone_was_made_with() {
        let path = Path::new("phone.json");
        let state = PhoneState::new("p".into(), String::new(), 0);
        let no_app = app_of(&state, path, "add accounts first");
        assert_eq!(
            no_app.map(|_| ()).map_err(|e| e.to_string()),
            Err("phone.json holds no authenticator-app accounts: add accounts first".to_owned())
        );
        let aegis = with_app_phone(state, path, Some(AppModel::Aegis), AppModel::TwoFas);
        let Ok(aegis) = aegis else {
            unreachable!("a new phone takes the asked app");
        };
        assert_eq!(
            app_of(&aegis, path, "").map(|p| p.app).ok(),
            Some(AppModel::Aegis)
        );
        let kept = with_app_phone(aegis.clone(), path, None, AppModel::TwoFas);
        assert_eq!(
            kept.ok().and_then(|s| s.phone).map(|p| p.app),
            Some(AppModel::Aegis)
        );
        let other = with_app_phone(aegis, path, Some(AppModel::TwoFas), AppModel::TwoFas);
        assert!(matches!(
            other,
            Err(StateError::OtherApp {
                held: AppModel::Aegis,
                asked: AppModel::TwoFas,
                ..
            })
        ));
    }
}
