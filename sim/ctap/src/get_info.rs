//! authenticatorGetInfo (0x04): the request (no parameters) and the response (CTAP 2.2 §6.4
//! "authenticatorGetInfo").
//!
//! Over hybrid the phone sends its getInfo response inside the post-handshake message
//! (docs/protocol.md §7.4, key 1) and the desktop never asks for it; a phone still answers `04`.
//! Only the keys a profile sets are written, so a profile can reproduce a real phone's bytes.

use crate::entities::PubKeyCredParam;
use crate::wire::{self, WireError};
use hybridsim_proto::cbor::{self, int_map, Strictness, Value};
use std::collections::BTreeMap;

/// The command byte.
pub const COMMAND: u8 = 0x04;

const RESPONSE: &str = "getInfo response";

/// Response keys (those this crate reads and writes; others are ignored on decoding).
pub mod key {
    /// versions (array of text, required).
    pub const VERSIONS: i64 = 0x01;
    /// extensions (array of text).
    pub const EXTENSIONS: i64 = 0x02;
    /// aaguid (16 bytes, required).
    pub const AAGUID: i64 = 0x03;
    /// options (map text → bool).
    pub const OPTIONS: i64 = 0x04;
    /// maxMsgSize (unsigned).
    pub const MAX_MSG_SIZE: i64 = 0x05;
    /// pinUvAuthProtocols (array of unsigned).
    pub const PIN_UV_AUTH_PROTOCOLS: i64 = 0x06;
    /// maxCredentialCountInList (unsigned).
    pub const MAX_CREDENTIAL_COUNT_IN_LIST: i64 = 0x07;
    /// maxCredentialIdLength (unsigned).
    pub const MAX_CREDENTIAL_ID_LENGTH: i64 = 0x08;
    /// transports (array of text).
    pub const TRANSPORTS: i64 = 0x09;
    /// algorithms (array of PublicKeyCredentialParameters).
    pub const ALGORITHMS: i64 = 0x0A;
    /// firmwareVersion (unsigned).
    pub const FIRMWARE_VERSION: i64 = 0x0E;
    /// remainingDiscoverableCredentials (unsigned).
    pub const REMAINING_DISCOVERABLE_CREDENTIALS: i64 = 0x14;
    /// attestationFormats (array of text, CTAP 2.2).
    pub const ATTESTATION_FORMATS: i64 = 0x16;
}

/// The authenticatorGetInfo request: it has no parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetInfoRequest;

impl GetInfoRequest {
    /// Checks that there are no parameters (`CTAP1_ERR_INVALID_LENGTH` otherwise).
    pub fn decode(params: &[u8]) -> Result<Self, WireError> {
        wire::expect_empty(params, "getInfo")?;
        Ok(Self)
    }

    /// The (empty) parameters.
    pub fn encode(&self) -> Vec<u8> {
        Vec::new()
    }

    /// `0x04`, the CTAP request message.
    pub fn to_message(&self) -> Vec<u8> {
        vec![COMMAND]
    }
}

/// The authenticatorGetInfo response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetInfoResponse {
    /// 0x01: supported versions, e.g. "FIDO_2_0", "FIDO_2_1".
    pub versions: Vec<String>,
    /// 0x02: supported extension identifiers.
    pub extensions: Option<Vec<String>>,
    /// 0x03: the AAGUID the authenticator reports here.
    pub aaguid: [u8; 16],
    /// 0x04: options; encoded in canonical key order.
    pub options: Option<BTreeMap<String, bool>>,
    /// 0x05: largest message the authenticator accepts.
    pub max_msg_size: Option<u64>,
    /// 0x06: PIN/UV auth protocols, most preferred first.
    pub pin_uv_auth_protocols: Option<Vec<u64>>,
    /// 0x07: longest allowList/excludeList.
    pub max_credential_count_in_list: Option<u64>,
    /// 0x08: longest credential ID.
    pub max_credential_id_length: Option<u64>,
    /// 0x09: transports, in the order given.
    pub transports: Option<Vec<String>>,
    /// 0x0A: supported algorithms, most preferred first.
    pub algorithms: Option<Vec<PubKeyCredParam>>,
    /// 0x0E: firmware version.
    pub firmware_version: Option<u64>,
    /// 0x14: how many more discoverable credentials fit.
    pub remaining_discoverable_credentials: Option<u64>,
    /// 0x16: attestation statement formats, most preferred first.
    pub attestation_formats: Option<Vec<String>>,
}

fn at(key: i64, name: &str) -> String {
    format!("{RESPONSE} 0x{key:02X} {name}")
}

fn unsigned_array(value: &Value, field: &str) -> Result<Vec<u64>, WireError> {
    wire::array(value, field)?
        .iter()
        .enumerate()
        .map(|(i, v)| wire::unsigned(v, &format!("{field}[{i}]")))
        .collect()
}

fn options_map(value: &Value, field: &str) -> Result<BTreeMap<String, bool>, WireError> {
    let Value::Map(entries) = wire::map(value, field)? else {
        return Err(WireError::wrong_type(field, "a map", value));
    };
    entries
        .iter()
        .map(|(k, v)| {
            let name = wire::text(k, &format!("{field} key"))?;
            let on = wire::boolean(v, &format!("{field}.{name}"))?;
            Ok((name, on))
        })
        .collect()
}

impl GetInfoResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        use key::*;
        let mut entries = vec![(VERSIONS, wire::text_array_value(&self.versions))];
        if let Some(extensions) = &self.extensions {
            entries.push((EXTENSIONS, wire::text_array_value(extensions)));
        }
        entries.push((AAGUID, Value::Bytes(self.aaguid.to_vec())));
        if let Some(options) = &self.options {
            let map = options
                .iter()
                .map(|(k, v)| (Value::Text(k.clone()), Value::Bool(*v)))
                .collect();
            entries.push((OPTIONS, Value::Map(map)));
        }
        let mut push_uint = |key, value: Option<u64>| {
            if let Some(n) = value {
                entries.push((key, Value::from(n)));
            }
        };
        push_uint(MAX_MSG_SIZE, self.max_msg_size);
        push_uint(
            MAX_CREDENTIAL_COUNT_IN_LIST,
            self.max_credential_count_in_list,
        );
        push_uint(MAX_CREDENTIAL_ID_LENGTH, self.max_credential_id_length);
        push_uint(FIRMWARE_VERSION, self.firmware_version);
        push_uint(
            REMAINING_DISCOVERABLE_CREDENTIALS,
            self.remaining_discoverable_credentials,
        );
        if let Some(protocols) = &self.pin_uv_auth_protocols {
            let items = protocols.iter().map(|p| Value::from(*p)).collect();
            entries.push((PIN_UV_AUTH_PROTOCOLS, Value::Array(items)));
        }
        if let Some(transports) = &self.transports {
            entries.push((TRANSPORTS, wire::text_array_value(transports)));
        }
        if let Some(algorithms) = &self.algorithms {
            let items = algorithms.iter().map(PubKeyCredParam::to_value).collect();
            entries.push((ALGORITHMS, Value::Array(items)));
        }
        if let Some(formats) = &self.attestation_formats {
            entries.push((ATTESTATION_FORMATS, wire::text_array_value(formats)));
        }
        int_map(entries)
    }

    /// The response CBOR (canonical, without the status byte): the bytes hybrid phones put in
    /// key 1 of the post-handshake message.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// Decodes a response body that must be canonical CBOR.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode_with(bytes, Strictness::Canonical)
    }

    /// Decodes a response body with the given CBOR strictness; unknown keys are ignored.
    pub fn decode_with(bytes: &[u8], strictness: Strictness) -> Result<Self, WireError> {
        use key::*;
        let map = wire::decode_map(bytes, strictness, RESPONSE)?;
        let get = |k| cbor::map_get(&map, k);
        let uint = |k, name| wire::optional(get(k), &at(k, name), wire::unsigned);
        let algorithms = |value: &Value, field: &str| -> Result<Vec<PubKeyCredParam>, WireError> {
            wire::array(value, field)?
                .iter()
                .enumerate()
                .map(|(i, v)| PubKeyCredParam::from_value(v, &format!("{field}[{i}]")))
                .collect()
        };
        Ok(Self {
            versions: wire::text_array(
                wire::required(get(VERSIONS), &at(VERSIONS, "versions"))?,
                &at(VERSIONS, "versions"),
            )?,
            extensions: wire::optional(
                get(EXTENSIONS),
                &at(EXTENSIONS, "extensions"),
                wire::text_array,
            )?,
            aaguid: wire::fixed_bytes::<16>(
                wire::required(get(AAGUID), &at(AAGUID, "aaguid"))?,
                &at(AAGUID, "aaguid"),
            )?,
            options: wire::optional(get(OPTIONS), &at(OPTIONS, "options"), options_map)?,
            max_msg_size: uint(MAX_MSG_SIZE, "maxMsgSize")?,
            pin_uv_auth_protocols: wire::optional(
                get(PIN_UV_AUTH_PROTOCOLS),
                &at(PIN_UV_AUTH_PROTOCOLS, "pinUvAuthProtocols"),
                unsigned_array,
            )?,
            max_credential_count_in_list: uint(
                MAX_CREDENTIAL_COUNT_IN_LIST,
                "maxCredentialCountInList",
            )?,
            max_credential_id_length: uint(MAX_CREDENTIAL_ID_LENGTH, "maxCredentialIdLength")?,
            transports: wire::optional(
                get(TRANSPORTS),
                &at(TRANSPORTS, "transports"),
                wire::text_array,
            )?,
            algorithms: wire::optional(get(ALGORITHMS), &at(ALGORITHMS, "algorithms"), algorithms)?,
            firmware_version: uint(FIRMWARE_VERSION, "firmwareVersion")?,
            remaining_discoverable_credentials: uint(
                REMAINING_DISCOVERABLE_CREDENTIALS,
                "remainingDiscoverableCredentials",
            )?,
            attestation_formats: wire::optional(
                get(ATTESTATION_FORMATS),
                &at(ATTESTATION_FORMATS, "attestationFormats"),
                wire::text_array,
            )?,
        })
    }

    /// Whether the option `name` is present and true.
    pub fn option(&self, name: &str) -> bool {
        self.options
            .as_ref()
            .and_then(|o| o.get(name))
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests;
