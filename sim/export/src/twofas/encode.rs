//! Writing backups: plain, or encrypted as schema v4 (every random value passed in).

use super::crypto::{derive_key, seal};
use super::{ITERATIONS, REFERENCE};
use hybridsim_otp::{OtpAccount, OtpKind};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

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
