//! COSE_Key for P-256 EC2 keys (RFC 9052 §7, RFC 9053 §7.1; WebAuthn L3 §6.5.1.1 "Examples of
//! credentialPublicKey Values Encoded in COSE_Key Format").
//!
//! Only ES256 credential keys are supported (`kty` 2, `alg` -7, `crv` 1); EdDSA and RSA are not
//! implemented, so makeCredential negotiates ES256 or answers
//! `CTAP2_ERR_UNSUPPORTED_ALGORITHM`. The same structure with `alg` -25 (ECDH-ES+HKDF-256) is the
//! key-agreement key of PIN/UV auth protocols 1 and 2 (CTAP 2.2 §6.5), which hmac-secret uses.
//!
//! ```text
//! { 1: 2,          kty: EC2
//!   3: -7,         alg: ES256
//!  -1: 1,          crv: P-256
//!  -2: x (32 B),
//!  -3: y (32 B) }
//! ```

use hybridsim_proto::cbor::{self, int_map, CborError, Strictness, Value};
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{EncodedPoint, PublicKey};

/// COSE algorithm identifier of ES256 (ECDSA with SHA-256 on P-256).
pub const ALG_ES256: i64 = -7;
/// COSE algorithm identifier of ECDH-ES+HKDF-256, as PIN/UV auth protocols label their
/// key-agreement keys.
pub const ALG_ECDH_ES_HKDF_256: i64 = -25;
/// COSE algorithm identifier of EdDSA; recognised by name only, not implemented.
pub const ALG_EDDSA: i64 = -8;
/// `kty` value of elliptic-curve keys with x and y coordinates.
pub const KTY_EC2: i64 = 2;
/// `crv` value of P-256.
pub const CRV_P256: i64 = 1;

/// COSE key labels.
pub mod label {
    /// Key type.
    pub const KTY: i64 = 1;
    /// Algorithm.
    pub const ALG: i64 = 3;
    /// EC2 curve.
    pub const CRV: i64 = -1;
    /// EC2 x coordinate.
    pub const X: i64 = -2;
    /// EC2 y coordinate.
    pub const Y: i64 = -3;
}

/// A P-256 public key in COSE form. `x` and `y` are checked to be a point on the curve when
/// decoded; keys built from a `PublicKey` are valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoseKey {
    /// The `alg` label: [`ALG_ES256`] for credential keys, [`ALG_ECDH_ES_HKDF_256`] for
    /// key-agreement keys.
    pub alg: i64,
    /// Big-endian x coordinate.
    pub x: [u8; 32],
    /// Big-endian y coordinate.
    pub y: [u8; 32],
}

/// Why a COSE key was refused; each variant names the label it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseError {
    /// The bytes are not CBOR.
    #[error("COSE key: {0}")]
    Cbor(CborError),
    /// The CBOR item is not a map.
    #[error("COSE key: expected a map, found {0}")]
    NotAMap(&'static str),
    /// A required label is absent.
    #[error("COSE key label {label}: missing")]
    Missing {
        /// The label.
        label: i64,
    },
    /// A label holds the wrong CBOR type.
    #[error("COSE key label {label}: expected {expected}, found {found}")]
    WrongType {
        /// The label.
        label: i64,
        /// What it needs.
        expected: &'static str,
        /// What was there.
        found: &'static str,
    },
    /// `kty` (label 1) is not EC2.
    #[error("COSE key label 1 (kty): {0} is not EC2 (2)")]
    UnsupportedKeyType(i128),
    /// `alg` (label 3) is not the algorithm expected.
    #[error("COSE key label 3 (alg): {found} is not supported here (expected {expected})")]
    UnsupportedAlgorithm {
        /// The algorithm found.
        found: i128,
        /// The algorithm required.
        expected: i64,
    },
    /// `crv` (label -1) is not P-256.
    #[error("COSE key label -1 (crv): {0} is not P-256 (1)")]
    UnsupportedCurve(i128),
    /// A coordinate is not 32 bytes.
    #[error("COSE key label {label}: coordinate is {len} bytes; expected 32")]
    CoordinateLength {
        /// -2 (x) or -3 (y).
        label: i64,
        /// Its length.
        len: usize,
    },
    /// x and y are not a point on P-256.
    #[error("COSE key labels -2/-3: (x, y) is not a point on P-256")]
    NotOnCurve,
}

impl CoseKey {
    /// The COSE form of a P-256 public key.
    pub fn from_public_key(key: &PublicKey, alg: i64) -> Self {
        let point = key.to_encoded_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        Self { alg, x, y }
    }

    /// An ES256 credential key.
    pub fn es256(key: &PublicKey) -> Self {
        Self::from_public_key(key, ALG_ES256)
    }

    /// The 65-byte SEC1 uncompressed point `04 ‖ x ‖ y`.
    pub fn to_sec1_uncompressed(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        let bytes = std::iter::once(4u8).chain(self.x).chain(self.y);
        out.iter_mut().zip(bytes).for_each(|(o, b)| *o = b);
        out
    }

    /// The key as a p256 public key (x and y were checked on decoding; a key assembled by hand
    /// from invalid coordinates fails here).
    pub fn to_public_key(&self) -> Result<PublicKey, CoseError> {
        let point = EncodedPoint::from_affine_coordinates(&self.x.into(), &self.y.into(), false);
        Option::from(PublicKey::from_encoded_point(&point)).ok_or(CoseError::NotOnCurve)
    }

    /// The CBOR map.
    pub fn to_value(&self) -> Value {
        int_map([
            (label::KTY, Value::from(KTY_EC2)),
            (label::ALG, Value::from(self.alg)),
            (label::CRV, Value::from(CRV_P256)),
            (label::X, Value::Bytes(self.x.to_vec())),
            (label::Y, Value::Bytes(self.y.to_vec())),
        ])
    }

    /// Canonical CBOR bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// Decodes an ES256 key from canonical CBOR filling all of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Self, CoseError> {
        let value = cbor::decode(bytes, Strictness::Canonical).map_err(CoseError::Cbor)?;
        Self::from_value(&value, ALG_ES256)
    }

    /// Reads a P-256 EC2 key whose `alg` must be `expected_alg`. Unknown labels are ignored.
    pub fn from_value(value: &Value, expected_alg: i64) -> Result<Self, CoseError> {
        if !matches!(value, Value::Map(_)) {
            return Err(CoseError::NotAMap(cbor::type_name(value)));
        }
        let kty = int_label(value, label::KTY)?;
        if kty != i128::from(KTY_EC2) {
            return Err(CoseError::UnsupportedKeyType(kty));
        }
        let alg = int_label(value, label::ALG)?;
        if alg != i128::from(expected_alg) {
            return Err(CoseError::UnsupportedAlgorithm {
                found: alg,
                expected: expected_alg,
            });
        }
        let crv = int_label(value, label::CRV)?;
        if crv != i128::from(CRV_P256) {
            return Err(CoseError::UnsupportedCurve(crv));
        }
        let key = Self {
            alg: expected_alg,
            x: coordinate(value, label::X)?,
            y: coordinate(value, label::Y)?,
        };
        key.to_public_key()?;
        Ok(key)
    }
}

fn get(value: &Value, label: i64) -> Result<&Value, CoseError> {
    cbor::map_get(value, label).ok_or(CoseError::Missing { label })
}

fn int_label(value: &Value, label: i64) -> Result<i128, CoseError> {
    match get(value, label)? {
        Value::Integer(i) => Ok(i128::from(*i)),
        other => Err(CoseError::WrongType {
            label,
            expected: "an integer",
            found: cbor::type_name(other),
        }),
    }
}

fn coordinate(value: &Value, label: i64) -> Result<[u8; 32], CoseError> {
    match get(value, label)? {
        Value::Bytes(b) => b
            .as_slice()
            .try_into()
            .map_err(|_| CoseError::CoordinateLength {
                label,
                len: b.len(),
            }),
        other => Err(CoseError::WrongType {
            label,
            expected: "a byte string",
            found: cbor::type_name(other),
        }),
    }
}

#[cfg(test)]
mod tests;
