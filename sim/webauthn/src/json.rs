//! The WebAuthn Level 3 JSON forms (§5.1.8–5.1.10, §5.4, §5.5): what a relying party sends to
//! a page and what the page sends back.
//!
//! Field names are the spec's camelCase; every byte field is a base64url string ([`Base64Url`]:
//! unpadded out, padding tolerated in). Enumerated values (`userVerification`, `residentKey`,
//! transports, hints, …) stay strings, because clients must ignore values they do not know
//! (§2.1.1). `null` is read as absent, as python `fido2` and py_webauthn may write it.
//!
//! Each form has `from_json`, whose [`JsonError`] names the field that failed
//! (`response.attestationObject: not base64url …`), and `to_json`. The options forms also
//! accept the `{"publicKey": {…}}` wrapper that python `fido2` produces with `dict(options)`,
//! and keep top-level members they do not know in `unknown`, writing them back out.

use crate::b64::Base64Url;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// `PublicKeyCredentialType`: the only credential type there is.
pub const PUBLIC_KEY: &str = "public-key";

/// A JSON form that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Which form was being read (`RegistrationResponseJSON`, …).
    pub form: &'static str,
    /// The path of the field that failed, dotted (`response.clientDataJSON`, `pubKeyCredParams[0].alg`);
    /// empty when the text is not JSON at all.
    pub field: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.form, self.message)
        } else {
            write!(f, "{}.{}: {}", self.form, self.field, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// `PublicKeyCredentialRpEntity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelyingPartyEntity {
    /// `id`: the RP ID; absent means the caller's effective domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: a human-palatable name.
    pub name: String,
}

/// `PublicKeyCredentialUserEntityJSON`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntity {
    /// `id`: the user handle (1–64 bytes).
    pub id: Base64Url,
    /// `name`: e.g. an e-mail address. Absent is read as empty (python `fido2` omits it when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// `displayName`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
}

/// `PublicKeyCredentialParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialParameters {
    /// `type`: `"public-key"`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `alg`: a COSE algorithm identifier (-7 is ES256).
    pub alg: i64,
}

/// `PublicKeyCredentialDescriptorJSON`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialDescriptor {
    /// `id`: the credential id.
    pub id: Base64Url,
    /// `type`: `"public-key"`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `transports`: hints such as `"hybrid"`, `"internal"` or the legacy `"cable"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
}

impl CredentialDescriptor {
    /// A `public-key` descriptor.
    pub fn public_key(id: Vec<u8>, transports: Option<Vec<String>>) -> Self {
        Self {
            id: Base64Url(id),
            type_: PUBLIC_KEY.to_owned(),
            transports,
        }
    }
}

/// `AuthenticatorSelectionCriteria`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelection {
    /// `authenticatorAttachment`: `"platform"` or `"cross-platform"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// `residentKey`: `"discouraged"`, `"preferred"` or `"required"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    /// `requireResidentKey`: the Level 1 form of `residentKey: "required"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_resident_key: Option<bool>,
    /// `userVerification`: `"required"`, `"preferred"` (the default) or `"discouraged"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

/// `PublicKeyCredentialCreationOptionsJSON` (§5.4 / §5.1.8): what `navigator.credentials.create`
/// is called with, in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationOptionsJson {
    /// `rp`.
    pub rp: RelyingPartyEntity,
    /// `user`.
    pub user: UserEntity,
    /// `challenge`.
    pub challenge: Base64Url,
    /// `pubKeyCredParams`, in the RP's order of preference.
    pub pub_key_cred_params: Vec<CredentialParameters>,
    /// `timeout` in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_timeout"
    )]
    pub timeout: Option<u64>,
    /// `excludeCredentials`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub exclude_credentials: Vec<CredentialDescriptor>,
    /// `authenticatorSelection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelection>,
    /// `hints`: `"security-key"`, `"client-device"`, `"hybrid"`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub hints: Vec<String>,
    /// `attestation`: `"none"` (the default), `"indirect"`, `"direct"` or `"enterprise"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// `attestationFormats`, in order of preference.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub attestation_formats: Vec<String>,
    /// `extensions`: client extension inputs, as JSON (see [`crate::client`] for those the
    /// client acts on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, Value>>,
    /// Top-level members this type does not know, as read by
    /// [`from_json`](Self::from_json); [`to_json`](Self::to_json) writes them back.
    #[serde(skip)]
    pub unknown: Map<String, Value>,
}

/// `PublicKeyCredentialRequestOptionsJSON` (§5.5 / §5.1.9): what `navigator.credentials.get` is
/// called with, in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestOptionsJson {
    /// `challenge`.
    pub challenge: Base64Url,
    /// `timeout` in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_timeout"
    )]
    pub timeout: Option<u64>,
    /// `rpId`; absent means the caller's effective domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    /// `allowCredentials`; empty asks for a discoverable credential.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub allow_credentials: Vec<CredentialDescriptor>,
    /// `userVerification`: `"required"`, `"preferred"` (the default) or `"discouraged"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    /// `hints`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub hints: Vec<String>,
    /// `extensions`: client extension inputs, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, Value>>,
    /// Top-level members this type does not know (see [`CreationOptionsJson::unknown`]).
    #[serde(skip)]
    pub unknown: Map<String, Value>,
}

/// `AuthenticatorAttestationResponseJSON` (§5.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResponseJson {
    /// `clientDataJSON`: the exact bytes the authenticator's clientDataHash covers.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: Base64Url,
    /// `authenticatorData`: a copy of the attestation object's `authData`. Level 3 requires it;
    /// older clients (soft-webauthn) omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<Base64Url>,
    /// `transports`: what `getTransports()` returned; may include `"hybrid"` and the legacy
    /// `"cable"`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub transports: Vec<String>,
    /// `publicKey`: the credential public key as SubjectPublicKeyInfo DER, when the client
    /// could convert it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<Base64Url>,
    /// `publicKeyAlgorithm`: the credential key's COSE algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_algorithm: Option<i64>,
    /// `attestationObject`: CBOR `{fmt, attStmt, authData}` with text keys.
    pub attestation_object: Base64Url,
}

/// `RegistrationResponseJSON` (§5.1.10): what the page posts back after `create()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponseJson {
    /// `id`: the credential id, base64url (must match `rawId`).
    pub id: String,
    /// `rawId`: the credential id.
    pub raw_id: Base64Url,
    /// `response`.
    pub response: AttestationResponseJson,
    /// `authenticatorAttachment`: `"platform"` or `"cross-platform"` (hybrid is cross-platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// `clientExtensionResults`, as JSON.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_extension_results: Map<String, Value>,
    /// `type`: `"public-key"`.
    #[serde(rename = "type")]
    pub type_: String,
}

/// `AuthenticatorAssertionResponseJSON` (§5.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionResponseJson {
    /// `clientDataJSON`.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: Base64Url,
    /// `authenticatorData`.
    pub authenticator_data: Base64Url,
    /// `signature`: ES256 signatures are ASN.1 DER.
    pub signature: Base64Url,
    /// `userHandle`: the user id the credential was made for, when the authenticator returned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<Base64Url>,
}

/// `AuthenticationResponseJSON` (§5.1.10): what the page posts back after `get()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResponseJson {
    /// `id`: the credential id, base64url (must match `rawId`).
    pub id: String,
    /// `rawId`: the credential id.
    pub raw_id: Base64Url,
    /// `response`.
    pub response: AssertionResponseJson,
    /// `authenticatorAttachment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// `clientExtensionResults`, as JSON.
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_extension_results: Map<String, Value>,
    /// `type`: `"public-key"`.
    #[serde(rename = "type")]
    pub type_: String,
}

/// The spec's name for [`CreationOptionsJson`].
pub type PublicKeyCredentialCreationOptionsJSON = CreationOptionsJson;
/// The spec's name for [`RequestOptionsJson`].
pub type PublicKeyCredentialRequestOptionsJSON = RequestOptionsJson;
/// The spec's name for [`RegistrationResponseJson`].
pub type RegistrationResponseJSON = RegistrationResponseJson;
/// The spec's name for [`AuthenticationResponseJson`].
pub type AuthenticationResponseJSON = AuthenticationResponseJson;

const CREATION_FIELDS: &[&str] = &[
    "rp",
    "user",
    "challenge",
    "pubKeyCredParams",
    "timeout",
    "excludeCredentials",
    "authenticatorSelection",
    "hints",
    "attestation",
    "attestationFormats",
    "extensions",
];

const REQUEST_FIELDS: &[&str] = &[
    "challenge",
    "timeout",
    "rpId",
    "allowCredentials",
    "userVerification",
    "hints",
    "extensions",
];

impl CreationOptionsJson {
    /// Reads the JSON form (bare, or wrapped as `{"publicKey": {…}}`).
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let form = "PublicKeyCredentialCreationOptionsJSON";
        let value = unwrap_public_key(parse_value(form, text)?);
        let unknown = unknown_members(&value, CREATION_FIELDS);
        let mut options: Self = from_value(form, value)?;
        options.unknown = unknown;
        Ok(options)
    }

    /// The JSON form as a value, unknown members included.
    pub fn to_json_value(&self) -> Value {
        with_unknown(serde_json::to_value(self), &self.unknown)
    }

    /// The JSON text, unknown members included.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }
}

impl RequestOptionsJson {
    /// Reads the JSON form (bare, or wrapped as `{"publicKey": {…}}`).
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let form = "PublicKeyCredentialRequestOptionsJSON";
        let value = unwrap_public_key(parse_value(form, text)?);
        let unknown = unknown_members(&value, REQUEST_FIELDS);
        let mut options: Self = from_value(form, value)?;
        options.unknown = unknown;
        Ok(options)
    }

    /// The JSON form as a value, unknown members included.
    pub fn to_json_value(&self) -> Value {
        with_unknown(serde_json::to_value(self), &self.unknown)
    }

    /// The JSON text, unknown members included.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }
}

impl RegistrationResponseJson {
    /// Reads the JSON form.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let form = "RegistrationResponseJSON";
        from_value(form, parse_value(form, text)?)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }
}

impl AuthenticationResponseJson {
    /// Reads the JSON form.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let form = "AuthenticationResponseJSON";
        from_value(form, parse_value(form, text)?)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }
}

fn parse_value(form: &'static str, text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text).map_err(|e| JsonError {
        form,
        field: String::new(),
        message: format!("not JSON: {e}"),
    })
}

fn from_value<T: DeserializeOwned>(form: &'static str, value: Value) -> Result<T, JsonError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        JsonError {
            form,
            field: if path == "." { String::new() } else { path },
            message: e.into_inner().to_string(),
        }
    })
}

/// python `fido2`'s `dict(CredentialCreationOptions)` is `{"publicKey": {…}}`.
fn unwrap_public_key(value: Value) -> Value {
    match value {
        Value::Object(mut map) if map.len() == 1 && map.contains_key("publicKey") => {
            map.remove("publicKey").unwrap_or(Value::Null)
        }
        other => other,
    }
}

fn unknown_members(value: &Value, known: &[&str]) -> Map<String, Value> {
    match value {
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Map::new(),
    }
}

fn with_unknown(value: Result<Value, serde_json::Error>, unknown: &Map<String, Value>) -> Value {
    match value {
        Ok(Value::Object(mut map)) => {
            for (k, v) in unknown {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
            Value::Object(map)
        }
        Ok(other) => other,
        Err(_) => Value::Null,
    }
}

/// Reads `null` as the type's default (an empty list or map, an empty string).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `timeout` is a WebIDL `unsigned long`: a JSON number, possibly written with a fraction.
fn lenient_timeout<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error as _;
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_u64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Truncation is WebIDL's conversion; the range check keeps the cast exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(f) if f.is_finite() && (0.0..1.8e19).contains(&f) => Ok(Some(f.trunc() as u64)),
        _ => Err(D::Error::custom(format_args!(
            "timeout {number} is not a non-negative number of milliseconds"
        ))),
    }
}

#[cfg(test)]
mod tests;
