//! `finish_registration`: WebAuthn L3 §7.1 "Registering a New Credential", in the spec's order.

use super::checks::{self, id_matches};
use super::{
    attestation, RegisteredCredential, RegistrationError, RegistrationState, RelyingParty,
};
use super::{AttestationType, UserVerification};
use crate::b64::{self, Base64Url};
use crate::client_data::{client_data_hash, TYPE_CREATE};
use crate::crypto;
use crate::json::{AttestationResponseJson, RegistrationResponseJson, PUBLIC_KEY};
use hybridsim_ctap::attestation::AttestationObject;
use hybridsim_ctap::auth_data::{AttestedCredentialData, AuthenticatorData, Flags};
use hybridsim_proto::cbor::Strictness;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub(super) fn finish(
    rp: &RelyingParty,
    state: &RegistrationState,
    response: &RegistrationResponseJson,
    now: u64,
) -> Result<RegisteredCredential, RegistrationError> {
    if response.type_ != PUBLIC_KEY {
        return Err(RegistrationError::CredentialType {
            found: response.type_.clone(),
        });
    }
    let raw_id = response.raw_id.as_slice();
    if !id_matches(&response.id, raw_id) {
        return Err(RegistrationError::IdNotRawId {
            id: response.id.clone(),
            raw_id: b64::encode(raw_id),
        });
    }
    let body = &response.response;

    // Steps 5–11: clientDataJSON and its hash.
    let client_data_json = body.client_data_json.as_slice();
    checks::client_data(rp, client_data_json, TYPE_CREATE, &state.challenge)?;
    let client_data_hash = client_data_hash(client_data_json);

    // Step 12: the attestation object and its authenticator data.
    let object = AttestationObject::decode_webauthn_with(
        body.attestation_object.as_slice(),
        Strictness::WellFormed,
    )
    .map_err(RegistrationError::AttestationObject)?;
    if let Some(copy) = &body.authenticator_data {
        if copy.as_slice() != object.auth_data.as_slice() {
            return Err(RegistrationError::AuthenticatorDataCopy);
        }
    }
    let auth_data = AuthenticatorData::decode_with(&object.auth_data, Strictness::WellFormed)
        .map_err(RegistrationError::AuthenticatorData)?;

    check_rp_and_flags(state, &auth_data)?;
    let flags = auth_data.flags;
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(RegistrationError::NoAttestedCredential)?;
    let alg = check_credential(rp, state, body, attested, raw_id)?;

    // Steps 19–23: the attestation statement, its trust and the policy.
    let kind = attestation::verify(rp, &object, attested, &client_data_hash, now)?;
    check_policy(rp, state, kind, raw_id)?;
    rp.key_restrictions
        .check_registration(&attested.aaguid, kind)?;

    let discoverable = response
        .client_extension_results
        .get("credProps")
        .and_then(|p| p.get("rk"))
        .and_then(Value::as_bool);
    Ok(RegisteredCredential {
        id: Base64Url(raw_id.to_vec()),
        user: state.user.clone(),
        public_key: Base64Url(attested.public_key.to_bytes()),
        algorithm: alg,
        sign_count: auth_data.sign_count,
        backup_eligible: flags.contains(Flags::BE),
        backup_state: flags.contains(Flags::BS),
        user_verified: flags.contains(Flags::UV),
        transports: body.transports.clone(),
        aaguid: attested.aaguid,
        attestation_format: object.fmt,
        attestation: kind,
        discoverable,
    })
}

/// Steps 13–16: the rpIdHash and the flags.
fn check_rp_and_flags(
    state: &RegistrationState,
    auth_data: &AuthenticatorData,
) -> Result<(), RegistrationError> {
    let expected: [u8; 32] = Sha256::digest(state.rp_id.as_bytes()).into();
    if auth_data.rp_id_hash != expected {
        return Err(RegistrationError::RpIdHash {
            found: auth_data.rp_id_hash,
            expected,
            rp_id: state.rp_id.clone(),
        });
    }
    let flags = auth_data.flags;
    if !flags.contains(Flags::UP) {
        return Err(RegistrationError::UserNotPresent);
    }
    if state.user_verification == UserVerification::Required && !flags.contains(Flags::UV) {
        return Err(RegistrationError::UserNotVerified);
    }
    if flags.contains(Flags::BS) && !flags.contains(Flags::BE) {
        return Err(RegistrationError::BackupStateWithoutEligibility);
    }
    Ok(())
}

/// Steps 17–18: the attested credential against the response's other copies of it, the
/// algorithms offered and the transports allowed. Returns the credential's algorithm.
fn check_credential(
    rp: &RelyingParty,
    state: &RegistrationState,
    body: &AttestationResponseJson,
    attested: &AttestedCredentialData,
    raw_id: &[u8],
) -> Result<i64, RegistrationError> {
    if attested.credential_id != raw_id {
        return Err(RegistrationError::CredentialIdMismatch {
            raw_id: b64::encode(raw_id),
            auth_data: b64::encode(&attested.credential_id),
        });
    }
    let alg = attested.public_key.alg;
    if !state.algorithms.contains(&alg) {
        return Err(RegistrationError::AlgorithmNotOffered {
            alg,
            offered: state.algorithms.clone(),
        });
    }
    if let Some(json_alg) = body.public_key_algorithm {
        if json_alg != alg {
            return Err(RegistrationError::PublicKeyAlgorithm {
                json: json_alg,
                key: alg,
            });
        }
    }
    let public_key_sec1 = attested.public_key.to_sec1_uncompressed();
    if let Some(spki) = &body.public_key {
        if crypto::sec1_from_spki(spki.as_slice()).ok() != Some(public_key_sec1) {
            return Err(RegistrationError::PublicKey);
        }
    }
    if let Some(transport) = body.transports.iter().find(|t| !rp.transports.contains(t)) {
        return Err(RegistrationError::TransportNotAllowed {
            transport: transport.clone(),
            allowed: rp.transports.clone(),
        });
    }
    Ok(alg)
}

/// Step 23's policy on the attestation type, then step 26: the credential is not one the
/// user registered already (the caller listed the user's credentials).
fn check_policy(
    rp: &RelyingParty,
    state: &RegistrationState,
    kind: AttestationType,
    raw_id: &[u8],
) -> Result<(), RegistrationError> {
    let accepted = match kind {
        AttestationType::None => rp.attestation_policy.accept_none,
        AttestationType::SelfAttestation => rp.attestation_policy.accept_self,
        AttestationType::Basic => true,
    };
    if !accepted {
        return Err(RegistrationError::AttestationNotAccepted { found: kind });
    }

    // Step 26: not registered already (the caller listed the user's credentials).
    if state
        .exclude_credentials
        .iter()
        .any(|id| id.as_slice() == raw_id)
    {
        return Err(RegistrationError::CredentialExcluded {
            id: b64::encode(raw_id),
        });
    }
    Ok(())
}
