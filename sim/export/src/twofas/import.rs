//! [`decode`]: backup bytes to services, opening `reference` and `servicesEncrypted` first
//! when the file is encrypted.

use super::crypto::{derive_key, open, parse_sealed};
use super::format::{Backup, BackupJson, Imported, RawService, ServiceEntry, ServiceFinding};
use super::{IssuerSource, NameSource, TwofasDecodeOptions, TwofasError, REFERENCE};
use crate::secret::read_secret;
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};

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
    let digits = digits(otp.digits, path, &mut findings)?;
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
    let (issuer, name) = issuer_and_name(&raw, options, &mut findings);
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

/// The digit count, 6 when absent (as 2FAS reads it).
fn digits(
    digits: Option<u32>,
    path: &str,
    findings: &mut Vec<ServiceFinding>,
) -> Result<u8, TwofasError> {
    match digits {
        None => {
            findings.push(ServiceFinding::DigitsDefaulted);
            Ok(6)
        }
        Some(d) => u8::try_from(d)
            .ok()
            .filter(|d| (1..=10).contains(d))
            .ok_or_else(|| TwofasError::BadValue {
                path: format!("{path}.otp.digits"),
                detail: format!("{d} is not 1–10"),
            }),
    }
}

/// The account's issuer and name, from the fields the options name (M08).
fn issuer_and_name(
    raw: &RawService,
    options: &TwofasDecodeOptions,
    findings: &mut Vec<ServiceFinding>,
) -> (String, String) {
    let otp = &raw.otp;
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
    (issuer, name)
}
