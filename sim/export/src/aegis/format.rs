//! The vault file's types as written: slots, entries, groups, and the decoded [`Vault`].

use crate::secret::SecretRepair;
use hybridsim_otp::OtpAccount;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
pub(super) struct OuterJson {
    pub(super) version: u64,
    pub(super) header: HeaderJson,
    pub(super) db: Value,
}

#[derive(Deserialize)]
pub(super) struct HeaderJson {
    pub(super) slots: Option<Vec<Slot>>,
    pub(super) params: Option<CipherParams>,
}

#[derive(Deserialize)]
pub(super) struct ContentJson {
    pub(super) version: u64,
    pub(super) entries: Vec<RawEntry>,
    #[serde(default)]
    pub(super) groups: Option<Vec<Group>>,
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
