//! authenticatorGetAssertion (0x02): request and response (CTAP 2.2 §6.2
//! "authenticatorGetAssertion").
//!
//! The authenticator's processing is in `authenticator::get_assertion`.

use crate::entities::{CredentialDescriptor, UserEntity};
use crate::wire::{self, Options, WireError};
use hybridsim_proto::cbor::{self, int_map, Strictness, Value};

/// The command byte.
pub const COMMAND: u8 = 0x02;

const WHAT: &str = "getAssertion";
const RESPONSE: &str = "getAssertion response";

/// Request parameter keys.
pub mod key {
    /// rpId (text, required).
    pub const RP_ID: i64 = 0x01;
    /// clientDataHash (bytes, required).
    pub const CLIENT_DATA_HASH: i64 = 0x02;
    /// allowList (array of descriptors).
    pub const ALLOW_LIST: i64 = 0x03;
    /// extensions (map).
    pub const EXTENSIONS: i64 = 0x04;
    /// options (map).
    pub const OPTIONS: i64 = 0x05;
    /// pinUvAuthParam (bytes).
    pub const PIN_UV_AUTH_PARAM: i64 = 0x06;
    /// pinUvAuthProtocol (unsigned).
    pub const PIN_UV_AUTH_PROTOCOL: i64 = 0x07;
}

/// Response keys.
pub mod response_key {
    /// credential (PublicKeyCredentialDescriptor).
    pub const CREDENTIAL: i64 = 0x01;
    /// authData (bytes).
    pub const AUTH_DATA: i64 = 0x02;
    /// signature (bytes).
    pub const SIGNATURE: i64 = 0x03;
    /// user (PublicKeyCredentialUserEntity).
    pub const USER: i64 = 0x04;
    /// numberOfCredentials (unsigned).
    pub const NUMBER_OF_CREDENTIALS: i64 = 0x05;
    /// userSelected (bool).
    pub const USER_SELECTED: i64 = 0x06;
    /// largeBlobKey (bytes).
    pub const LARGE_BLOB_KEY: i64 = 0x07;
    /// unsignedExtensionOutputs (map).
    pub const UNSIGNED_EXTENSION_OUTPUTS: i64 = 0x08;
}

/// authenticatorGetAssertion parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct GetAssertionRequest {
    /// 0x01: the RP ID.
    pub rp_id: String,
    /// 0x02: hash of the serialized client data.
    pub client_data_hash: Vec<u8>,
    /// 0x03: acceptable credentials; absent or empty asks for discoverable credentials.
    pub allow_list: Option<Vec<CredentialDescriptor>>,
    /// 0x04: extension inputs, a map keyed by extension identifier.
    pub extensions: Option<Value>,
    /// 0x05: options "up", "uv" (and "rk", which the authenticator refuses).
    pub options: Options,
    /// 0x06: pinUvAuthParam.
    pub pin_uv_auth_param: Option<Vec<u8>>,
    /// 0x07: PIN/UV auth protocol version.
    pub pin_uv_auth_protocol: Option<u32>,
}

/// authenticatorGetAssertion response.
#[derive(Debug, Clone, PartialEq)]
pub struct GetAssertionResponse {
    /// 0x01: the credential used (optional in CTAP when the allowList had exactly one entry).
    pub credential: Option<CredentialDescriptor>,
    /// 0x02: authenticator data, as signed.
    pub auth_data: Vec<u8>,
    /// 0x03: DER ES256 signature over `authData ‖ clientDataHash`.
    pub signature: Vec<u8>,
    /// 0x04: the user account (discoverable credentials).
    pub user: Option<UserEntity>,
    /// 0x05: how many credentials matched (platform-side account selection).
    pub number_of_credentials: Option<u32>,
    /// 0x06: the user picked this account on the authenticator.
    pub user_selected: Option<bool>,
    /// 0x07: largeBlobKey.
    pub large_blob_key: Option<Vec<u8>>,
    /// 0x08: extension outputs outside the signed authenticator data (hybrid "prf").
    pub unsigned_extension_outputs: Option<Value>,
}

fn at(key: i64, name: &str) -> String {
    format!("{WHAT} 0x{key:02X} {name}")
}

fn response_at(key: i64, name: &str) -> String {
    format!("{RESPONSE} 0x{key:02X} {name}")
}

impl GetAssertionRequest {
    /// Decodes parameters that must be canonical CBOR.
    pub fn decode(params: &[u8]) -> Result<Self, WireError> {
        Self::decode_with(params, Strictness::Canonical)
    }

    /// Decodes parameters with the given CBOR strictness.
    pub fn decode_with(params: &[u8], strictness: Strictness) -> Result<Self, WireError> {
        let map = wire::decode_map(params, strictness, WHAT)?;
        Self::from_value(&map)
    }

    /// Reads the parameter map.
    pub fn from_value(map: &Value) -> Result<Self, WireError> {
        use key::*;
        let get = |k| cbor::map_get(map, k);
        let req = |k, name: &str| wire::required(get(k), &at(k, name));
        Ok(Self {
            rp_id: wire::text(req(RP_ID, "rpId")?, &at(RP_ID, "rpId"))?,
            client_data_hash: wire::bytes(
                req(CLIENT_DATA_HASH, "clientDataHash")?,
                &at(CLIENT_DATA_HASH, "clientDataHash"),
            )?,
            allow_list: wire::optional(
                get(ALLOW_LIST),
                &at(ALLOW_LIST, "allowList"),
                CredentialDescriptor::list_from_value,
            )?,
            extensions: wire::optional(
                get(EXTENSIONS),
                &at(EXTENSIONS, "extensions"),
                wire::extensions_map,
            )?,
            options: wire::optional(get(OPTIONS), &at(OPTIONS, "options"), Options::from_value)?
                .unwrap_or_default(),
            pin_uv_auth_param: wire::optional(
                get(PIN_UV_AUTH_PARAM),
                &at(PIN_UV_AUTH_PARAM, "pinUvAuthParam"),
                wire::bytes,
            )?,
            pin_uv_auth_protocol: wire::optional(
                get(PIN_UV_AUTH_PROTOCOL),
                &at(PIN_UV_AUTH_PROTOCOL, "pinUvAuthProtocol"),
                wire::unsigned32,
            )?,
        })
    }

    /// The parameter map (absent fields omitted; an empty options map omitted).
    pub fn to_value(&self) -> Value {
        use key::*;
        let mut entries = vec![
            (RP_ID, Value::Text(self.rp_id.clone())),
            (
                CLIENT_DATA_HASH,
                Value::Bytes(self.client_data_hash.clone()),
            ),
        ];
        if let Some(list) = &self.allow_list {
            entries.push((ALLOW_LIST, CredentialDescriptor::list_to_value(list)));
        }
        if let Some(extensions) = &self.extensions {
            entries.push((EXTENSIONS, extensions.clone()));
        }
        if !self.options.is_empty() {
            entries.push((OPTIONS, self.options.to_value()));
        }
        if let Some(param) = &self.pin_uv_auth_param {
            entries.push((PIN_UV_AUTH_PARAM, Value::Bytes(param.clone())));
        }
        if let Some(protocol) = self.pin_uv_auth_protocol {
            entries.push((PIN_UV_AUTH_PROTOCOL, Value::from(protocol)));
        }
        int_map(entries)
    }

    /// The parameters as canonical CBOR (without the command byte).
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// `0x02 ‖ parameters`, the CTAP request message.
    pub fn to_message(&self) -> Vec<u8> {
        let mut out = vec![COMMAND];
        out.extend(self.encode());
        out
    }
}

impl GetAssertionResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        use response_key::*;
        let mut entries = Vec::new();
        if let Some(credential) = &self.credential {
            entries.push((CREDENTIAL, credential.to_value()));
        }
        entries.push((AUTH_DATA, Value::Bytes(self.auth_data.clone())));
        entries.push((SIGNATURE, Value::Bytes(self.signature.clone())));
        if let Some(user) = &self.user {
            entries.push((USER, user.to_value()));
        }
        if let Some(n) = self.number_of_credentials {
            entries.push((NUMBER_OF_CREDENTIALS, Value::from(n)));
        }
        if let Some(selected) = self.user_selected {
            entries.push((USER_SELECTED, Value::Bool(selected)));
        }
        if let Some(key) = &self.large_blob_key {
            entries.push((LARGE_BLOB_KEY, Value::Bytes(key.clone())));
        }
        if let Some(outputs) = &self.unsigned_extension_outputs {
            entries.push((UNSIGNED_EXTENSION_OUTPUTS, outputs.clone()));
        }
        int_map(entries)
    }

    /// The response CBOR (canonical, without the status byte).
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// Decodes a response body that must be canonical CBOR.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode_with(bytes, Strictness::Canonical)
    }

    /// Decodes a response body with the given CBOR strictness.
    pub fn decode_with(bytes: &[u8], strictness: Strictness) -> Result<Self, WireError> {
        use response_key::*;
        let map = wire::decode_map(bytes, strictness, RESPONSE)?;
        let get = |k| cbor::map_get(&map, k);
        let req = |k, name: &str| wire::required(get(k), &response_at(k, name));
        Ok(Self {
            credential: wire::optional(
                get(CREDENTIAL),
                &response_at(CREDENTIAL, "credential"),
                CredentialDescriptor::from_value,
            )?,
            auth_data: wire::bytes(
                req(AUTH_DATA, "authData")?,
                &response_at(AUTH_DATA, "authData"),
            )?,
            signature: wire::bytes(
                req(SIGNATURE, "signature")?,
                &response_at(SIGNATURE, "signature"),
            )?,
            user: wire::optional(
                get(USER),
                &response_at(USER, "user"),
                UserEntity::from_value,
            )?,
            number_of_credentials: wire::optional(
                get(NUMBER_OF_CREDENTIALS),
                &response_at(NUMBER_OF_CREDENTIALS, "numberOfCredentials"),
                wire::unsigned32,
            )?,
            user_selected: wire::optional(
                get(USER_SELECTED),
                &response_at(USER_SELECTED, "userSelected"),
                wire::boolean,
            )?,
            large_blob_key: wire::optional(
                get(LARGE_BLOB_KEY),
                &response_at(LARGE_BLOB_KEY, "largeBlobKey"),
                wire::bytes,
            )?,
            unsigned_extension_outputs: wire::optional(
                get(UNSIGNED_EXTENSION_OUTPUTS),
                &response_at(UNSIGNED_EXTENSION_OUTPUTS, "unsignedExtensionOutputs"),
                wire::extensions_map,
            )?,
        })
    }
}

#[cfg(test)]
mod tests;
