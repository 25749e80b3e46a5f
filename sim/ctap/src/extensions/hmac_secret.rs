//! hmac-secret (CTAP 2.2 "HMAC Secret Extension"): a per-credential PRF whose salts and outputs travel encrypted
//! under a PIN/UV auth protocol.
//!
//! - makeCredential input `"hmac-secret": true` → authData extension output
//!   `"hmac-secret": true`. The credential's two secrets (CredRandomWithUV and
//!   CredRandomWithoutUV, 32 bytes each) are drawn for every credential when it is created.
//! - getAssertion input `"hmac-secret": {1: keyAgreement (COSE, alg -25), 2: saltEnc,
//!   3: saltAuth, 4?: pinUvAuthProtocol (default 1)}` → authData extension output
//!   `"hmac-secret": encrypt(sharedSecret, HMAC-SHA-256(credRandom, salt1) [‖ HMAC(…, salt2)])`,
//!   with credRandom chosen by whether UV was performed.
//!
//! The platform gets the authenticator's key-agreement key from clientPIN getKeyAgreement.

use crate::cose::{CoseError, CoseKey, ALG_ECDH_ES_HKDF_256};
use crate::pin_protocol::{hmac_sha256, PinProtocolError, PinUvAuthProtocol, SharedSecret};
use crate::status::{Ctap2Code, StatusCode};
use crate::wire::{self, WireError};
use hybridsim_proto::cbor::{self, int_map, Value};
use p256::SecretKey;
use rand_core::RngCore;

/// The getAssertion input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacSecretInput {
    /// 1: the platform's key-agreement key.
    pub key_agreement: CoseKey,
    /// 2: the encrypted salt(s).
    pub salt_enc: Vec<u8>,
    /// 3: authenticate(sharedSecret, saltEnc).
    pub salt_auth: Vec<u8>,
    /// 4: the PIN/UV auth protocol (1 when absent).
    pub pin_uv_auth_protocol: Option<u32>,
}

/// Why an hmac-secret input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HmacSecretError {
    /// A member is missing or of the wrong type.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// keyAgreement is not a P-256 key-agreement key (`CTAP1_ERR_INVALID_PARAMETER`).
    #[error("keyAgreement: {0}")]
    KeyAgreement(CoseError),
    /// The protocol is not one the profile supports (`CTAP1_ERR_INVALID_PARAMETER`).
    #[error("PIN/UV auth protocol {0} is not supported")]
    UnsupportedProtocol(u64),
    /// saltAuth does not verify (`CTAP2_ERR_PIN_AUTH_INVALID`).
    #[error("saltAuth does not verify over saltEnc")]
    SaltAuth,
    /// The decrypted salts are not 32 or 64 bytes (`CTAP1_ERR_INVALID_LENGTH`).
    #[error("salts are {0} bytes; expected 32 or 64")]
    SaltLength(usize),
    /// saltEnc is not whole AES blocks (`CTAP1_ERR_INVALID_LENGTH`).
    #[error("saltEnc: {0}")]
    Decrypt(PinProtocolError),
}

impl HmacSecretError {
    /// The status code it is reported with.
    pub fn status(&self) -> StatusCode {
        let code = match self {
            Self::Wire(e) => return e.status(),
            Self::KeyAgreement(_) | Self::UnsupportedProtocol(_) => Ctap2Code::InvalidParameter,
            Self::SaltAuth => Ctap2Code::PinAuthInvalid,
            Self::SaltLength(_) | Self::Decrypt(_) => Ctap2Code::InvalidLength,
        };
        code.into()
    }
}

const FIELD: &str = "extensions.hmac-secret";

impl HmacSecretInput {
    /// Reads the input map.
    pub fn from_value(value: &Value) -> Result<Self, HmacSecretError> {
        let map = wire::map(value, FIELD)?;
        let at = |k: i64, name: &str| format!("{FIELD} {k} {name}");
        let key_value = wire::required(cbor::map_get(map, 1), &at(1, "keyAgreement"))?;
        let key_agreement = CoseKey::from_value(key_value, ALG_ECDH_ES_HKDF_256)
            .map_err(HmacSecretError::KeyAgreement)?;
        Ok(Self {
            key_agreement,
            salt_enc: wire::bytes(
                wire::required(cbor::map_get(map, 2), &at(2, "saltEnc"))?,
                &at(2, "saltEnc"),
            )?,
            salt_auth: wire::bytes(
                wire::required(cbor::map_get(map, 3), &at(3, "saltAuth"))?,
                &at(3, "saltAuth"),
            )?,
            pin_uv_auth_protocol: wire::optional(
                cbor::map_get(map, 4),
                &at(4, "pinUvAuthProtocol"),
                wire::unsigned32,
            )?,
        })
    }

    /// The input map.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![
            (1, self.key_agreement.to_value()),
            (2, Value::Bytes(self.salt_enc.clone())),
            (3, Value::Bytes(self.salt_auth.clone())),
        ];
        if let Some(p) = self.pin_uv_auth_protocol {
            entries.push((4, Value::from(p)));
        }
        int_map(entries)
    }

    /// The platform's side: encrypts and authenticates one or two 32-byte salts under a shared
    /// secret from [`PinUvAuthProtocol::encapsulate`].
    pub fn build(
        shared: &SharedSecret,
        platform_key: CoseKey,
        salt1: &[u8; 32],
        salt2: Option<&[u8; 32]>,
        rng: &mut impl RngCore,
    ) -> Result<Self, PinProtocolError> {
        let mut salts = salt1.to_vec();
        if let Some(salt2) = salt2 {
            salts.extend_from_slice(salt2);
        }
        let salt_enc = shared.encrypt(&salts, rng)?;
        let salt_auth = shared.authenticate(&salt_enc);
        let protocol = match shared.protocol() {
            PinUvAuthProtocol::One => None,
            PinUvAuthProtocol::Two => Some(2),
        };
        Ok(Self {
            key_agreement: platform_key,
            salt_enc,
            salt_auth,
            pin_uv_auth_protocol: protocol,
        })
    }
}

/// The authenticator's side: evaluates the input for a credential and returns the encrypted
/// output. `supported` are the profile's PIN/UV auth protocols; `key_agreement` is the
/// authenticator's key-agreement private key.
pub fn evaluate(
    input: &HmacSecretInput,
    supported: &[u64],
    key_agreement: &SecretKey,
    cred_random: &[u8; 32],
    rng: &mut impl RngCore,
) -> Result<Vec<u8>, HmacSecretError> {
    let number = u64::from(input.pin_uv_auth_protocol.unwrap_or(1));
    if !supported.contains(&number) {
        return Err(HmacSecretError::UnsupportedProtocol(number));
    }
    let protocol = PinUvAuthProtocol::from_number(number)
        .map_err(|_| HmacSecretError::UnsupportedProtocol(number))?;
    let shared = protocol
        .decapsulate(key_agreement, &input.key_agreement)
        .map_err(|_| HmacSecretError::KeyAgreement(CoseError::NotOnCurve))?;
    if !shared.verify(&input.salt_enc, &input.salt_auth) {
        return Err(HmacSecretError::SaltAuth);
    }
    let salts = shared
        .decrypt(&input.salt_enc)
        .map_err(HmacSecretError::Decrypt)?;
    if salts.len() != 32 && salts.len() != 64 {
        return Err(HmacSecretError::SaltLength(salts.len()));
    }
    let outputs: Vec<u8> = salts
        .chunks(32)
        .flat_map(|salt| hmac_sha256(cred_random, &[salt]))
        .collect();
    shared
        .encrypt(&outputs, rng)
        .map_err(HmacSecretError::Decrypt)
}

/// The platform's side: decrypts the output into one or two 32-byte results.
pub fn decrypt_output(
    shared: &SharedSecret,
    output: &[u8],
) -> Result<Vec<[u8; 32]>, PinProtocolError> {
    let plain = shared.decrypt(output)?;
    Ok(plain
        .chunks_exact(32)
        .filter_map(|c| <[u8; 32]>::try_from(c).ok())
        .collect())
}
