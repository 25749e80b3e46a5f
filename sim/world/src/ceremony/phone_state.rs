//! The phone a ceremony runs with, carried from one ceremony to the next.

use super::CeremonyError;
use hybridsim_ctap::{Authenticator, Profile};
use hybridsim_peers::phone::Phone;

/// A phone's identity: what its linking info and linked handshakes derive from.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneIdentity {
    /// The root secret (identity key and link secrets derive from it).
    pub root_secret: [u8; 32],
    /// The contact id the tunnel server wakes it by.
    pub contact_id: Vec<u8>,
}

impl core::fmt::Debug for PhoneIdentity {
    /// The root secret is left out.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PhoneIdentity")
            .field("contact_id", &hex::encode(&self.contact_id))
            .finish_non_exhaustive()
    }
}

/// A phone between ceremonies: its authenticator (with the credentials it holds) and, once it
/// has run a ceremony, its identity.
pub struct PhoneState {
    /// Answers the CTAP requests; holds the credentials.
    pub authenticator: Authenticator,
    /// `None`: drawn from the ceremony's phone seed (as `PhoneConfig::new` does).
    pub identity: Option<PhoneIdentity>,
}

impl core::fmt::Debug for PhoneState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PhoneState")
            .field("profile", &self.authenticator.profile().name)
            .field("credentials", &self.authenticator.store().credentials.len())
            .field("identity", &self.identity)
            .finish()
    }
}

impl From<Authenticator> for PhoneState {
    fn from(authenticator: Authenticator) -> PhoneState {
        PhoneState {
            authenticator,
            identity: None,
        }
    }
}

impl PhoneState {
    /// A phone running the profile in `toml`, whose user approves everything.
    /// `attestation_file` returns the text of a file the profile names (see
    /// `Profile::attester`); `seed` seeds the authenticator's key material.
    pub fn from_profile(
        toml: &str,
        attestation_file: impl FnMut(&str) -> Option<String>,
        seed: [u8; 32],
    ) -> Result<PhoneState, CeremonyError> {
        let profile =
            Profile::from_toml_str(toml).map_err(|e| CeremonyError::Profile(e.to_string()))?;
        let attester = profile
            .attester(attestation_file)
            .map_err(|e| CeremonyError::Profile(e.to_string()))?;
        let user = hybridsim_ctap::user::ScriptedUser::approving();
        Ok(Authenticator::new(profile, attester, seed, user).into())
    }
}

impl PhoneState {
    /// The phone's authenticator and identity after a transaction, for the next one.
    pub fn after(phone: Phone) -> PhoneState {
        let identity = PhoneIdentity {
            root_secret: phone.config().root_secret,
            contact_id: phone.config().contact_id.clone(),
        };
        PhoneState {
            authenticator: phone.into_authenticator(),
            identity: Some(identity),
        }
    }
}
