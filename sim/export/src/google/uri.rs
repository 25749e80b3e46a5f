//! The `otpauth-migration://offline?data=<percent-encoded standard Base64>` text of a GA export
//! QR code (docs/migration.md §3), decoded strictly or with the repairs real decoders make (M16).

use super::payload::{Payload, PayloadEncodeOptions, PayloadError};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;

/// The exact prefix GA writes.
pub const PREFIX: &str = "otpauth-migration://offline?data=";

/// Texts longer than this are refused before decoding (a QR code holds under 3 KB).
pub const MAX_URI_CHARS: usize = 128 * 1024;

/// How forgiving the URI decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriMode {
    /// Exactly [`PREFIX`] followed by percent-encoded, padded standard Base64; nothing else.
    Strict,
    /// Also accepts surrounding whitespace, other query parameters, raw `+`, `/`, `=`, spaces
    /// where a form decoder turned `+` into ` `, URL-safe Base64 and missing padding, each
    /// reported as a [`UriFinding`].
    Lenient,
}

/// Something the lenient decoder repaired or ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriFinding {
    /// Whitespace (e.g. a trailing newline) around the URI was trimmed.
    SurroundingWhitespace,
    /// Scheme or host were not in lower case.
    PrefixCase,
    /// A query parameter other than `data` was ignored.
    ExtraParameter {
        /// Its name.
        name: String,
    },
    /// Base64 characters `+`, `/` or `=` appeared unencoded (the M16 export text).
    UnencodedReserved {
        /// How many.
        count: usize,
    },
    /// Spaces (raw or `%20`) stood where `+` belongs, as form decoding leaves them (M16).
    SpaceForPlus {
        /// How many were turned back into `+`.
        count: usize,
    },
    /// The URL-safe alphabet (`-`, `_`) was used.
    UrlSafeAlphabet,
    /// `=` padding was missing.
    MissingPadding,
}

/// Why a text is not a migration URI, and where (character offsets into the given text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Longer than [`MAX_URI_CHARS`].
    #[error("URI of {0} bytes is longer than the limit of {MAX_URI_CHARS}")]
    TooLong(usize),
    /// Does not start with `otpauth-migration://offline?`.
    #[error("not an otpauth-migration://offline URI")]
    BadPrefix,
    /// No `data` parameter.
    #[error("no data= parameter")]
    NoData,
    /// A character not allowed at this place.
    #[error("character {found:?} at byte {offset} is not allowed in the data parameter")]
    BadCharacter {
        /// Byte offset into the URI text.
        offset: usize,
        /// The character.
        found: char,
    },
    /// `%` not followed by two hex digits.
    #[error("bad percent escape at byte {offset}")]
    BadPercent {
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// The unescaped data is not valid Base64.
    #[error("data is not Base64: {detail} (at byte {offset} of the unescaped data)")]
    Base64 {
        /// Offset into the unescaped Base64 text.
        offset: usize,
        /// The decoder's message.
        detail: String,
    },
    /// The Base64 decodes, but not to a payload.
    #[error("payload: {0}")]
    Payload(#[from] PayloadError),
}

/// A decoded URI: the payload plus what the decoder had to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedUri {
    /// The protobuf payload.
    pub payload: Payload,
    /// The raw protobuf bytes.
    pub bytes: Vec<u8>,
    /// Repairs made (always empty in strict mode).
    pub findings: Vec<UriFinding>,
}

/// How an exporter writes the Base64 into the URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriStyle {
    /// `+`, `/`, `=` as `%2B`, `%2F`, `%3D` (GA).
    #[default]
    PercentEncoded,
    /// Raw Base64 in the query, the text behind M16.
    RawBase64,
}

/// Writes a payload as a migration URI.
pub fn encode_uri(payload: &Payload, options: &PayloadEncodeOptions, style: UriStyle) -> String {
    let b64 = STANDARD.encode(payload.encode(options));
    let mut out = String::with_capacity(PREFIX.len() + b64.len() * 3 / 2);
    out.push_str(PREFIX);
    for c in b64.chars() {
        match (style, c) {
            (UriStyle::PercentEncoded, '+') => out.push_str("%2B"),
            (UriStyle::PercentEncoded, '/') => out.push_str("%2F"),
            (UriStyle::PercentEncoded, '=') => out.push_str("%3D"),
            _ => out.push(c),
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

/// Decodes a migration URI in the given mode.
pub fn decode_uri(text: &str, mode: UriMode) -> Result<DecodedUri, UriError> {
    if text.len() > MAX_URI_CHARS {
        return Err(UriError::TooLong(text.len()));
    }
    let mut findings = Vec::new();
    let (data, data_at) = match mode {
        UriMode::Strict => {
            let data = text.strip_prefix(PREFIX).ok_or(UriError::BadPrefix)?;
            (data, PREFIX.len())
        }
        UriMode::Lenient => locate_data_lenient(text, &mut findings)?,
    };

    let b64 = unescape(data, data_at, mode, &mut findings)?;
    let bytes = decode_base64(&b64, mode, &mut findings)?;
    let payload = Payload::decode(&bytes)?;
    Ok(DecodedUri {
        payload,
        bytes,
        findings,
    })
}

/// The Base64 text of the `data` parameter: percent-escapes decoded, and in lenient mode the
/// repairs forgiving decoders make (each counted as a finding). `data_at` is its offset in
/// the URI, for errors.
fn unescape(
    data: &str,
    data_at: usize,
    mode: UriMode,
    findings: &mut Vec<UriFinding>,
) -> Result<Vec<u8>, UriError> {
    let mut b64 = Vec::with_capacity(data.len());
    let (mut unencoded, mut spaces, mut url_safe) = (0, 0, false);
    let bytes = data.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let offset = data_at + i;
        let c = if b == b'%' {
            let value = bytes
                .get(i + 1)
                .and_then(|h| hex_value(*h))
                .zip(bytes.get(i + 2).and_then(|l| hex_value(*l)))
                .map(|(h, l)| h << 4 | l)
                .ok_or(UriError::BadPercent { offset })?;
            i += 3;
            value
        } else {
            i += 1;
            match (mode, b) {
                (_, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9') => b,
                (UriMode::Lenient, b'+' | b'/' | b'=') => {
                    unencoded += 1;
                    b
                }
                (UriMode::Lenient, b' ') => b' ',
                (UriMode::Lenient, b'-' | b'_') => b,
                _ => {
                    let found = data
                        .get(i - 1..)
                        .and_then(|s| s.chars().next())
                        .unwrap_or('?');
                    return Err(UriError::BadCharacter { offset, found });
                }
            }
        };
        let c = match (mode, c) {
            (UriMode::Lenient, b' ') => {
                spaces += 1;
                b'+'
            }
            (UriMode::Lenient, b'-') => {
                url_safe = true;
                b'+'
            }
            (UriMode::Lenient, b'_') => {
                url_safe = true;
                b'/'
            }
            _ => c,
        };
        b64.push(c);
    }
    if unencoded > 0 {
        findings.push(UriFinding::UnencodedReserved { count: unencoded });
    }
    if spaces > 0 {
        findings.push(UriFinding::SpaceForPlus { count: spaces });
    }
    if url_safe {
        findings.push(UriFinding::UrlSafeAlphabet);
    }
    Ok(b64)
}

/// Base64 to bytes; lenient mode also takes the text without its `=` padding.
fn decode_base64(
    b64: &[u8],
    mode: UriMode,
    findings: &mut Vec<UriFinding>,
) -> Result<Vec<u8>, UriError> {
    let decoded = match mode {
        UriMode::Strict => STANDARD.decode(b64),
        UriMode::Lenient => {
            if b64.last() == Some(&b'=') {
                STANDARD.decode(b64)
            } else {
                let unpadded = STANDARD_NO_PAD.decode(b64);
                if unpadded.is_ok() && !b64.len().is_multiple_of(4) {
                    findings.push(UriFinding::MissingPadding);
                }
                unpadded
            }
        }
    };
    decoded.map_err(|e| {
        let offset = match e {
            base64::DecodeError::InvalidByte(o, _)
            | base64::DecodeError::InvalidLastSymbol(o, _) => o,
            _ => b64.len(),
        };
        UriError::Base64 {
            offset,
            detail: e.to_string(),
        }
    })
}

fn locate_data_lenient<'a>(
    text: &'a str,
    findings: &mut Vec<UriFinding>,
) -> Result<(&'a str, usize), UriError> {
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        findings.push(UriFinding::SurroundingWhitespace);
    }
    let lead = text.len() - text.trim_start().len();
    let head = "otpauth-migration://offline?";
    let prefix = trimmed.get(..head.len()).ok_or(UriError::BadPrefix)?;
    if !prefix.eq_ignore_ascii_case(head) {
        return Err(UriError::BadPrefix);
    }
    if prefix != head {
        findings.push(UriFinding::PrefixCase);
    }
    let query = trimmed.get(head.len()..).unwrap_or_default();
    let mut at = lead + head.len();
    let mut data = None;
    for param in query.split('&') {
        match param.split_once('=') {
            Some(("data", value)) if data.is_none() => data = Some((value, at + 5)),
            _ => findings.push(UriFinding::ExtraParameter {
                name: param.split('=').next().unwrap_or_default().to_owned(),
            }),
        }
        at += param.len() + 1;
    }
    data.ok_or(UriError::NoData)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_plus_is_refused_strictly_and_repaired_leniently() {
        let payload = Payload {
            version: Some(1),
            batch_id: Some(-5),
            ..Payload::default()
        };
        let raw = encode_uri(
            &payload,
            &PayloadEncodeOptions::default(),
            UriStyle::RawBase64,
        );
        assert!(raw.contains('+') || raw.contains('/'));
        assert!(matches!(
            decode_uri(&raw, UriMode::Strict),
            Err(UriError::BadCharacter { .. })
        ));
        let lenient = decode_uri(&raw, UriMode::Lenient).unwrap();
        assert_eq!(lenient.payload, payload);

        let spaced = format!("{}\n", raw.replace('+', " ").trim_end_matches('='));
        let repaired = decode_uri(&spaced, UriMode::Lenient).unwrap();
        assert_eq!(repaired.payload, payload);
        assert!(repaired
            .findings
            .contains(&UriFinding::SurroundingWhitespace));
        assert!(repaired.findings.contains(&UriFinding::MissingPadding));
    }

    #[test]
    fn percent_errors_are_located() {
        let text = format!("{PREFIX}AB%2");
        assert_eq!(
            decode_uri(&text, UriMode::Strict),
            Err(UriError::BadPercent {
                offset: PREFIX.len() + 2
            })
        );
        assert_eq!(
            decode_uri("otpauth://totp/x", UriMode::Lenient),
            Err(UriError::BadPrefix)
        );
    }
}
