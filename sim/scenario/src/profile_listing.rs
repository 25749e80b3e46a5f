//! The shipped profiles as `hybridsim authenticator profiles` lists them: name, AAGUID,
//! backup and attestation behaviour, and the description on one line; as JSON rows or as
//! aligned lines.

use crate::builtin::PROFILES;
use hybridsim_ctap::profile::format_aaguid;
use hybridsim_ctap::Profile;
use serde_json::{json, Value};

/// One JSON row per shipped profile, in name order; `Err` names a shipped profile that
/// does not load (a build from a broken tree).
pub fn rows() -> Result<Vec<Value>, String> {
    PROFILES
        .iter()
        .map(|(name, text)| {
            let profile = Profile::from_toml_str(text)
                .map_err(|e| format!("built-in profile {name}: {e}"))?;
            let summary = profile.description.split_whitespace().collect::<Vec<_>>();
            Ok(json!({
                "name": name,
                "aaguid": format_aaguid(&profile.aaguid),
                "backup": serde_json::to_value(profile.backup).unwrap_or_default(),
                "attestation": serde_json::to_value(profile.attestation).unwrap_or_default(),
                "description": summary.join(" "),
            }))
        })
        .collect()
}

/// A row as one line: `NAME  AAGUID  backup=… attestation=…`.
pub fn line(row: &Value) -> String {
    let field = |k: &str| row[k].as_str().unwrap_or_default().to_owned();
    format!(
        "{:<32} {}  backup={} attestation={}",
        field("name"),
        field("aaguid"),
        field("backup"),
        field("attestation")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_profile_is_listed_on_one_line() {
        let rows = rows().unwrap();
        assert_eq!(rows.len(), PROFILES.len());
        for row in &rows {
            let text = line(row);
            assert!(!text.contains('\n'));
            assert!(
                text.contains(" backup=") && text.contains(" attestation="),
                "{text}"
            );
            let description = row["description"].as_str().unwrap();
            assert!(!description.contains("  ") && !description.contains('\n'));
        }
    }

    #[test]
    fn a_line_pads_the_name() {
        let row = json!({ "name": "p", "aaguid": "a", "backup": "b", "attestation": "c" });
        assert_eq!(
            line(&row),
            format!("p{}a  backup=b attestation=c", " ".repeat(32))
        );
    }
}
