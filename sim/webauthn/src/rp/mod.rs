//! A strict WebAuthn relying party (WebAuthn L3 §7).
//!
//! The ceremony state is a value the caller keeps, as in webauthn-rs:
//!
//! ```text
//! start_registration(user, challenge, request)  -> (CreationOptionsJson, RegistrationState)
//! finish_registration(&state, &response, now)   -> RegisteredCredential | RegistrationError
//! start_authentication(allow, challenge, req)   -> (RequestOptionsJson, AuthenticationState)
//! finish_authentication(&state, &response, &mut credential)
//!                                               -> AuthenticationResult | AuthenticationError
//! ```
//!
//! Challenges come from the caller (32 bytes, from its seeded RNG); `now` (UNIX seconds) is an
//! argument. Every check of §7.1 / §7.2 that can fail has its own error variant
//! ([`RegistrationError`], [`AuthenticationError`]). Supported: ES256 credentials, attestation
//! formats `none` and `packed` (self, or x5c chaining to [`RelyingParty::trusted_roots`]).
//!
//! What the relying party deliberately accepts:
//!
//! - sign counters that are zero both before and after (synced passkeys always send 0);
//! - any transport names it is configured to allow, stored as received ("hybrid" and the
//!   legacy "cable" alike);
//! - `clientDataJSON` without `crossOrigin` (older clients), and extra members in it;
//! - non-canonical CBOR in the attestation object and authenticator data (relying parties
//!   must read what authenticators send; the authenticator side is strict);
//! - authenticator extension outputs it did not ask for (credProtect is commonly unsolicited).

mod attestation;
mod authentication;
mod checks;
mod error;
mod from_options;
mod policy;
mod registration;

pub use error::{AttestationType, AuthenticationError, RegistrationError};
pub use policy::KeyRestrictions;

use crate::b64::{self, Base64Url};
use crate::crypto::ES256;
use crate::json::{
    AuthenticatorSelection, CreationOptionsJson, CredentialDescriptor, CredentialParameters,
    RelyingPartyEntity, RequestOptionsJson, UserEntity, PUBLIC_KEY,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `UserVerificationRequirement` (§5.8.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    /// The UV flag must be set.
    Required,
    /// Ask for UV; accept an assertion without it.
    #[default]
    Preferred,
    /// Do not ask for UV.
    Discouraged,
}

impl UserVerification {
    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Preferred => "preferred",
            Self::Discouraged => "discouraged",
        }
    }
}

/// `ResidentKeyRequirement` (§5.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResidentKey {
    /// A server-side credential is preferred.
    Discouraged,
    /// A discoverable credential is preferred.
    #[default]
    Preferred,
    /// A discoverable credential is required.
    Required,
}

impl ResidentKey {
    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discouraged => "discouraged",
            Self::Preferred => "preferred",
            Self::Required => "required",
        }
    }
}

/// `AttestationConveyancePreference` (§5.4.7): what the options ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttestationConveyance {
    /// No attestation: the client replaces any statement with `none`.
    #[default]
    None,
    /// The client may anonymise the statement.
    Indirect,
    /// The authenticator's statement, unchanged.
    Direct,
    /// Enterprise attestation (identifying).
    Enterprise,
}

impl AttestationConveyance {
    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Indirect => "indirect",
            Self::Direct => "direct",
            Self::Enterprise => "enterprise",
        }
    }
}

/// Which verified attestation types the relying party accepts. A packed x5c statement is
/// always accepted once its chain verifies to a trusted root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationPolicy {
    /// Accept `none`.
    pub accept_none: bool,
    /// Accept `packed` self attestation.
    pub accept_self: bool,
}

impl Default for AttestationPolicy {
    fn default() -> Self {
        Self::any()
    }
}

impl AttestationPolicy {
    /// none, self and trusted x5c.
    pub const fn any() -> Self {
        Self {
            accept_none: true,
            accept_self: true,
        }
    }

    /// Only packed x5c chaining to a trusted root.
    pub const fn trusted_chain_only() -> Self {
        Self {
            accept_none: false,
            accept_self: false,
        }
    }
}

/// Every transport WebAuthn defines, plus the legacy "cable" that hybrid authenticators still
/// report.
pub const KNOWN_TRANSPORTS: &[&str] = &[
    "ble",
    "cable",
    "hybrid",
    "internal",
    "nfc",
    "smart-card",
    "usb",
];

/// A relying party's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RelyingParty {
    /// The RP ID (a registrable domain suffix of the origins' hosts).
    pub id: String,
    /// The RP name shown to users.
    pub name: String,
    /// Allowed `clientDataJSON.origin` values, compared exactly (`https://login.example`).
    pub origins: Vec<String>,
    /// Allowed `topOrigin` values for cross-origin (iframe) calls; empty refuses
    /// `crossOrigin: true`.
    pub top_origins: Vec<String>,
    /// Trusted attestation roots, DER (base64url strings in serde forms).
    #[serde(with = "b64::list")]
    pub trusted_roots: Vec<Vec<u8>>,
    /// The user verification asked for and, when `Required`, enforced.
    pub user_verification: UserVerification,
    /// The attestation asked for in the options.
    pub attestation: AttestationConveyance,
    /// The attestation types accepted.
    pub attestation_policy: AttestationPolicy,
    /// Transports accepted in `response.transports`.
    pub transports: Vec<String>,
    /// COSE algorithms offered in `pubKeyCredParams`, in order of preference.
    pub algorithms: Vec<i64>,
    /// `timeout` put in the options, milliseconds.
    pub timeout_ms: Option<u64>,
    /// AAGUID allow-list and enforced attestation (none by default).
    #[serde(default)]
    pub key_restrictions: KeyRestrictions,
}

impl RelyingParty {
    /// A relying party with ID `id` accepting `origins`: UV preferred, attestation `none`
    /// asked for and none/self/trusted-x5c accepted, no trusted roots, ES256 only, every
    /// known transport, five-minute timeout, no cross-origin callers.
    pub fn new(id: &str, name: &str, origins: &[&str]) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            top_origins: Vec::new(),
            trusted_roots: Vec::new(),
            user_verification: UserVerification::Preferred,
            attestation: AttestationConveyance::None,
            attestation_policy: AttestationPolicy::any(),
            transports: KNOWN_TRANSPORTS.iter().map(|t| (*t).to_owned()).collect(),
            algorithms: vec![ES256],
            timeout_ms: Some(300_000),
            key_restrictions: KeyRestrictions::default(),
        }
    }

    /// The attestation the options ask for: `direct` at least when attestation is enforced.
    fn conveyance(&self) -> AttestationConveyance {
        match self.attestation {
            AttestationConveyance::None | AttestationConveyance::Indirect
                if self.key_restrictions.enforce_attestation =>
            {
                AttestationConveyance::Direct
            }
            other => other,
        }
    }

    /// Begins a registration: the options to send to the page and the state to keep.
    pub fn start_registration(
        &self,
        user: UserEntity,
        challenge: [u8; 32],
        request: &RegistrationRequest,
    ) -> (CreationOptionsJson, RegistrationState) {
        let options = CreationOptionsJson {
            rp: RelyingPartyEntity {
                id: Some(self.id.clone()),
                name: self.name.clone(),
            },
            user: user.clone(),
            challenge: Base64Url(challenge.to_vec()),
            pub_key_cred_params: self
                .algorithms
                .iter()
                .map(|alg| CredentialParameters {
                    type_: PUBLIC_KEY.to_owned(),
                    alg: *alg,
                })
                .collect(),
            timeout: self.timeout_ms,
            exclude_credentials: request.exclude_credentials.clone(),
            authenticator_selection: Some(AuthenticatorSelection {
                authenticator_attachment: request.authenticator_attachment.clone(),
                resident_key: Some(request.resident_key.as_str().to_owned()),
                require_resident_key: Some(request.resident_key == ResidentKey::Required),
                user_verification: Some(self.user_verification.as_str().to_owned()),
            }),
            hints: request.hints.clone(),
            attestation: Some(self.conveyance().as_str().to_owned()),
            attestation_formats: Vec::new(),
            extensions: request.extensions.clone(),
            unknown: Map::new(),
        };
        let state = RegistrationState {
            rp_id: self.id.clone(),
            challenge: Base64Url(challenge.to_vec()),
            user,
            user_verification: self.user_verification,
            algorithms: self.algorithms.clone(),
            exclude_credentials: request
                .exclude_credentials
                .iter()
                .map(|d| d.id.clone())
                .collect(),
        };
        (options, state)
    }

    /// Checks a registration response against the state from
    /// [`start_registration`](Self::start_registration); `now` is UNIX seconds, for the
    /// attestation certificates' validity.
    pub fn finish_registration(
        &self,
        state: &RegistrationState,
        response: &crate::json::RegistrationResponseJson,
        now: u64,
    ) -> Result<RegisteredCredential, RegistrationError> {
        registration::finish(self, state, response, now)
    }

    /// Begins an authentication. `allow` empty asks for a discoverable credential (the
    /// response's `userHandle` then says whose it is).
    pub fn start_authentication(
        &self,
        allow: &[RegisteredCredential],
        challenge: [u8; 32],
        request: &AuthenticationRequest,
    ) -> (RequestOptionsJson, AuthenticationState) {
        let allow_credentials: Vec<CredentialDescriptor> = allow
            .iter()
            .map(|c| {
                let transports = (!c.transports.is_empty()).then(|| c.transports.clone());
                CredentialDescriptor::public_key(c.id.0.clone(), transports)
            })
            .collect();
        let options = RequestOptionsJson {
            challenge: Base64Url(challenge.to_vec()),
            timeout: self.timeout_ms,
            rp_id: Some(self.id.clone()),
            allow_credentials,
            user_verification: Some(self.user_verification.as_str().to_owned()),
            hints: request.hints.clone(),
            extensions: request.extensions.clone(),
            unknown: Map::new(),
        };
        let state = AuthenticationState {
            rp_id: self.id.clone(),
            challenge: Base64Url(challenge.to_vec()),
            allow_credentials: allow.iter().map(|c| c.id.clone()).collect(),
            user_verification: self.user_verification,
        };
        (options, state)
    }

    /// Checks an authentication response against the state from
    /// [`start_authentication`](Self::start_authentication) and the stored credential whose id
    /// is `response.rawId` (and, in a discoverable flow, whose user is `response.userHandle`).
    /// On success the credential's counter and backup state are updated.
    pub fn finish_authentication(
        &self,
        state: &AuthenticationState,
        response: &crate::json::AuthenticationResponseJson,
        credential: &mut RegisteredCredential,
    ) -> Result<AuthenticationResult, AuthenticationError> {
        authentication::finish(self, state, response, credential)
    }
}

/// Per-registration choices beyond the relying party's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegistrationRequest {
    /// `excludeCredentials`: the user's existing credentials.
    pub exclude_credentials: Vec<CredentialDescriptor>,
    /// `residentKey` (and `requireResidentKey` when `Required`).
    pub resident_key: ResidentKey,
    /// `authenticatorAttachment`.
    pub authenticator_attachment: Option<String>,
    /// `hints`.
    pub hints: Vec<String>,
    /// `extensions` (e.g. `{"credProps": true}`).
    pub extensions: Option<Map<String, Value>>,
}

impl RegistrationRequest {
    /// A request excluding `credentials` (the user's existing ones).
    pub fn excluding(credentials: &[RegisteredCredential]) -> Self {
        Self {
            exclude_credentials: credentials
                .iter()
                .map(|c| {
                    let transports = (!c.transports.is_empty()).then(|| c.transports.clone());
                    CredentialDescriptor::public_key(c.id.0.clone(), transports)
                })
                .collect(),
            ..Self::default()
        }
    }
}

/// Per-authentication choices beyond the relying party's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthenticationRequest {
    /// `hints`.
    pub hints: Vec<String>,
    /// `extensions`.
    pub extensions: Option<Map<String, Value>>,
}

/// What a registration must be checked against; the caller keeps it between
/// `start_registration` and `finish_registration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationState {
    /// The RP ID whose hash the authenticator data must carry.
    pub rp_id: String,
    /// The challenge issued.
    pub challenge: Base64Url,
    /// The user the credential is for.
    pub user: UserEntity,
    /// The user verification asked for.
    pub user_verification: UserVerification,
    /// The algorithms offered.
    pub algorithms: Vec<i64>,
    /// The credential ids that were excluded.
    pub exclude_credentials: Vec<Base64Url>,
}

/// What an authentication must be checked against; the caller keeps it between
/// `start_authentication` and `finish_authentication`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationState {
    /// The RP ID whose hash the authenticator data must carry.
    pub rp_id: String,
    /// The challenge issued.
    pub challenge: Base64Url,
    /// `allowCredentials` ids; empty for a discoverable flow.
    pub allow_credentials: Vec<Base64Url>,
    /// The user verification asked for.
    pub user_verification: UserVerification,
}

/// A credential the relying party accepted, as it stores it (serde: the CLI keeps it in a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredCredential {
    /// The credential id.
    pub id: Base64Url,
    /// The user it was registered for.
    pub user: UserEntity,
    /// The credential public key, COSE_Key CBOR.
    pub public_key: Base64Url,
    /// Its COSE algorithm.
    pub algorithm: i64,
    /// The last signature counter seen.
    pub sign_count: u32,
    /// BE at registration (never changes).
    pub backup_eligible: bool,
    /// BS at the last ceremony.
    pub backup_state: bool,
    /// Whether UV was set at registration.
    pub user_verified: bool,
    /// `response.transports`, as received.
    pub transports: Vec<String>,
    /// The authenticator model, as a UUID.
    #[serde(with = "aaguid_text")]
    pub aaguid: [u8; 16],
    /// The attestation statement format (`none`, `packed`).
    pub attestation_format: String,
    /// How the creation was attested.
    pub attestation: AttestationType,
    /// `clientExtensionResults.credProps.rk` when the client reported it.
    pub discoverable: Option<bool>,
}

/// What a successful authentication established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationResult {
    /// The credential used.
    pub credential_id: Base64Url,
    /// Its user.
    pub user_id: Base64Url,
    /// Whether UV was set.
    pub user_verified: bool,
    /// The new signature counter.
    pub sign_count: u32,
    /// BE (backup eligible).
    pub backup_eligible: bool,
    /// BS (backed up).
    pub backup_state: bool,
    /// `clientExtensionResults`, as received (unverified: the client reports them).
    pub client_extension_results: Map<String, Value>,
}

/// An AAGUID written as a UUID (`90a3ccdf-635c-4729-a248-9b709135078f`), as profiles write it.
mod aaguid_text {
    use hybridsim_ctap::profile::{format_aaguid, parse_aaguid};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(aaguid: &[u8; 16], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_aaguid(aaguid))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 16], D::Error> {
        use serde::de::Error as _;
        parse_aaguid(&String::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

/// The challenge text a relying party compares with: unpadded base64url.
fn challenge_text(challenge: &Base64Url) -> String {
    b64::encode(&challenge.0)
}

#[cfg(test)]
mod tests;
