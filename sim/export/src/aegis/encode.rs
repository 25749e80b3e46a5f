//! Writing vaults: plain, or encrypted under one password slot (every random value passed in).

use super::crypto::gcm_seal;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hybridsim_otp::{OtpAccount, OtpKind};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

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
