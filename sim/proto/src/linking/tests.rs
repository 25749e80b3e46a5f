use super::*;
use proptest::prelude::*;

const DESKTOP_QR_PRIVATE: [u8; 32] = [0x11; 32];
const PHONE_ROOT: [u8; 32] = [0x42; 32];
const HASH: [u8; 32] = [0x5a; 32];

fn phone_private() -> [u8; 32] {
    identity_private_key(&PHONE_ROOT)
}

fn sample(contact_id: Vec<u8>) -> LinkingInfo {
    let link_id = [1, 2, 3, 4, 5, 6, 7, 8];
    let desktop_public = keys::public_of(&DESKTOP_QR_PRIVATE).unwrap();
    LinkingInfo {
        link_secret: link_secret(&PHONE_ROOT, Some(&contact_id), &link_id),
        contact_id,
        link_id,
        public_key: keys::public_of(&phone_private()).unwrap(),
        name: "Pixel".into(),
        signature: sign(&phone_private(), &desktop_public, &HASH).unwrap(),
        play_services: None,
    }
}

fn with_entry(info: &LinkingInfo, key: i64, value: Value) -> Value {
    let Value::Map(mut entries) = info.to_cbor() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::Integer(key.into()));
    entries.push((Value::Integer(key.into()), value));
    Value::Map(entries)
}

fn without(info: &LinkingInfo, key: i64) -> Value {
    let Value::Map(mut entries) = info.to_cbor() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::Integer(key.into()));
    Value::Map(entries)
}

//= docs/protocol.md §8.1 key 6 (Chromium CalculatePairingSignature / VerifyPairingSignature)
//= type=test
#[test]
fn signature_made_by_the_phone_verifies_on_the_desktop() {
    let info = sample(b"contact".to_vec());
    assert_eq!(verify(&DESKTOP_QR_PRIVATE, &info, &HASH), Ok(()));
    // The desktop's QR key may be given compressed, as the QR code carries it.
    let compressed = keys::compressed(&keys::public_of(&DESKTOP_QR_PRIVATE).unwrap()).unwrap();
    assert_eq!(
        sign(&phone_private(), &compressed, &HASH).unwrap(),
        info.signature
    );
}

#[test]
fn signature_is_hmac_of_the_hash_under_the_ecdh_x_coordinate() {
    // Recomputed with p256 and hmac directly rather than through keys::ecdh_x.
    let desktop = p256::SecretKey::from_slice(&DESKTOP_QR_PRIVATE).unwrap();
    let phone = p256::SecretKey::from_slice(&phone_private()).unwrap();
    let shared =
        p256::ecdh::diffie_hellman(desktop.to_nonzero_scalar(), phone.public_key().as_affine());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(shared.raw_secret_bytes()).unwrap();
    mac.update(&HASH);
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(sample(vec![]).signature, expected);
}

#[test]
fn verification_fails_for_another_handshake_or_desktop() {
    let info = sample(b"contact".to_vec());
    assert_eq!(
        verify(&DESKTOP_QR_PRIVATE, &info, &[0x5b; 32]),
        Err(LinkingError::SignatureMismatch)
    );
    assert_eq!(
        verify(&[0x12; 32], &info, &HASH),
        Err(LinkingError::SignatureMismatch)
    );
    assert_eq!(
        verify(&[0; 32], &info, &HASH),
        Err(LinkingError::DesktopKey(KeyError::InvalidScalar))
    );
    let mut forged = info.clone();
    forged.signature[31] ^= 1;
    assert_eq!(
        verify(&DESKTOP_QR_PRIVATE, &forged, &HASH),
        Err(LinkingError::SignatureMismatch)
    );
}

#[test]
fn linking_info_round_trips_with_and_without_key_999() {
    let mut info = sample(vec![0xee; 150]);
    assert_eq!(LinkingInfo::decode(&info.encode()), Ok(info.clone()));
    info.play_services = Some(true);
    let encoded = info.encode();
    assert_eq!(LinkingInfo::decode(&encoded), Ok(info));
}

#[test]
fn parse_checks_follow_chromium_pairing_parse() {
    let info = sample(b"c".to_vec());
    let err = |v: Value| LinkingInfo::from_cbor(&v).unwrap_err();

    assert_eq!(err(Value::Array(vec![])), LinkingError::NotAMap("an array"));
    assert_eq!(
        err(without(&info, 5)),
        LinkingError::Field {
            key: 5,
            problem: FieldProblem::Missing
        }
    );
    let e = err(with_entry(&info, 1, Value::Integer(7.into())));
    assert_eq!(
        e.to_string(),
        "linking info key 1: expected a byte string, found an integer"
    );
    assert_eq!(
        err(with_entry(&info, 5, Value::Bytes(b"Pixel".to_vec()))).to_string(),
        "linking info key 5: expected a text string, found a byte string"
    );
    assert_eq!(
        err(with_entry(
            &info,
            4,
            Value::Bytes(info.public_key[..33].to_vec())
        )),
        LinkingError::Field {
            key: 4,
            problem: FieldProblem::WrongLength {
                len: 33,
                expected: 65
            }
        }
    );
    let mut off_curve = info.public_key;
    off_curve[64] ^= 1;
    assert_eq!(
        err(with_entry(&info, 4, Value::Bytes(off_curve.to_vec()))),
        LinkingError::PublicKey(KeyError::NotOnCurve)
    );
    assert_eq!(
        err(with_entry(&info, 2, Value::Bytes(vec![0; 16]))).to_string(),
        "linking info key 2: 16 bytes; expected 8"
    );
    assert_eq!(
        err(without(&info, 6)).to_string(),
        "linking info key 6: missing"
    );
}

#[test]
fn unknown_keys_and_non_boolean_key_999_are_ignored() {
    let info = sample(b"c".to_vec());
    let extra = with_entry(&info, 7, Value::Text("future".into()));
    assert_eq!(LinkingInfo::from_cbor(&extra), Ok(info.clone()));
    let odd_flag = with_entry(&info, PLAY_SERVICES_KEY, Value::Integer(1.into()));
    assert_eq!(LinkingInfo::from_cbor(&odd_flag), Ok(info));
}

#[test]
fn non_canonical_linking_info_is_refused_with_its_offset() {
    let mut bytes = sample(vec![]).encode();
    bytes.push(0);
    let e = LinkingInfo::decode(&bytes).unwrap_err();
    assert!(matches!(e, LinkingError::Cbor(_)), "{e}");
    assert!(e.to_string().starts_with("linking info: CBOR byte"), "{e}");
}

fn hkdf(ikm: &[u8], salt: &[u8], purpose: u32) -> [u8; 32] {
    let salt = (!salt.is_empty()).then_some(salt);
    let mut out = [0; 32];
    hkdf::Hkdf::<Sha256>::new(salt, ikm)
        .expand(&purpose.to_le_bytes(), &mut out)
        .unwrap();
    out
}

//= docs/protocol.md §8.3 phone step 2 (Chromium DerivePairedSecret)
//= type=test
#[test]
fn link_secret_goes_through_the_contact_id() {
    let link_id = [9; 8];
    let per_contact = hkdf(&PHONE_ROOT, b"contact-id", 6);
    assert_eq!(
        link_secret(&PHONE_ROOT, Some(b"contact-id"), &link_id),
        hkdf(&per_contact, &link_id, 4)
    );
    assert_eq!(
        link_secret(&PHONE_ROOT, None, &link_id),
        hkdf(&PHONE_ROOT, &link_id, 4)
    );
    assert_ne!(
        link_secret(&PHONE_ROOT, Some(b"new-contact-id"), &link_id),
        link_secret(&PHONE_ROOT, Some(b"contact-id"), &link_id)
    );
}

#[test]
fn identity_key_comes_from_the_root_secret_seed() {
    let seed = hkdf(&PHONE_ROOT, &[], 5);
    assert_eq!(
        identity_private_key(&PHONE_ROOT),
        keys::private_from_seed(&seed)
    );
    assert!(keys::parse_private(&identity_private_key(&PHONE_ROOT)).is_ok());
}

//= docs/protocol.md §5.3 X-caBLE-Client-Payload
//= type=test
#[test]
fn client_payload_layout_and_header() {
    let payload = ClientPayload {
        link_id: [0xab; 8],
        client_nonce: [0xcd; 16],
        request_type: HINT_MAKE_CREDENTIAL.into(),
    };
    let expected = format!("A30148{}0250{}03626D63", "AB".repeat(8), "CD".repeat(16));
    assert_eq!(payload.to_header_value(), expected);
    assert_eq!(
        ClientPayload::from_header_value(&expected),
        Ok(payload.clone())
    );
    assert_eq!(
        ClientPayload::from_header_value(&expected.to_lowercase()),
        Ok(payload)
    );
}

#[test]
fn client_payload_errors_name_the_field() {
    let short = cbor::encode_canonical(&int_map([
        (1, Value::Bytes(vec![0; 7])),
        (2, Value::Bytes(vec![0; 16])),
        (3, Value::Text(HINT_GET_ASSERTION.into())),
    ]));
    assert_eq!(
        ClientPayload::decode(&short).unwrap_err().to_string(),
        "client payload key 1: 7 bytes; expected 8"
    );
    let no_hint = cbor::encode_canonical(&int_map([
        (1, Value::Bytes(vec![0; 8])),
        (2, Value::Bytes(vec![0; 16])),
    ]));
    assert_eq!(
        ClientPayload::decode(&no_hint).unwrap_err().to_string(),
        "client payload key 3: missing"
    );
    assert!(matches!(
        ClientPayload::from_header_value("zz"),
        Err(ClientPayloadError::NotHex(_))
    ));
    assert_eq!(
        ClientPayload::decode(&[0x80]),
        Err(ClientPayloadError::NotAMap("an array"))
    );
}

fn any_linking_info() -> impl Strategy<Value = LinkingInfo> {
    (
        prop::collection::vec(any::<u8>(), 0..200),
        any::<[u8; 8]>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        ".{0,20}",
        any::<[u8; 32]>(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(contact_id, link_id, link_secret, seed, name, signature, flag)| LinkingInfo {
                contact_id,
                link_id,
                link_secret,
                public_key: keys::public_of(&keys::private_from_seed(&seed)).unwrap(),
                name,
                signature,
                play_services: flag,
            },
        )
}

proptest! {
    #[test]
    fn linking_info_decode_inverts_encode(info in any_linking_info()) {
        prop_assert_eq!(LinkingInfo::decode(&info.encode()), Ok(info));
    }

    #[test]
    fn client_payload_decode_inverts_encode(
        link_id in any::<[u8; 8]>(),
        client_nonce in any::<[u8; 16]>(),
        request_type in "(ga|mc|[a-z]{0,4})",
    ) {
        let payload = ClientPayload { link_id, client_nonce, request_type };
        prop_assert_eq!(ClientPayload::from_header_value(&payload.to_header_value()), Ok(payload));
    }

    #[test]
    fn linking_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = LinkingInfo::decode(&bytes);
        let _ = ClientPayload::decode(&bytes);
        let _ = ClientPayload::from_header_value(&String::from_utf8_lossy(&bytes));
    }
}
