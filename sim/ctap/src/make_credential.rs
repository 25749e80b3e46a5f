//! authenticatorMakeCredential (0x01): request and response (CTAP 2.2 §6.1
//! "authenticatorMakeCredential").
//!
//! The authenticator's processing is in `authenticator::make_credential`.

use crate::attestation::AttestationObject;
use crate::entities::{CredentialDescriptor, PubKeyCredParam, RpEntity, UserEntity};
use crate::wire::{self, Options, WireError};
use hybridsim_proto::cbor::{self, int_map, Strictness, Value};

/// The command byte.
pub const COMMAND: u8 = 0x01;

const WHAT: &str = "makeCredential";

/// Request parameter keys.
pub mod key {
    /// clientDataHash (bytes, required).
    pub const CLIENT_DATA_HASH: i64 = 0x01;
    /// rp (PublicKeyCredentialRpEntity, required).
    pub const RP: i64 = 0x02;
    /// user (PublicKeyCredentialUserEntity, required).
    pub const USER: i64 = 0x03;
    /// pubKeyCredParams (array, required).
    pub const PUB_KEY_CRED_PARAMS: i64 = 0x04;
    /// excludeList (array of descriptors).
    pub const EXCLUDE_LIST: i64 = 0x05;
    /// extensions (map).
    pub const EXTENSIONS: i64 = 0x06;
    /// options (map).
    pub const OPTIONS: i64 = 0x07;
    /// pinUvAuthParam (bytes).
    pub const PIN_UV_AUTH_PARAM: i64 = 0x08;
    /// pinUvAuthProtocol (unsigned).
    pub const PIN_UV_AUTH_PROTOCOL: i64 = 0x09;
    /// enterpriseAttestation (unsigned).
    pub const ENTERPRISE_ATTESTATION: i64 = 0x0A;
}

/// authenticatorMakeCredential parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MakeCredentialRequest {
    /// 0x01: hash of the serialized client data.
    pub client_data_hash: Vec<u8>,
    /// 0x02: the relying party.
    pub rp: RpEntity,
    /// 0x03: the user account.
    pub user: UserEntity,
    /// 0x04: acceptable credential types and algorithms, most preferred first.
    pub pub_key_cred_params: Vec<PubKeyCredParam>,
    /// 0x05: credentials that must not be created again on this authenticator.
    pub exclude_list: Option<Vec<CredentialDescriptor>>,
    /// 0x06: extension inputs, a map keyed by extension identifier.
    pub extensions: Option<Value>,
    /// 0x07: options "rk", "up", "uv".
    pub options: Options,
    /// 0x08: pinUvAuthParam.
    pub pin_uv_auth_param: Option<Vec<u8>>,
    /// 0x09: PIN/UV auth protocol version.
    pub pin_uv_auth_protocol: Option<u32>,
    /// 0x0A: enterprise attestation level.
    pub enterprise_attestation: Option<u32>,
}

/// authenticatorMakeCredential response.
#[derive(Debug, Clone, PartialEq)]
pub struct MakeCredentialResponse {
    /// 0x01 fmt, 0x02 authData, 0x03 attStmt.
    pub attestation: AttestationObject,
    /// 0x04 epAtt: whether enterprise attestation was returned.
    pub ep_att: Option<bool>,
    /// 0x05 largeBlobKey.
    pub large_blob_key: Option<Vec<u8>>,
    /// 0x06 unsignedExtensionOutputs: extension outputs outside the signed authenticator data
    /// (hybrid phones put "prf" here).
    pub unsigned_extension_outputs: Option<Value>,
}

fn at(key: i64, name: &str) -> String {
    format!("{WHAT} 0x{key:02X} {name}")
}

impl MakeCredentialRequest {
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
        let params_field = at(PUB_KEY_CRED_PARAMS, "pubKeyCredParams");
        let pub_key_cred_params =
            wire::array(req(PUB_KEY_CRED_PARAMS, "pubKeyCredParams")?, &params_field)?
                .iter()
                .enumerate()
                .map(|(i, v)| PubKeyCredParam::from_value(v, &format!("{params_field}[{i}]")))
                .collect::<Result<_, _>>()?;
        Ok(Self {
            client_data_hash: wire::bytes(
                req(CLIENT_DATA_HASH, "clientDataHash")?,
                &at(CLIENT_DATA_HASH, "clientDataHash"),
            )?,
            rp: RpEntity::from_value(req(RP, "rp")?, &at(RP, "rp"))?,
            user: UserEntity::from_value(req(USER, "user")?, &at(USER, "user"))?,
            pub_key_cred_params,
            exclude_list: wire::optional(
                get(EXCLUDE_LIST),
                &at(EXCLUDE_LIST, "excludeList"),
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
            enterprise_attestation: wire::optional(
                get(ENTERPRISE_ATTESTATION),
                &at(ENTERPRISE_ATTESTATION, "enterpriseAttestation"),
                wire::unsigned32,
            )?,
        })
    }

    /// The parameter map (absent fields omitted; an empty options map omitted).
    pub fn to_value(&self) -> Value {
        use key::*;
        let mut entries = vec![
            (
                CLIENT_DATA_HASH,
                Value::Bytes(self.client_data_hash.clone()),
            ),
            (RP, self.rp.to_value()),
            (USER, self.user.to_value()),
            (
                PUB_KEY_CRED_PARAMS,
                Value::Array(
                    self.pub_key_cred_params
                        .iter()
                        .map(PubKeyCredParam::to_value)
                        .collect(),
                ),
            ),
        ];
        if let Some(list) = &self.exclude_list {
            entries.push((EXCLUDE_LIST, CredentialDescriptor::list_to_value(list)));
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
        if let Some(level) = self.enterprise_attestation {
            entries.push((ENTERPRISE_ATTESTATION, Value::from(level)));
        }
        int_map(entries)
    }

    /// The parameters as canonical CBOR (without the command byte).
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }

    /// `0x01 ‖ parameters`, the CTAP request message.
    pub fn to_message(&self) -> Vec<u8> {
        let mut out = vec![COMMAND];
        out.extend(self.encode());
        out
    }
}

impl MakeCredentialResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        let mut entries: Vec<(i64, Value)> = self.attestation.to_ctap_entries().into();
        if let Some(ep_att) = self.ep_att {
            entries.push((4, Value::Bool(ep_att)));
        }
        if let Some(key) = &self.large_blob_key {
            entries.push((5, Value::Bytes(key.clone())));
        }
        if let Some(outputs) = &self.unsigned_extension_outputs {
            entries.push((6, outputs.clone()));
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
        const RESPONSE: &str = "makeCredential response";
        let map = wire::decode_map(bytes, strictness, RESPONSE)?;
        let get = |k| cbor::map_get(&map, k);
        let field = |k: i64, name: &str| format!("{RESPONSE} 0x{k:02X} {name}");
        let fmt = wire::text(wire::required(get(1), &field(1, "fmt"))?, &field(1, "fmt"))?;
        let auth_data = wire::bytes(
            wire::required(get(2), &field(2, "authData"))?,
            &field(2, "authData"),
        )?;
        let att_stmt = wire::map(
            wire::required(get(3), &field(3, "attStmt"))?,
            &field(3, "attStmt"),
        )?
        .clone();
        Ok(Self {
            attestation: AttestationObject {
                fmt,
                auth_data,
                att_stmt,
            },
            ep_att: wire::optional(get(4), &field(4, "epAtt"), wire::boolean)?,
            large_blob_key: wire::optional(get(5), &field(5, "largeBlobKey"), wire::bytes)?,
            unsigned_extension_outputs: wire::optional(
                get(6),
                &field(6, "unsignedExtensionOutputs"),
                wire::extensions_map,
            )?,
        })
    }
}

#[cfg(test)]
mod tests;
