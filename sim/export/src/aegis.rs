//! Aegis vault files, plain and password-encrypted (docs/migration.md §4.1, Aegis docs/vault.md).
//!
//! Encrypted vaults wrap one random master key per slot: password slots with
//! scrypt → AES-256-GCM; raw and biometric slots hold keys from the Android KeyStore, which a
//! file alone cannot open, so they are skipped with a [`VaultNote`]. The content is
//! AES-256-GCM under the master key, no AAD anywhere. Entry types other than `totp`/`hotp`
//! (steam, motp, yandex) come back as [`Imported::Unsupported`] rather than disappearing.

use crate::secret::{read_secret, SecretRepair};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hybridsim_otp::base32::Base32Error;
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Inputs larger than this are refused unless the options raise it.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Why a vault could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AegisError {
    /// Larger than the configured limit.
    #[error("vault of {size} bytes is larger than the {limit}-byte limit")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// JSON that does not parse or does not fit the schema; `path` is the JSON path
    /// (`db(decrypted)…` inside the encrypted content).
    #[error("{path}: {detail}")]
    Json {
        /// JSON path of the failure.
        path: String,
        /// The parser's message.
        detail: String,
    },
    /// A field with a value the format does not allow.
    #[error("{path}: {detail}")]
    BadValue {
        /// JSON path.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The outer `version` is not 1.
    #[error("version: unsupported vault version {0}")]
    UnsupportedVersion(u64),
    /// The content `version` is outside the accepted range.
    #[error("db.version: unsupported content version {0}")]
    UnsupportedContentVersion(u64),
    /// The vault is encrypted and no password was given.
    #[error("the vault is encrypted; a password is needed")]
    PasswordRequired,
    /// No password slot accepted the password.
    #[error("wrong password: no password slot opened")]
    WrongPassword,
    /// The vault is encrypted but has no password slot (only raw/biometric keys).
    #[error("header.slots: no password slot")]
    NoPasswordSlot,
    /// scrypt parameters beyond the configured cost limit or invalid.
    #[error("{path}: scrypt parameters refused: {detail}")]
    ScryptParams {
        /// JSON path of the slot.
        path: String,
        /// Why.
        detail: String,
    },
    /// A slot opened but the content does not authenticate under its master key.
    #[error("db: content does not authenticate under the master key")]
    ContentAuthentication,
    /// A secret is not Base32.
    #[error("{path}: {source}")]
    Secret {
        /// JSON path of the secret.
        path: String,
        /// The Base32 error.
        source: Base32Error,
    },
}

/// Decoder options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AegisDecodeOptions {
    /// Refuse inputs larger than this.
    pub max_input_bytes: usize,
    /// Refuse password slots whose scrypt memory (128·r·N bytes) exceeds this.
    pub max_scrypt_memory: u64,
    /// Content versions accepted (Aegis writes 1–3).
    pub content_versions: std::ops::RangeInclusive<u64>,
    /// Repair secrets with spaces, lower case or padding (Aegis does); `false` refuses them.
    pub repair_secrets: bool,
}

impl Default for AegisDecodeOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_scrypt_memory: 256 * 1024 * 1024,
            content_versions: 1..=3,
            repair_secrets: true,
        }
    }
}

/// `{nonce, tag}` of an AES-GCM operation, hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CipherParams {
    /// 12-byte nonce, hex.
    pub nonce: String,
    /// 16-byte tag, hex.
    pub tag: String,
}

/// One key slot as in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// 0 raw, 1 password, 2 biometric.
    #[serde(rename = "type")]
    pub slot_type: u8,
    /// Slot UUID.
    pub uuid: String,
    /// Wrapped master key, hex.
    pub key: String,
    /// Key-wrap nonce and tag.
    pub key_params: CipherParams,
    /// scrypt N (password slots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// scrypt r.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<u32>,
    /// scrypt p.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<u32>,
    /// scrypt salt, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Set on slots repaired after Aegis issue #95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repaired: Option<bool>,
    /// A separate backup password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_backup: Option<bool>,
}

/// The `info` object of an entry, raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawInfo {
    /// Base32 secret text as in the file.
    pub secret: String,
    /// `SHA1`, `SHA256`, `SHA512` or `MD5`.
    pub algo: String,
    /// Digit count.
    pub digits: u32,
    /// Period in seconds (totp, steam, motp, yandex).
    #[serde(default)]
    pub period: Option<u32>,
    /// Counter (hotp).
    #[serde(default)]
    pub counter: Option<u64>,
    /// PIN (motp, yandex).
    #[serde(default)]
    pub pin: Option<String>,
}

/// One entry as in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawEntry {
    /// `totp`, `hotp`, `steam`, `motp`, `yandex`.
    #[serde(rename = "type")]
    pub entry_type: String,
    /// Entry UUID.
    pub uuid: String,
    /// The account name.
    pub name: String,
    /// The service.
    pub issuer: String,
    /// Free-text note (content v2+).
    #[serde(default)]
    pub note: Option<String>,
    /// Favourite flag.
    #[serde(default)]
    pub favorite: Option<bool>,
    /// Group UUIDs (content v3).
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    /// Single group name (content v1/v2).
    #[serde(default)]
    pub group: Option<String>,
    /// OTP parameters.
    pub info: RawInfo,
}

/// A group (content v3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Group UUID.
    pub uuid: String,
    /// Display name.
    pub name: String,
}

#[derive(Deserialize)]
struct OuterJson {
    version: u64,
    header: HeaderJson,
    db: Value,
}

#[derive(Deserialize)]
struct HeaderJson {
    slots: Option<Vec<Slot>>,
    params: Option<CipherParams>,
}

#[derive(Deserialize)]
struct ContentJson {
    version: u64,
    entries: Vec<RawEntry>,
    #[serde(default)]
    groups: Option<Vec<Group>>,
}

/// What an entry became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A TOTP/HOTP account, with the repairs its secret needed.
    Account(OtpAccount, Vec<SecretRepair>),
    /// Another type (steam, motp, yandex, …), kept with its type name.
    Unsupported {
        /// The entry's `type`.
        entry_type: String,
    },
}

/// One entry: raw as in the file, and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultEntry {
    /// The entry as in the file.
    pub raw: RawEntry,
    /// The account, or why it is not one.
    pub imported: Imported,
}

/// Something the decoder passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultNote {
    /// A raw (0) or biometric (2) or unknown slot was skipped: its key is not in the file.
    SlotSkipped {
        /// Index in `header.slots`.
        index: usize,
        /// Its type.
        slot_type: u8,
    },
    /// A password slot did not open with this password.
    SlotRefusedPassword {
        /// Index in `header.slots`.
        index: usize,
    },
}

/// A decoded vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vault {
    /// Outer `version` (1).
    pub version: u64,
    /// Content `version` (1–3).
    pub content_version: u64,
    /// The slots of an encrypted vault (empty when plain).
    pub slots: Vec<Slot>,
    /// Index of the slot that opened it.
    pub opened_by: Option<usize>,
    /// Entries in file order.
    pub entries: Vec<VaultEntry>,
    /// Groups (content v3).
    pub groups: Vec<Group>,
    /// Slots passed over.
    pub notes: Vec<VaultNote>,
}

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

fn hex_field<const N: usize>(text: &str, path: &str) -> Result<[u8; N], AegisError> {
    let bytes = hex::decode(text).map_err(|e| AegisError::BadValue {
        path: path.to_owned(),
        detail: format!("not hex: {e}"),
    })?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| AegisError::BadValue {
        path: path.to_owned(),
        detail: format!("{} bytes, expected {N}", bytes.len()),
    })
}

fn gcm_open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    ciphertext: &[u8],
    tag: &[u8; 16],
) -> Option<Vec<u8>> {
    let mut sealed = Vec::with_capacity(ciphertext.len() + 16);
    sealed.extend_from_slice(ciphertext);
    sealed.extend_from_slice(tag);
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), sealed.as_slice())
        .ok()
}

fn gcm_seal(key: &[u8; 32], nonce: &[u8; 12], plaintext: &[u8]) -> (Vec<u8>, [u8; 16]) {
    let mut sealed = Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .unwrap_or_default();
    let tail = sealed.split_off(sealed.len().saturating_sub(16));
    (
        sealed,
        <[u8; 16]>::try_from(tail.as_slice()).unwrap_or_default(),
    )
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
                let params = outer.header.params.ok_or_else(|| AegisError::BadValue {
                    path: "header.params".into(),
                    detail: "an encrypted vault needs nonce and tag".into(),
                })?;
                let password = password.ok_or(AegisError::PasswordRequired)?;
                let (master, index) = open_slots(&slots, password, options, &mut notes)?;
                let nonce = hex_field::<12>(&params.nonce, "header.params.nonce")?;
                let tag = hex_field::<16>(&params.tag, "header.params.tag")?;
                let ciphertext =
                    STANDARD
                        .decode(db.as_bytes())
                        .map_err(|e| AegisError::BadValue {
                            path: "db".into(),
                            detail: format!("not Base64: {e}"),
                        })?;
                let plain = gcm_open(&master, &nonce, &ciphertext, &tag)
                    .ok_or(AegisError::ContentAuthentication)?;
                let content: Value =
                    serde_json::from_slice(&plain).map_err(|e| AegisError::Json {
                        path: "db(decrypted)".into(),
                        detail: e.to_string(),
                    })?;
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

fn open_slots(
    slots: &[Slot],
    password: &[u8],
    options: &AegisDecodeOptions,
    notes: &mut Vec<VaultNote>,
) -> Result<([u8; 32], usize), AegisError> {
    let mut any_password_slot = false;
    for (index, slot) in slots.iter().enumerate() {
        let path = format!("header.slots[{index}]");
        if slot.slot_type != 1 {
            notes.push(VaultNote::SlotSkipped {
                index,
                slot_type: slot.slot_type,
            });
            continue;
        }
        any_password_slot = true;
        let missing = |field: &str| AegisError::BadValue {
            path: format!("{path}.{field}"),
            detail: "missing in a password slot".into(),
        };
        let n = slot.n.ok_or_else(|| missing("n"))?;
        let r = slot.r.ok_or_else(|| missing("r"))?;
        let p = slot.p.ok_or_else(|| missing("p"))?;
        let salt_hex = slot.salt.as_deref().ok_or_else(|| missing("salt"))?;
        let salt = hex::decode(salt_hex).map_err(|e| AegisError::BadValue {
            path: format!("{path}.salt"),
            detail: format!("not hex: {e}"),
        })?;
        let params = scrypt_params(n, r, p, options.max_scrypt_memory).map_err(|detail| {
            AegisError::ScryptParams {
                path: path.clone(),
                detail,
            }
        })?;
        let wrapped = hex_field::<32>(&slot.key, &format!("{path}.key"))?;
        let nonce = hex_field::<12>(&slot.key_params.nonce, &format!("{path}.key_params.nonce"))?;
        let tag = hex_field::<16>(&slot.key_params.tag, &format!("{path}.key_params.tag"))?;
        let mut kek = [0u8; 32];
        scrypt::scrypt(password, &salt, &params, &mut kek).map_err(|e| {
            AegisError::ScryptParams {
                path: path.clone(),
                detail: e.to_string(),
            }
        })?;
        match gcm_open(&kek, &nonce, &wrapped, &tag)
            .and_then(|m| <[u8; 32]>::try_from(m.as_slice()).ok())
        {
            Some(master) => return Ok((master, index)),
            None => notes.push(VaultNote::SlotRefusedPassword { index }),
        }
    }
    Err(if any_password_slot {
        AegisError::WrongPassword
    } else {
        AegisError::NoPasswordSlot
    })
}

fn scrypt_params(n: u64, r: u32, p: u32, max_memory: u64) -> Result<scrypt::Params, String> {
    if n < 2 || !n.is_power_of_two() {
        return Err(format!("N = {n} is not a power of two ≥ 2"));
    }
    let memory = 128u64.saturating_mul(u64::from(r)).saturating_mul(n);
    if memory > max_memory || p > 16 {
        return Err(format!("N = {n}, r = {r}, p = {p} cost more than allowed"));
    }
    scrypt::Params::new(n.trailing_zeros() as u8, r, p, 32).map_err(|e| e.to_string())
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

/// scrypt cost of a new password slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptCost {
    /// log2(N); Aegis uses 15 (N = 32768).
    pub log_n: u8,
    /// r; Aegis uses 8.
    pub r: u32,
    /// p; Aegis uses 1.
    pub p: u32,
}

impl Default for ScryptCost {
    fn default() -> Self {
        Self {
            log_n: 15,
            r: 8,
            p: 1,
        }
    }
}

/// The random values an encrypted vault needs, passed in (sans-IO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AegisRandom {
    /// The vault's master key.
    pub master_key: [u8; 32],
    /// The password slot's UUID bytes (version/variant bits are set on output).
    pub slot_uuid: [u8; 16],
    /// The scrypt salt.
    pub salt: [u8; 32],
    /// Nonce of the master-key wrap.
    pub key_nonce: [u8; 12],
    /// Nonce of the content.
    pub db_nonce: [u8; 12],
    /// Seed the entry UUIDs are derived from.
    pub entry_uuid_seed: [u8; 32],
}

/// Why a vault could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AegisEncodeError {
    /// scrypt refused the parameters.
    #[error("scrypt parameters: {0}")]
    Scrypt(String),
}

fn uuid_text(mut b: [u8; 16]) -> String {
    if let Some(v) = b.get_mut(6) {
        *v = (*v & 0x0f) | 0x40;
    }
    if let Some(v) = b.get_mut(8) {
        *v = (*v & 0x3f) | 0x80;
    }
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

fn entry_uuid(seed: &[u8; 32], index: usize) -> String {
    let digest = Sha256::new()
        .chain_update(seed)
        .chain_update((index as u64).to_be_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    uuid_text(b)
}

/// The content object (version 3) for `accounts`.
pub fn content_json(accounts: &[OtpAccount], entry_uuid_seed: &[u8; 32]) -> Value {
    let entries: Vec<Value> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (entry_type, info) = match a.kind {
                OtpKind::Totp { period } => (
                    "totp",
                    json!({
                        "secret": hybridsim_otp::base32::encode(&a.secret),
                        "algo": a.algorithm.name(),
                        "digits": a.digits,
                        "period": period,
                    }),
                ),
                OtpKind::Hotp { counter } => (
                    "hotp",
                    json!({
                        "secret": hybridsim_otp::base32::encode(&a.secret),
                        "algo": a.algorithm.name(),
                        "digits": a.digits,
                        "counter": counter,
                    }),
                ),
            };
            json!({
                "type": entry_type,
                "uuid": entry_uuid(entry_uuid_seed, i),
                "name": a.name,
                "issuer": a.issuer,
                "note": "",
                "favorite": false,
                "icon": null,
                "icon_mime": null,
                "icon_hash": null,
                "info": info,
                "groups": [],
            })
        })
        .collect();
    json!({"version": 3, "entries": entries, "groups": [], "icons_optimized": true})
}

/// A plain vault (`slots` and `params` null, `db` the content object).
pub fn encode_plain(accounts: &[OtpAccount], entry_uuid_seed: &[u8; 32]) -> String {
    json!({
        "version": 1,
        "header": {"slots": null, "params": null},
        "db": content_json(accounts, entry_uuid_seed),
    })
    .to_string()
}

/// An encrypted vault with one password slot.
pub fn encode_encrypted(
    accounts: &[OtpAccount],
    password: &[u8],
    random: &AegisRandom,
    cost: &ScryptCost,
) -> Result<String, AegisEncodeError> {
    let params = scrypt::Params::new(cost.log_n, cost.r, cost.p, 32)
        .map_err(|e| AegisEncodeError::Scrypt(e.to_string()))?;
    let mut kek = [0u8; 32];
    scrypt::scrypt(password, &random.salt, &params, &mut kek)
        .map_err(|e| AegisEncodeError::Scrypt(e.to_string()))?;
    let n = 1u64
        .checked_shl(u32::from(cost.log_n))
        .ok_or_else(|| AegisEncodeError::Scrypt(format!("log_n {} too large", cost.log_n)))?;
    let (wrapped, key_tag) = gcm_seal(&kek, &random.key_nonce, &random.master_key);
    let content = content_json(accounts, &random.entry_uuid_seed).to_string();
    let (db, db_tag) = gcm_seal(&random.master_key, &random.db_nonce, content.as_bytes());
    Ok(json!({
        "version": 1,
        "header": {
            "slots": [{
                "type": 1,
                "uuid": uuid_text(random.slot_uuid),
                "key": hex::encode(wrapped),
                "key_params": {"nonce": hex::encode(random.key_nonce), "tag": hex::encode(key_tag)},
                "n": n,
                "r": cost.r,
                "p": cost.p,
                "salt": hex::encode(random.salt),
                "repaired": true,
                "is_backup": false,
            }],
            "params": {"nonce": hex::encode(random.db_nonce), "tag": hex::encode(db_tag)},
        },
        "db": STANDARD.encode(db),
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> OtpAccount {
        OtpAccount {
            issuer: "Deno".into(),
            name: "Mason".into(),
            secret: vec![9; 16],
            algorithm: Algorithm::Sha256,
            digits: 7,
            kind: OtpKind::Totp { period: 20 },
        }
    }

    fn random() -> AegisRandom {
        AegisRandom {
            master_key: [1; 32],
            slot_uuid: [2; 16],
            salt: [3; 32],
            key_nonce: [4; 12],
            db_nonce: [5; 12],
            entry_uuid_seed: [6; 32],
        }
    }

    const CHEAP: ScryptCost = ScryptCost {
        log_n: 4,
        r: 8,
        p: 1,
    };

    #[test]
    fn encrypted_round_trip_and_wrong_password() {
        let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
        let vault = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap();
        assert_eq!(vault.opened_by, Some(0));
        assert_eq!(vault.content_version, 3);
        assert_eq!(
            vault.entries[0].imported,
            Imported::Account(account(), vec![])
        );
        assert_eq!(
            decode(
                text.as_bytes(),
                Some(b"nope"),
                &AegisDecodeOptions::default()
            ),
            Err(AegisError::WrongPassword)
        );
        assert_eq!(
            decode(text.as_bytes(), None, &AegisDecodeOptions::default()),
            Err(AegisError::PasswordRequired)
        );
    }

    #[test]
    fn json_errors_carry_the_path() {
        let mut v: Value = serde_json::from_str(&encode_plain(&[account()], &[0; 32])).unwrap();
        v["db"]["entries"][0]["info"]["digits"] = json!("seven");
        let err = decode(
            v.to_string().as_bytes(),
            None,
            &AegisDecodeOptions::default(),
        )
        .unwrap_err();
        let AegisError::Json { path, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "db.entries[0].info.digits");
        v["db"]["entries"][0]["info"]["digits"] = json!(7);
        v["db"]["entries"][0]["info"]["secret"] = json!("AB1");
        let err = decode(
            v.to_string().as_bytes(),
            None,
            &AegisDecodeOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, AegisError::Secret { ref path, .. } if path == "db.entries[0].info.secret"),
            "{err:?}"
        );
    }

    #[test]
    fn expensive_scrypt_is_refused_before_running() {
        let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
        let text = text.replace("\"n\":16", "\"n\":4294967296");
        let err = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap_err();
        assert!(matches!(err, AegisError::ScryptParams { .. }), "{err:?}");
    }

    #[test]
    fn raw_and_biometric_slots_are_skipped_with_a_note() {
        let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        let mut raw = v["header"]["slots"][0].clone();
        raw["type"] = json!(0);
        let mut bio = raw.clone();
        bio["type"] = json!(2);
        let password_slot = v["header"]["slots"][0].clone();
        v["header"]["slots"] = json!([raw, bio, password_slot]);
        let vault = decode(
            v.to_string().as_bytes(),
            Some(b"pw"),
            &AegisDecodeOptions::default(),
        )
        .unwrap();
        assert_eq!(vault.opened_by, Some(2));
        assert_eq!(
            vault.notes,
            [
                VaultNote::SlotSkipped {
                    index: 0,
                    slot_type: 0
                },
                VaultNote::SlotSkipped {
                    index: 1,
                    slot_type: 2
                }
            ]
        );
        v["header"]["slots"] = json!([v["header"]["slots"][0].clone()]);
        assert_eq!(
            decode(
                v.to_string().as_bytes(),
                Some(b"pw"),
                &AegisDecodeOptions::default()
            ),
            Err(AegisError::NoPasswordSlot)
        );
    }

    #[test]
    fn other_entry_types_are_kept_as_unsupported() {
        let mut v: Value = serde_json::from_str(&encode_plain(&[account()], &[0; 32])).unwrap();
        v["db"]["entries"][0]["type"] = json!("motp");
        v["db"]["entries"][0]["info"]["algo"] = json!("MD5");
        let vault = decode(
            v.to_string().as_bytes(),
            None,
            &AegisDecodeOptions::default(),
        )
        .unwrap();
        assert_eq!(
            vault.entries[0].imported,
            Imported::Unsupported {
                entry_type: "motp".into()
            }
        );
    }
}
