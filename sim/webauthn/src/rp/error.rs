//! Why a ceremony was refused: one enum per ceremony, one variant per check (WebAuthn L3 §7.1
//! and §7.2 step by step, plus the policy checks of [`RelyingParty`](super::RelyingParty)).
//!
//! Every message names the field that failed, what it held and what was expected, e.g.
//! `clientDataJSON.origin is https://evil.example, expected https://login.example`.

use crate::client_data::ClientDataError;
use crate::crypto::SignatureError;
use crate::x509::CertificateError;
use hybridsim_ctap::attestation::AttestationError;
use hybridsim_ctap::auth_data::AuthDataError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a credential's creation was attested, as far as the relying party verified it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationType {
    /// `none`: no statement.
    None,
    /// `packed` without x5c: signed with the credential's own key.
    #[serde(rename = "self")]
    SelfAttestation,
    /// `packed` with an x5c chain that verified up to a trusted root.
    Basic,
}

impl fmt::Display for AttestationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none attestation",
            Self::SelfAttestation => "packed self attestation",
            Self::Basic => "packed attestation with a trusted chain",
        })
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none configured".to_owned()
    } else {
        items.join(" or ")
    }
}

fn algs(items: &[i64]) -> String {
    items
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why `finish_registration` refused a `RegistrationResponseJSON`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// `type` is not "public-key".
    #[error("type is {found:?}, expected \"public-key\"")]
    CredentialType {
        /// The type received.
        found: String,
    },
    /// `id` is not the base64url of `rawId`.
    #[error("id {id:?} is not the base64url of rawId ({raw_id})")]
    IdNotRawId {
        /// `id` as received.
        id: String,
        /// `rawId`, base64url.
        raw_id: String,
    },
    /// `clientDataJSON` cannot be parsed (§7.1 steps 5–6).
    #[error(transparent)]
    ClientDataJson(ClientDataError),
    /// `clientDataJSON.type` is not "webauthn.create" (§7.1 step 7).
    #[error("clientDataJSON.type is {found:?}, expected \"webauthn.create\"")]
    ClientDataType {
        /// The type received.
        found: String,
    },
    /// `clientDataJSON.challenge` is not this ceremony's challenge (§7.1 step 8).
    #[error("clientDataJSON.challenge is {found}, expected {expected}")]
    Challenge {
        /// The challenge received, as written.
        found: String,
        /// The challenge issued, base64url.
        expected: String,
    },
    /// `clientDataJSON.origin` is not an allowed origin (§7.1 step 9).
    #[error("clientDataJSON.origin is {found}, expected {}", list(.expected))]
    Origin {
        /// The origin received.
        found: String,
        /// The origins allowed.
        expected: Vec<String>,
    },
    /// `clientDataJSON.crossOrigin` is true but this relying party allows no cross-origin
    /// callers (§7.1 step 10).
    #[error("clientDataJSON.crossOrigin is true, but no top-level origins are allowed to embed this relying party")]
    CrossOrigin,
    /// `clientDataJSON.topOrigin` is absent or not allowed in a cross-origin call (§7.1 step 10).
    #[error("clientDataJSON.topOrigin is {}, expected {}", .found.as_deref().unwrap_or("absent"), list(.expected))]
    TopOrigin {
        /// The top origin received.
        found: Option<String>,
        /// The top origins allowed.
        expected: Vec<String>,
    },
    /// `clientDataJSON.topOrigin` is present although `crossOrigin` is not true.
    #[error("clientDataJSON.topOrigin is {found} but crossOrigin is not true")]
    TopOriginWithoutCrossOrigin {
        /// The top origin received.
        found: String,
    },
    /// `attestationObject` cannot be decoded (§7.1 step 12).
    #[error("attestationObject: {0}")]
    AttestationObject(AttestationError),
    /// `authData` cannot be decoded (§7.1 step 12).
    #[error("attestationObject.authData: {0}")]
    AuthenticatorData(AuthDataError),
    /// `response.authenticatorData` is present and differs from the attestation object's `authData`.
    #[error("response.authenticatorData differs from attestationObject.authData")]
    AuthenticatorDataCopy,
    /// `rpIdHash` is not SHA-256 of the RP ID (§7.1 step 13).
    #[error("authenticatorData.rpIdHash is {}, expected SHA-256({rp_id:?}) = {}", hex::encode(.found), hex::encode(.expected))]
    RpIdHash {
        /// The hash received.
        found: [u8; 32],
        /// SHA-256 of the RP ID.
        expected: [u8; 32],
        /// The RP ID.
        rp_id: String,
    },
    /// The UP flag is clear (§7.1 step 14).
    #[error("authenticatorData.flags.UP is clear: the user was not present")]
    UserNotPresent,
    /// The UV flag is clear but this registration required user verification (§7.1 step 15).
    #[error("authenticatorData.flags.UV is clear, but userVerification was \"required\"")]
    UserNotVerified,
    /// BS is set while BE is clear (§7.1 step 16, §6.1).
    #[error("authenticatorData.flags has BS set without BE: backed up but not backup eligible")]
    BackupStateWithoutEligibility,
    /// The AT flag is clear: there is no credential in the authenticator data.
    #[error("authenticatorData has no attested credential data (AT flag clear)")]
    NoAttestedCredential,
    /// `rawId` is not the credential id in the authenticator data.
    #[error("rawId {raw_id} is not authenticatorData's credential id {auth_data}")]
    CredentialIdMismatch {
        /// `rawId`, base64url.
        raw_id: String,
        /// The attested credential id, base64url.
        auth_data: String,
    },
    /// The credential key's algorithm is not one the options offered (§7.1 step 18).
    #[error("the credential public key's algorithm is {alg}, expected one of the offered pubKeyCredParams ({})", algs(.offered))]
    AlgorithmNotOffered {
        /// The key's COSE algorithm.
        alg: i64,
        /// The algorithms offered.
        offered: Vec<i64>,
    },
    /// `response.publicKeyAlgorithm` is not the credential key's algorithm.
    #[error(
        "response.publicKeyAlgorithm is {json}, but the credential public key's algorithm is {key}"
    )]
    PublicKeyAlgorithm {
        /// `publicKeyAlgorithm`.
        json: i64,
        /// The COSE key's `alg`.
        key: i64,
    },
    /// `response.publicKey` is not the credential key in the authenticator data.
    #[error("response.publicKey is not the SubjectPublicKeyInfo of the credential public key in authenticatorData")]
    PublicKey,
    /// The credential id was in `excludeCredentials` (already registered; §7.1 step 26).
    #[error("credential {id} is already registered (it was in excludeCredentials)")]
    CredentialExcluded {
        /// The credential id, base64url.
        id: String,
    },
    /// `response.transports` names a transport this relying party does not allow.
    #[error("response.transports has {transport:?}, expected only {}", list(.allowed))]
    TransportNotAllowed {
        /// The transport.
        transport: String,
        /// The transports allowed.
        allowed: Vec<String>,
    },
    /// The attestation statement format is neither "none" nor "packed" (§7.1 step 20).
    #[error("attestationObject.fmt is {fmt:?}, expected \"none\" or \"packed\"")]
    UnsupportedFormat {
        /// The format received.
        fmt: String,
    },
    /// A "none" statement is not the empty map (§8.7).
    #[error("attestationObject.attStmt is not empty, as fmt \"none\" requires")]
    NoneStatementNotEmpty,
    /// A "packed" statement is malformed (§8.2).
    #[error("attestationObject.attStmt (packed): {0}")]
    PackedStatement(AttestationError),
    /// A self-attestation statement's `alg` is not the credential key's (§8.2 verification step 3).
    #[error("attStmt.alg is {statement}, but the credential public key's algorithm is {key}")]
    SelfAttestationAlgorithm {
        /// `attStmt.alg`.
        statement: i64,
        /// The credential key's algorithm.
        key: i64,
    },
    /// An x5c statement's `alg` is not ES256, the only algorithm of attestation keys supported.
    #[error("attStmt.alg is {alg}, expected -7 (ES256) for an x5c attestation")]
    AttestationAlgorithm {
        /// `attStmt.alg`.
        alg: i64,
    },
    /// The x5c chain or the attestation certificate fails a check (§8.2.1, §7.1 step 22).
    #[error("attStmt.x5c: {0}")]
    AttestationCertificate(CertificateError),
    /// `attStmt.sig` does not verify over `authData ‖ SHA-256(clientDataJSON)` (§8.2 step 2/3).
    #[error("attStmt.sig: {0}")]
    AttestationSignature(SignatureError),
    /// The attestation verified but this relying party does not accept its type (§7.1 step 23).
    #[error("{found} is not accepted by this relying party's attestation policy")]
    AttestationNotAccepted {
        /// The attestation type received.
        found: AttestationType,
    },
    /// The relying party enforces attestation and this one does not chain to a trusted root.
    #[error(
        "{found} cannot prove the authenticator's model: this relying party enforces attestation"
    )]
    AttestationNotEnforceable {
        /// The attestation type received.
        found: AttestationType,
    },
    /// The relying party restricts keys by AAGUID and this one is not on its list.
    #[error("AAGUID {aaguid} is not allowed by this relying party's key restrictions (allowed: {})", allowed.join(", "))]
    AaguidNotAllowed {
        /// The attested AAGUID.
        aaguid: String,
        /// The AAGUIDs allowed.
        allowed: Vec<String>,
    },
}

/// Why `finish_authentication` refused an `AuthenticationResponseJSON`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthenticationError {
    /// `type` is not "public-key".
    #[error("type is {found:?}, expected \"public-key\"")]
    CredentialType {
        /// The type received.
        found: String,
    },
    /// `id` is not the base64url of `rawId`.
    #[error("id {id:?} is not the base64url of rawId ({raw_id})")]
    IdNotRawId {
        /// `id` as received.
        id: String,
        /// `rawId`, base64url.
        raw_id: String,
    },
    /// `rawId` is not in the non-empty `allowCredentials` (§7.2 step 5).
    #[error("rawId {id} was not in allowCredentials")]
    CredentialNotAllowed {
        /// `rawId`, base64url.
        id: String,
    },
    /// `rawId` is not the id of the stored credential given to verify it with (§7.2 step 6).
    #[error("rawId {response} is not the stored credential's id {stored}")]
    CredentialMismatch {
        /// `rawId`, base64url.
        response: String,
        /// The stored credential's id, base64url.
        stored: String,
    },
    /// `userHandle` is not the user the credential was registered for (§7.2 step 6).
    #[error("response.userHandle is {found}, but the credential belongs to user {expected}")]
    UserHandleMismatch {
        /// `userHandle`, base64url.
        found: String,
        /// The credential's user id, base64url.
        expected: String,
    },
    /// `userHandle` is absent in a discoverable-credential flow, where it identifies the user
    /// (§7.2 step 6).
    #[error("response.userHandle is absent, but allowCredentials was empty (discoverable flow) so it is required")]
    UserHandleMissing,
    /// `clientDataJSON` cannot be parsed (§7.2 steps 9–10).
    #[error(transparent)]
    ClientDataJson(ClientDataError),
    /// `clientDataJSON.type` is not "webauthn.get" (§7.2 step 11).
    #[error("clientDataJSON.type is {found:?}, expected \"webauthn.get\"")]
    ClientDataType {
        /// The type received.
        found: String,
    },
    /// `clientDataJSON.challenge` is not this ceremony's challenge (§7.2 step 12).
    #[error("clientDataJSON.challenge is {found}, expected {expected}")]
    Challenge {
        /// The challenge received, as written.
        found: String,
        /// The challenge issued, base64url.
        expected: String,
    },
    /// `clientDataJSON.origin` is not an allowed origin (§7.2 step 13).
    #[error("clientDataJSON.origin is {found}, expected {}", list(.expected))]
    Origin {
        /// The origin received.
        found: String,
        /// The origins allowed.
        expected: Vec<String>,
    },
    /// `clientDataJSON.crossOrigin` is true but no cross-origin callers are allowed (§7.2 step 14).
    #[error("clientDataJSON.crossOrigin is true, but no top-level origins are allowed to embed this relying party")]
    CrossOrigin,
    /// `clientDataJSON.topOrigin` is absent or not allowed in a cross-origin call (§7.2 step 14).
    #[error("clientDataJSON.topOrigin is {}, expected {}", .found.as_deref().unwrap_or("absent"), list(.expected))]
    TopOrigin {
        /// The top origin received.
        found: Option<String>,
        /// The top origins allowed.
        expected: Vec<String>,
    },
    /// `clientDataJSON.topOrigin` is present although `crossOrigin` is not true.
    #[error("clientDataJSON.topOrigin is {found} but crossOrigin is not true")]
    TopOriginWithoutCrossOrigin {
        /// The top origin received.
        found: String,
    },
    /// `authenticatorData` cannot be decoded.
    #[error("response.authenticatorData: {0}")]
    AuthenticatorData(AuthDataError),
    /// `rpIdHash` is not SHA-256 of the RP ID (§7.2 step 15).
    #[error("authenticatorData.rpIdHash is {}, expected SHA-256({rp_id:?}) = {}", hex::encode(.found), hex::encode(.expected))]
    RpIdHash {
        /// The hash received.
        found: [u8; 32],
        /// SHA-256 of the RP ID.
        expected: [u8; 32],
        /// The RP ID.
        rp_id: String,
    },
    /// The UP flag is clear (§7.2 step 16).
    #[error("authenticatorData.flags.UP is clear: the user was not present")]
    UserNotPresent,
    /// The UV flag is clear but user verification was required (§7.2 step 17).
    #[error("authenticatorData.flags.UV is clear, but userVerification was \"required\"")]
    UserNotVerified,
    /// BS is set while BE is clear (§7.2 step 18, §6.1).
    #[error("authenticatorData.flags has BS set without BE: backed up but not backup eligible")]
    BackupStateWithoutEligibility,
    /// BE differs from the value stored at registration (§6.1.3: BE never changes).
    #[error("authenticatorData.flags.BE is {found}, but it was {stored} when the credential was registered (BE never changes)")]
    BackupEligibilityChanged {
        /// BE at registration.
        stored: bool,
        /// BE now.
        found: bool,
    },
    /// The stored credential public key cannot be read.
    #[error("the stored credential public key is not a P-256 COSE key")]
    StoredPublicKey,
    /// `signature` does not verify over `authenticatorData ‖ SHA-256(clientDataJSON)` (§7.2 step 21).
    #[error("response.signature: {0}")]
    Signature(SignatureError),
    /// The signature counter did not increase although the credential counts (§7.2 step 22).
    #[error("authenticatorData.signCount is {received}, not above the stored {stored}: possible cloned authenticator")]
    SignCountRegression {
        /// The counter stored.
        stored: u32,
        /// The counter received.
        received: u32,
    },
    /// The relying party now enforces attestation and this credential was registered without
    /// a trusted chain.
    #[error("the credential was registered with {found}: this relying party enforces attestation")]
    AttestationNotEnforceable {
        /// How it was attested at registration.
        found: AttestationType,
    },
    /// The relying party restricts keys by AAGUID and the AAGUID this credential was registered
    /// with is not (or no longer) on its list.
    #[error("the credential's AAGUID {aaguid} is not allowed by this relying party's key restrictions (allowed: {})", allowed.join(", "))]
    AaguidNotAllowed {
        /// The AAGUID stored at registration.
        aaguid: String,
        /// The AAGUIDs allowed.
        allowed: Vec<String>,
    },
}
