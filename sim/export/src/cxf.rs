//! The FIDO Credential Exchange Format (CXF 1.0, Proposed Standard 2025-08-14, errata
//! 2026-03-09): the JSON document a credential provider exports and another imports
//! (passkeys, TOTP secrets, passwords, notes and more, grouped in accounts and items).
//!
//! The types are `credential-exchange-format` (Bitwarden's crate, written from the spec);
//! this module bounds what is read, names the JSON path of the first field that does not fit
//! (`accounts[0].items[2].credentials[0].credentialId: …`), checks the version, and lists a
//! document for `hybridsim migrate decode`. Credential types the crate does not know are kept
//! as [`Credential::Unknown`] with all their members, so nothing is lost in a round trip.
//!
//! The spec's counter rule lives with the importers and exporters in `hybridsim-apps`:
//! passkeys with a non-zero signature counter are not exported, and importers set the counter
//! to 0 and never increment it.

pub use credential_exchange_format::{
    Account, B64Url, Credential, Fido2Extensions, Fido2HmacCredentialAlgorithm,
    Fido2HmacCredentials, Header, Item, OTPHashAlgorithm, PasskeyCredential, TotpCredential,
    Version,
};
use serde_json::{json, Value};

/// The largest document read (a real export of thousands of items is a few MiB).
pub const MAX_CXF_BYTES: usize = 16 << 20;

/// The major version this reader understands.
pub const MAJOR: u8 = 1;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CxfError {
    /// Larger than [`MAX_CXF_BYTES`].
    #[error("the CXF document is {size} bytes, more than the {MAX_CXF_BYTES} read")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not JSON, or a field of the wrong shape; `path` is the JSON path of the field.
    #[error("CXF {path}: {reason}")]
    Field {
        /// Where, as `accounts[0].items[1].credentials[0].key` (`.` for the document).
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// A major version other than 1.
    #[error("CXF version.major is {found}: this reader understands {MAJOR}.x")]
    Version {
        /// The major version in the document.
        found: u8,
    },
}

/// Reads a CXF document (the decrypted payload of a CXP export, or a file).
pub fn decode(bytes: &[u8]) -> Result<Header, CxfError> {
    if bytes.len() > MAX_CXF_BYTES {
        return Err(CxfError::TooLarge { size: bytes.len() });
    }
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let header: Header =
        serde_path_to_error::deserialize(&mut reader).map_err(|e| CxfError::Field {
            path: e.path().to_string(),
            reason: e.inner().to_string(),
        })?;
    reader.end().map_err(|e| CxfError::Field {
        path: ".".to_owned(),
        reason: e.to_string(),
    })?;
    if header.version.major != MAJOR {
        return Err(CxfError::Version {
            found: header.version.major,
        });
    }
    check_known_types(&header)?;
    Ok(header)
}

/// The credential types CXF 1.0 defines.
pub const KNOWN_TYPES: [&str; 17] = [
    "address",
    "api-key",
    "basic-auth",
    "credit-card",
    "custom-fields",
    "drivers-license",
    "file",
    "generated-password",
    "identity-document",
    "item-reference",
    "note",
    "passkey",
    "passport",
    "person-name",
    "ssh-key",
    "totp",
    "wifi",
];

/// The crate reads a credential of a known type whose members do not fit as an unknown one
/// (its catch-all variant is untagged), which would let a damaged passkey pass as "kept".
/// Such a credential is refused here, naming the member for passkeys and TOTP (the types
/// imported) and the credential for the others.
fn check_known_types(header: &Header) -> Result<(), CxfError> {
    for (a, account) in header.accounts.iter().enumerate() {
        for (i, item) in account.items.iter().enumerate() {
            for (c, credential) in item.credentials.iter().enumerate() {
                let Credential::Unknown { ty, content } = credential else {
                    continue;
                };
                if !KNOWN_TYPES.contains(&ty.as_str()) {
                    continue;
                }
                let at = format!("accounts[{a}].items[{i}].credentials[{c}]");
                let value = Value::Object(content.clone());
                let found = match ty.as_str() {
                    "passkey" => {
                        serde_path_to_error::deserialize::<_, PasskeyCredential>(value).map(drop)
                    }
                    "totp" => {
                        serde_path_to_error::deserialize::<_, TotpCredential>(value).map(drop)
                    }
                    _ => {
                        return Err(CxfError::Field {
                            path: at,
                            reason: format!("does not match the CXF {ty} credential"),
                        })
                    }
                };
                if let Err(e) = found {
                    return Err(CxfError::Field {
                        path: format!("{at}.{}", e.path()),
                        reason: e.inner().to_string(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Writes a document as JSON (pretty-printed, as files people read are).
pub fn encode(header: &Header) -> String {
    serde_json::to_string_pretty(header).unwrap_or_default()
}

/// Whether `bytes` look like a CXF document (a JSON object with `exporterRpId` and
/// `accounts`); detection by content, never by file name.
pub fn looks_like(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes).is_ok_and(|v| {
        v.get("exporterRpId").is_some() && v.get("accounts").is_some_and(Value::is_array)
    })
}

/// The `type` name of a credential (`passkey`, `totp`, or an unknown type's own name).
pub fn type_name(credential: &Credential) -> String {
    match credential {
        Credential::Unknown { ty, .. } => ty.clone(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "?".to_owned()),
    }
}

/// One credential of a document, where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// `accounts[a].items[i].credentials[c]`.
    pub path: String,
    /// The item's title.
    pub title: String,
    /// The credential's type name.
    pub kind: String,
    /// A short description: `rpId (username)` for passkeys, `issuer (username)` for TOTP.
    pub what: String,
}

/// Every credential of `header`, in document order.
pub fn list(header: &Header) -> Vec<Listed> {
    let mut out = Vec::new();
    for (a, account) in header.accounts.iter().enumerate() {
        for (i, item) in account.items.iter().enumerate() {
            for (c, credential) in item.credentials.iter().enumerate() {
                let what = match credential {
                    Credential::Passkey(p) => format!("{} ({})", p.rp_id, p.username),
                    Credential::Totp(t) => format!(
                        "{} ({})",
                        t.issuer.clone().unwrap_or_default(),
                        t.username.clone().unwrap_or_default()
                    ),
                    _ => item.title.clone(),
                };
                out.push(Listed {
                    path: format!("accounts[{a}].items[{i}].credentials[{c}]"),
                    title: item.title.clone(),
                    kind: type_name(credential),
                    what,
                });
            }
        }
    }
    out
}

/// The listing of `migrate decode` as JSON.
pub fn listing_json(header: &Header) -> Value {
    let credentials: Vec<Value> = list(header)
        .into_iter()
        .map(|l| json!({"path": l.path, "title": l.title, "type": l.kind, "what": l.what}))
        .collect();
    json!({
        "format": "cxf",
        "version": format!("{}.{}", header.version.major, header.version.minor),
        "exporter": header.exporter_rp_id,
        "exporterDisplayName": header.exporter_display_name,
        "timestamp": header.timestamp,
        "accounts": header.accounts.len(),
        "credentials": credentials,
    })
}

/// The listing of `migrate decode` as lines.
pub fn listing_lines(header: &Header) -> Vec<String> {
    let mut lines = vec![format!(
        "CXF {}.{} from {} ({}), {} account(s)",
        header.version.major,
        header.version.minor,
        header.exporter_display_name,
        header.exporter_rp_id,
        header.accounts.len()
    )];
    for l in list(header) {
        lines.push(format!("  {:<12} {}  [{}]", l.kind, l.what, l.path));
    }
    lines
}

#[cfg(test)]
mod tests;
