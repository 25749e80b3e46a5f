//! CBOR as CTAP2 and hybrid use it (docs/protocol.md §2.2, §7.4, §8; CTAP 2.2 §8 "CTAP2 canonical CBOR").
//!
//! [`Value`] is ciborium's value type. Encoding goes through [`encode_canonical`], which sorts
//! every map into CTAP2 order (major type, then encoded length, then bytes) because ciborium
//! emits maps in insertion order. [`encode_as_is`] keeps the given order, so tests and fault
//! injection can put non-canonical bytes on the wire on purpose.
//!
//! Decoding is our own small reader ([`decode`]) rather than ciborium's: ciborium accepts
//! duplicate keys, non-minimal integers, indefinite lengths and trailing bytes, and its errors do
//! not say where the input went wrong. Every [`CborError`] carries the byte offset.

mod decode;
pub mod diag;
mod encode;

pub use ciborium::Value;
pub use decode::{decode, decode_prefix, CborError, CborErrorKind, Strictness, MAX_DEPTH};
pub use encode::{canonical_order, encode_as_is, encode_canonical, sort_canonical};

/// Builds a CBOR map with integer keys, in the order given.
///
/// Used to write the integer-keyed maps of CTAP and hybrid messages readably; the canonical
/// order is applied when the map is encoded.
pub fn int_map<I>(entries: I) -> Value
where
    I: IntoIterator<Item = (i64, Value)>,
{
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Integer(k.into()), v))
            .collect(),
    )
}

/// Looks up an integer key in a CBOR map; `None` when `map` is not a map or lacks the key.
pub fn map_get(map: &Value, key: i64) -> Option<&Value> {
    let Value::Map(entries) = map else {
        return None;
    };
    entries.iter().find_map(|(k, v)| match k {
        Value::Integer(i) if i128::from(*i) == i128::from(key) => Some(v),
        _ => None,
    })
}

/// Looks up a text key in a CBOR map; `None` when `map` is not a map or lacks the key.
pub fn map_get_text<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    let Value::Map(entries) = map else {
        return None;
    };
    entries.iter().find_map(|(k, v)| match k {
        Value::Text(t) if t == key => Some(v),
        _ => None,
    })
}

/// Names the CBOR type of a value, for error messages ("expected a byte string, found text").
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Integer(_) => "an integer",
        Value::Bytes(_) => "a byte string",
        Value::Float(_) => "a float",
        Value::Text(_) => "a text string",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::Tag(..) => "a tagged value",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        _ => "an unknown CBOR type",
    }
}

#[cfg(test)]
mod tests;
