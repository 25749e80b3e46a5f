//! A message captured from a real Chromium desktop (fixtures/chromium-makecredential, see
//! its SOURCE.md) decrypts from its key log alone, with the construction detected and the
//! CTAP command named.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_session::decrypt::{self, CrypterKind, HandshakeSource, Input, MessageKind};
use hybridsim_session::keylog::KeyLog;
use hybridsim_session::messages;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/chromium-makecredential"
);

#[test]
fn chromium_makecredential_request_decrypts_from_traffic_keys() {
    let keylog = KeyLog::parse(&std::fs::read(format!("{DIR}/keys.log")).unwrap()).unwrap();
    let wire = messages::parse(&std::fs::read(format!("{DIR}/messages.jsonl")).unwrap()).unwrap();
    let expected = std::fs::read_to_string(format!("{DIR}/expected_plaintext.hex")).unwrap();
    let session = decrypt::decrypt(Input {
        qr: None,
        tunnel_id: None,
        keylog: &keylog,
        messages: &wire,
        advert: None,
    })
    .unwrap();
    assert_eq!(session.handshake, Some(HandshakeSource::TrafficKeys));
    assert_eq!(session.crypter, Some(CrypterKind::New));
    let m = &session.messages[0];
    assert_eq!(m.kind, MessageKind::CtapRequest);
    assert_eq!(hex::encode(&m.plaintext), expected.trim());
    assert_eq!(m.summary, "CTAP request makeCredential (0x01)");
    let cbor = m.cbor.as_deref().unwrap();
    assert!(
        cbor.contains("2 /rp/: {\"id\": \"webauthn.firstyear.id.au\""),
        "{cbor}"
    );
}
