//! Canonical CTAP2 encoding (CTAP 2.2 §8 "Message Encoding", canonical CBOR rules).

use super::Value;
use std::cmp::Ordering;

/// Encodes `value` with every map (at any depth) sorted into CTAP2 canonical key order.
///
/// Integers and lengths are always minimal (ciborium writes them so); floats are shortened
/// by ciborium too, which CTAP never relies on.
pub fn encode_canonical(value: &Value) -> Vec<u8> {
    let mut sorted = value.clone();
    sort_canonical(&mut sorted);
    encode_as_is(&sorted)
}

/// Encodes `value` keeping map entries in the order they are stored.
///
/// For emitting deliberately non-canonical messages; everything else wants
/// [`encode_canonical`].
pub fn encode_as_is(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and ciborium only fails on I/O errors or on values it
    // cannot represent, which `Value` never holds.
    if ciborium::into_writer(value, &mut out).is_err() {
        out.clear();
    }
    out
}

/// Sorts every map inside `value` into CTAP2 canonical order, in place.
pub fn sort_canonical(value: &mut Value) {
    match value {
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                sort_canonical(k);
                sort_canonical(v);
            }
            let mut keyed: Vec<(Vec<u8>, (Value, Value))> = entries
                .drain(..)
                .map(|(k, v)| (encode_as_is(&k), (k, v)))
                .collect();
            keyed.sort_by(|a, b| canonical_order(&a.0, &b.0));
            entries.extend(keyed.into_iter().map(|(_, kv)| kv));
        }
        Value::Array(items) => items.iter_mut().for_each(sort_canonical),
        Value::Tag(_, inner) => sort_canonical(inner),
        _ => {}
    }
}

/// Orders two encoded map keys as CTAP2 requires: major type first, then encoded length,
/// then the bytes. This differs from RFC 7049's length-first rule (and from ciborium's
/// `CanonicalValue`) when keys of different major types have different lengths.
pub fn canonical_order(a: &[u8], b: &[u8]) -> Ordering {
    let major = |x: &[u8]| x.first().map(|b| b >> 5);
    major(a)
        .cmp(&major(b))
        .then(a.len().cmp(&b.len()))
        .then(a.cmp(b))
}
