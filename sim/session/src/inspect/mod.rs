//! What `hybridsim decode qr|url|advert` show about one piece of a captured session: a QR
//! code's fields ([`qr`]), a tunnel URL's route, ids and checks ([`url`]), an advert's
//! decrypted EID ([`advert`]). Each is one JSON object; as lines, one `name value` line per
//! field ([`field_lines`]) or, for URLs, their own layout.

pub mod advert;
pub mod qr;
pub mod url;

use serde_json::Value;

/// One line per field of a JSON object, the name padded to `width`: strings as they are,
/// `null` as `absent`, anything else as JSON.
pub fn field_lines(fields: &Value, width: usize, absent: &str) -> Vec<String> {
    let Some(map) = fields.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, value)| {
            let shown = match value {
                Value::String(s) => s.clone(),
                Value::Null => absent.to_owned(),
                other => other.to_string(),
            };
            format!("{name:<width$} {shown}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_padded_and_absent_values_named() {
        let fields = json!({ "a": "text", "longer": null, "n": [1, 2] });
        assert_eq!(
            field_lines(&fields, 6, "(none)"),
            ["a      text", "longer (none)", "n      [1,2]"]
        );
        assert!(field_lines(&json!(3), 6, "-").is_empty());
    }
}
