use super::*;
use proptest::prelude::*;

// WebAuthn L3 §6.5.1.1, the EC2 example key.
const SPEC_X: &str = "65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d";
const SPEC_Y: &str = "1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c";

fn spec_key() -> CoseKey {
    CoseKey {
        alg: ALG_ES256,
        x: hex::decode(SPEC_X).unwrap().try_into().unwrap(),
        y: hex::decode(SPEC_Y).unwrap().try_into().unwrap(),
    }
}

fn key_from_scalar(byte: u8) -> CoseKey {
    let secret = p256::SecretKey::from_slice(&[byte; 32]).unwrap();
    CoseKey::es256(&secret.public_key())
}

#[test]
fn spec_example_encodes_to_the_documented_bytes() {
    // Written out by hand from the spec's diagnostic notation, in CTAP2 canonical order:
    // 1, 3 (unsigned) before -1, -2, -3 (negative).
    let expected = format!("a5010203262001215820{SPEC_X}225820{SPEC_Y}");
    assert_eq!(hex::encode(spec_key().to_bytes()), expected);
    assert_eq!(
        CoseKey::decode(&hex::decode(&expected).unwrap()).unwrap(),
        spec_key()
    );
}

#[test]
fn sec1_form_matches_p256() {
    let secret = p256::SecretKey::from_slice(&[7; 32]).unwrap();
    let key = CoseKey::es256(&secret.public_key());
    let sec1 = hybridsim_proto::keys::public_of(&[7; 32]).unwrap();
    assert_eq!(key.to_sec1_uncompressed(), sec1);
    assert_eq!(key.to_public_key().unwrap(), secret.public_key());
}

fn with_label(key: &CoseKey, label: i64, value: Option<Value>) -> Vec<u8> {
    let Value::Map(mut entries) = key.to_value() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::from(label));
    if let Some(v) = value {
        entries.push((Value::from(label), v));
    }
    cbor::encode_canonical(&Value::Map(entries))
}

#[test]
fn each_wrong_field_names_its_label() {
    let key = key_from_scalar(3);
    let cases: Vec<(Vec<u8>, CoseError)> = vec![
        (with_label(&key, 1, None), CoseError::Missing { label: 1 }),
        (
            with_label(&key, 1, Some(Value::from(1))),
            CoseError::UnsupportedKeyType(1),
        ),
        (
            with_label(&key, 1, Some(Value::from("EC2"))),
            CoseError::WrongType {
                label: 1,
                expected: "an integer",
                found: "a text string",
            },
        ),
        (
            with_label(&key, 3, Some(Value::from(-8))),
            CoseError::UnsupportedAlgorithm {
                found: -8,
                expected: -7,
            },
        ),
        (with_label(&key, 3, None), CoseError::Missing { label: 3 }),
        (
            with_label(&key, -1, Some(Value::from(4))),
            CoseError::UnsupportedCurve(4),
        ),
        (
            with_label(&key, -2, Some(Value::Bytes(vec![1; 31]))),
            CoseError::CoordinateLength { label: -2, len: 31 },
        ),
        (
            with_label(&key, -3, Some(Value::from("y"))),
            CoseError::WrongType {
                label: -3,
                expected: "a byte string",
                found: "a text string",
            },
        ),
        (
            with_label(&key, -3, Some(Value::Bytes(vec![1; 32]))),
            CoseError::NotOnCurve,
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(CoseKey::decode(&bytes), Err(expected.clone()), "{expected}");
    }
    assert_eq!(
        CoseKey::decode(&[0x80]),
        Err(CoseError::NotAMap("an array"))
    );
    assert!(matches!(CoseKey::decode(&[0xa5]), Err(CoseError::Cbor(_))));
}

#[test]
fn key_agreement_keys_use_alg_minus_25() {
    let key = CoseKey::from_public_key(
        &p256::SecretKey::from_slice(&[5; 32]).unwrap().public_key(),
        ALG_ECDH_ES_HKDF_256,
    );
    let value = key.to_value();
    assert_eq!(
        CoseKey::from_value(&value, ALG_ECDH_ES_HKDF_256).unwrap(),
        key
    );
    assert!(matches!(
        CoseKey::from_value(&value, ALG_ES256),
        Err(CoseError::UnsupportedAlgorithm { found: -25, .. })
    ));
}

#[test]
fn unknown_labels_are_ignored_but_order_is_checked() {
    let key = key_from_scalar(9);
    let Value::Map(mut entries) = key.to_value() else {
        unreachable!()
    };
    entries.push((Value::from(-4), Value::Bytes(vec![0; 32])));
    let bytes = cbor::encode_canonical(&Value::Map(entries.clone()));
    assert_eq!(CoseKey::decode(&bytes).unwrap(), key);
    entries.reverse();
    let unsorted = cbor::encode_as_is(&Value::Map(entries));
    assert!(matches!(
        CoseKey::decode(&unsorted),
        Err(CoseError::Cbor(_))
    ));
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(scalar in proptest::array::uniform32(any::<u8>())) {
        if let Ok(secret) = p256::SecretKey::from_slice(&scalar) {
            let key = CoseKey::es256(&secret.public_key());
            prop_assert_eq!(CoseKey::decode(&key.to_bytes()).unwrap(), key);
        }
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = CoseKey::decode(&bytes);
    }
}
