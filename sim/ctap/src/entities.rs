//! The WebAuthn structures CTAP carries as text-keyed CBOR maps (CTAP 2.2 §6.1 and §6.2
//! parameter types; WebAuthn L3 §5.4 and §5.8): RP and user entities, credential parameters
//! and credential descriptors.
//!
//! Members a decoder does not know (such as the deprecated `icon`) are ignored.

use crate::wire::{self, text_map, WireError};
use hybridsim_proto::cbor::{self, Value};

/// The only credential type WebAuthn defines.
pub const PUBLIC_KEY: &str = "public-key";

/// `PublicKeyCredentialRpEntity`: `{"id": text, "name"?: text}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpEntity {
    /// The RP ID.
    pub id: String,
    /// Human-palatable RP name.
    pub name: Option<String>,
}

/// `PublicKeyCredentialUserEntity`: `{"id": bytes, "name"?: text, "displayName"?: text}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntity {
    /// The user handle (at most 64 bytes by WebAuthn; not enforced here).
    pub id: Vec<u8>,
    /// Account name, e.g. "alex@example.com".
    pub name: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// `PublicKeyCredentialParameters`: `{"alg": int, "type": text}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubKeyCredParam {
    /// COSE algorithm identifier.
    pub alg: i64,
    /// Credential type, normally "public-key".
    pub cred_type: String,
}

/// `PublicKeyCredentialDescriptor`: `{"id": bytes, "type": text, "transports"?: [text]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDescriptor {
    /// Credential type, normally "public-key".
    pub cred_type: String,
    /// Credential ID.
    pub id: Vec<u8>,
    /// Transport hints.
    pub transports: Option<Vec<String>>,
}

impl RpEntity {
    /// The CBOR map.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![("id", Value::Text(self.id.clone()))];
        if let Some(name) = &self.name {
            entries.push(("name", Value::Text(name.clone())));
        }
        text_map(entries)
    }

    /// Reads the map at `field`.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = wire::map(value, field)?;
        let at = |member: &str| format!("{field}.{member}");
        Ok(Self {
            id: wire::text(
                wire::required(cbor::map_get_text(map, "id"), &at("id"))?,
                &at("id"),
            )?,
            name: wire::optional(cbor::map_get_text(map, "name"), &at("name"), wire::text)?,
        })
    }
}

impl UserEntity {
    /// The CBOR map (absent members are omitted).
    pub fn to_value(&self) -> Value {
        let mut entries = vec![("id", Value::Bytes(self.id.clone()))];
        if let Some(name) = &self.name {
            entries.push(("name", Value::Text(name.clone())));
        }
        if let Some(display_name) = &self.display_name {
            entries.push(("displayName", Value::Text(display_name.clone())));
        }
        text_map(entries)
    }

    /// Reads the map at `field`.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = wire::map(value, field)?;
        let at = |member: &str| format!("{field}.{member}");
        Ok(Self {
            id: wire::bytes(
                wire::required(cbor::map_get_text(map, "id"), &at("id"))?,
                &at("id"),
            )?,
            name: wire::optional(cbor::map_get_text(map, "name"), &at("name"), wire::text)?,
            display_name: wire::optional(
                cbor::map_get_text(map, "displayName"),
                &at("displayName"),
                wire::text,
            )?,
        })
    }
}

impl PubKeyCredParam {
    /// A "public-key" parameter for `alg`.
    pub fn public_key(alg: i64) -> Self {
        Self {
            alg,
            cred_type: PUBLIC_KEY.to_owned(),
        }
    }

    /// The CBOR map.
    pub fn to_value(&self) -> Value {
        text_map([
            ("alg", Value::from(self.alg)),
            ("type", Value::Text(self.cred_type.clone())),
        ])
    }

    /// Reads the map at `field`. Both members are required whatever the type (CTAP 2.1 §6.1.2
    /// step 3.1.1 asks for "an error, for example CTAP2_ERR_INVALID_CBOR"; this reports
    /// `CTAP2_ERR_MISSING_PARAMETER`, the code for absent members everywhere else).
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = wire::map(value, field)?;
        let at = |member: &str| format!("{field}.{member}");
        Ok(Self {
            alg: wire::integer(
                wire::required(cbor::map_get_text(map, "alg"), &at("alg"))?,
                &at("alg"),
            )?,
            cred_type: wire::text(
                wire::required(cbor::map_get_text(map, "type"), &at("type"))?,
                &at("type"),
            )?,
        })
    }
}

impl CredentialDescriptor {
    /// A "public-key" descriptor without transports.
    pub fn public_key(id: Vec<u8>) -> Self {
        Self {
            cred_type: PUBLIC_KEY.to_owned(),
            id,
            transports: None,
        }
    }

    /// The CBOR map.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![
            ("id", Value::Bytes(self.id.clone())),
            ("type", Value::Text(self.cred_type.clone())),
        ];
        if let Some(transports) = &self.transports {
            entries.push(("transports", wire::text_array_value(transports)));
        }
        text_map(entries)
    }

    /// Reads the map at `field`.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = wire::map(value, field)?;
        let at = |member: &str| format!("{field}.{member}");
        Ok(Self {
            cred_type: wire::text(
                wire::required(cbor::map_get_text(map, "type"), &at("type"))?,
                &at("type"),
            )?,
            id: wire::bytes(
                wire::required(cbor::map_get_text(map, "id"), &at("id"))?,
                &at("id"),
            )?,
            transports: wire::optional(
                cbor::map_get_text(map, "transports"),
                &at("transports"),
                wire::text_array,
            )?,
        })
    }

    /// Reads an array of descriptors at `field`.
    pub fn list_from_value(value: &Value, field: &str) -> Result<Vec<Self>, WireError> {
        wire::array(value, field)?
            .iter()
            .enumerate()
            .map(|(i, item)| Self::from_value(item, &format!("{field}[{i}]")))
            .collect()
    }

    /// An array value of descriptors.
    pub fn list_to_value(list: &[Self]) -> Value {
        Value::Array(list.iter().map(Self::to_value).collect())
    }
}
