//! CBOR diagnostic notation (RFC 8949 §8), for traces and decoders a person reads.
//!
//! Integer keys can be given names (`1 /clientDataHash/`), since CTAP and hybrid maps are
//! integer-keyed and a bare `1:` tells a reader little.

use super::Value;

/// Names for the integer keys of one map, and of maps nested under named keys.
#[derive(Debug, Clone, Copy)]
pub struct KeyNames {
    /// (key, name) pairs for this map.
    pub keys: &'static [(i64, &'static str)],
}

/// Renders `value` in diagnostic notation, naming the top-level map's integer keys with
/// `names` when given.
pub fn to_diag(value: &Value, names: Option<KeyNames>) -> String {
    let mut out = String::new();
    write(value, names, &mut out);
    out
}

fn write(value: &Value, names: Option<KeyNames>, out: &mut String) {
    match value {
        Value::Integer(i) => out.push_str(&i128::from(*i).to_string()),
        Value::Bytes(b) => {
            out.push_str("h'");
            out.push_str(&hex::encode(b));
            out.push('\'');
        }
        Value::Float(f) => out.push_str(&format!("{f:?}")),
        Value::Text(t) => out.push_str(&format!("{t:?}")),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Tag(tag, inner) => {
            out.push_str(&format!("{tag}("));
            write(inner, None, out);
            out.push(')');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(item, None, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(k, None, out);
                let name = names.and_then(|n| {
                    let key = k.as_integer().map(i128::from)?;
                    n.keys
                        .iter()
                        .find(|(number, _)| i128::from(*number) == key)
                        .map(|(_, name)| *name)
                });
                if let Some(name) = name {
                    out.push_str(&format!(" /{name}/"));
                }
                out.push_str(": ");
                write(v, None, out);
            }
            out.push('}');
        }
        _ => out.push_str("undefined"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{decode, Strictness};

    #[test]
    fn renders_rfc_8949_notation_with_named_keys() {
        // {1: h'0102', 2: ["a", -1, true, null], 3: {"up": false}}
        let bytes = hex::decode("a3014201020284616120f5f603a1627570f4").unwrap();
        let value = decode(&bytes, Strictness::Canonical).unwrap();
        let names = KeyNames {
            keys: &[(1, "clientDataHash"), (3, "options")],
        };
        assert_eq!(
            to_diag(&value, Some(names)),
            r#"{1 /clientDataHash/: h'0102', 2: ["a", -1, true, null], 3 /options/: {"up": false}}"#
        );
    }
}
