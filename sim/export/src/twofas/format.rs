//! The backup file's types as written: services and their `otp` objects, and the decoded
//! [`Backup`].

use crate::secret::SecretRepair;
use hybridsim_otp::OtpAccount;
use serde::{Deserialize, Serialize};

/// `otp` object of a service, raw.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawOtp {
    /// otpauth URI (v4).
    #[serde(default)]
    pub link: Option<String>,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Account name.
    #[serde(default)]
    pub account: Option<String>,
    /// Issuer as in the otpauth URI.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Digits (v2+).
    #[serde(default)]
    pub digits: Option<u32>,
    /// Period (v2+, TOTP/STEAM).
    #[serde(default)]
    pub period: Option<u32>,
    /// `SHA1`/`SHA224`/`SHA256`/`SHA384`/`SHA512` (v2+).
    #[serde(default)]
    pub algorithm: Option<String>,
    /// HOTP counter (v3+).
    #[serde(default)]
    pub counter: Option<u64>,
    /// `TOTP`, `HOTP`, `STEAM` (v3+).
    #[serde(default)]
    pub token_type: Option<String>,
    /// E.g. `Link`, `Manual`.
    #[serde(default)]
    pub source: Option<String>,
}

/// One service, raw (fields not used here, such as icons, are not kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawService {
    /// The **service** (issuer) name.
    pub name: String,
    /// Base32 secret text as in the file (spaces seen in the wild, M09).
    pub secret: String,
    /// Last change, ms since the epoch.
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// Brand type (v1/v2, `Unknown` in v1).
    #[serde(default, rename = "type")]
    pub service_type: Option<String>,
    /// OTP parameters.
    #[serde(default)]
    pub otp: RawOtp,
    /// Group id.
    #[serde(default)]
    pub group_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
/// The top level of a backup file as parsed.
pub(super) struct BackupJson {
    pub(super) services: Vec<RawService>,
    pub(super) schema_version: u64,
    #[serde(default)]
    pub(super) updated_at: Option<i64>,
    #[serde(default)]
    pub(super) app_version_code: Option<u64>,
    #[serde(default)]
    pub(super) app_version_name: Option<String>,
    #[serde(default)]
    pub(super) app_origin: Option<String>,
    #[serde(default)]
    pub(super) services_encrypted: Option<String>,
    #[serde(default)]
    pub(super) reference: Option<String>,
}

/// A defaulted or unusual value in one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceFinding {
    /// The secret needed a repair (M09).
    SecretRepaired(SecretRepair),
    /// No `otp.digits` (v1): 6 assumed.
    DigitsDefaulted,
    /// No `otp.period` on a TOTP service: 30 assumed.
    PeriodDefaulted,
    /// No `otp.algorithm`: SHA1 assumed.
    AlgorithmDefaulted,
    /// No `otp.tokenType` (v1/v2): TOTP assumed.
    TokenTypeDefaulted,
    /// HOTP without `otp.counter`: 0 assumed.
    CounterDefaulted,
    /// No `otp.account`: the label was used.
    AccountFromLabel,
    /// `otp.issuer` differs from the service name.
    IssuerDiffers {
        /// `otp.issuer`.
        otp_issuer: String,
    },
}

/// What a service became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A TOTP or HOTP account.
    Account(OtpAccount),
    /// Another token type (STEAM) or algorithm, kept with its reason.
    Unsupported {
        /// `otp.tokenType`, or the algorithm name when that is what is unsupported.
        what: String,
    },
}

/// One decoded service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    /// As in the file.
    pub raw: RawService,
    /// The account, or why not.
    pub imported: Imported,
    /// Defaults and repairs.
    pub findings: Vec<ServiceFinding>,
}

/// A decoded backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// `schemaVersion`.
    pub schema_version: u64,
    /// Top-level `updatedAt`.
    pub updated_at: Option<i64>,
    /// `appVersionCode`.
    pub app_version_code: Option<u64>,
    /// `appVersionName`.
    pub app_version_name: Option<String>,
    /// `appOrigin`.
    pub app_origin: Option<String>,
    /// The file was encrypted.
    pub encrypted: bool,
    /// `reference` decrypted to something other than [`REFERENCE`](super::REFERENCE).
    pub unexpected_reference: bool,
    /// Services in file order.
    pub services: Vec<ServiceEntry>,
}
