//! `otpauth://` Key URIs (docs/migration.md §2): parsing in two profiles and emitting the
//! recommended form.
//!
//! * [`Mode::Strict`] accepts what the Key URI wiki and strict libraries (pyotp, totp-rs)
//!   accept: canonical upper-case Base32 without padding, at least 128-bit secrets, the issuer
//!   both as label prefix and `issuer` parameter and equal, 6–8 digits, upper-case algorithm
//!   names, only the defined parameters, each once.
//! * [`Mode::Lenient`] accepts what Aegis and GA Android accept (§2.2) and names every
//!   deviation it tolerated as a [`Finding`] instead of fixing it silently.
//!
//! Both profiles run the same reader; strict mode fails with [`UriError::NotStrict`] listing the
//! findings when there are any, so "strict accepts" always implies "lenient accepts with no
//! findings and the same account".

use crate::account::{Algorithm, OtpAccount, OtpKind};
use crate::finding::Finding;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Which parser profile to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The wiki's form, as strict libraries accept it; any [`Finding`] is an error.
    Strict,
    /// What real apps accept; deviations are reported as findings.
    Lenient,
}

/// A parsed Key URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUri {
    /// The account the URI enrols. Its `issuer` is the one lenient parsing settled on (see
    /// [`Finding::IssuerMismatch`]); empty when there is none.
    pub account: OtpAccount,
    /// Deviations from the strict form, in the order met; empty in strict mode.
    pub findings: Vec<Finding>,
    /// The label's issuer prefix (before the one colon), if any.
    pub label_issuer: Option<String>,
    /// The `issuer` parameter, if present and not empty.
    pub param_issuer: Option<String>,
}

/// Why text is not a usable Key URI, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// The text does not start with `otpauth://`.
    #[error("not an otpauth:// URI")]
    NotOtpauth,
    /// The type after `otpauth://` is not `totp` or `hotp`.
    #[error("type {found:?} at byte {position} is neither totp nor hotp")]
    UnknownType {
        /// The type text.
        found: String,
        /// Byte offset of the type in the text.
        position: usize,
    },
    /// A `%` not followed by two hex digits.
    #[error("bad percent-encoding at byte {position}")]
    PercentEncoding {
        /// Byte offset of the `%` in the text.
        position: usize,
    },
    /// A label or parameter that is not UTF-8 once percent-decoded.
    #[error("{part} at byte {position} is not UTF-8 once percent-decoded")]
    NotUtf8 {
        /// `label` or the parameter name.
        part: String,
        /// Byte offset where that part starts in the text.
        position: usize,
    },
    /// A required parameter is absent.
    #[error("the {parameter} parameter is missing")]
    MissingParameter {
        /// `secret`, or `counter` for HOTP.
        parameter: &'static str,
    },
    /// A character in `secret` that no profile can read as Base32.
    #[error("secret: character {found:?} at position {position} of the decoded value is not Base32 (A–Z, 2–7)")]
    SecretCharacter {
        /// 0-based character position in the percent-decoded `secret` value.
        position: usize,
        /// The character.
        found: char,
    },
    /// The secret holds no whole byte.
    #[error("secret: holds no key bytes")]
    SecretEmpty,
    /// A parameter whose value cannot be used.
    #[error("{parameter}={value:?}: expected {expected}")]
    BadValue {
        /// The parameter name.
        parameter: &'static str,
        /// The decoded value.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Strict mode: the URI is only acceptable leniently. Lists every finding.
    #[error("not in the strict form: {}", describe(findings))]
    NotStrict {
        /// What lenient parsing would have tolerated.
        findings: Vec<Finding>,
    },
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} ({f})", f.name()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses a Key URI in the given profile.
pub fn parse(text: &str, mode: Mode) -> Result<ParsedUri, UriError> {
    let parsed = read(text)?;
    if mode == Mode::Strict && !parsed.findings.is_empty() {
        return Err(UriError::NotStrict {
            findings: parsed.findings,
        });
    }
    Ok(parsed)
}

/// Characters left unencoded in emitted labels and values: RFC 3986 "unreserved".
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The Key URI the wiki recommends for `account`: label `Issuer:name` (percent-encoded),
/// `secret` unpadded, `issuer`, and every other parameter spelled out (`algorithm`, `digits`,
/// `period` or `counter`) so no reader falls back on a default.
///
/// Strict [`parse`] gives back the same account when the issuer is non-empty, neither issuer
/// nor name contains a colon, the name is non-empty and does not start with a space, the
/// secret has at least 16 bytes, digits are 6–8 and the period is not 0.
pub fn to_uri(account: &OtpAccount) -> String {
    let name = utf8_percent_encode(&account.name, ENCODE);
    let secret = crate::base32::encode(&account.secret);
    let (kind, tail) = match account.kind {
        OtpKind::Totp { period } => ("totp", format!("period={period}")),
        OtpKind::Hotp { counter } => ("hotp", format!("counter={counter}")),
    };
    let (label, issuer_param) = if account.issuer.is_empty() {
        (name.to_string(), String::new())
    } else {
        let issuer = utf8_percent_encode(&account.issuer, ENCODE);
        (format!("{issuer}:{name}"), format!("&issuer={issuer}"))
    };
    format!(
        "otpauth://{kind}/{label}?secret={secret}{issuer_param}&algorithm={}&digits={}&{tail}",
        account.algorithm.name(),
        account.digits
    )
}

/// The parameters by name, first occurrence only.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the URI leniently, collecting findings.
fn read(text: &str) -> Result<ParsedUri, UriError> {
    let mut findings = surface_findings(text);
    let trimmed = text.trim();
    let lead = text.len() - text.trim_start().len();

    let (scheme, rest) = trimmed.split_once("://").ok_or(UriError::NotOtpauth)?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(UriError::NotOtpauth);
    }
    if scheme != "otpauth" {
        findings.push(Finding::SchemeCase);
    }
    let rest_at = lead + scheme.len() + 3;
    let rest = match rest.split_once('#') {
        Some((before, _)) => {
            findings.push(Finding::Fragment);
            before
        }
        None => rest,
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (kind_text, label_raw) = path.split_once('/').unwrap_or((path, ""));
    let is_totp = read_type(kind_text, rest_at, &mut findings)?;

    let label_at = rest_at + kind_text.len() + 1;
    let label = percent_decode(label_raw, false, label_at, "label")?;
    let (label_issuer, name) = split_label(&label, &mut findings);

    let query_at = rest_at + path.len() + 1;
    let params = match query {
        Some(q) => read_query(q, query_at, is_totp, &mut findings)?,
        None => Params(Vec::new()),
    };

    let secret_text = params.get("secret").ok_or(UriError::MissingParameter {
        parameter: "secret",
    })?;
    let secret = decode_secret(secret_text, &mut findings)?;

    let param_issuer = match params.get("issuer") {
        Some("") => {
            findings.push(Finding::IssuerEmpty);
            None
        }
        other => other.map(str::to_owned),
    };
    let issuer = choose_issuer(
        label_issuer.as_deref(),
        param_issuer.as_deref(),
        &mut findings,
    );

    let algorithm = read_algorithm(params.get("algorithm"), &mut findings)?;
    let digits = read_digits(params.get("digits"), &mut findings)?;
    let kind = read_kind(&params, is_totp)?;

    Ok(ParsedUri {
        account: OtpAccount {
            issuer,
            name,
            secret,
            algorithm,
            digits,
            kind,
        },
        findings,
        label_issuer,
        param_issuer,
    })
}

/// Findings about the text as a whole: whitespace around it, characters a URI must encode.
fn surface_findings(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        findings.push(Finding::TrailingWhitespace);
    }
    let lead_chars = text.chars().count() - text.trim_start().chars().count();
    if let Some((position, found)) = trimmed.chars().enumerate().find(|(_, c)| !uri_char(*c)) {
        findings.push(Finding::UnencodedCharacter {
            position: position + lead_chars,
            found,
        });
    }
    findings
}

/// `totp` (true) or `hotp` (false), in any case (noting one that is not lower case).
fn read_type(
    kind_text: &str,
    position: usize,
    findings: &mut Vec<Finding>,
) -> Result<bool, UriError> {
    let is_totp = if kind_text.eq_ignore_ascii_case("totp") {
        true
    } else if kind_text.eq_ignore_ascii_case("hotp") {
        false
    } else {
        return Err(UriError::UnknownType {
            found: kind_text.to_owned(),
            position,
        });
    };
    if kind_text != "totp" && kind_text != "hotp" {
        findings.push(Finding::TypeCase);
    }
    Ok(is_totp)
}

/// The account's issuer from the label prefix and the `issuer` parameter, noting how they
/// relate (the parameter wins when they differ, as Google Authenticator reads it).
fn choose_issuer(
    label_issuer: Option<&str>,
    param_issuer: Option<&str>,
    findings: &mut Vec<Finding>,
) -> String {
    match (label_issuer, param_issuer) {
        (Some(l), Some(p)) if l == p => l.to_owned(),
        (Some(l), Some(p)) => {
            findings.push(Finding::IssuerMismatch {
                label: l.to_owned(),
                parameter: p.to_owned(),
            });
            p.to_owned()
        }
        (Some(l), None) => {
            findings.push(Finding::IssuerOnlyInLabel);
            l.to_owned()
        }
        (None, Some(p)) => {
            findings.push(Finding::IssuerOnlyInParameter);
            p.to_owned()
        }
        (None, None) => {
            findings.push(Finding::IssuerMissing);
            String::new()
        }
    }
}

/// TOTP with its period (default 30 s) or HOTP with its required counter.
fn read_kind(params: &Params, is_totp: bool) -> Result<OtpKind, UriError> {
    let kind = if is_totp {
        let period = match params.get("period") {
            None => 30,
            Some(v) => match number::<u32>(v) {
                Some(p) if p > 0 => p,
                _ => {
                    return Err(UriError::BadValue {
                        parameter: "period",
                        value: v.to_owned(),
                        expected: "a whole number of seconds from 1 to 4294967295",
                    })
                }
            },
        };
        OtpKind::Totp { period }
    } else {
        let v = params.get("counter").ok_or(UriError::MissingParameter {
            parameter: "counter",
        })?;
        let counter = number::<u64>(v).ok_or_else(|| UriError::BadValue {
            parameter: "counter",
            value: v.to_owned(),
            expected: "a whole number from 0 to 18446744073709551615",
        })?;
        OtpKind::Hotp { counter }
    };
    Ok(kind)
}

/// Characters that may appear raw in a URI (RFC 3986 reserved, unreserved and `%`).
fn uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// The label's issuer prefix and account name (wiki ABNF: `issuer ":" *" " accountname`).
fn split_label(label: &str, findings: &mut Vec<Finding>) -> (Option<String>, String) {
    let colons = label.matches(':').count();
    let (issuer, name) = match label.split_once(':') {
        None => (None, label.to_owned()),
        Some(_) if colons > 1 => {
            findings.push(Finding::LabelExtraColons { colons });
            (None, label.to_owned())
        }
        Some((prefix, name)) => {
            // The wiki allows spaces between the colon and the account name.
            let name = name.trim_start_matches(' ').to_owned();
            if prefix.is_empty() {
                findings.push(Finding::LabelEmptyIssuer);
                (None, name)
            } else {
                (Some(prefix.to_owned()), name)
            }
        }
    };
    if name.is_empty() {
        findings.push(Finding::LabelEmpty);
    }
    (issuer, name)
}

fn read_query(
    query: &str,
    query_at: usize,
    is_totp: bool,
    findings: &mut Vec<Finding>,
) -> Result<Params, UriError> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut at = query_at;
    for item in query.split('&') {
        let item_at = at;
        at += item.len() + 1;
        if item.is_empty() {
            findings.push(Finding::EmptyParameter);
            continue;
        }
        let (name_raw, value_raw) = item.split_once('=').unwrap_or((item, ""));
        let name = percent_decode(name_raw, false, item_at, "parameter name")?;
        let known = match name.as_str() {
            "secret" | "issuer" | "algorithm" | "digits" => true,
            "period" => is_totp,
            "counter" => !is_totp,
            _ => false,
        };
        if !known {
            findings.push(if name == "period" || name == "counter" {
                Finding::ParameterNotForType { parameter: name }
            } else {
                Finding::UnknownParameter { parameter: name }
            });
            continue;
        }
        if params.iter().any(|(n, _)| *n == name) {
            findings.push(Finding::DuplicateParameter { parameter: name });
            continue;
        }
        if value_raw.contains('+') {
            findings.push(Finding::PlusInQuery {
                parameter: name.clone(),
            });
        }
        let value = percent_decode(value_raw, true, item_at + name_raw.len() + 1, &name)?;
        params.push((name, value));
    }
    Ok(Params(params))
}

/// Percent-decodes one URI part; `+` becomes a space in query values (form encoding).
fn percent_decode(
    raw: &str,
    plus_is_space: bool,
    at: usize,
    part: &str,
) -> Result<String, UriError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .filter(|_| bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit))
                    .ok_or(UriError::PercentEncoding { position: at + i })?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| UriError::NotUtf8 {
        part: part.to_owned(),
        position: at,
    })
}

/// Lenient Base32 (GA Android / Aegis): spaces and dashes dropped, lower case accepted, `=`
/// padding dropped, leftover bits dropped; each tolerance recorded once.
fn decode_secret(text: &str, findings: &mut Vec<Finding>) -> Result<Vec<u8>, UriError> {
    let (mut lower, mut space, mut dash, mut pad) = (false, false, false, false);
    let mut symbols = Vec::with_capacity(text.len());
    for (position, found) in text.chars().enumerate() {
        let value = match found {
            ' ' => {
                space = true;
                continue;
            }
            '-' => {
                dash = true;
                continue;
            }
            '=' => {
                pad = true;
                continue;
            }
            _ if pad => return Err(UriError::SecretCharacter { position, found }),
            'A'..='Z' => found as u32 - 'A' as u32,
            'a'..='z' => {
                lower = true;
                found as u32 - 'a' as u32
            }
            '2'..='7' => found as u32 - '2' as u32 + 26,
            _ => return Err(UriError::SecretCharacter { position, found }),
        };
        symbols.push(value);
    }
    for (flag, finding) in [
        (lower, Finding::SecretLowercase),
        (space, Finding::SecretWhitespace),
        (dash, Finding::SecretDashes),
        (pad, Finding::SecretPadding),
    ] {
        if flag {
            findings.push(finding);
        }
    }
    let mut bytes = Vec::with_capacity(symbols.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for symbol in &symbols {
        buffer = (buffer << 5) | symbol;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((buffer >> bits) & 0xff) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    // Canonical text ends with fewer than 5 unused bits, all zero.
    if bits >= 5 || buffer != 0 {
        findings.push(Finding::SecretTrailingBits);
    }
    if bytes.is_empty() {
        return Err(UriError::SecretEmpty);
    }
    if bytes.len() < 16 {
        findings.push(Finding::SecretShort {
            bits: bytes.len() * 8,
        });
    }
    Ok(bytes)
}

fn read_algorithm(value: Option<&str>, findings: &mut Vec<Finding>) -> Result<Algorithm, UriError> {
    let Some(value) = value else {
        return Ok(Algorithm::Sha1);
    };
    let algorithm = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(value))
        .ok_or_else(|| UriError::BadValue {
            parameter: "algorithm",
            value: value.to_owned(),
            expected: "SHA1, SHA256 or SHA512",
        })?;
    if algorithm.name() != value {
        findings.push(Finding::AlgorithmLowercase {
            found: value.to_owned(),
        });
    }
    Ok(algorithm)
}

fn read_digits(value: Option<&str>, findings: &mut Vec<Finding>) -> Result<u8, UriError> {
    let Some(value) = value else {
        return Ok(6);
    };
    match number::<u8>(value) {
        Some(d @ 6..=8) => Ok(d),
        Some(d @ 9..=10) => {
            findings.push(Finding::DigitsUnusual { digits: d });
            Ok(d)
        }
        _ => Err(UriError::BadValue {
            parameter: "digits",
            value: value.to_owned(),
            expected: "6, 7 or 8 (9 and 10 only leniently)",
        }),
    }
}

/// A plain decimal number: ASCII digits only (no sign, no spaces).
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
