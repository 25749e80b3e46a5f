#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn step<'a>(layer: Layer, what: &'a str, bytes: &'a [u8], secret: bool) -> Step<'a> {
    Step {
        at: Millis(1),
        actor: "phone",
        layer,
        dir: Direction::Note,
        what,
        bytes,
        secret,
    }
}

#[test]
fn secrets_are_hidden_unless_revealed() {
    let hidden = TraceRecord::new(step(Layer::Noise, "psk", &[1, 2], true), false);
    assert_eq!(
        hidden.to_json(),
        "{\"t_ms\":1,\"actor\":\"phone\",\"layer\":\"noise\",\"dir\":\"note\",\"what\":\"psk\",\"len\":2,\"hex\":\"secret\"}"
    );
    let shown = TraceRecord::new(step(Layer::Noise, "psk", &[1, 2], true), true);
    assert!(shown.to_json().contains("\"hex\":\"0102\""));
}

#[test]
fn ctap_messages_are_decoded_with_named_keys() {
    // getAssertion request: command 02, then {1: "a.example", 2: h'00'}
    let request = hex::decode("02a20169612e6578616d706c65024100").unwrap();
    let record = TraceRecord::new(step(Layer::Ctap, "ctap request", &request, false), false);
    assert_eq!(
        record.cbor.unwrap(),
        r#"{1 /rpId/: "a.example", 2 /clientDataHash/: h'00'}"#
    );
}

#[test]
fn the_qr_secret_is_redacted_from_qr_texts_and_payloads_unless_revealed() {
    use hybridsim_proto::qr::QrPayload;
    let secret = [0x5a; 16];
    let payload = QrPayload::new([2; 33], secret);
    let url = payload.to_url();
    let secret_hex = hex::encode(secret);
    for (what, bytes) in [
        ("show QR", url.as_bytes().to_vec()),
        ("camera read: FIDO text", format!("x {url}").into_bytes()),
        ("qr payload", payload.to_cbor()),
    ] {
        let record = TraceRecord::new(step(Layer::Qr, what, &bytes, false), false);
        assert_eq!(record.hex, HIDDEN, "{what}");
        assert_eq!(record.len, bytes.len());
        let diag = record.cbor.clone().unwrap();
        assert!(
            diag.contains(r#"1 /qrSecret/: "redacted: 16 bytes""#),
            "{diag}"
        );
        assert!(!record.to_json().contains(&secret_hex));
        let shown = TraceRecord::new(step(Layer::Qr, what, &bytes, false), true);
        assert_eq!(shown.hex, hex::encode(&bytes));
    }
    // A mangled text is still hidden, without a decoded form.
    let mangled = TraceRecord::new(step(Layer::Qr, "show QR", b"FIDO:/12x", false), false);
    assert_eq!((mangled.hex.as_str(), mangled.cbor), (HIDDEN, None));
}
