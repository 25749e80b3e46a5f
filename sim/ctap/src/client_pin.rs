//! authenticatorClientPIN (0x06), only as far as hmac-secret needs it: the getKeyAgreement
//! subcommand (0x02), which hands the platform the authenticator's key-agreement key (CTAP 2.2
//! §6.5). PINs, pinUvAuthTokens and their other subcommands are not simulated: hybrid phones
//! do user verification themselves and platforms never send PIN requests over hybrid
//! (docs/protocol.md §10 item 3).

use crate::cose::{CoseError, CoseKey, ALG_ECDH_ES_HKDF_256};
use crate::wire::{self, WireError};
use hybridsim_proto::cbor::{self, int_map, Strictness, Value};

/// The command byte.
pub const COMMAND: u8 = 0x06;
/// getPINRetries.
pub const GET_PIN_RETRIES: u32 = 0x01;
/// getKeyAgreement.
pub const GET_KEY_AGREEMENT: u32 = 0x02;

const WHAT: &str = "clientPIN";

/// authenticatorClientPIN parameters (keys 0x01–0x03, 0x04 and 0x09–0x0A are read; newPinEnc
/// and pinHashEnc are ignored because PINs are not simulated).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPinRequest {
    /// 0x01 pinUvAuthProtocol.
    pub pin_uv_auth_protocol: Option<u32>,
    /// 0x02 subCommand.
    pub sub_command: u32,
    /// 0x03 keyAgreement: the platform's key (kept as CBOR).
    pub key_agreement: Option<Value>,
    /// 0x04 pinUvAuthParam.
    pub pin_uv_auth_param: Option<Vec<u8>>,
    /// 0x09 permissions.
    pub permissions: Option<u32>,
    /// 0x0A rpId.
    pub rp_id: Option<String>,
}

/// authenticatorClientPIN response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientPinResponse {
    /// 0x01 keyAgreement (alg -25).
    pub key_agreement: Option<CoseKey>,
    /// 0x02 pinUvAuthToken (encrypted).
    pub pin_uv_auth_token: Option<Vec<u8>>,
    /// 0x03 pinRetries.
    pub pin_retries: Option<u32>,
}

fn at(key: i64, name: &str) -> String {
    format!("{WHAT} 0x{key:02X} {name}")
}

impl ClientPinRequest {
    /// A getKeyAgreement request for `protocol`.
    pub fn get_key_agreement(protocol: u32) -> Self {
        Self {
            pin_uv_auth_protocol: Some(protocol),
            sub_command: GET_KEY_AGREEMENT,
            key_agreement: None,
            pin_uv_auth_param: None,
            permissions: None,
            rp_id: None,
        }
    }

    /// Decodes parameters that must be canonical CBOR.
    pub fn decode(params: &[u8]) -> Result<Self, WireError> {
        Self::decode_with(params, Strictness::Canonical)
    }

    /// Decodes parameters with the given CBOR strictness.
    pub fn decode_with(params: &[u8], strictness: Strictness) -> Result<Self, WireError> {
        let map = wire::decode_map(params, strictness, WHAT)?;
        let get = |k| cbor::map_get(&map, k);
        Ok(Self {
            pin_uv_auth_protocol: wire::optional(
                get(1),
                &at(1, "pinUvAuthProtocol"),
                wire::unsigned32,
            )?,
            sub_command: wire::unsigned32(
                wire::required(get(2), &at(2, "subCommand"))?,
                &at(2, "subCommand"),
            )?,
            key_agreement: wire::optional(get(3), &at(3, "keyAgreement"), |v, f| {
                wire::map(v, f).cloned()
            })?,
            pin_uv_auth_param: wire::optional(get(4), &at(4, "pinUvAuthParam"), wire::bytes)?,
            permissions: wire::optional(get(9), &at(9, "permissions"), wire::unsigned32)?,
            rp_id: wire::optional(get(10), &at(10, "rpId"), wire::text)?,
        })
    }

    /// The parameters as canonical CBOR.
    pub fn encode(&self) -> Vec<u8> {
        let mut entries = Vec::new();
        if let Some(p) = self.pin_uv_auth_protocol {
            entries.push((1, Value::from(p)));
        }
        entries.push((2, Value::from(self.sub_command)));
        if let Some(k) = &self.key_agreement {
            entries.push((3, k.clone()));
        }
        if let Some(p) = &self.pin_uv_auth_param {
            entries.push((4, Value::Bytes(p.clone())));
        }
        if let Some(p) = self.permissions {
            entries.push((9, Value::from(p)));
        }
        if let Some(rp) = &self.rp_id {
            entries.push((10, Value::Text(rp.clone())));
        }
        cbor::encode_canonical(&int_map(entries))
    }
}

/// Why a clientPIN response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientPinResponseError {
    /// The map is malformed.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// keyAgreement is not a valid key.
    #[error("clientPIN response 0x01 keyAgreement: {0}")]
    KeyAgreement(CoseError),
}

impl ClientPinResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        let mut entries = Vec::new();
        if let Some(key) = &self.key_agreement {
            entries.push((1, key.to_value()));
        }
        if let Some(token) = &self.pin_uv_auth_token {
            entries.push((2, Value::Bytes(token.clone())));
        }
        if let Some(retries) = self.pin_retries {
            entries.push((3, Value::from(retries)));
        }
        int_map(entries)
    }

    /// The response CBOR (canonical).
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// Decodes a response body (canonical CBOR).
    pub fn decode(bytes: &[u8]) -> Result<Self, ClientPinResponseError> {
        const RESPONSE: &str = "clientPIN response";
        let map = wire::decode_map(bytes, Strictness::Canonical, RESPONSE)?;
        let key_agreement = cbor::map_get(&map, 1)
            .map(|v| CoseKey::from_value(v, ALG_ECDH_ES_HKDF_256))
            .transpose()
            .map_err(ClientPinResponseError::KeyAgreement)?;
        Ok(Self {
            key_agreement,
            pin_uv_auth_token: wire::optional(
                cbor::map_get(&map, 2),
                "clientPIN response 0x02 pinUvAuthToken",
                wire::bytes,
            )?,
            pin_retries: wire::optional(
                cbor::map_get(&map, 3),
                "clientPIN response 0x03 pinRetries",
                wire::unsigned32,
            )?,
        })
    }
}

#[cfg(test)]
mod tests;
