//! `response_error`: why the browser must have no response JSON although a CTAP response
//! arrived, written as text its message contains (the form files have always used), or as the
//! reason's kind and, for an error status, the status by name:
//!
//! ```toml
//! response_error = "map keys not in CTAP2 canonical order"
//! response_error = { kind = "undecodable" }
//! response_error = { kind = "status", status = "CREDENTIAL_EXCLUDED" }
//! ```
//!
//! The kinds are `hybridsim_webauthn::browser::AnswerKind`'s names (`status`, `empty`,
//! `undecodable`, `browser-refused`); a status is a name the CTAP specification gives
//! (`CTAP2_ERR_CREDENTIAL_EXCLUDED`) or that name without its `CTAP1_ERR_` / `CTAP2_ERR_` /
//! `CTAP2_` prefix (`CREDENTIAL_EXCLUDED`). An unknown name is an error when the file loads.

use hybridsim_ctap::status::Ctap2Code;
use hybridsim_ctap::StatusCode;
use hybridsim_proto::echo::shortened;
use hybridsim_webauthn::browser::{AnswerError, AnswerKind};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// What the browser's reason for having no response JSON must be.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ResponseErrorExpect {
    /// Text the reason's message must contain (`"CREDENTIAL_EXCLUDED"`).
    Text(String),
    /// The reason's kind, and for `status` the authenticator's status.
    Typed(TypedResponseError),
}

/// `response_error = { kind = "…", status = "…" }`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypedResponseError {
    /// `status` (an error status), `empty` (no bytes at all), `undecodable` (the body after
    /// `CTAP2_OK` does not decode) or `browser-refused` (it decodes, the browser's checks
    /// refuse it).
    pub kind: KindName,
    /// For `kind = "status"`: which status (`CTAP2_ERR_CREDENTIAL_EXCLUDED` or
    /// `CREDENTIAL_EXCLUDED`); any error status when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusName>,
}

impl ResponseErrorExpect {
    /// Whether `got` is a reason this expects.
    pub fn matches(&self, got: &AnswerError) -> bool {
        match self {
            ResponseErrorExpect::Text(text) => got.to_string().contains(text.as_str()),
            ResponseErrorExpect::Typed(want) => {
                got.kind() == want.kind.0
                    && want
                        .status
                        .is_none_or(|s| got.status() == Some(StatusCode::Known(s.0)))
            }
        }
    }
}

impl fmt::Display for ResponseErrorExpect {
    /// As the file writes it, for failure messages: `"TEXT"`, `{ kind = "status" }` or
    /// `{ kind = "status", status = "CTAP2_ERR_…" }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseErrorExpect::Text(text) => write!(f, "{text:?}"),
            ResponseErrorExpect::Typed(want) => {
                write!(f, "{{ kind = \"{}\"", want.kind.0)?;
                if let Some(status) = want.status {
                    write!(f, ", status = \"{}\"", status.0.name())?;
                }
                f.write_str(" }")
            }
        }
    }
}

impl<'de> Deserialize<'de> for ResponseErrorExpect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ExpectVisitor)
    }
}

struct ExpectVisitor;

impl<'de> Visitor<'de> for ExpectVisitor {
    type Value = ResponseErrorExpect;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text the reason must contain, or a table { kind, status }")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(ResponseErrorExpect::Text(text.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let typed = Fields::deserialize(de::value::MapAccessDeserializer::new(map))?;
        if typed.status.is_some() && typed.kind.0 != AnswerKind::Status {
            return Err(de::Error::custom(format!(
                "a status is only for kind = \"status\", not \"{}\"",
                typed.kind.0
            )));
        }
        Ok(ResponseErrorExpect::Typed(TypedResponseError {
            kind: typed.kind,
            status: typed.status,
        }))
    }
}

/// The table's fields as serde reads them, before the check across them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    kind: KindName,
    status: Option<StatusName>,
}

/// An [`AnswerKind`] written by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindName(pub AnswerKind);

impl Serialize for KindName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl<'de> Deserialize<'de> for KindName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<str>::deserialize(deserializer)?;
        AnswerKind::from_name(&name).map(KindName).ok_or_else(|| {
            let names: Vec<String> = AnswerKind::ALL
                .iter()
                .map(|k| format!("`{}`", k.name()))
                .collect();
            de::Error::custom(format!(
                "unknown kind `{}`, expected one of {}",
                shortened(&name),
                names.join(", ")
            ))
        })
    }
}

impl JsonSchema for KindName {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("KindName")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = AnswerKind::ALL.iter().map(|k| k.name()).collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

/// A status the CTAP specification names, written by its name or its short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusName(pub Ctap2Code);

impl Serialize for StatusName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl<'de> Deserialize<'de> for StatusName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<str>::deserialize(deserializer)?;
        Ctap2Code::from_name(&name).map(StatusName).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown status `{}`, expected a CTAP status name such as \
                 `CTAP2_ERR_CREDENTIAL_EXCLUDED` or `CREDENTIAL_EXCLUDED`",
                shortened(&name)
            ))
        })
    }
}

impl JsonSchema for StatusName {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("StatusName")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Ctap2Code::ALL
            .iter()
            .flat_map(|c| [c.name(), c.short_name()])
            .collect();
        json_schema!({ "type": "string", "enum": names })
    }
}
