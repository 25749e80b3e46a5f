//! Aegis vault files, plain and password-encrypted (docs/migration.md §4.1, Aegis docs/vault.md).
//!
//! Encrypted vaults wrap one random master key per slot: password slots with
//! scrypt → AES-256-GCM; raw and biometric slots hold keys from the Android KeyStore, which a
//! file alone cannot open, so they are skipped with a [`VaultNote`]. The content is
//! AES-256-GCM under the master key, no AAD anywhere. Entry types other than `totp`/`hotp`
//! (steam, motp, yandex) come back as [`Imported::Unsupported`] rather than disappearing.
//!
//! * `format`: the file's types, raw as written ([`Slot`], [`RawEntry`], [`Vault`], …).
//! * `crypto`: opening password slots (scrypt within a per-file budget) and AES-GCM.
//! * `import`: [`decode`], from bytes to entries and accounts.
//! * `encode`: [`encode_plain`] and [`encode_encrypted`].

mod crypto;
mod encode;
mod format;
mod import;

pub use encode::{
    content_json, encode_encrypted, encode_plain, AegisEncodeError, AegisRandom, ScryptCost,
};
pub use format::{
    CipherParams, Group, Imported, RawEntry, RawInfo, Slot, Vault, VaultEntry, VaultNote,
};
pub use import::decode;

use hybridsim_otp::base32::Base32Error;

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
    /// More slots, or more password slots, than the options allow.
    #[error("header.slots: {found} {kind}, more than the {limit} allowed")]
    TooManySlots {
        /// `slots` or `password slots`.
        kind: &'static str,
        /// How many the vault has.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// Trying this password slot would take the file's scrypt work past the budget.
    #[error("{path}: scrypt work of {work} bytes would pass the file's {limit}-byte budget")]
    ScryptBudget {
        /// JSON path of the slot.
        path: String,
        /// Work of the slots tried so far plus this one (128·N·r·p bytes each).
        work: u64,
        /// [`AegisDecodeOptions::max_scrypt_work`].
        limit: u64,
    },
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

/// Decoder options. The defaults bound the work a hostile file can cause: one scrypt run per
/// password slot, so both the number of slots and their summed cost are capped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AegisDecodeOptions {
    /// Refuse inputs larger than this.
    pub max_input_bytes: usize,
    /// Refuse password slots whose scrypt memory (128·r·N bytes) exceeds this.
    pub max_scrypt_memory: u64,
    /// Refuse a vault with more slots of any type than this ([`DEFAULT_MAX_SLOTS`]).
    pub max_slots: usize,
    /// Refuse a vault with more password slots than this ([`DEFAULT_MAX_PASSWORD_SLOTS`]).
    pub max_password_slots: usize,
    /// Stop before a password slot whose scrypt work (128·N·r·p bytes moved), added to that
    /// of the slots already tried, would exceed this ([`DEFAULT_MAX_SCRYPT_WORK`]).
    pub max_scrypt_work: u64,
    /// Content versions accepted (Aegis writes 1–3).
    pub content_versions: std::ops::RangeInclusive<u64>,
    /// Repair secrets with spaces, lower case or padding (Aegis does); `false` refuses them.
    pub repair_secrets: bool,
}

/// Slots of any type a vault may have. Aegis writes one password slot plus one per
/// biometric unlock and backup password: a handful.
pub const DEFAULT_MAX_SLOTS: usize = 64;

/// Password slots a vault may have: Aegis writes one, or two with a separate backup password.
pub const DEFAULT_MAX_PASSWORD_SLOTS: usize = 4;

/// The scrypt work one file may cost, summed over the password slots tried: 512 MiB, 16 of
/// Aegis' own slots (N = 2^15, r = 8, p = 1: 32 MiB each), about a second of CPU. A slot at
/// the per-slot memory limit with p = 16 (4 GiB, ~9 s) is refused before it runs.
pub const DEFAULT_MAX_SCRYPT_WORK: u64 = 512 * 1024 * 1024;

impl Default for AegisDecodeOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_scrypt_memory: 256 * 1024 * 1024,
            max_slots: DEFAULT_MAX_SLOTS,
            max_password_slots: DEFAULT_MAX_PASSWORD_SLOTS,
            max_scrypt_work: DEFAULT_MAX_SCRYPT_WORK,
            content_versions: 1..=3,
            repair_secrets: true,
        }
    }
}

#[cfg(test)]
mod tests;
