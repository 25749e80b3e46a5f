//! `CollectedClientData` and its JSON bytes, `clientDataJSON` (WebAuthn L3 §5.8.1).
//!
//! A browser writes `clientDataJSON` with a fixed prefix so that relying parties could match it
//! without a JSON parser (§5.8.1.1, "limited verification algorithm"):
//!
//! ```text
//! {"type":…,"challenge":…,"origin":…,"crossOrigin":false[,"topOrigin":…][,other members]}
//! ```
//!
//! The four leading strings use `CCDToString` (§5.8.1.2): `"` and `\` escaped with a backslash,
//! other code points below U+0020 as `\u` and four lower-case hex digits, everything else as
//! UTF-8. Members after those are serialised as `JSON.stringify` would. [`CollectedClientData::to_json`]
//! produces exactly those bytes.
//!
//! [`CollectedClientData::parse`] is the relying party's side: a full JSON parse (no prefix
//! matching, no assumption about member order or whitespace), refusing duplicate members, and
//! checking the type of each member it knows.

use crate::b64;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// `CollectedClientData.type` for a registration.
pub const TYPE_CREATE: &str = "webauthn.create";
/// `CollectedClientData.type` for an authentication.
pub const TYPE_GET: &str = "webauthn.get";

/// The client data a browser collects for one ceremony (WebAuthn L3 §5.8.1).
#[derive(Debug, Clone, PartialEq)]
pub struct CollectedClientData {
    /// `type`: [`TYPE_CREATE`] or [`TYPE_GET`] (kept as received when parsed).
    pub type_: String,
    /// `challenge`: the relying party's challenge, base64url without padding as the browser
    /// writes it (kept as received when parsed; [`CollectedClientData::parse`] checks it decodes).
    pub challenge: String,
    /// `origin`: the caller's origin, serialised (`https://login.example`).
    pub origin: String,
    /// `crossOrigin`: whether the caller was a cross-origin iframe. `None` when the member was
    /// absent (older clients); written as `false`.
    pub cross_origin: Option<bool>,
    /// `topOrigin`: the top-level origin, present only for cross-origin calls.
    pub top_origin: Option<String>,
    /// Every other member, in order (`tokenBinding`, Chrome's
    /// `other_keys_can_be_added_here`, …).
    pub extra: Vec<(String, Value)>,
}

/// Why `clientDataJSON` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientDataError {
    /// The bytes are not one JSON value (or not UTF-8).
    #[error("clientDataJSON is not JSON: {0}")]
    NotJson(String),
    /// The JSON value is not an object.
    #[error("clientDataJSON is not a JSON object")]
    NotAnObject,
    /// A member name appears twice; JSON parsers disagree on which value wins.
    #[error("clientDataJSON has member {0:?} twice")]
    DuplicateMember(String),
    /// A required member is absent.
    #[error("clientDataJSON has no {0:?} member")]
    MissingMember(&'static str),
    /// A known member has the wrong JSON type.
    #[error("clientDataJSON.{member} is {found}, expected {expected}")]
    MemberType {
        /// The member's name.
        member: &'static str,
        /// The JSON type required.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// `challenge` is not base64url.
    #[error("clientDataJSON.challenge {0:?} is not base64url")]
    ChallengeNotBase64Url(String),
}

impl CollectedClientData {
    /// Client data as a browser builds it: `crossOrigin` false, no `topOrigin`, no extra members.
    pub fn new(type_: &str, challenge: &[u8], origin: &str) -> Self {
        Self {
            type_: type_.to_owned(),
            challenge: b64::encode(challenge),
            origin: origin.to_owned(),
            cross_origin: Some(false),
            top_origin: None,
            extra: Vec::new(),
        }
    }

    /// The `clientDataJSON` bytes, serialised as WebAuthn L3 §5.8.1.1 prescribes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(128);
        out.push_str("{\"type\":");
        ccd_to_string(&mut out, &self.type_);
        out.push_str(",\"challenge\":");
        ccd_to_string(&mut out, &self.challenge);
        out.push_str(",\"origin\":");
        ccd_to_string(&mut out, &self.origin);
        out.push_str(",\"crossOrigin\":");
        out.push_str(if self.cross_origin == Some(true) {
            "true"
        } else {
            "false"
        });
        if let Some(top) = &self.top_origin {
            out.push_str(",\"topOrigin\":");
            ccd_to_string(&mut out, top);
        }
        for (name, value) in &self.extra {
            out.push(',');
            // Serialising a string and a JSON value cannot fail.
            out.push_str(&serde_json::to_string(name).unwrap_or_default());
            out.push(':');
            out.push_str(&serde_json::to_string(value).unwrap_or_default());
        }
        out.push('}');
        out.into_bytes()
    }

    /// Parses `clientDataJSON` as a relying party must: any member order and whitespace, no
    /// duplicate members, `type`, `challenge` and `origin` required strings, `crossOrigin` a
    /// boolean and `topOrigin` a string when present.
    pub fn parse(bytes: &[u8]) -> Result<Self, ClientDataError> {
        let members = serde_json::from_slice::<Members>(bytes).map_err(|e| match e.classify() {
            // The only data error a `Members` read can meet: the value is not an object.
            serde_json::error::Category::Data => ClientDataError::NotAnObject,
            _ => ClientDataError::NotJson(e.to_string()),
        })?;
        if let Some(name) = members.duplicate {
            return Err(ClientDataError::DuplicateMember(name));
        }
        let mut data = Self {
            type_: String::new(),
            challenge: String::new(),
            origin: String::new(),
            cross_origin: None,
            top_origin: None,
            extra: Vec::new(),
        };
        let (mut type_, mut challenge, mut origin) = (None, None, None);
        for (name, value) in members.members {
            match name.as_str() {
                "type" => type_ = Some(string_member("type", value)?),
                "challenge" => challenge = Some(string_member("challenge", value)?),
                "origin" => origin = Some(string_member("origin", value)?),
                "crossOrigin" => match value {
                    Value::Bool(b) => data.cross_origin = Some(b),
                    other => return Err(type_error("crossOrigin", "a boolean", &other)),
                },
                "topOrigin" => data.top_origin = Some(string_member("topOrigin", value)?),
                _ => data.extra.push((name, value)),
            }
        }
        data.type_ = type_.ok_or(ClientDataError::MissingMember("type"))?;
        data.challenge = challenge.ok_or(ClientDataError::MissingMember("challenge"))?;
        data.origin = origin.ok_or(ClientDataError::MissingMember("origin"))?;
        if b64::decode(&data.challenge).is_err() {
            return Err(ClientDataError::ChallengeNotBase64Url(data.challenge));
        }
        Ok(data)
    }

    /// The challenge's bytes; `None` when `challenge` is not base64url.
    pub fn challenge_bytes(&self) -> Option<Vec<u8>> {
        b64::decode(&self.challenge).ok()
    }
}

/// SHA-256 of the `clientDataJSON` bytes: the `clientDataHash` an authenticator signs over.
pub fn client_data_hash(client_data_json: &[u8]) -> [u8; 32] {
    Sha256::digest(client_data_json).into()
}

/// `CCDToString` (WebAuthn L3 §5.8.1.2).
fn ccd_to_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn string_member(member: &'static str, value: Value) -> Result<String, ClientDataError> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(type_error(member, "a string", &other)),
    }
}

fn type_error(member: &'static str, expected: &'static str, found: &Value) -> ClientDataError {
    ClientDataError::MemberType {
        member,
        expected,
        found: json_type_name(found),
    }
}

/// Names a JSON value's type for error messages.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object's members in order, and the first name that appeared twice (if any).
struct Members {
    members: Vec<(String, Value)>,
    duplicate: Option<String>,
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut out = Members {
                    members: Vec::new(),
                    duplicate: None,
                };
                while let Some(name) = map.next_key::<String>()? {
                    let value = map.next_value::<Value>()?;
                    if out.members.iter().any(|(n, _)| *n == name) {
                        out.duplicate.get_or_insert(name);
                    } else {
                        out.members.push((name, value));
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests;
