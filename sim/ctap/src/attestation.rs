//! Attestation objects and statements (WebAuthn L3 §6.5 "Attestation", §8.2 "Packed
//! Attestation Statement Format", §8.7 "None Attestation Statement Format"; CTAP 2.2 §6.1
//! makeCredential response keys 1–3).
//!
//! The same three values travel in two encodings: the CTAP makeCredential response uses integer
//! keys (1 fmt, 2 authData, 3 attStmt), the WebAuthn `attestationObject` text keys ("fmt",
//! "attStmt", "authData"). [`AttestationObject`] converts between them.
//!
//! Signing ([`Attester`]): `none` (empty statement), `packed` self attestation (signed by the
//! credential key, no x5c) and `packed` with an x5c chain (signed by an attestation key whose
//! certificate names the AAGUID). Signatures are ES256, DER-encoded, over
//! `authData ‖ clientDataHash`, with RFC 6979 deterministic nonces, so the same inputs always
//! give the same bytes.

use crate::wire::text_map;
use hybridsim_proto::cbor::{self, CborError, Strictness, Value};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};

mod identity;

pub use identity::{pem_to_der, AttestationIdentity, IdentityError, AAGUID_EXTENSION_OID};

/// `fmt` of the none attestation statement format.
pub const FMT_NONE: &str = "none";
/// `fmt` of the packed attestation statement format.
pub const FMT_PACKED: &str = "packed";

/// An attestation object: the statement format, the authenticator data exactly as signed, and
/// the statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationObject {
    /// Attestation statement format identifier, e.g. "packed".
    pub fmt: String,
    /// Raw authenticator data, byte for byte as the signature covers it.
    pub auth_data: Vec<u8>,
    /// The attestation statement, a CBOR map whose form depends on `fmt`.
    pub att_stmt: Value,
}

/// Why an attestation object or statement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    /// Not (canonical) CBOR.
    #[error("attestation object: {0}")]
    Cbor(CborError),
    /// A value that should be a map is not.
    #[error("{field}: expected a map, found {found}")]
    NotAMap {
        /// Which value.
        field: &'static str,
        /// What it was.
        found: &'static str,
    },
    /// A required member is absent.
    #[error("{0}: missing")]
    Missing(&'static str),
    /// A member has the wrong type.
    #[error("{field}: expected {expected}, found {found}")]
    WrongType {
        /// Which member.
        field: &'static str,
        /// What it needs.
        expected: &'static str,
        /// What was there.
        found: &'static str,
    },
}

impl AttestationObject {
    /// Keys 1 (fmt), 2 (authData) and 3 (attStmt) of the CTAP makeCredential response.
    pub fn to_ctap_entries(&self) -> [(i64, Value); 3] {
        [
            (1, Value::Text(self.fmt.clone())),
            (2, Value::Bytes(self.auth_data.clone())),
            (3, self.att_stmt.clone()),
        ]
    }

    /// The CTAP makeCredential response map with only keys 1–3.
    pub fn to_ctap_response_map(&self) -> Value {
        cbor::int_map(self.to_ctap_entries())
    }

    /// The WebAuthn `attestationObject`: canonical CBOR with text keys.
    pub fn to_webauthn_value(&self) -> Value {
        text_map([
            ("fmt", Value::Text(self.fmt.clone())),
            ("attStmt", self.att_stmt.clone()),
            ("authData", Value::Bytes(self.auth_data.clone())),
        ])
    }

    /// The WebAuthn `attestationObject` bytes (canonical CBOR).
    pub fn to_webauthn_bytes(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_webauthn_value())
    }

    /// Decodes a WebAuthn `attestationObject` that must be canonical CBOR.
    pub fn decode_webauthn(bytes: &[u8]) -> Result<Self, AttestationError> {
        Self::decode_webauthn_with(bytes, Strictness::Canonical)
    }

    /// Decodes a WebAuthn `attestationObject` with the given strictness; unknown keys are
    /// ignored.
    pub fn decode_webauthn_with(
        bytes: &[u8],
        strictness: Strictness,
    ) -> Result<Self, AttestationError> {
        let value = cbor::decode(bytes, strictness).map_err(AttestationError::Cbor)?;
        let get = |key: &'static str| cbor::map_get_text(&value, key);
        Self::from_parts(
            &value,
            "attestationObject",
            get("fmt"),
            get("authData"),
            get("attStmt"),
        )
    }

    /// Reads keys 1–3 of a CTAP makeCredential response map.
    pub fn from_ctap_response_map(value: &Value) -> Result<Self, AttestationError> {
        let get = |key: i64| cbor::map_get(value, key);
        Self::from_parts(value, "makeCredential response", get(1), get(2), get(3))
    }

    fn from_parts(
        whole: &Value,
        what: &'static str,
        fmt: Option<&Value>,
        auth_data: Option<&Value>,
        att_stmt: Option<&Value>,
    ) -> Result<Self, AttestationError> {
        if !matches!(whole, Value::Map(_)) {
            return Err(AttestationError::NotAMap {
                field: what,
                found: cbor::type_name(whole),
            });
        }
        let fmt = match fmt.ok_or(AttestationError::Missing("fmt"))? {
            Value::Text(t) => t.clone(),
            other => return Err(wrong("fmt", "a text string", other)),
        };
        let auth_data = match auth_data.ok_or(AttestationError::Missing("authData"))? {
            Value::Bytes(b) => b.clone(),
            other => return Err(wrong("authData", "a byte string", other)),
        };
        let att_stmt = att_stmt.ok_or(AttestationError::Missing("attStmt"))?;
        if !matches!(att_stmt, Value::Map(_)) {
            return Err(AttestationError::NotAMap {
                field: "attStmt",
                found: cbor::type_name(att_stmt),
            });
        }
        Ok(Self {
            fmt,
            auth_data,
            att_stmt: att_stmt.clone(),
        })
    }
}

fn wrong(field: &'static str, expected: &'static str, found: &Value) -> AttestationError {
    AttestationError::WrongType {
        field,
        expected,
        found: cbor::type_name(found),
    }
}

/// A `packed` attestation statement: `{"alg": int, "sig": bytes, "x5c"?: [bytes…]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedStatement {
    /// COSE algorithm of the signature (-7 for ES256).
    pub alg: i64,
    /// The DER-encoded signature over `authData ‖ clientDataHash`.
    pub sig: Vec<u8>,
    /// The certificate chain, leaf first; empty for self attestation (and then not encoded).
    pub x5c: Vec<Vec<u8>>,
}

impl PackedStatement {
    /// The statement map (x5c omitted when empty).
    pub fn to_value(&self) -> Value {
        let mut entries = vec![
            ("alg", Value::from(self.alg)),
            ("sig", Value::Bytes(self.sig.clone())),
        ];
        if !self.x5c.is_empty() {
            let certs = self.x5c.iter().cloned().map(Value::Bytes).collect();
            entries.push(("x5c", Value::Array(certs)));
        }
        text_map(entries)
    }

    /// Reads a statement map; unknown members are ignored.
    pub fn from_value(value: &Value) -> Result<Self, AttestationError> {
        if !matches!(value, Value::Map(_)) {
            return Err(AttestationError::NotAMap {
                field: "attStmt",
                found: cbor::type_name(value),
            });
        }
        let alg = match cbor::map_get_text(value, "alg")
            .ok_or(AttestationError::Missing("attStmt.alg"))?
        {
            Value::Integer(i) => i64::try_from(*i).map_err(|_| AttestationError::WrongType {
                field: "attStmt.alg",
                expected: "a 64-bit integer",
                found: "an integer out of range",
            })?,
            other => return Err(wrong("attStmt.alg", "an integer", other)),
        };
        let sig = match cbor::map_get_text(value, "sig")
            .ok_or(AttestationError::Missing("attStmt.sig"))?
        {
            Value::Bytes(b) => b.clone(),
            other => return Err(wrong("attStmt.sig", "a byte string", other)),
        };
        let x5c = match cbor::map_get_text(value, "x5c") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Bytes(b) => Ok(b.clone()),
                    other => Err(wrong("attStmt.x5c[]", "a byte string", other)),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(wrong("attStmt.x5c", "an array", other)),
        };
        Ok(Self { alg, sig, x5c })
    }
}

/// How an authenticator attests the credentials it creates.
#[derive(Debug, Clone)]
pub enum Attester {
    /// `none`: empty statement.
    None,
    /// `packed` self attestation: signed with the credential's own key, no x5c.
    PackedSelf,
    /// `packed` with an attestation certificate: signed with the attestation key, x5c = `[leaf]`.
    PackedX5c(AttestationIdentity),
}

impl Attester {
    /// The `fmt` this attester produces.
    pub fn fmt(&self) -> &'static str {
        match self {
            Self::None => FMT_NONE,
            Self::PackedSelf | Self::PackedX5c(_) => FMT_PACKED,
        }
    }

    /// Attests `auth_data` for a makeCredential whose client data hash is
    /// `client_data_hash`; `credential_key` is the new credential's private key.
    pub fn attest(
        &self,
        auth_data: Vec<u8>,
        client_data_hash: &[u8],
        credential_key: &SigningKey,
    ) -> AttestationObject {
        let att_stmt = match self {
            Self::None => Value::Map(Vec::new()),
            Self::PackedSelf => PackedStatement {
                alg: crate::cose::ALG_ES256,
                sig: sign_es256(credential_key, &[&auth_data, client_data_hash]),
                x5c: Vec::new(),
            }
            .to_value(),
            Self::PackedX5c(identity) => PackedStatement {
                alg: crate::cose::ALG_ES256,
                sig: sign_es256(identity.signing_key(), &[&auth_data, client_data_hash]),
                x5c: vec![identity.certificate_der().to_vec()],
            }
            .to_value(),
        };
        AttestationObject {
            fmt: self.fmt().to_owned(),
            auth_data,
            att_stmt,
        }
    }
}

/// An ES256 signature over the concatenation of `parts`, DER-encoded (RFC 6979 nonce).
pub fn sign_es256(key: &SigningKey, parts: &[&[u8]]) -> Vec<u8> {
    let message = parts.concat();
    let signature: DerSignature = key.sign(&message);
    signature.as_bytes().to_vec()
}

/// Verifies a DER-encoded ES256 signature over the concatenation of `parts`.
pub fn verify_es256(key: &VerifyingKey, parts: &[&[u8]], der_signature: &[u8]) -> bool {
    let Ok(signature) = DerSignature::from_bytes(der_signature) else {
        return false;
    };
    key.verify(&parts.concat(), &signature).is_ok()
}

#[cfg(test)]
mod tests;
