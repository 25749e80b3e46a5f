//! Update messages (§8.2): message type `02`, a CBOR map `{0: padding, 1: linking info}`.

use crate::cbor::{self, int_map, CborError, Strictness, Value};
use crate::linking::{wrong_type, FieldProblem, LinkingError, LinkingInfo};
use crate::message::Message;
use crate::noise::HandshakeKind;

/// The plaintext size (type byte and §7.2 padding included) a Chromium phone aims its update
/// message at; 528 bytes on the wire with the AES-GCM tag.
pub const UPDATE_PADDING_TARGET: usize = 512;

/// An update message from the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMessage {
    /// Key 0: zero bytes that hide whether linking info is present. Chromium's desktop
    /// ignores key 0; a value that is not a byte string is tolerated and dropped.
    pub padding: Option<Vec<u8>>,
    /// Key 1: linking information.
    pub linking: Option<LinkingInfo>,
}

/// Why an update message was refused (Chromium's desktop closes the connection).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The payload is not one canonical CBOR item.
    #[error("update message: {0}")]
    Cbor(CborError),
    /// The CBOR item is not a map.
    #[error("update message: expected a map, found {0}")]
    NotAMap(&'static str),
    /// A field has the wrong type.
    #[error("update message key {key}: {problem}")]
    Field {
        /// The map key.
        key: i64,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// Key 1 is a map but not valid linking information.
    #[error("update message key 1: {0}")]
    Linking(LinkingError),
}

impl UpdateMessage {
    /// The update a Chromium phone sends right after the post-handshake message of every QR
    /// transaction (`v2_authenticator.cc`), with or without linking info.
    ///
    /// The padding is 512 − 16 − 1 − 3 = 492 zero bytes, less the length of
    /// CBOR(`{1: linking}`) when linking info is present, so that type byte ‖ CBOR pads to
    /// [`UPDATE_PADDING_TARGET`]. As in Chromium, linking info too large for that keeps the
    /// full padding (a debug assertion in Chromium) and the message comes out larger.
    pub fn chromium_phone(linking: Option<LinkingInfo>) -> Self {
        // 16 below the target so the crypter's 32-byte padding rounds up to it; one byte
        // for the key and three for a two-byte-length byte string header.
        let mut padding_len = UPDATE_PADDING_TARGET - 16 - 1 - 3;
        if let Some(info) = &linking {
            let measured = cbor::encode_canonical(&int_map([(1, info.to_cbor())])).len();
            if measured < padding_len {
                padding_len -= measured;
            }
        }
        Self {
            padding: Some(vec![0; padding_len]),
            linking,
        }
    }

    /// The CBOR map: key 0 and key 1 when set.
    pub fn to_cbor(&self) -> Value {
        let mut entries = Vec::new();
        if let Some(padding) = &self.padding {
            entries.push((0, Value::Bytes(padding.clone())));
        }
        if let Some(linking) = &self.linking {
            entries.push((1, linking.to_cbor()));
        }
        int_map(entries)
    }

    /// Canonical CBOR: the payload after the type byte.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_cbor())
    }

    /// The update as a revision-1 message (type `02`).
    pub fn to_message(&self) -> Message {
        Message::update(&self.encode())
    }

    /// Reads the payload of a type-`02` message with the checks of Chromium's desktop
    /// (`ProcessUpdate`): canonical CBOR, a map, key 1 a map if present. On a QR-initiated
    /// connection key 1 is parsed as linking info; on a linked connection Chromium discards
    /// it unparsed, so it decodes as `None`.
    pub fn decode(payload: &[u8], kind: HandshakeKind) -> Result<Self, UpdateError> {
        let value = cbor::decode(payload, Strictness::Canonical).map_err(UpdateError::Cbor)?;
        if !matches!(value, Value::Map(_)) {
            return Err(UpdateError::NotAMap(cbor::type_name(&value)));
        }
        let linking = match cbor::map_get(&value, 1) {
            None => None,
            Some(map @ Value::Map(_)) => match kind {
                HandshakeKind::QrInitiated => {
                    Some(LinkingInfo::from_cbor(map).map_err(UpdateError::Linking)?)
                }
                HandshakeKind::Linked => None,
            },
            Some(other) => {
                return Err(UpdateError::Field {
                    key: 1,
                    problem: wrong_type("a map", other),
                })
            }
        };
        let padding = match cbor::map_get(&value, 0) {
            Some(Value::Bytes(bytes)) => Some(bytes.clone()),
            _ => None,
        };
        Ok(Self { padding, linking })
    }
}
