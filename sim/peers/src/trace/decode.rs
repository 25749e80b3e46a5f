//! The CBOR behind a trace record, decoded for a person to read: diagnostic notation with
//! CTAP and hybrid key numbers named, chosen by what the record says it is.

use hybridsim_proto::cbor::diag::{to_diag, KeyNames};
use hybridsim_proto::cbor::{self, Strictness};
// The CTAP and hybrid key names are the session decryptor's, so a trace and a decrypted
// capture name the same keys the same way.
use hybridsim_session::names::{
    ASSERTION_KEYS, ATTESTATION_KEYS, GET_ASSERTION_KEYS, GET_INFO_KEYS, MAKE_CREDENTIAL_KEYS,
    POST_HANDSHAKE_KEYS, UPDATE_KEYS,
};

pub(super) const QR_KEYS: &[(i64, &str)] = &[
    (0, "publicKey"),
    (1, "qrSecret"),
    (2, "knownDomains"),
    (3, "timestamp"),
    (4, "linking"),
    (5, "requestType"),
    (6, "key6"),
];
/// Whether a note with this name carries a QR payload.
pub(super) fn is_qr_payload(what: &str) -> bool {
    matches!(what, "qr payload" | "qr scanned")
}

/// Decodes the CBOR behind a peer's note, by what the note says it is. CTAP requests carry
/// a command byte and responses a status byte before the CBOR; a phone's update message
/// carries its type byte.
pub(super) fn decode_message(what: &str, bytes: &[u8]) -> Option<String> {
    let (body, keys): (&[u8], &'static [(i64, &str)]) = match what {
        "qr payload" | "qr scanned" => (bytes, QR_KEYS),
        "post-handshake message" => (bytes, POST_HANDSHAKE_KEYS),
        "getInfo" => (bytes, GET_INFO_KEYS),
        "update message" => match bytes.split_first() {
            Some((2, rest)) => (rest, UPDATE_KEYS),
            _ => (bytes, UPDATE_KEYS),
        },
        "ctap request" => match bytes.split_first() {
            Some((1, rest)) => (rest, MAKE_CREDENTIAL_KEYS),
            Some((2, rest)) => (rest, GET_ASSERTION_KEYS),
            Some((_, rest)) => (rest, &[]),
            None => return None,
        },
        "ctap response" => {
            let (_, rest) = bytes.split_first()?;
            let value = cbor::decode(rest, Strictness::WellFormed).ok()?;
            // A makeCredential response starts with its format name, a getAssertion one
            // with the credential descriptor.
            let keys = match cbor::map_get(&value, 1) {
                Some(cbor::Value::Text(_)) => ATTESTATION_KEYS,
                _ => ASSERTION_KEYS,
            };
            return Some(to_diag(&value, Some(KeyNames { keys })));
        }
        _ => return None,
    };
    let value = cbor::decode(body, Strictness::WellFormed).ok()?;
    Some(to_diag(&value, Some(KeyNames { keys })))
}
