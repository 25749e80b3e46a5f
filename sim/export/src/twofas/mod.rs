//! 2FAS `.2fas` backups, schema v1–v4, plain and encrypted (docs/migration.md §4.2; bugs M08,
//! M09, M12, M14).
//!
//! 2FAS calls the service (issuer) `name` and keeps the account in `otp.account`: the
//! opposite of Aegis, and the root of M08. Both raw values are kept beside the account.
//! Encrypted files hold `servicesEncrypted` and `reference`, each
//! `base64(ciphertext‖tag):base64(salt):base64(iv)` under PBKDF2-HMAC-SHA256 (10,000
//! iterations) and AES-256-GCM; `reference` is opened first so a wrong password is reported
//! before any service is touched.
//!
//! * `format`: the file's types, raw as written ([`RawService`], [`Backup`], …).
//! * `crypto`: PBKDF2 and the `ciphertext:salt:iv` sealed strings.
//! * `import`: [`decode`], from bytes to services and accounts.
//! * `encode`: [`encode_plain`] and [`encode_encrypted`].

mod crypto;
mod encode;
mod format;
mod import;

pub use encode::{
    encode_encrypted, encode_plain, services_json, TwofasEncodeOptions, TwofasRandom,
};
pub use format::{Backup, Imported, RawOtp, RawService, ServiceEntry, ServiceFinding};
pub use import::decode;

use hybridsim_otp::base32::Base32Error;

/// The plaintext of `reference` (2fas-android `BackupContent.Reference`).
pub const REFERENCE: &str = "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";

/// PBKDF2 iterations 2FAS uses.
pub const ITERATIONS: u32 = 10_000;

/// Inputs larger than this are refused unless the options raise it.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Why a backup could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwofasError {
    /// Larger than the configured limit.
    #[error("backup of {size} bytes is larger than the {limit}-byte limit")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// JSON that does not parse or fit the schema, with its JSON path.
    #[error("{path}: {detail}")]
    Json {
        /// JSON path (`servicesEncrypted(decrypted)…` inside the encrypted part).
        path: String,
        /// The parser's message.
        detail: String,
    },
    /// A value the format does not allow.
    #[error("{path}: {detail}")]
    BadValue {
        /// JSON path.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// `schemaVersion` outside the accepted range (M14).
    #[error("schemaVersion: {0} is not accepted")]
    UnsupportedSchema(u64),
    /// Encrypted, and no password given.
    #[error("the backup is encrypted; a password is needed")]
    PasswordRequired,
    /// `reference` did not decrypt: the password is wrong.
    #[error("wrong password: reference does not decrypt")]
    WrongPassword,
    /// `reference` opened but `servicesEncrypted` did not authenticate.
    #[error("servicesEncrypted: does not authenticate although the password is right")]
    ServicesAuthentication,
    /// A secret is not Base32 (M09 when it has spaces and repair is off).
    #[error("{path}: {source}")]
    Secret {
        /// JSON path.
        path: String,
        /// The Base32 error.
        source: Base32Error,
    },
}

/// Where the account's issuer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerSource {
    /// The service `name` (correct).
    ServiceName,
    /// `otp.issuer`.
    OtpIssuer,
}

/// Where the account name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// `otp.account` (correct), falling back to `otp.label`.
    OtpAccount,
    /// `otp.label`.
    OtpLabel,
    /// The service `name` (the M08 swap).
    ServiceName,
}

/// Decoder options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwofasDecodeOptions {
    /// Refuse larger inputs.
    pub max_input_bytes: usize,
    /// Accepted `schemaVersion`s (2FAS writes 1–4; Aegis refuses above 4; older importers
    /// refused 2 and 4, M14).
    pub schema_versions: std::ops::RangeInclusive<u64>,
    /// Repair secrets with spaces etc. (M09); `false` refuses them.
    pub repair_secrets: bool,
    /// Issuer mapping.
    pub issuer_from: IssuerSource,
    /// Account-name mapping.
    pub name_from: NameSource,
    /// PBKDF2 iterations (the format fixes 10,000; it is not in the file).
    pub iterations: u32,
}

impl Default for TwofasDecodeOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            schema_versions: 1..=4,
            repair_secrets: true,
            issuer_from: IssuerSource::ServiceName,
            name_from: NameSource::OtpAccount,
            iterations: ITERATIONS,
        }
    }
}

#[cfg(test)]
mod tests;
