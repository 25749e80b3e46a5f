//! `finish_authentication`: WebAuthn L3 §7.2 "Verifying an Authentication Assertion", in the
//! spec's order.

use super::checks::{self, id_matches};
use super::{
    AuthenticationError, AuthenticationResult, AuthenticationState, RegisteredCredential,
    RelyingParty, UserVerification,
};
use crate::b64::{self, Base64Url};
use crate::client_data::{client_data_hash, TYPE_GET};
use crate::crypto;
use crate::json::{AssertionResponseJson, AuthenticationResponseJson, PUBLIC_KEY};
use hybridsim_ctap::auth_data::{AuthenticatorData, Flags};
use hybridsim_ctap::cose::CoseKey;
use hybridsim_proto::cbor::Strictness;
use sha2::{Digest, Sha256};

pub(super) fn finish(
    rp: &RelyingParty,
    state: &AuthenticationState,
    response: &AuthenticationResponseJson,
    credential: &mut RegisteredCredential,
) -> Result<AuthenticationResult, AuthenticationError> {
    if response.type_ != PUBLIC_KEY {
        return Err(AuthenticationError::CredentialType {
            found: response.type_.clone(),
        });
    }
    let raw_id = response.raw_id.as_slice();
    if !id_matches(&response.id, raw_id) {
        return Err(AuthenticationError::IdNotRawId {
            id: response.id.clone(),
            raw_id: b64::encode(raw_id),
        });
    }

    let body = &response.response;
    check_credential(state, credential, raw_id, body)?;
    rp.key_restrictions.check_authentication(credential)?;

    // Steps 9–14: clientDataJSON.
    let client_data_json = body.client_data_json.as_slice();
    checks::client_data(rp, client_data_json, TYPE_GET, &state.challenge)?;

    // Steps 15–18: the authenticator data.
    let auth_data =
        AuthenticatorData::decode_with(body.authenticator_data.as_slice(), Strictness::WellFormed)
            .map_err(AuthenticationError::AuthenticatorData)?;
    check_rp_and_flags(state, &auth_data, credential)?;
    let flags = auth_data.flags;
    let backup_eligible = flags.contains(Flags::BE);
    let backup_state = flags.contains(Flags::BS);

    // Steps 20–21: the signature over authenticatorData ‖ SHA-256(clientDataJSON).
    let key = CoseKey::decode(credential.public_key.as_slice())
        .map_err(|_| AuthenticationError::StoredPublicKey)?;
    let signed = [
        body.authenticator_data.as_slice(),
        client_data_hash(client_data_json).as_slice(),
    ]
    .concat();
    crypto::verify_es256(
        &key.to_sec1_uncompressed(),
        &signed,
        body.signature.as_slice(),
    )
    .map_err(AuthenticationError::Signature)?;

    // Step 22: the signature counter. Zero before and after means the authenticator does not
    // count (synced passkeys); otherwise it must increase.
    let stored = credential.sign_count;
    let received = auth_data.sign_count;
    if stored > 0 && received <= stored {
        return Err(AuthenticationError::SignCountRegression { stored, received });
    }

    credential.sign_count = received;
    credential.backup_state = backup_state;
    Ok(AuthenticationResult {
        credential_id: Base64Url(raw_id.to_vec()),
        user_id: credential.user.id.clone(),
        user_verified: flags.contains(Flags::UV),
        sign_count: received,
        backup_eligible,
        backup_state,
        client_extension_results: response.client_extension_results.clone(),
    })
}

/// Steps 5–6: the credential is one that was allowed, the one given, and the user's.
fn check_credential(
    state: &AuthenticationState,
    credential: &RegisteredCredential,
    raw_id: &[u8],
    body: &AssertionResponseJson,
) -> Result<(), AuthenticationError> {
    let discoverable = state.allow_credentials.is_empty();
    if !discoverable
        && !state
            .allow_credentials
            .iter()
            .any(|id| id.as_slice() == raw_id)
    {
        return Err(AuthenticationError::CredentialNotAllowed {
            id: b64::encode(raw_id),
        });
    }
    if credential.id.as_slice() != raw_id {
        return Err(AuthenticationError::CredentialMismatch {
            response: b64::encode(raw_id),
            stored: credential.id.encoded(),
        });
    }
    // An empty userHandle is how some clients write "none"; user ids are 1–64 bytes.
    match body
        .user_handle
        .as_ref()
        .filter(|h| !h.as_slice().is_empty())
    {
        Some(handle) if handle.as_slice() != credential.user.id.as_slice() => {
            return Err(AuthenticationError::UserHandleMismatch {
                found: handle.encoded(),
                expected: credential.user.id.encoded(),
            });
        }
        None if discoverable => return Err(AuthenticationError::UserHandleMissing),
        _ => {}
    }
    Ok(())
}

/// Steps 15–18 after decoding: the rpIdHash and the flags, the backup flags against what was
/// registered.
fn check_rp_and_flags(
    state: &AuthenticationState,
    auth_data: &AuthenticatorData,
    credential: &RegisteredCredential,
) -> Result<(), AuthenticationError> {
    let expected: [u8; 32] = Sha256::digest(state.rp_id.as_bytes()).into();
    if auth_data.rp_id_hash != expected {
        return Err(AuthenticationError::RpIdHash {
            found: auth_data.rp_id_hash,
            expected,
            rp_id: state.rp_id.clone(),
        });
    }
    let flags = auth_data.flags;
    if !flags.contains(Flags::UP) {
        return Err(AuthenticationError::UserNotPresent);
    }
    if state.user_verification == UserVerification::Required && !flags.contains(Flags::UV) {
        return Err(AuthenticationError::UserNotVerified);
    }
    let backup_eligible = flags.contains(Flags::BE);
    let backup_state = flags.contains(Flags::BS);
    if backup_state && !backup_eligible {
        return Err(AuthenticationError::BackupStateWithoutEligibility);
    }
    if backup_eligible != credential.backup_eligible {
        return Err(AuthenticationError::BackupEligibilityChanged {
            stored: credential.backup_eligible,
            found: backup_eligible,
        });
    }
    Ok(())
}
