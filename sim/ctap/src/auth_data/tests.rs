use super::*;
use hybridsim_proto::cbor::CborErrorKind;
use proptest::prelude::*;

// The EC2 key of WebAuthn L3 §6.5.1.1, in canonical CBOR.
const SPEC_KEY: &str = "a501020326200121582065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d2258201e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c";
const AAGUID: &str = "f24a8e70d0d3f82c293732523cc4de5a";

/// Authenticator data written out field by field, independently of the encoder.
fn handmade() -> String {
    [
        "aa".repeat(32),                           // rpIdHash
        "cd".to_owned(),                           // UP|UV|BE|AT|ED
        "01020304".to_owned(),                     // signCount
        AAGUID.to_owned(),                         // aaguid
        "0003".to_owned(),                         // credentialIdLength
        "010203".to_owned(),                       // credentialId
        SPEC_KEY.to_owned(),                       // credentialPublicKey
        "a16b686d61632d736563726574f5".to_owned(), // {"hmac-secret": true}
    ]
    .concat()
}

fn handmade_value() -> AuthenticatorData {
    AuthenticatorData {
        rp_id_hash: [0xaa; 32],
        flags: Flags::UP | Flags::UV | Flags::BE | Flags::AT | Flags::ED,
        sign_count: 0x0102_0304,
        attested: Some(AttestedCredentialData {
            aaguid: hex::decode(AAGUID).unwrap().try_into().unwrap(),
            credential_id: vec![1, 2, 3],
            public_key: CoseKey::decode(&hex::decode(SPEC_KEY).unwrap()).unwrap(),
        }),
        extensions: Some(Value::Map(vec![(
            Value::Text("hmac-secret".into()),
            Value::Bool(true),
        )])),
    }
}

#[test]
fn layout_matches_the_handmade_bytes() {
    let bytes = hex::decode(handmade()).unwrap();
    assert_eq!(AuthenticatorData::decode(&bytes).unwrap(), handmade_value());
    assert_eq!(hex::encode(handmade_value().to_bytes()), handmade());
    assert_eq!(
        handmade_value().extension("hmac-secret"),
        Some(&Value::Bool(true))
    );
}

#[test]
fn new_sets_at_and_ed_from_what_is_present() {
    let v = handmade_value();
    let rebuilt = AuthenticatorData::new(
        v.rp_id_hash,
        Flags::UP | Flags::UV | Flags::BE,
        v.sign_count,
        v.attested.clone(),
        v.extensions.clone(),
    );
    assert_eq!(rebuilt, v);
    let bare = AuthenticatorData::new([0; 32], Flags::AT | Flags::ED | Flags::UP, 0, None, None);
    assert_eq!(bare.flags, Flags::UP);
    assert_eq!(bare.to_bytes().len(), FIXED_LEN);
}

#[test]
fn flags_keep_and_report_reserved_bits() {
    let mut bytes = vec![0u8; 37];
    bytes[32] = 0x22 | 0x01;
    let data = AuthenticatorData::decode(&bytes).unwrap();
    assert_eq!(data.flags.reserved_bits(), 0x22);
    assert_eq!(data.flags.names(), ["UP", "RFU1", "RFU2"]);
    assert_eq!(data.to_bytes(), bytes);
    assert!(Flags::BS.backup_state_without_eligibility());
    assert!(!(Flags::BS | Flags::BE).backup_state_without_eligibility());
}

fn decode_hex(h: &str) -> Result<AuthenticatorData, AuthDataError> {
    AuthenticatorData::decode(&hex::decode(h).unwrap())
}

#[test]
fn every_error_names_the_field_and_offset() {
    let full = handmade();
    let head = |n: usize| full[..2 * n].to_owned();
    // 36 bytes: signCount cut short.
    assert_eq!(
        decode_hex(&head(36)),
        Err(AuthDataError::TooShort {
            field: "signCount",
            offset: 33,
            needed: 4,
            available: 3
        })
    );
    // AT set but the data stops after the fixed part.
    assert_eq!(
        decode_hex(&head(37)),
        Err(AuthDataError::TooShort {
            field: "aaguid",
            offset: 37,
            needed: 16,
            available: 0
        })
    );
    // credentialIdLength 1024.
    let long = format!("{}0400", head(53));
    assert_eq!(
        decode_hex(&long),
        Err(AuthDataError::CredentialIdTooLong { len: 1024 })
    );
    // credentialId shorter than announced.
    assert_eq!(
        decode_hex(&head(57)),
        Err(AuthDataError::TooShort {
            field: "credentialId",
            offset: 55,
            needed: 3,
            available: 2
        })
    );
    // No key after the credential ID.
    assert_eq!(
        decode_hex(&head(58)),
        Err(AuthDataError::TooShort {
            field: "credentialPublicKey",
            offset: 58,
            needed: 1,
            available: 0
        })
    );
    // Key cut inside: the CBOR error's offset is made absolute.
    match decode_hex(&head(70)) {
        Err(AuthDataError::PublicKeyCbor { offset, error }) => {
            assert_eq!(offset, 58 + error.offset);
            assert!(matches!(error.kind, CborErrorKind::UnexpectedEnd { .. }));
        }
        other => panic!("{other:?}"),
    }
    // A key that is CBOR but not EC2 (kty 1).
    let okp = format!(
        "{}{}",
        head(58),
        SPEC_KEY.replacen("a5010203", "a5010103", 1)
    );
    assert!(matches!(
        decode_hex(&okp),
        Err(AuthDataError::PublicKey {
            offset: 58,
            error: CoseError::UnsupportedKeyType(1)
        })
    ));
    // ED set but nothing after the key.
    let key_end = 58 + SPEC_KEY.len() / 2;
    assert_eq!(
        decode_hex(&head(key_end)),
        Err(AuthDataError::TooShort {
            field: "extensions",
            offset: key_end,
            needed: 1,
            available: 0
        })
    );
    // Extensions that are not a map, or keyed by an integer.
    assert_eq!(
        decode_hex(&format!("{}80", head(key_end))),
        Err(AuthDataError::ExtensionsNotAMap {
            offset: key_end,
            found: "an array"
        })
    );
    assert_eq!(
        decode_hex(&format!("{}a101f5", head(key_end))),
        Err(AuthDataError::ExtensionKeyNotText {
            offset: key_end,
            found: "an integer"
        })
    );
    // Trailing bytes after the extensions, and after a bare fixed part.
    assert_eq!(
        decode_hex(&format!("{full}00")),
        Err(AuthDataError::TrailingBytes {
            offset: full.len() / 2,
            count: 1
        })
    );
    assert_eq!(
        decode_hex(&format!("{}01{}00", "aa".repeat(32), "00000000")),
        Err(AuthDataError::TrailingBytes {
            offset: 37,
            count: 1
        })
    );
    // AT clear while attested data follows: the data is trailing.
    let at_clear = format!("{}8d{}", "aa".repeat(32), &full[66..]);
    assert!(matches!(
        decode_hex(&at_clear),
        Err(AuthDataError::ExtensionsCbor { offset: 37, .. })
    ));
}

#[test]
fn non_canonical_embedded_cbor_needs_well_formed_strictness() {
    let key = CoseKey::decode(&hex::decode(SPEC_KEY).unwrap()).unwrap();
    let Value::Map(mut entries) = key.to_value() else {
        unreachable!()
    };
    entries.reverse();
    let mut bytes = hex::decode(handmade()).unwrap()[..58].to_vec();
    bytes[32] = 0x41; // UP|AT
    bytes.extend(cbor::encode_as_is(&Value::Map(entries)));
    assert!(matches!(
        AuthenticatorData::decode(&bytes),
        Err(AuthDataError::PublicKeyCbor { .. })
    ));
    let lenient = AuthenticatorData::decode_with(&bytes, Strictness::WellFormed).unwrap();
    assert_eq!(lenient.attested.unwrap().public_key, key);
}

fn arb_auth_data() -> impl Strategy<Value = AuthenticatorData> {
    let attested = prop::option::of((
        any::<[u8; 16]>(),
        prop::collection::vec(any::<u8>(), 0..80),
        1u8..=250,
    ));
    let extensions = prop::option::of(prop::collection::vec(("[a-z-]{1,12}", any::<bool>()), 0..4));
    (
        any::<[u8; 32]>(),
        any::<u8>(),
        any::<u32>(),
        attested,
        extensions,
    )
        .prop_map(|(hash, flags, count, attested, extensions)| {
            let attested = attested.map(|(aaguid, credential_id, scalar)| AttestedCredentialData {
                aaguid,
                credential_id,
                public_key: CoseKey::es256(
                    &p256::SecretKey::from_slice(&[scalar; 32])
                        .unwrap()
                        .public_key(),
                ),
            });
            let extensions = extensions.map(|entries| {
                let mut map: Vec<(Value, Value)> = Vec::new();
                for (k, v) in entries {
                    if !map.iter().any(|(key, _)| *key == Value::Text(k.clone())) {
                        map.push((Value::Text(k), Value::Bool(v)));
                    }
                }
                let mut value = Value::Map(map);
                cbor::sort_canonical(&mut value);
                value
            });
            AuthenticatorData::new(hash, Flags(flags), count, attested, extensions)
        })
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(data in arb_auth_data()) {
        let bytes = data.to_bytes();
        prop_assert_eq!(AuthenticatorData::decode(&bytes).unwrap(), data);
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = AuthenticatorData::decode(&bytes);
        let _ = AuthenticatorData::decode_with(&bytes, Strictness::WellFormed);
    }

    #[test]
    fn decode_never_panics_on_mutated_valid_data(pos in 0usize..180, byte in any::<u8>(), cut in 0usize..200) {
        let mut bytes = hex::decode(handmade()).unwrap();
        let len = bytes.len();
        bytes[pos % len] = byte;
        bytes.truncate(cut.max(1));
        let _ = AuthenticatorData::decode(&bytes);
    }
}
