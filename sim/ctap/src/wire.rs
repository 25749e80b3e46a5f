//! Reading CTAP parameter and response maps: the error every decoder returns, and typed
//! accessors that name the field they were reading when something is wrong.
//!
//! The status code a decoding failure maps to follows what strict authenticators return
//! (CTAP 2.2 "Authenticator API" and "Message Encoding"):
//!
//! | problem | status |
//! |---|---|
//! | not CBOR, or not canonical CBOR when canonical is required | `CTAP2_ERR_INVALID_CBOR` |
//! | a value of the wrong CBOR type (including a non-map where a map belongs) | `CTAP2_ERR_CBOR_UNEXPECTED_TYPE` |
//! | a required parameter or member is absent | `CTAP2_ERR_MISSING_PARAMETER` |
//!
//! Keys a decoder does not know are ignored, as the spec requires.

use crate::status::{Ctap2Code, StatusCode};
use hybridsim_proto::cbor::{self, CborError, Strictness, Value};
use std::fmt;

/// A message that could not be decoded: what was wrong, where, and the status code it maps to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct WireError {
    /// Where the problem is, e.g. `makeCredential 0x03 user.id` (`message` when it is the
    /// whole message).
    pub field: String,
    /// What is wrong there.
    pub problem: Problem,
}

/// The ways a CTAP message can be malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The bytes are not (canonical) CBOR.
    Cbor(CborError),
    /// A value has the wrong CBOR type, or an integer does not fit the field.
    WrongType {
        /// What the field needs, e.g. "a byte string".
        expected: &'static str,
        /// What was there.
        found: &'static str,
    },
    /// A required field is absent.
    Missing,
    /// A command that takes no parameters (getInfo, selection) came with some.
    UnexpectedPayload {
        /// How many parameter bytes there were.
        len: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cbor(e) => write!(f, "invalid CBOR: {e}"),
            Self::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::Missing => write!(f, "missing"),
            Self::UnexpectedPayload { len } => {
                write!(f, "the command takes no parameters, found {len} byte(s)")
            }
        }
    }
}

impl WireError {
    /// The CTAP status code this failure is reported with.
    pub fn status(&self) -> StatusCode {
        let code = match self.problem {
            Problem::Cbor(_) => Ctap2Code::InvalidCbor,
            Problem::WrongType { .. } => Ctap2Code::CborUnexpectedType,
            Problem::Missing => Ctap2Code::MissingParameter,
            Problem::UnexpectedPayload { .. } => Ctap2Code::InvalidLength,
        };
        code.into()
    }

    /// A missing field.
    pub fn missing(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: Problem::Missing,
        }
    }

    /// A field of the wrong type.
    pub fn wrong_type(field: impl Into<String>, expected: &'static str, found: &Value) -> Self {
        Self {
            field: field.into(),
            problem: Problem::WrongType {
                expected,
                found: cbor::type_name(found),
            },
        }
    }

    fn out_of_range(field: impl Into<String>, expected: &'static str) -> Self {
        Self {
            field: field.into(),
            problem: Problem::WrongType {
                expected,
                found: "an integer out of range",
            },
        }
    }
}

/// Checks that a command without parameters has none (getInfo and selection). CTAP defines no
/// parameters for them; a payload is refused with `CTAP1_ERR_INVALID_LENGTH`, as the Chromium
/// phone refuses a getInfo with a payload (docs/protocol.md §7.5).
pub fn expect_empty(params: &[u8], what: &str) -> Result<(), WireError> {
    if params.is_empty() {
        return Ok(());
    }
    Err(WireError {
        field: what.to_owned(),
        problem: Problem::UnexpectedPayload { len: params.len() },
    })
}

/// Decodes a whole message as one CBOR map.
pub fn decode_map(bytes: &[u8], strictness: Strictness, what: &str) -> Result<Value, WireError> {
    let value = cbor::decode(bytes, strictness).map_err(|e| WireError {
        field: what.to_owned(),
        problem: Problem::Cbor(e),
    })?;
    if !matches!(value, Value::Map(_)) {
        return Err(WireError::wrong_type(what, "a map", &value));
    }
    Ok(value)
}

/// A required value: `Missing` when absent.
pub fn required<'a>(value: Option<&'a Value>, field: &str) -> Result<&'a Value, WireError> {
    value.ok_or_else(|| WireError::missing(field))
}

/// A byte string.
pub fn bytes(value: &Value, field: &str) -> Result<Vec<u8>, WireError> {
    match value {
        Value::Bytes(b) => Ok(b.clone()),
        other => Err(WireError::wrong_type(field, "a byte string", other)),
    }
}

/// A byte string of exactly `N` bytes; another length is reported as a type error naming the
/// length, since CTAP has no better code for it.
pub fn fixed_bytes<const N: usize>(value: &Value, field: &str) -> Result<[u8; N], WireError> {
    let b = bytes(value, field)?;
    b.as_slice()
        .try_into()
        .map_err(|_| WireError::wrong_type(field, fixed_len_name(N), value))
}

fn fixed_len_name(n: usize) -> &'static str {
    match n {
        16 => "a 16-byte byte string",
        32 => "a 32-byte byte string",
        _ => "a byte string of fixed length",
    }
}

/// A text string.
pub fn text(value: &Value, field: &str) -> Result<String, WireError> {
    match value {
        Value::Text(t) => Ok(t.clone()),
        other => Err(WireError::wrong_type(field, "a text string", other)),
    }
}

/// A boolean.
pub fn boolean(value: &Value, field: &str) -> Result<bool, WireError> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(WireError::wrong_type(field, "a boolean", other)),
    }
}

/// An unsigned integer that fits in `u64`.
pub fn unsigned(value: &Value, field: &str) -> Result<u64, WireError> {
    match value {
        Value::Integer(i) => u64::try_from(*i)
            .map_err(|_| WireError::wrong_type(field, "an unsigned integer", value)),
        other => Err(WireError::wrong_type(field, "an unsigned integer", other)),
    }
}

/// An unsigned integer that fits in `u32`.
pub fn unsigned32(value: &Value, field: &str) -> Result<u32, WireError> {
    let n = unsigned(value, field)?;
    u32::try_from(n).map_err(|_| WireError::out_of_range(field, "an unsigned 32-bit integer"))
}

/// An integer that fits in `i64`.
pub fn integer(value: &Value, field: &str) -> Result<i64, WireError> {
    match value {
        Value::Integer(i) => {
            i64::try_from(*i).map_err(|_| WireError::out_of_range(field, "a 64-bit integer"))
        }
        other => Err(WireError::wrong_type(field, "an integer", other)),
    }
}

/// An array.
pub fn array<'a>(value: &'a Value, field: &str) -> Result<&'a [Value], WireError> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(WireError::wrong_type(field, "an array", other)),
    }
}

/// A map, returned as the value itself so `cbor::map_get` / `map_get_text` work on it.
pub fn map<'a>(value: &'a Value, field: &str) -> Result<&'a Value, WireError> {
    match value {
        Value::Map(_) => Ok(value),
        other => Err(WireError::wrong_type(field, "a map", other)),
    }
}

/// An array of text strings.
pub fn text_array(value: &Value, field: &str) -> Result<Vec<String>, WireError> {
    array(value, field)?
        .iter()
        .enumerate()
        .map(|(i, item)| text(item, &format!("{field}[{i}]")))
        .collect()
}

/// An optional field read with `read` when present.
pub fn optional<T>(
    value: Option<&Value>,
    field: &str,
    read: impl FnOnce(&Value, &str) -> Result<T, WireError>,
) -> Result<Option<T>, WireError> {
    value.map(|v| read(v, field)).transpose()
}

/// The options map of makeCredential (key 7) and getAssertion (key 5): text keys, boolean
/// values. Options this crate does not know are ignored whatever their type ("treat any option
/// keys that are not understood as absent", CTAP 2.1 §6.1.2 step 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// "rk": create a discoverable credential (makeCredential only; getAssertion refuses it).
    pub rk: Option<bool>,
    /// "up": test user presence.
    pub up: Option<bool>,
    /// "uv": perform built-in user verification.
    pub uv: Option<bool>,
}

impl Options {
    /// Whether no option is set (the map is then omitted on encoding).
    pub fn is_empty(&self) -> bool {
        self.rk.is_none() && self.up.is_none() && self.uv.is_none()
    }

    /// The CBOR map of the options that are set.
    pub fn to_value(&self) -> Value {
        let entries = [("rk", self.rk), ("up", self.up), ("uv", self.uv)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|b| (k, Value::Bool(b))));
        text_map(entries)
    }

    /// Reads the options map at `field`.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = map(value, field)?;
        let read = |name: &str| {
            optional(
                cbor::map_get_text(map, name),
                &format!("{field}.{name}"),
                boolean,
            )
        };
        Ok(Self {
            rk: read("rk")?,
            up: read("up")?,
            uv: read("uv")?,
        })
    }
}

/// An extensions map (text keys) at `field`, kept as CBOR for the extension processors.
pub fn extensions_map(value: &Value, field: &str) -> Result<Value, WireError> {
    let Value::Map(entries) = map(value, field)? else {
        return Err(WireError::wrong_type(field, "a map", value));
    };
    if let Some((key, _)) = entries.iter().find(|(k, _)| !matches!(k, Value::Text(_))) {
        return Err(WireError::wrong_type(
            format!("{field} key"),
            "a text string",
            key,
        ));
    }
    Ok(value.clone())
}

/// Builds a text-keyed map in the order given (canonical order is applied on encoding).
pub fn text_map<I>(entries: I) -> Value
where
    I: IntoIterator<Item = (&'static str, Value)>,
{
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    )
}

/// A text array value.
pub fn text_array_value(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::Text).collect())
}
