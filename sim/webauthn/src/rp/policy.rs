//! Key restrictions, as identity providers configure them for passkeys (Microsoft Entra ID's
//! passkey profiles: "enforce attestation" and "restrict specific keys" by AAGUID).
//!
//! The AAGUID reaches a relying party only at registration, in the attested credential data;
//! an assertion carries none. So the list is checked at registration against the attested
//! AAGUID, and at every sign-in against the AAGUID stored then: a policy that drops an AAGUID
//! later stops credentials already registered with it (as Entra documents). Without enforced
//! attestation the AAGUID is only the authenticator's claim; with it, only a statement
//! chaining to a trusted root passes, so the AAGUID is vouched for by its certificate.

use super::{AttestationType, AuthenticationError, RegisteredCredential, RegistrationError};
use hybridsim_ctap::profile::format_aaguid;
use serde::{Deserialize, Serialize};

/// What a relying party restricts beyond WebAuthn's own checks. The default restricts
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRestrictions {
    /// AAGUIDs allowed; empty allows any.
    #[serde(default, with = "aaguid_list")]
    pub allowed_aaguids: Vec<[u8; 16]>,
    /// Only attestation chaining to a trusted root is accepted, at registration and (for
    /// credentials registered before the policy) at sign-in.
    #[serde(default)]
    pub enforce_attestation: bool,
}

impl KeyRestrictions {
    /// Whether anything is restricted.
    pub fn is_empty(&self) -> bool {
        self.allowed_aaguids.is_empty() && !self.enforce_attestation
    }

    /// The registration of a credential with `aaguid`, attested as `kind`.
    pub fn check_registration(
        &self,
        aaguid: &[u8; 16],
        kind: AttestationType,
    ) -> Result<(), RegistrationError> {
        if self.enforce_attestation && kind != AttestationType::Basic {
            return Err(RegistrationError::AttestationNotEnforceable { found: kind });
        }
        if !self.allows(aaguid) {
            return Err(RegistrationError::AaguidNotAllowed {
                aaguid: format_aaguid(aaguid),
                allowed: self.allowed(),
            });
        }
        Ok(())
    }

    /// A sign-in with `credential` as it was registered.
    pub fn check_authentication(
        &self,
        credential: &RegisteredCredential,
    ) -> Result<(), AuthenticationError> {
        if self.enforce_attestation && credential.attestation != AttestationType::Basic {
            return Err(AuthenticationError::AttestationNotEnforceable {
                found: credential.attestation,
            });
        }
        if !self.allows(&credential.aaguid) {
            return Err(AuthenticationError::AaguidNotAllowed {
                aaguid: format_aaguid(&credential.aaguid),
                allowed: self.allowed(),
            });
        }
        Ok(())
    }

    fn allows(&self, aaguid: &[u8; 16]) -> bool {
        self.allowed_aaguids.is_empty() || self.allowed_aaguids.contains(aaguid)
    }

    fn allowed(&self) -> Vec<String> {
        self.allowed_aaguids.iter().map(format_aaguid).collect()
    }
}

mod aaguid_list {
    use hybridsim_ctap::profile::{format_aaguid, parse_aaguid};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[[u8; 16]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(format_aaguid))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 16]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| parse_aaguid(t).map_err(serde::de::Error::custom))
            .collect()
    }
}
