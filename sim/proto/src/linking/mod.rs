//! Linking ("state-assisted" transactions): the linking-info map a phone hands to a desktop,
//! its handshake signature, the contact client payload, and the phone's derivations
//! (docs/protocol.md §8.1, §8.3, §5.3).

use crate::cbor::{self, int_map, CborError, Strictness, Value};
use crate::derive::{derive, Purpose};
use crate::keys::{self, KeyError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

mod client_payload;
mod field;

pub use client_payload::{
    ClientPayload, ClientPayloadError, HINT_GET_ASSERTION, HINT_MAKE_CREDENTIAL,
};
pub use field::FieldProblem;
pub(crate) use field::{bytes_field, fixed_bytes_field, text_field, wrong_type};

/// Map key of the Google Play Services flag in linking info (non-standard; §8.1).
pub const PLAY_SERVICES_KEY: i64 = 999;

/// Linking information (§8.1): what a desktop stores to contact the phone later without a QR
/// code. Windows calls the same fields contact ID, link ID, link secret, public key and
/// authenticator name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkingInfo {
    /// Key 1: the contact ID the tunnel server uses to wake the phone (Google: FCM token).
    pub contact_id: Vec<u8>,
    /// Key 2: the link ("pairing") ID, random.
    pub link_id: [u8; 8],
    /// Key 3: the link secret, [`link_secret`] of the phone's root secret.
    pub link_secret: [u8; 32],
    /// Key 4: the phone's identity public key, uncompressed X9.62.
    pub public_key: [u8; 65],
    /// Key 5: the authenticator's name as shown to the user.
    pub name: String,
    /// Key 6: [`sign`] over this session's handshake hash.
    pub signature: [u8; 32],
    /// Key 999: Google Play Services sends `true` ("from new implementation"). A non-boolean
    /// value is ignored, as in Chromium.
    pub play_services: Option<bool>,
}

/// Why linking information was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkingError {
    /// The bytes are not one canonical CBOR item.
    #[error("linking info: {0}")]
    Cbor(CborError),
    /// The linking info is not a map.
    #[error("linking info: expected a map, found {0}")]
    NotAMap(&'static str),
    /// A field is missing or has the wrong type or length.
    #[error("linking info key {key}: {problem}")]
    Field {
        /// The map key.
        key: i64,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// Key 4 is 65 bytes but not a point on P-256.
    #[error("linking info key 4: {0}")]
    PublicKey(KeyError),
    /// The desktop's QR private key given to [`verify`] is not a valid scalar.
    #[error("desktop QR identity key: {0}")]
    DesktopKey(KeyError),
    /// Key 6 is not the HMAC of this session's handshake hash.
    #[error("linking info key 6: signature does not match this handshake")]
    SignatureMismatch,
}

impl LinkingInfo {
    /// The CBOR map (key 999 only when set).
    pub fn to_cbor(&self) -> Value {
        let mut entries = vec![
            (1, Value::Bytes(self.contact_id.clone())),
            (2, Value::Bytes(self.link_id.to_vec())),
            (3, Value::Bytes(self.link_secret.to_vec())),
            (4, Value::Bytes(self.public_key.to_vec())),
            (5, Value::Text(self.name.clone())),
            (6, Value::Bytes(self.signature.to_vec())),
        ];
        if let Some(flag) = self.play_services {
            entries.push((PLAY_SERVICES_KEY, Value::Bool(flag)));
        }
        int_map(entries)
    }

    /// Canonical CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_cbor())
    }

    /// Decodes canonical CBOR bytes (see [`LinkingInfo::from_cbor`] for the checks).
    pub fn decode(bytes: &[u8]) -> Result<Self, LinkingError> {
        let value = cbor::decode(bytes, Strictness::Canonical).map_err(LinkingError::Cbor)?;
        Self::from_cbor(&value)
    }

    /// Reads a linking-info map with the checks of Chromium's `Pairing::Parse`: key 5 a text
    /// string; keys 1, 2, 3, 4 and 6 byte strings; key 4 exactly 65 bytes and a point on
    /// P-256 (Chromium finds a bad point when it verifies the signature). Unknown keys are
    /// ignored.
    ///
    /// Stricter than Chromium: keys 2, 3 and 6 must be 8, 32 and 32 bytes. Chromium stores
    /// other lengths of 2 and 3 as they are, and a key 6 of another length fails its
    /// signature check anyway; every implementation read sends these lengths.
    pub fn from_cbor(value: &Value) -> Result<Self, LinkingError> {
        if !matches!(value, Value::Map(_)) {
            return Err(LinkingError::NotAMap(cbor::type_name(value)));
        }
        let field = |key: i64| move |problem: FieldProblem| LinkingError::Field { key, problem };
        let name = text_field(value, 5).map_err(field(5))?.to_owned();
        for key in [1, 2, 3, 4, 6] {
            bytes_field(value, key).map_err(field(key))?;
        }
        let public_key: [u8; 65] = fixed_bytes_field(value, 4).map_err(field(4))?;
        keys::parse_public(&public_key).map_err(LinkingError::PublicKey)?;
        Ok(Self {
            contact_id: bytes_field(value, 1).map_err(field(1))?.to_vec(),
            link_id: fixed_bytes_field(value, 2).map_err(field(2))?,
            link_secret: fixed_bytes_field(value, 3).map_err(field(3))?,
            public_key,
            name,
            signature: fixed_bytes_field(value, 6).map_err(field(6))?,
            play_services: match cbor::map_get(value, PLAY_SERVICES_KEY) {
                Some(Value::Bool(flag)) => Some(*flag),
                _ => None,
            },
        })
    }
}

/// The phone's signature over a handshake (§8.1, key 6): HMAC-SHA256 keyed with the ECDH X
/// coordinate of the phone's identity key and the desktop's QR identity key, over the
/// handshake hash of the session that carries the linking info.
pub fn sign(
    phone_identity_private: &[u8; 32],
    desktop_qr_public: &[u8],
    handshake_hash: &[u8; 32],
) -> Result<[u8; 32], KeyError> {
    let shared = keys::ecdh_x(phone_identity_private, desktop_qr_public)?;
    Ok(hmac_sha256(&shared, handshake_hash))
}

/// The desktop's check of key 6 (Chromium `VerifyPairingSignature`): recomputes the HMAC
/// from its own QR private key and the phone's public key (key 4) and compares in constant
/// time.
pub fn verify(
    desktop_qr_private: &[u8; 32],
    info: &LinkingInfo,
    handshake_hash: &[u8; 32],
) -> Result<(), LinkingError> {
    keys::parse_private(desktop_qr_private).map_err(LinkingError::DesktopKey)?;
    let shared =
        keys::ecdh_x(desktop_qr_private, &info.public_key).map_err(LinkingError::PublicKey)?;
    let expected = hmac_sha256(&shared, handshake_hash);
    if bool::from(expected.ct_eq(&info.signature)) {
        Ok(())
    } else {
        Err(LinkingError::SignatureMismatch)
    }
}

/// The link secret a phone hands out (§8.3 step 2): Derive(Derive(root, contact ID, 6), link
/// ID, 4), or Derive(root, link ID, 4) when the phone has no contact ID.
///
/// Going through the contact ID means that unlinking (which replaces the contact ID) changes
/// every link secret.
pub fn link_secret(
    root_secret: &[u8; 32],
    contact_id: Option<&[u8]>,
    link_id: &[u8; 8],
) -> [u8; 32] {
    let per_contact: Option<[u8; 32]> =
        contact_id.map(|id| derive(root_secret, id, Purpose::PerContactIdSecret));
    let secret: &[u8] = per_contact.as_ref().map_or(root_secret, |s| s);
    derive(secret, link_id, Purpose::PairedSecret)
}

/// The phone's identity private key (§8.3 step 4): BoringSSL's `EC_KEY_derive_from_secret` of
/// Derive(root, empty, 5).
pub fn identity_private_key(root_secret: &[u8; 32]) -> [u8; 32] {
    let seed: [u8; 32] = derive(root_secret, &[], Purpose::IdentityKeySeed);
    keys::private_from_seed(&seed)
}

fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never takes the fallback.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

#[cfg(test)]
mod tests;
