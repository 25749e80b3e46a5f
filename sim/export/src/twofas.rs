//! 2FAS `.2fas` backups, schema v1–v4, plain and encrypted (docs/migration.md §4.2; bugs M08,
//! M09, M12, M14).
//!
//! 2FAS calls the service (issuer) `name` and keeps the account in `otp.account`: the
//! opposite of Aegis, and the root of M08. Both raw values are kept beside the account.
//! Encrypted files hold `servicesEncrypted` and `reference`, each
//! `base64(ciphertext‖tag):base64(salt):base64(iv)` under PBKDF2-HMAC-SHA256 (10,000
//! iterations) and AES-256-GCM; `reference` is opened first so a wrong password is reported
//! before any service is touched.

use crate::secret::{read_secret, SecretRepair};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hybridsim_otp::base32::Base32Error;
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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
struct BackupJson {
    services: Vec<RawService>,
    schema_version: u64,
    #[serde(default)]
    updated_at: Option<i64>,
    #[serde(default)]
    app_version_code: Option<u64>,
    #[serde(default)]
    app_version_name: Option<String>,
    #[serde(default)]
    app_origin: Option<String>,
    #[serde(default)]
    services_encrypted: Option<String>,
    #[serde(default)]
    reference: Option<String>,
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
    /// `reference` decrypted to something other than [`REFERENCE`].
    pub unexpected_reference: bool,
    /// Services in file order.
    pub services: Vec<ServiceEntry>,
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, prefix: &str) -> TwofasError {
    let path = e.path().to_string();
    TwofasError::Json {
        path: match (prefix.is_empty(), path.as_str()) {
            (true, _) => path,
            (false, ".") => prefix.to_owned(),
            (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
            (false, p) => format!("{prefix}.{p}"),
        },
        detail: e.inner().to_string(),
    }
}

fn derive_key(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut key);
    key
}

struct Sealed {
    ciphertext: Vec<u8>,
    salt: Vec<u8>,
    iv: [u8; 12],
}

fn parse_sealed(text: &str, path: &str) -> Result<Sealed, TwofasError> {
    let bad = |detail: String| TwofasError::BadValue {
        path: path.to_owned(),
        detail,
    };
    let parts: Vec<&str> = text.split(':').collect();
    let [ct, salt, iv] = parts.as_slice() else {
        return Err(bad(format!(
            "{} ':'-separated parts, expected 3",
            parts.len()
        )));
    };
    let b64 = |s: &str, what: &str| {
        STANDARD
            .decode(s)
            .map_err(|e| bad(format!("{what} is not Base64: {e}")))
    };
    let ciphertext = b64(ct, "ciphertext")?;
    if ciphertext.len() < 16 {
        return Err(bad("ciphertext shorter than the GCM tag".into()));
    }
    let iv = <[u8; 12]>::try_from(b64(iv, "iv")?.as_slice())
        .map_err(|_| bad("iv is not 12 bytes".into()))?;
    Ok(Sealed {
        ciphertext,
        salt: b64(salt, "salt")?,
        iv,
    })
}

fn open(sealed: &Sealed, key: &[u8; 32]) -> Option<Vec<u8>> {
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(&sealed.iv), sealed.ciphertext.as_slice())
        .ok()
}

/// Decodes a `.2fas` file. `password` is needed only when it is encrypted.
pub fn decode(
    bytes: &[u8],
    password: Option<&[u8]>,
    options: &TwofasDecodeOptions,
) -> Result<Backup, TwofasError> {
    if bytes.len() > options.max_input_bytes {
        return Err(TwofasError::TooLarge {
            size: bytes.len(),
            limit: options.max_input_bytes,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outer: BackupJson =
        serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, ""))?;
    de.end().map_err(|e| TwofasError::Json {
        path: ".".into(),
        detail: e.to_string(),
    })?;
    if !options.schema_versions.contains(&outer.schema_version) {
        return Err(TwofasError::UnsupportedSchema(outer.schema_version));
    }
    let mut unexpected_reference = false;
    let (raw_services, prefix) = match &outer.services_encrypted {
        None => (outer.services, "services"),
        Some(encrypted) => {
            let password = password.ok_or(TwofasError::PasswordRequired)?;
            let reference = outer
                .reference
                .as_deref()
                .ok_or_else(|| TwofasError::BadValue {
                    path: "reference".into(),
                    detail: "missing beside servicesEncrypted".into(),
                })?;
            let reference = parse_sealed(reference, "reference")?;
            let sealed = parse_sealed(encrypted, "servicesEncrypted")?;
            let ref_key = derive_key(password, &reference.salt, options.iterations);
            let plain_ref = open(&reference, &ref_key).ok_or(TwofasError::WrongPassword)?;
            unexpected_reference = plain_ref != REFERENCE.as_bytes();
            // 2FAS uses one salt for both fields; derive again only if this file does not.
            let key = if sealed.salt == reference.salt {
                ref_key
            } else {
                derive_key(password, &sealed.salt, options.iterations)
            };
            let plain = open(&sealed, &key).ok_or(TwofasError::ServicesAuthentication)?;
            let prefix = "servicesEncrypted(decrypted)";
            let mut de = serde_json::Deserializer::from_slice(&plain);
            let services: Vec<RawService> =
                serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, prefix))?;
            (services, prefix)
        }
    };
    let services = raw_services
        .into_iter()
        .enumerate()
        .map(|(i, raw)| import_service(raw, &format!("{prefix}[{i}]"), options))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Backup {
        schema_version: outer.schema_version,
        updated_at: outer.updated_at,
        app_version_code: outer.app_version_code,
        app_version_name: outer.app_version_name,
        app_origin: outer.app_origin,
        encrypted: outer.services_encrypted.is_some(),
        unexpected_reference,
        services,
    })
}

fn import_service(
    raw: RawService,
    path: &str,
    options: &TwofasDecodeOptions,
) -> Result<ServiceEntry, TwofasError> {
    let mut findings = Vec::new();
    let otp = &raw.otp;
    let unsupported = |what: &str, findings| ServiceEntry {
        raw: raw.clone(),
        imported: Imported::Unsupported {
            what: what.to_owned(),
        },
        findings,
    };
    let token_type = otp.token_type.clone().unwrap_or_else(|| {
        findings.push(ServiceFinding::TokenTypeDefaulted);
        "TOTP".into()
    });
    let algorithm = match otp.algorithm.as_deref() {
        None => {
            findings.push(ServiceFinding::AlgorithmDefaulted);
            Algorithm::Sha1
        }
        Some("SHA1") => Algorithm::Sha1,
        Some("SHA256") => Algorithm::Sha256,
        Some("SHA512") => Algorithm::Sha512,
        Some(other) => return Ok(unsupported(other, findings)),
    };
    let digits = match otp.digits {
        None => {
            findings.push(ServiceFinding::DigitsDefaulted);
            6
        }
        Some(d) => u8::try_from(d)
            .ok()
            .filter(|d| (1..=10).contains(d))
            .ok_or_else(|| TwofasError::BadValue {
                path: format!("{path}.otp.digits"),
                detail: format!("{d} is not 1–10"),
            })?,
    };
    let kind = match token_type.as_str() {
        "TOTP" => {
            let period = otp.period.unwrap_or_else(|| {
                findings.push(ServiceFinding::PeriodDefaulted);
                30
            });
            if period == 0 {
                return Err(TwofasError::BadValue {
                    path: format!("{path}.otp.period"),
                    detail: "0 is not a period".into(),
                });
            }
            OtpKind::Totp { period }
        }
        "HOTP" => OtpKind::Hotp {
            counter: otp.counter.unwrap_or_else(|| {
                findings.push(ServiceFinding::CounterDefaulted);
                0
            }),
        },
        other => return Ok(unsupported(other, findings)),
    };
    let (secret, repairs) =
        read_secret(&raw.secret, options.repair_secrets).map_err(|source| TwofasError::Secret {
            path: format!("{path}.secret"),
            source,
        })?;
    findings.extend(repairs.into_iter().map(ServiceFinding::SecretRepaired));
    if let Some(otp_issuer) = otp.issuer.as_ref().filter(|i| **i != raw.name) {
        findings.push(ServiceFinding::IssuerDiffers {
            otp_issuer: otp_issuer.clone(),
        });
    }
    let issuer = match options.issuer_from {
        IssuerSource::ServiceName => raw.name.clone(),
        IssuerSource::OtpIssuer => otp.issuer.clone().unwrap_or_default(),
    };
    let name = match options.name_from {
        NameSource::OtpAccount => match &otp.account {
            Some(a) => a.clone(),
            None => {
                findings.push(ServiceFinding::AccountFromLabel);
                otp.label.clone().unwrap_or_default()
            }
        },
        NameSource::OtpLabel => otp.label.clone().unwrap_or_default(),
        NameSource::ServiceName => raw.name.clone(),
    };
    let account = OtpAccount {
        issuer,
        name,
        secret,
        algorithm,
        digits,
        kind,
    };
    Ok(ServiceEntry {
        raw,
        imported: Imported::Account(account),
        findings,
    })
}

/// Top-level values of a written backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwofasEncodeOptions {
    /// `updatedAt` of the file and of every service, ms since the epoch (passed in: sans-IO).
    pub updated_at_ms: i64,
    /// `appVersionCode`.
    pub app_version_code: u64,
    /// `appVersionName`.
    pub app_version_name: String,
    /// `appOrigin`.
    pub app_origin: String,
    /// Write secrets in space-separated groups of four, as files seen in the wild have them
    /// (the input of bug M09).
    pub spaced_secrets: bool,
}

impl Default for TwofasEncodeOptions {
    fn default() -> Self {
        Self {
            updated_at_ms: 0,
            app_version_code: 5_000_009,
            app_version_name: "5.1.0".into(),
            app_origin: "android".into(),
            spaced_secrets: false,
        }
    }
}

/// The random values of an encrypted backup, passed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwofasRandom {
    /// PBKDF2 salt (2FAS uses 256 random bytes), shared by both fields as 2FAS does.
    pub salt: Vec<u8>,
    /// IV of `servicesEncrypted`.
    pub services_iv: [u8; 12],
    /// IV of `reference`.
    pub reference_iv: [u8; 12],
}

/// RFC 3986 unreserved characters stay; everything else is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn link(a: &OtpAccount) -> String {
    let (kind, tail) = match a.kind {
        OtpKind::Totp { period } => ("totp", format!("period={period}")),
        OtpKind::Hotp { counter } => ("hotp", format!("counter={counter}")),
    };
    let name = utf8_percent_encode(&a.name, COMPONENT);
    let secret = hybridsim_otp::base32::encode(&a.secret);
    let (label, issuer) = if a.issuer.is_empty() {
        (name.to_string(), String::new())
    } else {
        let issuer = utf8_percent_encode(&a.issuer, COMPONENT);
        (format!("{issuer}:{name}"), format!("&issuer={issuer}"))
    };
    format!(
        "otpauth://{kind}/{label}?secret={secret}{issuer}&algorithm={}&digits={}&{tail}",
        a.algorithm.name(),
        a.digits
    )
}

/// The `services` array for `accounts`.
pub fn services_json(accounts: &[OtpAccount], updated_at_ms: i64) -> Value {
    Value::Array(
        accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut otp = json!({
                    "link": link(a),
                    "label": a.name,
                    "account": a.name,
                    "issuer": a.issuer,
                    "digits": a.digits,
                    "algorithm": a.algorithm.name(),
                });
                if let Value::Object(map) = &mut otp {
                    match a.kind {
                        OtpKind::Totp { period } => {
                            map.insert("period".into(), json!(period));
                            map.insert("tokenType".into(), json!("TOTP"));
                        }
                        OtpKind::Hotp { counter } => {
                            map.insert("counter".into(), json!(counter));
                            map.insert("tokenType".into(), json!("HOTP"));
                        }
                    }
                    map.insert("source".into(), json!("Link"));
                }
                json!({
                    "name": a.issuer,
                    "secret": hybridsim_otp::base32::encode(&a.secret),
                    "updatedAt": updated_at_ms,
                    "otp": otp,
                    "order": {"position": i},
                })
            })
            .collect(),
    )
}

/// The `services` array as `options` asks for it.
fn services_for(accounts: &[OtpAccount], options: &TwofasEncodeOptions) -> Value {
    let mut services = services_json(accounts, options.updated_at_ms);
    if options.spaced_secrets {
        if let Value::Array(list) = &mut services {
            for service in list {
                if let Some(Value::String(secret)) = service.get_mut("secret") {
                    let grouped: Vec<String> = secret
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    *secret = grouped.join(" ");
                }
            }
        }
    }
    services
}

fn top(services: Value, options: &TwofasEncodeOptions) -> Value {
    json!({
        "services": services,
        "groups": [],
        "updatedAt": options.updated_at_ms,
        "schemaVersion": 4,
        "appVersionCode": options.app_version_code,
        "appVersionName": options.app_version_name,
        "appOrigin": options.app_origin,
    })
}

/// A plain schema-v4 backup.
pub fn encode_plain(accounts: &[OtpAccount], options: &TwofasEncodeOptions) -> String {
    top(services_for(accounts, options), options).to_string()
}

fn seal(key: &[u8; 32], salt: &[u8], iv: &[u8; 12], plaintext: &[u8]) -> String {
    let ct = Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(iv), plaintext)
        .unwrap_or_default();
    format!(
        "{}:{}:{}",
        STANDARD.encode(ct),
        STANDARD.encode(salt),
        STANDARD.encode(iv)
    )
}

/// An encrypted schema-v4 backup (`services` empty, `servicesEncrypted` and `reference` set).
pub fn encode_encrypted(
    accounts: &[OtpAccount],
    password: &[u8],
    random: &TwofasRandom,
    options: &TwofasEncodeOptions,
) -> String {
    let key = derive_key(password, &random.salt, ITERATIONS);
    let services = services_for(accounts, options).to_string();
    let mut out = top(json!([]), options);
    if let Value::Object(map) = &mut out {
        map.insert(
            "servicesEncrypted".into(),
            json!(seal(
                &key,
                &random.salt,
                &random.services_iv,
                services.as_bytes()
            )),
        );
        map.insert(
            "reference".into(),
            json!(seal(
                &key,
                &random.salt,
                &random.reference_iv,
                REFERENCE.as_bytes()
            )),
        );
    }
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(secret: &str) -> String {
        format!(
            r#"{{"services":[{{"name":"Deno","secret":"{secret}","otp":{{"label":"Mason","account":"Mason","issuer":"Deno"}},"type":"Unknown"}}],"schemaVersion":1}}"#
        )
    }

    #[test]
    fn v1_defaults_and_mapping() {
        let b = decode(
            service("4SJH B4GS D43F ZBAI 7C2H LRJG PQ").as_bytes(),
            None,
            &TwofasDecodeOptions::default(),
        )
        .unwrap();
        let s = &b.services[0];
        let Imported::Account(a) = &s.imported else {
            panic!()
        };
        assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Deno", "Mason"));
        assert_eq!(a.kind, OtpKind::Totp { period: 30 });
        assert!(s
            .findings
            .contains(&ServiceFinding::SecretRepaired(SecretRepair::Whitespace)));
        assert_eq!(s.raw.secret, "4SJH B4GS D43F ZBAI 7C2H LRJG PQ");

        let strict = TwofasDecodeOptions {
            repair_secrets: false,
            ..TwofasDecodeOptions::default()
        };
        let err = decode(service("4SJH B4GS").as_bytes(), None, &strict).unwrap_err();
        assert!(
            matches!(err, TwofasError::Secret { ref path, .. } if path == "services[0].secret"),
            "{err:?}"
        );

        let swapped = TwofasDecodeOptions {
            name_from: NameSource::ServiceName,
            ..TwofasDecodeOptions::default()
        };
        let b = decode(
            service("4SJHB4GSD43FZBAI7C2HLRJGPQ").as_bytes(),
            None,
            &swapped,
        )
        .unwrap();
        let Imported::Account(a) = &b.services[0].imported else {
            panic!()
        };
        assert_eq!(a.name, "Deno");

        let old = TwofasDecodeOptions {
            schema_versions: 1..=3,
            ..TwofasDecodeOptions::default()
        };
        let v4 = service("AA").replace("\"schemaVersion\":1", "\"schemaVersion\":4");
        assert_eq!(
            decode(v4.as_bytes(), None, &old),
            Err(TwofasError::UnsupportedSchema(4))
        );
    }

    #[test]
    fn reference_decides_the_password_before_services() {
        let random = TwofasRandom {
            salt: vec![1; 256],
            services_iv: [2; 12],
            reference_iv: [3; 12],
        };
        let text = encode_encrypted(&[], b"pw", &random, &TwofasEncodeOptions::default());
        let mut v: Value = serde_json::from_str(&text).unwrap();
        let sealed = v["servicesEncrypted"].as_str().unwrap().to_owned();
        // Flip the first ciphertext character: services no longer authenticate.
        let flipped = format!(
            "{}{}",
            if sealed.starts_with('A') { "B" } else { "A" },
            &sealed[1..]
        );
        v["servicesEncrypted"] = json!(flipped);
        let tampered = v.to_string();
        let options = TwofasDecodeOptions::default();
        assert_eq!(
            decode(tampered.as_bytes(), Some(b"wrong"), &options),
            Err(TwofasError::WrongPassword)
        );
        assert_eq!(
            decode(tampered.as_bytes(), Some(b"pw"), &options),
            Err(TwofasError::ServicesAuthentication)
        );
        v["reference"] = json!("AAAA:AAAA");
        let err = decode(v.to_string().as_bytes(), Some(b"pw"), &options).unwrap_err();
        assert!(
            matches!(err, TwofasError::BadValue { ref path, .. } if path == "reference"),
            "{err:?}"
        );
    }
}
