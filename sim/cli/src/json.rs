//! Printing results: one JSON object on stdout for `--json`, readable lines otherwise.

use hybridsim_proto::cbor::Value;
use serde_json::json;

/// Prints a JSON value as one line on stdout.
pub fn print(value: &serde_json::Value) {
    say!("{value}");
}

/// A CBOR value as JSON: integers, text, booleans and null map directly; byte strings become
/// `"h'…'"` (CBOR diagnostic notation), so they cannot be mistaken for text.
pub fn from_cbor(value: &Value) -> serde_json::Value {
    match value {
        Value::Integer(i) => {
            let n = i128::from(*i);
            i64::try_from(n)
                .map(|v| json!(v))
                .or_else(|_| u64::try_from(n).map(|v| json!(v)))
                .unwrap_or_else(|_| json!(n.to_string()))
        }
        Value::Text(t) => json!(t),
        Value::Bool(b) => json!(b),
        Value::Null => serde_json::Value::Null,
        Value::Bytes(b) => json!(format!("h'{}'", hex::encode(b))),
        Value::Float(f) => json!(f),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(from_cbor).collect()),
        Value::Map(entries) => serde_json::Value::Array(
            entries
                .iter()
                .map(|(k, v)| json!([from_cbor(k), from_cbor(v)]))
                .collect(),
        ),
        Value::Tag(tag, inner) => json!({ "tag": tag, "value": from_cbor(inner) }),
        _ => serde_json::Value::Null,
    }
}
