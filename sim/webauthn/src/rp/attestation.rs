//! Attestation statement verification (WebAuthn L3 §7.1 steps 19–22): `none` (§8.7) and
//! `packed` (§8.2), self or with an x5c chain.

use super::{AttestationType, RegistrationError, RelyingParty};
use crate::crypto::{self, ES256};
use crate::x509::{self, ParsedCertificate, Position};
use hybridsim_ctap::attestation::{AttestationObject, PackedStatement, FMT_NONE, FMT_PACKED};
use hybridsim_ctap::auth_data::AttestedCredentialData;
use hybridsim_proto::cbor::Value;

/// Verifies the statement of `object` and says what kind of attestation it is.
pub(super) fn verify(
    rp: &RelyingParty,
    object: &AttestationObject,
    attested: &AttestedCredentialData,
    client_data_hash: &[u8; 32],
    now: u64,
) -> Result<AttestationType, RegistrationError> {
    match object.fmt.as_str() {
        FMT_NONE => match &object.att_stmt {
            Value::Map(entries) if entries.is_empty() => Ok(AttestationType::None),
            _ => Err(RegistrationError::NoneStatementNotEmpty),
        },
        FMT_PACKED => {
            let statement = PackedStatement::from_value(&object.att_stmt)
                .map_err(RegistrationError::PackedStatement)?;
            let signed = [object.auth_data.as_slice(), client_data_hash.as_slice()].concat();
            if statement.x5c.is_empty() {
                packed_self(&statement, attested, &signed)
            } else {
                packed_x5c(rp, &statement, attested, &signed, now)
            }
        }
        other => Err(RegistrationError::UnsupportedFormat {
            fmt: other.to_owned(),
        }),
    }
}

/// §8.2 verification procedure, self attestation: `alg` is the credential key's and `sig`
/// verifies with it.
fn packed_self(
    statement: &PackedStatement,
    attested: &AttestedCredentialData,
    signed: &[u8],
) -> Result<AttestationType, RegistrationError> {
    if statement.alg != attested.public_key.alg {
        return Err(RegistrationError::SelfAttestationAlgorithm {
            statement: statement.alg,
            key: attested.public_key.alg,
        });
    }
    let key = attested.public_key.to_sec1_uncompressed();
    crypto::verify_es256(&key, signed, &statement.sig)
        .map_err(RegistrationError::AttestationSignature)?;
    Ok(AttestationType::SelfAttestation)
}

/// §8.2 verification procedure with x5c: `sig` verifies with the attestation certificate's
/// key, the certificate meets §8.2.1, and the chain leads to a trusted root.
fn packed_x5c(
    rp: &RelyingParty,
    statement: &PackedStatement,
    attested: &AttestedCredentialData,
    signed: &[u8],
    now: u64,
) -> Result<AttestationType, RegistrationError> {
    if statement.alg != ES256 {
        return Err(RegistrationError::AttestationAlgorithm { alg: statement.alg });
    }
    let leaf_der = statement.x5c.first().map(Vec::as_slice).unwrap_or_default();
    let leaf = ParsedCertificate::parse(leaf_der, Position::X5c(0))
        .map_err(RegistrationError::AttestationCertificate)?;
    let key = leaf
        .public_key(Position::X5c(0))
        .map_err(RegistrationError::AttestationCertificate)?;
    crypto::verify_with(&key, signed, &statement.sig)
        .map_err(RegistrationError::AttestationSignature)?;
    x509::check_packed_leaf(&leaf, &attested.aaguid)
        .map_err(RegistrationError::AttestationCertificate)?;
    x509::verify_chain(&statement.x5c, &rp.trusted_roots, now)
        .map_err(RegistrationError::AttestationCertificate)?;
    Ok(AttestationType::Basic)
}
