use super::*;
use crate::crypter::{Construction, Crypter};
use crate::keys;
use crate::linking;
use crate::message::{Message, MessageType};
use crate::padding::encode_padded_map_old;
use proptest::prelude::*;

const QR: HandshakeKind = HandshakeKind::QrInitiated;

fn text_array(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::Text((*s).into())).collect())
}

/// The getInfo a Chromium phone builds (`BuildGetInfoResponse`, docs/protocol.md §7.4).
fn chromium_get_info() -> Vec<u8> {
    cbor::encode_canonical(&int_map([
        (1, text_array(&["FIDO_2_0", "FIDO_2_1"])),
        (2, text_array(&["prf"])),
        (3, Value::Bytes(vec![0; 16])),
        (
            4,
            Value::Map(vec![
                (Value::Text("uv".into()), Value::Bool(true)),
                (Value::Text("rk".into()), Value::Bool(true)),
            ]),
        ),
        (9, text_array(&["cable", "hybrid", "internal"])),
    ]))
}

fn linking_info(contact_id_len: usize, name: &str) -> LinkingInfo {
    let root = [0x42; 32];
    let phone = linking::identity_private_key(&root);
    let desktop_public = keys::public_of(&[0x11; 32]).unwrap();
    let contact_id = vec![0xc0; contact_id_len];
    let link_id = [7; 8];
    LinkingInfo {
        link_secret: linking::link_secret(&root, Some(&contact_id), &link_id),
        contact_id,
        link_id,
        public_key: keys::public_of(&phone).unwrap(),
        name: name.into(),
        signature: linking::sign(&phone, &desktop_public, &[9; 32]).unwrap(),
        play_services: Some(true),
    }
}

fn texts(v: &Value) -> Vec<String> {
    let Value::Array(items) = v else {
        panic!("not an array: {v:?}")
    };
    items
        .iter()
        .map(|i| i.as_text().unwrap().to_owned())
        .collect()
}

//= docs/protocol.md §12 post_handshake.json (webauthn-rs posthandshake_android_chrome, posthandshake_ios16)
//= type=test
#[test]
fn real_captures_from_android_and_ios_decode() {
    let v = crate::test_vectors::load("post_handshake.json");
    let cases = v["vectors"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let bytes = hex::decode(case["cbor_hex"].as_str().unwrap()).unwrap();
        let expected = &case["expected"];
        let (message, revision) =
            PostHandshakeMessage::decode(&bytes, QR).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(revision, ProtocolRevision::V1, "{name}");
        assert!(expected["linking_info"].is_null());
        assert_eq!(message.linking, None, "{name}");
        // Only key 1 is present, so CTAP is assumed.
        assert_eq!(expected["keys_present"], serde_json::json!([1]));
        assert_eq!(message.features, ["ctap"], "{name}");
        assert!(message.supports_ctap());

        let get_info = cbor::decode(message.get_info.as_deref().unwrap(), Strictness::Canonical)
            .unwrap_or_else(|e| panic!("{name} getInfo: {e}"));
        let want = &expected["getinfo"];
        let want_texts = |key: &str| -> Vec<String> {
            want[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            texts(cbor::map_get(&get_info, 1).unwrap()),
            want_texts("versions"),
            "{name}"
        );
        if want.get("extensions").is_some() {
            assert_eq!(
                texts(cbor::map_get(&get_info, 2).unwrap()),
                want_texts("extensions")
            );
        }
        let aaguid = cbor::map_get(&get_info, 3).unwrap().as_bytes().unwrap();
        let want_aaguid = want["aaguid"].as_str().unwrap().replace('-', "");
        assert_eq!(hex::encode(aaguid), want_aaguid, "{name}");
        let options = cbor::map_get(&get_info, 4).unwrap();
        for option in ["rk", "uv"] {
            assert_eq!(
                cbor::map_get_text(options, option).and_then(Value::as_bool),
                want["options"][option].as_bool(),
                "{name} {option}"
            );
        }
        assert_eq!(
            texts(cbor::map_get(&get_info, 9).unwrap()),
            want_texts("transports"),
            "{name}"
        );

        // Re-encoding makes key 3 explicit and nothing else changes.
        let reencoded = message.encode(ProtocolRevision::V1);
        assert_eq!(
            PostHandshakeMessage::decode(&reencoded, QR).unwrap().0,
            message
        );
    }
}

//= docs/protocol.md §7.4 "The Chromium phone sends {1: getInfo, 3: ["ctap"]}"
//= type=test
#[test]
fn chromium_phone_post_handshake_message() {
    let message = PostHandshakeMessage::chromium_phone(chromium_get_info());
    let bytes = message.encode(ProtocolRevision::V1);
    let mut expected = vec![0xa2, 0x01, 0x58, chromium_get_info().len() as u8];
    expected.extend(chromium_get_info());
    expected.extend([0x03, 0x81, 0x64]);
    expected.extend(b"ctap");
    assert_eq!(bytes, expected);
    assert_eq!(
        PostHandshakeMessage::decode(&bytes, QR).unwrap(),
        (message, ProtocolRevision::V1)
    );
}

//= docs/protocol.md §7.3 revision detection (Chromium fido_tunnel_device.cc)
//= type=test
#[test]
fn padded_post_handshake_messages_are_revision_0() {
    let message = PostHandshakeMessage {
        linking: Some(linking_info(16, "Pixel")),
        ..PostHandshakeMessage::chromium_phone(chromium_get_info())
    };
    let padded = message.encode(ProtocolRevision::V0);
    assert_eq!(padded.len() % 512, 0);
    assert_eq!(
        PostHandshakeMessage::decode(&padded, QR).unwrap(),
        (message.clone(), ProtocolRevision::V0)
    );
    let old = encode_padded_map_old(&message.to_cbor());
    assert_eq!(
        PostHandshakeMessage::decode(&old, QR).unwrap(),
        (message, ProtocolRevision::V0)
    );
}

#[test]
fn get_info_is_required_exactly_when_ctap_is_a_feature() {
    let decode = |v: Value| PostHandshakeMessage::from_cbor(&v, QR);
    assert_eq!(
        decode(int_map([(3, text_array(&["ctap"]))])),
        Err(PostHandshakeError::MissingGetInfo)
    );
    // An absent key 3 means "ctap".
    assert_eq!(decode(int_map([])), Err(PostHandshakeError::MissingGetInfo));
    assert_eq!(
        decode(int_map([
            (1, Value::Bytes(vec![0xa0])),
            (3, text_array(&["dc"]))
        ])),
        Err(PostHandshakeError::UnexpectedGetInfo)
    );
    let dc_only = decode(int_map([(3, text_array(&["dc"]))])).unwrap();
    assert_eq!(dc_only.features, ["dc"]);
    assert!(!dc_only.supports_ctap());
    assert_eq!(dc_only.get_info, None);
}

#[test]
fn wrong_types_are_reported_with_their_key() {
    let decode = |v: Value| {
        PostHandshakeMessage::from_cbor(&v, QR)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        decode(int_map([
            (1, Value::Bytes(vec![])),
            (3, Value::Integer(1.into()))
        ])),
        "post-handshake message key 3: expected an array, found an integer"
    );
    assert_eq!(
        decode(int_map([(1, Value::Text("x".into()))])),
        "post-handshake message key 1: expected a byte string, found a text string"
    );
    assert_eq!(
        decode(int_map([
            (1, Value::Bytes(vec![])),
            (2, Value::Bytes(vec![1]))
        ])),
        "post-handshake message key 2: expected a map, found a byte string"
    );
    assert_eq!(
        decode(int_map([
            (1, Value::Bytes(vec![])),
            (2, int_map([(1, Value::Bytes(vec![]))]))
        ])),
        "post-handshake message key 2: linking info key 5: missing"
    );
    assert_eq!(
        PostHandshakeMessage::from_cbor(&Value::Array(vec![]), QR),
        Err(PostHandshakeError::NotAMap("an array"))
    );
    // Plain CBOR that is not a map is not retried as a padded map.
    assert_eq!(
        PostHandshakeMessage::decode(&[0x01], QR),
        Err(PostHandshakeError::NotAMap("an integer"))
    );
}

#[test]
fn non_string_features_padding_and_unknown_keys_are_tolerated() {
    let value = int_map([
        (0, Value::Bytes(vec![0; 5])),
        (1, Value::Bytes(vec![0xa0])),
        (
            3,
            Value::Array(vec![Value::Integer(7.into()), Value::Text("ctap".into())]),
        ),
        (42, Value::Null),
    ]);
    let message = PostHandshakeMessage::from_cbor(&value, QR).unwrap();
    assert_eq!(message.features, ["ctap"]);
    assert_eq!(message.padding, Some(vec![0; 5]));
    let odd_padding = int_map([(0, Value::Integer(1.into())), (1, Value::Bytes(vec![]))]);
    assert_eq!(
        PostHandshakeMessage::from_cbor(&odd_padding, QR)
            .unwrap()
            .padding,
        None
    );
}

#[test]
fn linking_content_is_only_checked_on_qr_connections() {
    let junk_linking = int_map([(1, Value::Bytes(vec![])), (2, int_map([]))]);
    assert!(PostHandshakeMessage::from_cbor(&junk_linking, QR).is_err());
    let linked = PostHandshakeMessage::from_cbor(&junk_linking, HandshakeKind::Linked).unwrap();
    assert_eq!(linked.linking, None);
    let not_a_map = int_map([(1, Value::Bytes(vec![])), (2, Value::Null)]);
    assert!(PostHandshakeMessage::from_cbor(&not_a_map, HandshakeKind::Linked).is_err());
}

#[test]
fn garbage_is_refused_with_both_reasons() {
    let e = PostHandshakeMessage::decode(&[0xff, 0x00], QR).unwrap_err();
    assert!(matches!(e, PostHandshakeError::Undecodable { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("post-handshake message is neither CBOR (CBOR byte 0:"),
        "{e}"
    );
}

fn wire_size(update: &UpdateMessage) -> usize {
    let mut phone = Crypter::new([1; 32], [2; 32], Construction::New);
    phone
        .encrypt(&update.to_message().to_bytes())
        .unwrap()
        .len()
}

//= docs/protocol.md §8.2 "pads to 512 bytes → 528 bytes on the wire — even when there is no linking info"
//= type=test
#[test]
fn chromium_phone_update_is_528_bytes_on_the_wire_with_and_without_linking() {
    let without = UpdateMessage::chromium_phone(None);
    assert_eq!(without.padding.as_ref().map(Vec::len), Some(492));
    assert_eq!(wire_size(&without), 528);
    for (contact_id_len, name) in [
        (0, ""),
        (16, "Pixel 8"),
        (163, "A phone"),
        (300, "a longer phone name"),
    ] {
        let info = linking_info(contact_id_len, name);
        let update = UpdateMessage::chromium_phone(Some(info.clone()));
        assert_eq!(wire_size(&update), 528, "contact id {contact_id_len}");
        assert_eq!(update.linking, Some(info));
    }
}

#[test]
fn oversized_linking_keeps_the_full_padding_as_chromium_release_builds_do() {
    let update = UpdateMessage::chromium_phone(Some(linking_info(600, "x")));
    assert_eq!(update.padding.as_ref().map(Vec::len), Some(492));
    assert!(wire_size(&update) > 528);
}

#[test]
fn update_messages_round_trip_and_check_key_1() {
    let update = UpdateMessage::chromium_phone(Some(linking_info(20, "Pixel")));
    let message = update.to_message();
    assert_eq!(message.message_type, MessageType::Update);
    let parsed = Message::parse(&message.to_bytes(), ProtocolRevision::V1).unwrap();
    assert_eq!(
        UpdateMessage::decode(&parsed.payload, QR),
        Ok(update.clone())
    );
    // On a linked connection the linking info is discarded unparsed.
    assert_eq!(
        UpdateMessage::decode(&parsed.payload, HandshakeKind::Linked)
            .unwrap()
            .linking,
        None
    );
    let bad = cbor::encode_canonical(&int_map([(1, Value::Bytes(vec![]))]));
    assert_eq!(
        UpdateMessage::decode(&bad, QR).unwrap_err().to_string(),
        "update message key 1: expected a map, found a byte string"
    );
    let bad_linking = cbor::encode_canonical(&int_map([(1, int_map([]))]));
    assert_eq!(
        UpdateMessage::decode(&bad_linking, QR)
            .unwrap_err()
            .to_string(),
        "update message key 1: linking info key 5: missing"
    );
    assert_eq!(
        UpdateMessage::decode(&[0x80], QR),
        Err(UpdateError::NotAMap("an array"))
    );
    assert!(matches!(
        UpdateMessage::decode(&[], QR),
        Err(UpdateError::Cbor(_))
    ));
}

fn any_linking() -> impl Strategy<Value = Option<LinkingInfo>> {
    prop::option::of((0usize..200, "[a-z ]{0,12}").prop_map(|(n, name)| linking_info(n, &name)))
}

fn any_post_handshake() -> impl Strategy<Value = PostHandshakeMessage> {
    (
        prop::collection::vec("(ctap|dc|[a-z]{1,5})", 0..4),
        prop::collection::vec(any::<u8>(), 0..80),
        any_linking(),
        prop::option::of(prop::collection::vec(Just(0u8), 0..40)),
    )
        .prop_map(|(features, get_info, linking, padding)| {
            let ctap = features.iter().any(|f| f == FEATURE_CTAP);
            PostHandshakeMessage {
                get_info: ctap.then_some(get_info),
                linking,
                features,
                padding,
            }
        })
}

proptest! {
    #[test]
    fn post_handshake_decode_inverts_encode(m in any_post_handshake(), v0 in any::<bool>()) {
        let revision = if v0 { ProtocolRevision::V0 } else { ProtocolRevision::V1 };
        prop_assert_eq!(
            PostHandshakeMessage::decode(&m.encode(revision), QR),
            Ok((m, revision))
        );
    }

    #[test]
    fn update_decode_inverts_encode(
        linking in any_linking(),
        padding in prop::option::of(prop::collection::vec(Just(0u8), 0..600)),
    ) {
        let update = UpdateMessage { padding, linking };
        prop_assert_eq!(UpdateMessage::decode(&update.encode(), QR), Ok(update));
    }

    #[test]
    fn post_handshake_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
            let _ = PostHandshakeMessage::decode(&bytes, kind);
            let _ = UpdateMessage::decode(&bytes, kind);
        }
    }
}
