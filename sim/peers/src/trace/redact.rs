//! Keeping the QR secret out of default traces. Key 1 of the QR payload is the secret every
//! other key of a QR transaction derives from (EID key, PSK, tunnel id): with it and an
//! advert from the same trace, the PSK follows. It travels as CBOR (the desktop's `qr
//! payload` and the phone's `qr scanned` notes) and as the digits of the `FIDO:/` text (shown,
//! photographed, scanned). A record carrying either keeps its length but hides its bytes, and
//! shows the payload decoded with key 1 replaced by a placeholder, so it stays readable.

use super::decode::{self, QR_KEYS};
use hybridsim_proto::base10;
use hybridsim_proto::cbor::diag::{to_diag, KeyNames};
use hybridsim_proto::cbor::{self, Strictness, Value};

/// The QR payload's key for the secret.
const SECRET_KEY: i64 = 1;

/// The case-insensitive prefix of a QR text (as the phone's parser accepts it).
const PREFIX: &[u8] = b"FIDO:/";

/// Whether `bytes` carry the QR secret (a `FIDO:/` text, or a QR payload note): then the
/// payload's diagnostic form with the secret replaced (`None` inside when it does not
/// decode, e.g. a text a fault mangled).
pub(super) fn qr(what: &str, bytes: &[u8]) -> Option<Option<String>> {
    if let Some(start) = find_prefix(bytes) {
        let digits: Vec<u8> = bytes
            .get(start + PREFIX.len()..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let payload = std::str::from_utf8(&digits)
            .ok()
            .and_then(|d| base10::decode(d).ok());
        return Some(payload.and_then(|p| redacted_diag(&p)));
    }
    decode::is_qr_payload(what).then(|| redacted_diag(bytes))
}

fn find_prefix(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(PREFIX.len())
        .position(|w| w.eq_ignore_ascii_case(PREFIX))
}

/// The payload in diagnostic notation, its secret replaced.
fn redacted_diag(payload: &[u8]) -> Option<String> {
    let mut value = cbor::decode(payload, Strictness::WellFormed).ok()?;
    if let Value::Map(entries) = &mut value {
        for (key, value) in entries.iter_mut() {
            if matches!(key, Value::Integer(i) if i128::from(*i) == i128::from(SECRET_KEY)) {
                let len = match value {
                    Value::Bytes(b) => b.len(),
                    _ => 0,
                };
                *value = Value::Text(format!("redacted: {len} bytes"));
            }
        }
    }
    Some(to_diag(&value, Some(KeyNames { keys: QR_KEYS })))
}
