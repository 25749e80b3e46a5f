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
