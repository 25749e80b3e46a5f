//! The `FIDO:/` QR code the desktop shows (docs/protocol.md §2).
//!
//! Its payload is a CBOR map with integer keys: 0 the desktop's compressed P-256 identity key,
//! 1 the 16-byte QR secret, 2 the number of assigned tunnel domains the desktop knows, 3 the
//! time, 4 whether linking is offered, 5 the request-type hint. Key 6 means two different
//! things to different implementations (§0.1 item 2); both readings are decoded and the one
//! found is reported. The map is CTAP2-canonical CBOR, written as base-10 digits.
//!
//! Decoding applies the phone's validation (§2.4, Chromium `qr::Parse`): a wrong type on a
//! key Chromium reads rejects the whole code, unknown keys are kept and reported.

use crate::base10::{self, Base10Error};
use crate::cbor::{self, CborError, Strictness, Value};
use crate::derive;
use crate::keys;

/// The URL prefix; phones compare it case-insensitively.
pub const PREFIX: &str = "FIDO:/";
/// Length of the QR secret (key 1).
pub const SECRET_LEN: usize = 16;

/// The request-type hint (key 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestType {
    /// `"ga"`: getAssertion (sign-in).
    GetAssertion,
    /// `"mc"`: makeCredential (registration).
    MakeCredential,
    /// `"dcp"`: digital-credential presentation.
    DigitalCredentialPresentation,
    /// Any other string; phones treat it as getAssertion.
    Other(String),
}

impl RequestType {
    /// The string carried in the QR code.
    pub fn as_str(&self) -> &str {
        match self {
            RequestType::GetAssertion => "ga",
            RequestType::MakeCredential => "mc",
            RequestType::DigitalCredentialPresentation => "dcp",
            RequestType::Other(s) => s,
        }
    }

    /// Reads the string carried in the QR code.
    pub fn from_wire(s: &str) -> RequestType {
        match s {
            "ga" => RequestType::GetAssertion,
            "mc" => RequestType::MakeCredential,
            "dcp" => RequestType::DigitalCredentialPresentation,
            other => RequestType::Other(other.to_owned()),
        }
    }
}

/// Key 6, whose meaning implementations disagree on (docs/protocol.md §0.1 item 2).
#[derive(Debug, Clone, PartialEq)]
pub enum Key6 {
    /// webauthn-rs: a bool, "non-discoverable makeCredential supported" (only with hint "mc").
    NonDiscoverableMc(bool),
    /// CTAP 2.3 / PXP (libwebauthn, Firefox): transport channel ids, 0 = WebSocket tunnel,
    /// 1 = BLE L2CAP. Older Google Play Services refuse QR codes carrying this form.
    TransportChannels(Vec<u64>),
    /// Neither form; Chromium ignores key 6, so the code is still valid.
    Other(Value),
}

/// The decoded QR payload.
#[derive(Debug, Clone, PartialEq)]
pub struct QrPayload {
    /// Key 0: the desktop's identity key, compressed (33 bytes), checked to be on P-256.
    pub public_key: [u8; keys::COMPRESSED_LEN],
    /// Key 1: the QR secret every other key is derived from.
    pub secret: [u8; SECRET_LEN],
    /// Key 2: how many assigned tunnel domains the desktop knows (Chromium sends 2).
    pub known_domains: Option<u64>,
    /// Key 3: UNIX time in seconds when the code was made (not validated by phones).
    pub timestamp: Option<u64>,
    /// Key 4: whether the desktop offers linking.
    pub linking: Option<bool>,
    /// Key 5: what the desktop will ask for.
    pub request_type: Option<RequestType>,
    /// Key 6, in whichever of its meanings it was found.
    pub key6: Option<Key6>,
    /// Entries no reader interprets (unknown keys, or key 3 when it is not an unsigned
    /// integer), kept so that nothing is lost on re-encoding.
    pub unknown: Vec<(Value, Value)>,
}

/// Why a QR string was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QrError {
    /// The text does not start with `FIDO:/` (in any letter case).
    #[error("QR text does not start with FIDO:/")]
    Prefix,
    /// Nothing follows the prefix.
    #[error("QR text has no digits after FIDO:/")]
    Empty,
    /// The digits do not decode.
    #[error("QR digits: {0}")]
    Digits(#[from] Base10Error),
    /// The bytes are not acceptable CBOR.
    #[error("QR payload: {0}")]
    Cbor(#[from] CborError),
    /// The CBOR is not a map.
    #[error("QR payload is {0}, not a map")]
    NotAMap(&'static str),
    /// A required key is absent.
    #[error("QR key {0} is missing")]
    MissingKey(u8),
    /// A key has the wrong CBOR type.
    #[error("QR key {key}: expected {expected}, found {found}")]
    WrongType {
        /// The key.
        key: u8,
        /// The type it must have.
        expected: &'static str,
        /// The type it has.
        found: &'static str,
    },
    /// Key 0 or key 1 has the wrong length.
    #[error("QR key {key}: {found} bytes, expected {expected}")]
    Length {
        /// The key.
        key: u8,
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// Key 0 is not a point on P-256.
    #[error("QR key 0: not a valid compressed P-256 point")]
    NotOnCurve,
}

impl QrPayload {
    /// A payload with only the two required keys.
    pub fn new(public_key: [u8; keys::COMPRESSED_LEN], secret: [u8; SECRET_LEN]) -> QrPayload {
        QrPayload {
            public_key,
            secret,
            known_domains: None,
            timestamp: None,
            linking: None,
            request_type: None,
            key6: None,
            unknown: Vec::new(),
        }
    }

    /// Parses a `FIDO:/` string with the phone's rules.
    pub fn parse(text: &str) -> Result<QrPayload, QrError> {
        let prefix_ok = text
            .get(..PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX));
        if !prefix_ok {
            return Err(QrError::Prefix);
        }
        let digits = text.get(PREFIX.len()..).unwrap_or_default();
        if digits.is_empty() {
            return Err(QrError::Empty);
        }
        Self::from_cbor(&base10::decode(digits)?)
    }

    /// Parses the CBOR payload (the bytes behind the digits).
    pub fn from_cbor(bytes: &[u8]) -> Result<QrPayload, QrError> {
        let value = cbor::decode(bytes, Strictness::Canonical)?;
        let Value::Map(entries) = value else {
            return Err(QrError::NotAMap(cbor::type_name(&value)));
        };
        let mut fields = Fields::default();
        for (key, value) in entries {
            fields.take(key, value)?;
        }
        fields.finish()
    }

    /// The canonical CBOR payload.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut entries = vec![
            (0, Value::Bytes(self.public_key.to_vec())),
            (1, Value::Bytes(self.secret.to_vec())),
        ];
        if let Some(n) = self.known_domains {
            entries.push((2, Value::Integer(n.into())));
        }
        if let Some(t) = self.timestamp {
            entries.push((3, Value::Integer(t.into())));
        }
        if let Some(b) = self.linking {
            entries.push((4, Value::Bool(b)));
        }
        if let Some(r) = &self.request_type {
            entries.push((5, Value::Text(r.as_str().to_owned())));
        }
        if let Some(k) = &self.key6 {
            entries.push((6, key6_value(k)));
        }
        let Value::Map(mut map) = cbor::int_map(entries) else {
            return Vec::new();
        };
        map.extend(self.unknown.iter().cloned());
        cbor::encode_canonical(&Value::Map(map))
    }

    /// The `FIDO:/` string.
    pub fn to_url(&self) -> String {
        format!("{PREFIX}{}", base10::encode(&self.to_cbor()))
    }

    /// The request the phone should expect: unknown hints and no hint mean getAssertion.
    pub fn effective_request_type(&self) -> RequestType {
        match &self.request_type {
            Some(RequestType::MakeCredential) => RequestType::MakeCredential,
            Some(RequestType::DigitalCredentialPresentation) => {
                RequestType::DigitalCredentialPresentation
            }
            _ => RequestType::GetAssertion,
        }
    }

    /// The desktop's key in the 65-byte form Noise hashes.
    pub fn public_key_uncompressed(&self) -> [u8; keys::UNCOMPRESSED_LEN] {
        // `public_key` was checked when parsed; a hand-built invalid key gives all zeros.
        keys::uncompressed(&self.public_key).unwrap_or([0; keys::UNCOMPRESSED_LEN])
    }

    /// The tunnel id both sides derive from the secret.
    pub fn tunnel_id(&self) -> [u8; 16] {
        derive::tunnel_id(&self.secret)
    }

    /// The advert key both sides derive from the secret.
    pub fn eid_key(&self) -> [u8; 64] {
        derive::eid_key(&self.secret)
    }
}

/// Collects map entries, checking each key's type as it comes.
#[derive(Default)]
struct Fields {
    public_key: Option<[u8; keys::COMPRESSED_LEN]>,
    secret: Option<[u8; SECRET_LEN]>,
    known_domains: Option<u64>,
    timestamp: Option<u64>,
    linking: Option<bool>,
    request_type: Option<RequestType>,
    key6: Option<Key6>,
    unknown: Vec<(Value, Value)>,
}

impl Fields {
    fn take(&mut self, key: Value, value: Value) -> Result<(), QrError> {
        let number = key.as_integer().and_then(|i| u8::try_from(i).ok());
        match number {
            Some(0) => self.public_key = Some(public_key(&value)?),
            Some(1) => self.secret = Some(fixed_bytes(1, &value)?),
            Some(2) => self.known_domains = Some(unsigned(2, &value)?),
            Some(3) => match value.as_integer().and_then(|i| u64::try_from(i).ok()) {
                Some(t) => self.timestamp = Some(t),
                // Phones never read key 3, so a strange value there does not spoil the code.
                None => self.unknown.push((key, value)),
            },
            Some(4) => {
                self.linking = Some(
                    value
                        .as_bool()
                        .ok_or_else(|| wrong(4, "a boolean", &value))?,
                )
            }
            Some(5) => {
                let text = value
                    .as_text()
                    .ok_or_else(|| wrong(5, "a text string", &value))?;
                self.request_type = Some(RequestType::from_wire(text));
            }
            Some(6) => self.key6 = Some(key6(value)),
            _ => self.unknown.push((key, value)),
        }
        Ok(())
    }

    fn finish(self) -> Result<QrPayload, QrError> {
        Ok(QrPayload {
            public_key: self.public_key.ok_or(QrError::MissingKey(0))?,
            secret: self.secret.ok_or(QrError::MissingKey(1))?,
            known_domains: self.known_domains,
            timestamp: self.timestamp,
            linking: self.linking,
            request_type: self.request_type,
            key6: self.key6,
            unknown: self.unknown,
        })
    }
}

fn wrong(key: u8, expected: &'static str, found: &Value) -> QrError {
    QrError::WrongType {
        key,
        expected,
        found: cbor::type_name(found),
    }
}

fn fixed_bytes<const N: usize>(key: u8, value: &Value) -> Result<[u8; N], QrError> {
    let bytes = value
        .as_bytes()
        .ok_or_else(|| wrong(key, "a byte string", value))?;
    bytes.as_slice().try_into().map_err(|_| QrError::Length {
        key,
        expected: N,
        found: bytes.len(),
    })
}

fn public_key(value: &Value) -> Result<[u8; keys::COMPRESSED_LEN], QrError> {
    let key = fixed_bytes::<{ keys::COMPRESSED_LEN }>(0, value)?;
    // Compressed points start with 02 or 03; a 33-byte uncompressed-looking prefix is not one.
    if !matches!(key.first(), Some(2 | 3)) || keys::parse_public(&key).is_err() {
        return Err(QrError::NotOnCurve);
    }
    Ok(key)
}

fn unsigned(key: u8, value: &Value) -> Result<u64, QrError> {
    value
        .as_integer()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| wrong(key, "an unsigned integer", value))
}

fn key6(value: Value) -> Key6 {
    match &value {
        Value::Bool(b) => Key6::NonDiscoverableMc(*b),
        Value::Array(items) => {
            let ids: Option<Vec<u64>> = items
                .iter()
                .map(|v| v.as_integer().and_then(|i| u64::try_from(i).ok()))
                .collect();
            ids.map_or(Key6::Other(value), Key6::TransportChannels)
        }
        _ => Key6::Other(value),
    }
}

fn key6_value(k: &Key6) -> Value {
    match k {
        Key6::NonDiscoverableMc(b) => Value::Bool(*b),
        Key6::TransportChannels(ids) => {
            Value::Array(ids.iter().map(|i| Value::Integer((*i).into())).collect())
        }
        Key6::Other(v) => v.clone(),
    }
}

#[cfg(test)]
mod tests;
