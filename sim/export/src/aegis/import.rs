//! [`decode`]: vault bytes to entries, opening the content first when it is encrypted.

use super::crypto::{gcm_open, hex_field, open_slots};
use super::format::{
    CipherParams, ContentJson, Imported, OuterJson, RawEntry, Slot, Vault, VaultEntry, VaultNote,
};
use super::{AegisDecodeOptions, AegisError};
use crate::secret::read_secret;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn json_at<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, AegisError> {
    serde_path_to_error::deserialize(value).map_err(|e| AegisError::Json {
        path: join(prefix, &e.path().to_string()),
        detail: e.inner().to_string(),
    })
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path == ".") {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Decodes a vault file. `password` is needed only for encrypted vaults.
pub fn decode(
    bytes: &[u8],
    password: Option<&[u8]>,
    options: &AegisDecodeOptions,
) -> Result<Vault, AegisError> {
    if bytes.len() > options.max_input_bytes {
        return Err(AegisError::TooLarge {
            size: bytes.len(),
            limit: options.max_input_bytes,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outer: OuterJson =
        serde_path_to_error::deserialize(&mut de).map_err(|e| AegisError::Json {
            path: e.path().to_string(),
            detail: e.inner().to_string(),
        })?;
    de.end().map_err(|e| AegisError::Json {
        path: ".".into(),
        detail: e.to_string(),
    })?;
    if outer.version != 1 {
        return Err(AegisError::UnsupportedVersion(outer.version));
    }
    let mut notes = Vec::new();
    let (content, slots, opened_by, prefix): (Value, Vec<Slot>, Option<usize>, &str) =
        match (outer.header.slots, outer.db) {
            (None, db @ Value::Object(_)) => (db, Vec::new(), None, "db"),
            (None, _) => {
                return Err(AegisError::BadValue {
                    path: "db".into(),
                    detail: "a vault without slots needs a JSON object here".into(),
                })
            }
            (Some(slots), Value::String(db)) => {
                let (content, index) = open_content(
                    &slots,
                    outer.header.params,
                    &db,
                    password,
                    options,
                    &mut notes,
                )?;
                (content, slots, Some(index), "db(decrypted)")
            }
            (Some(_), _) => {
                return Err(AegisError::BadValue {
                    path: "db".into(),
                    detail: "an encrypted vault needs a Base64 string here".into(),
                })
            }
        };
    let content: ContentJson = json_at(content, prefix)?;
    if !options.content_versions.contains(&content.version) {
        return Err(AegisError::UnsupportedContentVersion(content.version));
    }
    let entries = content
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let imported = import_entry(&raw, &format!("{prefix}.entries[{i}]"), options)?;
            Ok(VaultEntry { raw, imported })
        })
        .collect::<Result<Vec<_>, AegisError>>()?;
    Ok(Vault {
        version: outer.version,
        content_version: content.version,
        slots,
        opened_by,
        entries,
        groups: content.groups.unwrap_or_default(),
        notes,
    })
}

/// Opens the encrypted content with the first password slot that unwraps the master key;
/// returns the content JSON and the index of that slot.
fn open_content(
    slots: &[Slot],
    params: Option<CipherParams>,
    db: &str,
    password: Option<&[u8]>,
    options: &AegisDecodeOptions,
    notes: &mut Vec<VaultNote>,
) -> Result<(Value, usize), AegisError> {
    let params = params.ok_or_else(|| AegisError::BadValue {
        path: "header.params".into(),
        detail: "an encrypted vault needs nonce and tag".into(),
    })?;
    let password = password.ok_or(AegisError::PasswordRequired)?;
    let (master, index) = open_slots(slots, password, options, notes)?;
    let nonce = hex_field::<12>(&params.nonce, "header.params.nonce")?;
    let tag = hex_field::<16>(&params.tag, "header.params.tag")?;
    let ciphertext = STANDARD
        .decode(db.as_bytes())
        .map_err(|e| AegisError::BadValue {
            path: "db".into(),
            detail: format!("not Base64: {e}"),
        })?;
    let plain =
        gcm_open(&master, &nonce, &ciphertext, &tag).ok_or(AegisError::ContentAuthentication)?;
    let content = serde_json::from_slice(&plain).map_err(|e| AegisError::Json {
        path: "db(decrypted)".into(),
        detail: e.to_string(),
    })?;
    Ok((content, index))
}

fn import_entry(
    raw: &RawEntry,
    path: &str,
    options: &AegisDecodeOptions,
) -> Result<Imported, AegisError> {
    let bad = |field: &str, detail: String| AegisError::BadValue {
        path: format!("{path}.info.{field}"),
        detail,
    };
    let kind = match raw.entry_type.as_str() {
        "totp" => {
            let period = raw
                .info
                .period
                .ok_or_else(|| bad("period", "missing in a totp entry".into()))?;
            if period == 0 {
                return Err(bad("period", "0 is not a period".into()));
            }
            OtpKind::Totp { period }
        }
        "hotp" => OtpKind::Hotp {
            counter: raw
                .info
                .counter
                .ok_or_else(|| bad("counter", "missing in a hotp entry".into()))?,
        },
        other => {
            return Ok(Imported::Unsupported {
                entry_type: other.to_owned(),
            })
        }
    };
    let algorithm = match raw.info.algo.as_str() {
        "SHA1" => Algorithm::Sha1,
        "SHA256" => Algorithm::Sha256,
        "SHA512" => Algorithm::Sha512,
        other => {
            return Err(bad(
                "algo",
                format!("{other:?} is not SHA1, SHA256 or SHA512"),
            ))
        }
    };
    let digits = u8::try_from(raw.info.digits)
        .ok()
        .filter(|d| (1..=10).contains(d))
        .ok_or_else(|| bad("digits", format!("{} is not 1–10", raw.info.digits)))?;
    let (secret, repairs) =
        read_secret(&raw.info.secret, options.repair_secrets).map_err(|source| {
            AegisError::Secret {
                path: format!("{path}.info.secret"),
                source,
            }
        })?;
    Ok(Imported::Account(
        OtpAccount {
            issuer: raw.issuer.clone(),
            name: raw.name.clone(),
            secret,
            algorithm,
            digits,
            kind,
        },
        repairs,
    ))
}
