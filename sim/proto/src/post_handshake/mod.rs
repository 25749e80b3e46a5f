//! The phone's first encrypted message (docs/protocol.md §7.4) and update messages (§8.2).
//!
//! The post-handshake message tells the desktop what the phone supports (its getInfo
//! response and feature list) and, in older phones, carries linking information. Its form
//! also tells the desktop which protocol revision the phone speaks (§7.3).

use crate::cbor::{self, int_map, CborError, Strictness, Value};
use crate::linking::{wrong_type, FieldProblem, LinkingError, LinkingInfo};
use crate::message::ProtocolRevision;
use crate::noise::HandshakeKind;
use crate::padding::{self, PaddedMapError};

mod update;

pub use update::{UpdateError, UpdateMessage, UPDATE_PADDING_TARGET};

/// The feature string for CTAP support.
pub const FEATURE_CTAP: &str = "ctap";
/// The feature string for digital credentials (JSON messages).
pub const FEATURE_DIGITAL_CREDENTIALS: &str = "dc";

/// The post-handshake message (§7.4), a CBOR map with integer keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHandshakeMessage {
    /// Key 1: the authenticatorGetInfo response CBOR (no status byte). Present exactly when
    /// [`FEATURE_CTAP`] is among the features.
    pub get_info: Option<Vec<u8>>,
    /// Key 2: linking information (revision 0 phones put it here; current Chromium phones send
    /// it in an update message instead).
    pub linking: Option<LinkingInfo>,
    /// Key 3: supported features, e.g. `["ctap"]`. An absent key 3 decodes as `["ctap"]`
    /// and non-string entries are dropped (Chromium); encoding always writes key 3.
    pub features: Vec<String>,
    /// Key 0: padding, which libwebauthn's parser allows for. Chromium ignores it; a value that
    /// is not a byte string is tolerated and dropped.
    pub padding: Option<Vec<u8>>,
}

/// Why a decrypted post-handshake message was refused (Chromium: `kPostHandshakeFailed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostHandshakeError {
    /// Neither plain CBOR (revision 1) nor a padded map (revision 0).
    #[error("post-handshake message is neither CBOR ({cbor}) nor a padded map ({padded})")]
    Undecodable {
        /// Why it is not canonical CBOR.
        cbor: CborError,
        /// Why it is not a padded map either.
        padded: PaddedMapError,
    },
    /// The CBOR item is not a map.
    #[error("post-handshake message: expected a map, found {0}")]
    NotAMap(&'static str),
    /// A field has the wrong type.
    #[error("post-handshake message key {key}: {problem}")]
    Field {
        /// The map key.
        key: i64,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// The features include "ctap" (or are absent, which means "ctap") but key 1 is missing.
    #[error(
        "post-handshake message key 1: missing, but required because the features include \"ctap\""
    )]
    MissingGetInfo,
    /// Key 1 is present but "ctap" is not among the features.
    #[error("post-handshake message key 1: present, but the features do not include \"ctap\"")]
    UnexpectedGetInfo,
    /// Key 2 is a map but not valid linking information.
    #[error("post-handshake message key 2: {0}")]
    Linking(LinkingError),
}

impl PostHandshakeMessage {
    /// What a current Chromium phone sends: `{1: getInfo, 3: ["ctap"]}`.
    pub fn chromium_phone(get_info: Vec<u8>) -> Self {
        Self {
            get_info: Some(get_info),
            linking: None,
            features: vec![FEATURE_CTAP.to_owned()],
            padding: None,
        }
    }

    /// Whether the phone accepts CTAP messages.
    pub fn supports_ctap(&self) -> bool {
        self.features.iter().any(|f| f == FEATURE_CTAP)
    }

    /// The CBOR map: keys 0, 1 and 2 when set, key 3 always.
    pub fn to_cbor(&self) -> Value {
        let mut entries = Vec::new();
        if let Some(padding) = &self.padding {
            entries.push((0, Value::Bytes(padding.clone())));
        }
        if let Some(get_info) = &self.get_info {
            entries.push((1, Value::Bytes(get_info.clone())));
        }
        if let Some(linking) = &self.linking {
            entries.push((2, linking.to_cbor()));
        }
        let features = self.features.iter().cloned().map(Value::Text).collect();
        entries.push((3, Value::Array(features)));
        int_map(entries)
    }

    /// The plaintext for `revision`: canonical CBOR (revision 1) or a 16-bit padded map
    /// (revision 0, §7.3). The crypter's own padding comes on top of either.
    pub fn encode(&self, revision: ProtocolRevision) -> Vec<u8> {
        match revision {
            ProtocolRevision::V1 => cbor::encode_canonical(&self.to_cbor()),
            ProtocolRevision::V0 => padding::encode_padded_map(&self.to_cbor()),
        }
    }

    /// Reads a decrypted, unpadded post-handshake message and detects the revision as
    /// Chromium's desktop does: canonical CBOR means revision 1; otherwise a padded map
    /// (16-bit, then 8-bit format) means revision 0.
    ///
    /// `kind` matters for key 2: on a QR-initiated connection linking info is parsed and
    /// checked; on a linked connection Chromium only checks that it is a map and ignores it,
    /// so it decodes as `None`.
    pub fn decode(
        plaintext: &[u8],
        kind: HandshakeKind,
    ) -> Result<(Self, ProtocolRevision), PostHandshakeError> {
        let (value, revision) = match cbor::decode(plaintext, Strictness::Canonical) {
            Ok(value) => (value, ProtocolRevision::V1),
            Err(cbor) => match padding::decode_padded_map(plaintext) {
                Ok((value, _)) => (value, ProtocolRevision::V0),
                Err(padded) => return Err(PostHandshakeError::Undecodable { cbor, padded }),
            },
        };
        Ok((Self::from_cbor(&value, kind)?, revision))
    }

    /// Reads the map with Chromium's checks, in Chromium's order (`fido_tunnel_device.cc`):
    /// key 3 an array if present; key 1 a byte string, present exactly when "ctap" is a
    /// feature; key 2 a map if present. Unknown keys are ignored.
    pub fn from_cbor(value: &Value, kind: HandshakeKind) -> Result<Self, PostHandshakeError> {
        if !matches!(value, Value::Map(_)) {
            return Err(PostHandshakeError::NotAMap(cbor::type_name(value)));
        }
        let field = |key: i64, problem| PostHandshakeError::Field { key, problem };
        let features = match cbor::map_get(value, 3) {
            None => vec![FEATURE_CTAP.to_owned()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            Some(other) => return Err(field(3, wrong_type("an array", other))),
        };
        let ctap = features.iter().any(|f| f == FEATURE_CTAP);
        let get_info = match (cbor::map_get(value, 1), ctap) {
            (Some(Value::Bytes(bytes)), true) => Some(bytes.clone()),
            (Some(other), true) => return Err(field(1, wrong_type("a byte string", other))),
            (None, true) => return Err(PostHandshakeError::MissingGetInfo),
            (Some(_), false) => return Err(PostHandshakeError::UnexpectedGetInfo),
            (None, false) => None,
        };
        let linking = match cbor::map_get(value, 2) {
            None => None,
            Some(map @ Value::Map(_)) => match kind {
                HandshakeKind::QrInitiated => {
                    Some(LinkingInfo::from_cbor(map).map_err(PostHandshakeError::Linking)?)
                }
                HandshakeKind::Linked => None,
            },
            Some(other) => return Err(field(2, wrong_type("a map", other))),
        };
        let padding = match cbor::map_get(value, 0) {
            Some(Value::Bytes(bytes)) => Some(bytes.clone()),
            _ => None,
        };
        Ok(Self {
            get_info,
            linking,
            features,
            padding,
        })
    }
}

#[cfg(test)]
mod tests;
