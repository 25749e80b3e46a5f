//! Typed access to the fields of integer-keyed CBOR maps, with errors that say what was wrong.

use crate::cbor::{self, Value};

/// What is wrong with one field of a CBOR map; the error that carries it names the map and
/// the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    /// A required key is absent.
    #[error("missing")]
    Missing,
    /// The value has another CBOR type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The type required, e.g. "a byte string".
        expected: &'static str,
        /// The type present, from [`cbor::type_name`].
        found: &'static str,
    },
    /// A byte string of the wrong length.
    #[error("{len} bytes; expected {expected}")]
    WrongLength {
        /// Its length.
        len: usize,
        /// The required length.
        expected: usize,
    },
}

/// Key `key` of `map` as a byte string.
pub(crate) fn bytes_field(map: &Value, key: i64) -> Result<&[u8], FieldProblem> {
    match cbor::map_get(map, key) {
        Some(Value::Bytes(b)) => Ok(b),
        Some(other) => Err(wrong_type("a byte string", other)),
        None => Err(FieldProblem::Missing),
    }
}

/// Key `key` of `map` as a byte string of exactly `N` bytes.
pub(crate) fn fixed_bytes_field<const N: usize>(
    map: &Value,
    key: i64,
) -> Result<[u8; N], FieldProblem> {
    let bytes = bytes_field(map, key)?;
    bytes.try_into().map_err(|_| FieldProblem::WrongLength {
        len: bytes.len(),
        expected: N,
    })
}

/// Key `key` of `map` as a text string.
pub(crate) fn text_field(map: &Value, key: i64) -> Result<&str, FieldProblem> {
    match cbor::map_get(map, key) {
        Some(Value::Text(t)) => Ok(t),
        Some(other) => Err(wrong_type("a text string", other)),
        None => Err(FieldProblem::Missing),
    }
}

/// A [`FieldProblem::WrongType`] naming what was found.
pub(crate) fn wrong_type(expected: &'static str, found: &Value) -> FieldProblem {
    FieldProblem::WrongType {
        expected,
        found: cbor::type_name(found),
    }
}
