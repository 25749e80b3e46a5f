//! What `hybridsim ble scan` says about each advert it hears: which of the given QR
//! secrets (if any) it was made for, and the advert as a JSON object or as one or two lines
//! for a person. Lengths follow Chromium and CTAP 2.3: exactly 20 bytes, or 20 and a suffix.

use crate::SeenAdvert;
use hybridsim_proto::advert::{self, AdvertError, LengthRule, Matched, ADVERT_LEN};
use hybridsim_proto::channels::AdvertSuffix;
use hybridsim_proto::domain;
use serde_json::{json, Value};
use std::cmp::Ordering;

/// Chromium knows two assigned domains; adverts naming others are ignored.
const KNOWN_ASSIGNED_DOMAINS: u16 = 2;

/// Which of the EID keys an advert was made for: the key's index and what decrypting it
/// gave. `None` when it was made for none of them.
pub type Verdict = Option<(usize, Result<Matched, AdvertError>)>;

/// Tries each EID key on the advert's service data, allowing a CTAP 2.3 suffix.
pub fn trial(keys: &[[u8; 64]], data: &[u8]) -> Verdict {
    advert::trial_decrypt(keys, data, LengthRule::AllowSuffix, KNOWN_ASSIGNED_DOMAINS)
}

/// Whether the verdict is a decrypted advert.
pub fn decrypted(verdict: &Verdict) -> bool {
    matches!(verdict, Some((_, Ok(_))))
}

/// The advert's length class: Chromium and CTAP 2.2 accept exactly 20 bytes; CTAP 2.3
/// allows a suffix after them.
pub fn form(len: usize) -> &'static str {
    match len.cmp(&ADVERT_LEN) {
        Ordering::Equal => "20-byte",
        Ordering::Greater => "ctap2.3-suffix",
        Ordering::Less => "too-short",
    }
}

/// The advert as one JSON object; with keys given, `decrypted` says what they made of it
/// (secrets are numbered from 1, as given on the command line).
pub fn to_json(seen: &SeenAdvert, keys_given: bool, verdict: &Verdict) -> Value {
    let mut out = json!({
        "at_ms": seen.at.as_millis(),
        "address": seen.address,
        "rssi": seen.rssi,
        "uuid": format!("{:04x}", seen.uuid),
        "length": seen.data.len(),
        "form": form(seen.data.len()),
        "data": hex::encode(&seen.data),
    });
    if !keys_given {
        return out;
    }
    let decrypted = match verdict {
        None => json!({"for_secret": Value::Null}),
        Some((i, Err(e))) => json!({"for_secret": i + 1, "error": e.to_string()}),
        Some((i, Ok(m))) => json!({
            "for_secret": i + 1,
            "nonce": hex::encode(m.eid.nonce),
            "routing_id": hex::encode_upper(m.eid.routing_id),
            "domain_id": m.eid.domain_id,
            "domain": domain::host(m.eid.domain_id).ok(),
            "suffix": (!m.suffix.is_empty()).then(|| hex::encode(&m.suffix)),
        }),
    };
    let mut decrypted = decrypted;
    if let (Some((_, Ok(m))), Some(map)) = (verdict, decrypted.as_object_mut()) {
        if !m.suffix.is_empty() {
            let readings = AdvertSuffix::describe(&m.suffix);
            map.insert("suffix_readings".to_owned(), Value::String(readings));
        }
    }
    if let Some(map) = out.as_object_mut() {
        map.insert("decrypted".to_owned(), decrypted);
    }
    out
}

/// The advert for a person: a line with time, address, signal, UUID, length and bytes,
/// and, with keys given, a second line saying what they made of it.
pub fn to_lines(seen: &SeenAdvert, keys_given: bool, verdict: &Verdict) -> Vec<String> {
    let at_ms = seen.at.as_millis();
    let mut out = vec![format!(
        "+{}.{:03}s  {}  rssi {:>4}  {:04x}  {} B {:<14}  {}",
        at_ms / 1000,
        at_ms % 1000,
        seen.address,
        seen.rssi.map_or("-".to_owned(), |r| r.to_string()),
        seen.uuid,
        seen.data.len(),
        form(seen.data.len()),
        hex::encode(&seen.data),
    )];
    if !keys_given {
        return out;
    }
    out.push(match verdict {
        None => "    not for the given secret(s)".to_owned(),
        Some((i, Err(e))) => format!("    made for secret #{}, but {e}", i + 1),
        Some((i, Ok(m))) => format!(
            "    secret #{}: nonce {}  routing id {}  domain {} (id {}){}",
            i + 1,
            hex::encode(m.eid.nonce),
            hex::encode_upper(m.eid.routing_id),
            domain::host(m.eid.domain_id).unwrap_or_else(|_| "(none)".to_owned()),
            m.eid.domain_id,
            if m.suffix.is_empty() {
                String::new()
            } else {
                format!(
                    "  suffix {} ({})",
                    hex::encode(&m.suffix),
                    AdvertSuffix::describe(&m.suffix)
                )
            }
        ),
    });
    out
}

/// The note `desktop --real-ble` writes for each advert it hears:
/// `heard fff9 advert (20 B) from AA:BB:CC:DD:EE:FF rssi -61`.
pub fn heard_line(seen: &SeenAdvert) -> String {
    format!(
        "heard {:04x} advert ({} B) from {} rssi {}",
        seen.uuid,
        seen.data.len(),
        seen.address,
        seen.rssi.map_or("-".to_owned(), |r| r.to_string())
    )
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
