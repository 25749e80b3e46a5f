//! The phone state file: one phone's passkey authenticator (profile, seed, credentials) and
//! its authenticator app (OTP accounts), as `hybridsim authenticator`, `ceremony`, `phone`
//! and `migrate` keep it between commands.

use crate::error::StateError;
use crate::file::{self, Locked};
use hybridsim_apps::{AppModel, Phone};
use hybridsim_ctap::profile::ProfileError;
use hybridsim_ctap::store::CredentialStore;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::{Authenticator, Profile};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Identifies hybridsim phone state files.
pub const FORMAT: &str = "hybridsim-authenticator-state";
/// The layout this build reads and writes.
pub const VERSION: u32 = 1;

/// What the state file holds: the profile (its whole text, so later commands need no
/// profile argument and a later edit of the profile cannot change an existing
/// authenticator), the seed, how many operations ran (each draws fresh randomness), the
/// credentials and the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneState {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The profile's name (built-in name, or the name inside a profile file).
    pub profile: String,
    /// The profile's TOML text.
    pub profile_toml: String,
    /// Seed of the authenticator's randomness.
    pub seed: u64,
    /// Operations run so far; each one's randomness comes from (seed, this number).
    pub operations: u64,
    /// The passkeys.
    pub credentials: CredentialStore,
    /// The phone's authenticator app and its accounts other than passkeys (those are the
    /// `credentials`; [`PhoneState::app`] shows both). Absent in files made before the app
    /// existed and in files no migrate command touched, which keeps them byte-for-byte
    /// readable by builds without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
}

impl PhoneState {
    /// A new phone with `profile` (name and TOML text), no credentials and no app.
    pub fn new(profile: String, profile_toml: String, seed: u64) -> PhoneState {
        PhoneState {
            format: FORMAT.to_owned(),
            version: VERSION,
            profile,
            profile_toml,
            seed,
            operations: 0,
            credentials: CredentialStore::new(),
            phone: None,
        }
    }

    /// The state in a locked file, checked to be this build's format; `None` when there is
    /// no file yet.
    pub fn load(lock: &Locked) -> Result<Option<PhoneState>, StateError> {
        Self::checked(lock.path(), lock.load()?)
    }

    /// The state at `path` without a lock, for commands that only read it.
    pub fn read(path: &Path) -> Result<Option<PhoneState>, StateError> {
        Self::checked(path, file::read(path)?)
    }

    fn checked(path: &Path, state: Option<PhoneState>) -> Result<Option<PhoneState>, StateError> {
        match state {
            Some(state) if state.format != FORMAT || state.version != VERSION => {
                Err(StateError::WrongFormat {
                    path: path.to_owned(),
                    format: state.format,
                    version: state.version,
                    expected: FORMAT,
                    expected_version: VERSION,
                })
            }
            other => Ok(other),
        }
    }

    /// The authenticator's 32-byte seed for the next operation: fresh for every operation,
    /// fixed by (seed, operation number), so the same calls give the same bytes.
    pub fn operation_seed(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"hybridsim authenticator seed");
        hash.update(self.seed.to_le_bytes());
        hash.update(self.operations.to_le_bytes());
        hash.finalize().into()
    }

    /// The authenticator the state describes, answering as `user` does, with randomness
    /// fresh for this operation; `read_pem` finds the attestation files the profile names.
    pub fn authenticator(
        &self,
        user: ScriptedUser,
        read_pem: impl FnMut(&str) -> Option<String>,
    ) -> Result<Authenticator, BuildError> {
        let profile = Profile::from_toml_str(&self.profile_toml).map_err(BuildError::Profile)?;
        let attester = profile.attester(read_pem).map_err(BuildError::Attester)?;
        Ok(
            Authenticator::new(profile, attester, self.operation_seed(), user)
                .with_store(self.credentials.clone()),
        )
    }

    /// The state's phone, made with the `asked` app (or `default`) when the state has none
    /// yet. `Err` holds the app of the phone already there when `asked` is another one: one
    /// state file is one phone, and its app is not silently switched.
    pub fn phone_for(
        &mut self,
        asked: Option<AppModel>,
        default: AppModel,
    ) -> Result<&mut Phone, AppModel> {
        match (&mut self.phone, asked) {
            (Some(phone), Some(app)) if phone.app != app => Err(phone.app),
            (Some(phone), _) => Ok(phone),
            (phone @ None, asked) => Ok(phone.insert(Phone::new(asked.unwrap_or(default)))),
        }
    }

    /// Records one finished operation: the authenticator's credentials afterwards.
    pub fn record(&mut self, credentials: CredentialStore) {
        self.credentials = credentials;
        self.operations += 1;
    }
}

/// Why a state's profile gives no authenticator.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The profile text kept in the file does not parse (an edited file).
    #[error("{0}")]
    Profile(ProfileError),
    /// Its attestation key or certificates cannot be had.
    #[error("{0}")]
    Attester(ProfileError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_is_made_once_and_its_app_is_never_switched() {
        let mut state = PhoneState::new("p".into(), String::new(), 0);
        let made = state.phone_for(None, AppModel::Aegis).map(|p| p.app);
        assert_eq!(made, Ok(AppModel::Aegis));
        let same = state.phone_for(Some(AppModel::Aegis), AppModel::TwoFas);
        assert_eq!(same.map(|p| p.app), Ok(AppModel::Aegis));
        let other = state.phone_for(Some(AppModel::TwoFas), AppModel::TwoFas);
        assert_eq!(other.map(|p| p.app), Err(AppModel::Aegis));
        let kept = state.phone_for(None, AppModel::TwoFas).map(|p| p.app);
        assert_eq!(kept, Ok(AppModel::Aegis));
    }

    #[test]
    fn a_damaged_profile_text_gives_no_authenticator() {
        let state = PhoneState::new("p".into(), "not = [toml".into(), 0);
        let built = state.authenticator(ScriptedUser::approving(), |_| None);
        assert!(matches!(built, Err(BuildError::Profile(_))));
    }
}
