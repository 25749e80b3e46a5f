//! The contact client payload (§5.3, §8.3): what a desktop tells a linked phone, through the
//! tunnel server's `/cable/contact` request, in the `X-caBLE-Client-Payload` header.

use super::field::{fixed_bytes_field, text_field, FieldProblem};
use crate::cbor::{self, int_map, CborError, Strictness, Value};

/// `{1: link ID, 2: client nonce, 3: request-type hint}`, sent as upper-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPayload {
    /// Key 1: the link ID from the stored linking info, so the phone finds its link secret.
    pub link_id: [u8; 8],
    /// Key 2: 16 random bytes; the advert key is Derive(link secret, this nonce, 1).
    pub client_nonce: [u8; 16],
    /// Key 3: Chromium `RequestTypeToString`: `"ga"` (getAssertion) or `"mc"`
    /// (makeCredential). Kept as text, since other values travel just as well.
    pub request_type: String,
}

/// The hint for a getAssertion request.
pub const HINT_GET_ASSERTION: &str = "ga";
/// The hint for a makeCredential request.
pub const HINT_MAKE_CREDENTIAL: &str = "mc";

/// Why a client payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientPayloadError {
    /// The header value is not hexadecimal.
    #[error("client payload: not hexadecimal: {0}")]
    NotHex(String),
    /// The bytes are not one canonical CBOR item.
    #[error("client payload: {0}")]
    Cbor(CborError),
    /// The CBOR item is not a map.
    #[error("client payload: expected a map, found {0}")]
    NotAMap(&'static str),
    /// A field is missing or has the wrong type or length.
    #[error("client payload key {key}: {problem}")]
    Field {
        /// The map key.
        key: i64,
        /// What is wrong with it.
        problem: FieldProblem,
    },
}

impl ClientPayload {
    /// Canonical CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&int_map([
            (1, Value::Bytes(self.link_id.to_vec())),
            (2, Value::Bytes(self.client_nonce.to_vec())),
            (3, Value::Text(self.request_type.clone())),
        ]))
    }

    /// The `X-caBLE-Client-Payload` header value: the CBOR in upper-case hex, as Chromium's
    /// `base::HexEncode` writes it.
    pub fn to_header_value(&self) -> String {
        hex::encode_upper(self.encode())
    }

    /// Reads a header value (hex in either case).
    pub fn from_header_value(value: &str) -> Result<Self, ClientPayloadError> {
        let bytes = hex::decode(value).map_err(|e| ClientPayloadError::NotHex(e.to_string()))?;
        Self::decode(&bytes)
    }

    /// Reads the CBOR map: link ID exactly 8 bytes, client nonce exactly 16, hint a text
    /// string. Unknown keys are ignored.
    pub fn decode(bytes: &[u8]) -> Result<Self, ClientPayloadError> {
        let value = cbor::decode(bytes, Strictness::Canonical).map_err(ClientPayloadError::Cbor)?;
        if !matches!(value, Value::Map(_)) {
            return Err(ClientPayloadError::NotAMap(cbor::type_name(&value)));
        }
        let field =
            |key: i64| move |problem: FieldProblem| ClientPayloadError::Field { key, problem };
        Ok(Self {
            link_id: fixed_bytes_field(&value, 1).map_err(field(1))?,
            client_nonce: fixed_bytes_field(&value, 2).map_err(field(2))?,
            request_type: text_field(&value, 3).map_err(field(3))?.to_owned(),
        })
    }
}
