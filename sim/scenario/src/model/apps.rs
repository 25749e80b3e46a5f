//! The authenticator-app steps (TOTP enrolment, OTP sign-in, migration, backup and restore)
//! and what they must produce.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An authenticator app on a phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Which app it models.
    pub model: AppModelSpec,
    /// How far the phone's clock is from true time, in seconds (positive: ahead).
    #[serde(default)]
    pub clock_offset_s: i64,
    /// App-stage quirks (`hybridsim migrate quirks`): `app-ignores-otp-parameters`,
    /// `dedupe-on-secret`, `reject-base32-padding`, `keyed-on-issuer-and-name`.
    #[serde(default)]
    pub quirks: Vec<String>,
    /// OTP accounts already in the app, as `otpauth://` URIs (read leniently). Their sites
    /// hold the same parameters.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Personal Microsoft accounts (user names), each with this device's own credential.
    #[serde(default)]
    pub microsoft_personal: Vec<String>,
    /// Push-approval accounts whose key is in the phone's hardware keystore.
    #[serde(default)]
    pub push: Vec<PushSpec>,
    /// Passkeys the phone holds.
    #[serde(default)]
    pub passkeys: Vec<PasskeySpec>,
}

/// The authenticator apps modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AppModelSpec {
    /// Google Authenticator.
    GoogleAuthenticator,
    /// Microsoft Authenticator.
    MicrosoftAuthenticator,
    /// Aegis.
    Aegis,
    /// 2FAS.
    #[serde(rename = "2fas")]
    TwoFas,
}

/// A push-approval (work or school) account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PushSpec {
    /// The organisation (tenant).
    pub tenant: String,
    /// The user name.
    pub user: String,
}

/// A passkey in the app's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeySpec {
    /// The relying party ID.
    pub rp_id: String,
    /// The user name.
    pub user: String,
    /// Synced by its provider (BE=1) rather than device-bound. Without `provider`, a synced
    /// passkey is iCloud Keychain's and a device-bound one Microsoft Authenticator's.
    #[serde(default)]
    pub synced: bool,
    /// The provider holding it: `icloud-keychain`, `google-password-manager`,
    /// `microsoft-authenticator-ios`, `microsoft-authenticator-android`, `bitwarden`,
    /// `1password` or `keepassxc`; its flags win over `synced`.
    pub provider: Option<String>,
    /// user.displayName (default: none).
    pub display_name: Option<String>,
    /// The signature counter it has reached (providers that count; CXF leaves such passkeys
    /// behind).
    #[serde(default)]
    pub sign_count: u32,
}

/// A TOTP/HOTP enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolTotpStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app.
    pub app: String,
    /// The site (the issuer it writes).
    pub site: String,
    /// The user's account name at the site.
    pub user: String,
    /// `SHA1`, `SHA256` or `SHA512`.
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    /// Code length.
    #[serde(default = "default_digits")]
    pub digits: u8,
    /// TOTP period in seconds (ignored with `counter`).
    #[serde(default = "default_period")]
    pub period: u32,
    /// HOTP with this first counter instead of TOTP.
    pub counter: Option<u64>,
    /// Secret length in bytes.
    #[serde(default = "default_secret_bytes")]
    pub secret_bytes: usize,
    /// Where the issuer goes in the URI: `both` (the wiki's advice), `label`, `parameter`.
    #[serde(default)]
    pub issuer_in: IssuerInSpec,
    /// Write the secret with `=` padding.
    #[serde(default)]
    pub padded_secret: bool,
    /// Write the secret in lower case.
    #[serde(default)]
    pub lowercase_secret: bool,
    /// What must come out of it.
    pub expect: EnrolExpect,
}

fn default_algorithm() -> String {
    "SHA1".to_owned()
}

fn default_digits() -> u8 {
    6
}

fn default_period() -> u32 {
    30
}

fn default_secret_bytes() -> usize {
    20
}

/// Where an enrolment URI names the issuer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerInSpec {
    /// Label prefix and parameter.
    #[default]
    Both,
    /// Label prefix only.
    Label,
    /// Parameter only.
    Parameter,
}

/// What an enrolment must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolExpect {
    /// `enrolled` (the app stored it and the site accepted the first code),
    /// `confirm-failed` (stored, but the site refused the first code), `refused` (the app
    /// or its camera would not take the QR code).
    pub outcome: EnrolOutcome,
    /// Findings the app's lenient parse must report (names, e.g. `secret-padding`).
    #[serde(default)]
    pub findings: Vec<String>,
    /// Text the refusal or the site's reason must contain.
    pub error: Option<String>,
}

/// How an enrolment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnrolOutcome {
    /// Stored, and the first code accepted.
    Enrolled,
    /// Stored, but the first code refused.
    ConfirmFailed,
    /// Not stored.
    Refused,
}

/// A sign-in with an OTP code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpSignInStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app shows the code.
    pub app: String,
    /// The account, as the app lists it: `Issuer (name)`.
    pub account: String,
    /// What must come out of it.
    pub expect: OtpSignInExpect,
}

/// What an OTP sign-in must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpSignInExpect {
    /// `accepted` or `refused`.
    pub outcome: OtpVerdict,
    /// Text the site's reason must contain.
    pub error: Option<String>,
}

/// A site's verdict on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OtpVerdict {
    /// Accepted.
    Accepted,
    /// Refused.
    Refused,
}

/// A whole migration from one app to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// The old phone's app.
    pub from: String,
    /// The new phone's app.
    pub to: String,
    /// `cloud-backup`, `keychain-sync`, `google-transfer`, `aegis-vault`, `2fas` or `cxf`.
    pub mechanism: String,
    /// CXF: the provider exporting (default `icloud-keychain`).
    pub exporter: Option<String>,
    /// CXF: the provider importing, whose flags the moved passkeys get (default
    /// `icloud-keychain`).
    pub importer: Option<String>,
    /// Password of an encrypted Aegis vault or 2FAS file (plain without).
    pub password: Option<String>,
    /// Recovery account of a cloud backup, platform account of a keychain.
    #[serde(default = "default_account")]
    pub account: String,
    /// Google transfer: accounts per QR code.
    #[serde(default = "default_per_qr")]
    pub accounts_per_qr: usize,
    /// Google transfer: the QR codes the user scans, 1-based, in order (default: all).
    pub scan: Option<Vec<usize>>,
    /// Export, transport, import and service quirks (`hybridsim migrate quirks`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// Decide each passkey row by a sign-in over a whole simulated hybrid ceremony with the
    /// new phone's passkey, checked by the strict relying party that registered the old one.
    #[serde(default)]
    pub hybrid_sign_in: bool,
    /// Whether this run is expected to reproduce a known bug (reports mark it).
    #[serde(default)]
    pub shows_bug: Option<String>,
    /// What the report must say.
    pub expect: MigrateExpect,
}

fn default_account() -> String {
    "user@example.com".to_owned()
}

fn default_per_qr() -> usize {
    10
}

/// What a migration report must say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateExpect {
    /// Every account moved unchanged, shows the same code, and signs in.
    pub lossless: Option<bool>,
    /// Rows of the report, by account. When several accounts share a label, the n-th
    /// expectation for it is checked against the n-th row with it.
    #[serde(default)]
    pub accounts: Vec<RowExpect>,
    /// Texts the report's general notes must contain (each one).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One row of a migration report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowExpect {
    /// The account as the old app lists it: `Issuer (name)`.
    pub account: String,
    /// `moved`, `changed`, `duplicated`, `name-only` or `missing`.
    pub arrival: Option<String>,
    /// The new phone shows the same code as the old one.
    pub same_code: Option<bool>,
    /// The site accepts a sign-in from the new phone.
    pub site_accepts: Option<bool>,
    /// Text the row's reasons must contain.
    pub why: Option<String>,
}

/// A cloud backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app backs up.
    pub app: String,
    /// The recovery account.
    #[serde(default = "default_account")]
    pub account: String,
    /// Service quirks (`backup-overwritten-by-empty`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// What must come out of it.
    pub expect: CloudExpect,
}

/// A cloud restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app restores.
    pub app: String,
    /// The recovery account.
    #[serde(default = "default_account")]
    pub account: String,
    /// Restore quirks (`restore-drops-hotp-silently`, `restore-replaces-existing`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// What must come out of it.
    pub expect: CloudExpect,
}

/// What a backup or restore must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudExpect {
    /// `ok` or `refused`.
    pub outcome: CloudOutcome,
    /// How many accounts the app holds afterwards.
    pub accounts: Option<usize>,
    /// Texts the notes (or the refusal) must contain.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// How a backup or restore ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CloudOutcome {
    /// Done.
    Ok,
    /// Refused.
    Refused,
}
