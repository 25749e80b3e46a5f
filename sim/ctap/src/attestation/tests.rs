use super::*;
use crate::testkit::{self, read_fixture};
use p256::pkcs8::DecodePublicKey;
use proptest::prelude::*;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

fn credential_key() -> SigningKey {
    SigningKey::from_slice(&[3; 32]).unwrap()
}

#[test]
fn webauthn_and_ctap_forms_carry_the_same_values() {
    let object = AttestationObject {
        fmt: "none".into(),
        auth_data: vec![1, 2, 3],
        att_stmt: Value::Map(vec![]),
    };
    // Written by hand: {"fmt": "none", "attStmt": {}, "authData": h'010203'} in canonical
    // order (shorter keys first).
    let webauthn = "a363666d74646e6f6e656761747453746d74a068617574684461746143010203";
    assert_eq!(hex::encode(object.to_webauthn_bytes()), webauthn);
    assert_eq!(
        AttestationObject::decode_webauthn(&hex::decode(webauthn).unwrap()).unwrap(),
        object
    );
    // {1: "none", 2: h'010203', 3: {}}
    let ctap = cbor::encode_canonical(&object.to_ctap_response_map());
    assert_eq!(hex::encode(&ctap), "a301646e6f6e65024301020303a0");
    let map = cbor::decode(&ctap, Strictness::Canonical).unwrap();
    assert_eq!(
        AttestationObject::from_ctap_response_map(&map).unwrap(),
        object
    );
}

#[test]
fn decoding_errors_name_the_member() {
    let cases = [
        ("a0", AttestationError::Missing("fmt")),
        (
            "a163666d7401",
            AttestationError::WrongType {
                field: "fmt",
                expected: "a text string",
                found: "an integer",
            },
        ),
        (
            "a163666d74646e6f6e65",
            AttestationError::Missing("authData"),
        ),
        (
            "a263666d74646e6f6e65686175746844617461f6",
            AttestationError::WrongType {
                field: "authData",
                expected: "a byte string",
                found: "null",
            },
        ),
        (
            "a263666d74646e6f6e6568617574684461746140",
            AttestationError::Missing("attStmt"),
        ),
        (
            "80",
            AttestationError::NotAMap {
                field: "attestationObject",
                found: "an array",
            },
        ),
    ];
    for (h, expected) in cases {
        assert_eq!(
            AttestationObject::decode_webauthn(&hex::decode(h).unwrap()),
            Err(expected)
        );
    }
    let reversed = "a368617574684461746140 6761747453746d74a0 63666d74646e6f6e65".replace(' ', "");
    assert!(matches!(
        AttestationObject::decode_webauthn(&hex::decode(&reversed).unwrap()),
        Err(AttestationError::Cbor(_))
    ));
    assert!(AttestationObject::decode_webauthn_with(
        &hex::decode(&reversed).unwrap(),
        Strictness::WellFormed
    )
    .is_ok());
}

#[test]
fn packed_statement_round_trips_and_checks_types() {
    let with_chain = PackedStatement {
        alg: -7,
        sig: vec![0x30, 1],
        x5c: vec![vec![1], vec![2, 3]],
    };
    assert_eq!(
        PackedStatement::from_value(&with_chain.to_value()).unwrap(),
        with_chain
    );
    let self_att = PackedStatement {
        alg: -7,
        sig: vec![9],
        x5c: vec![],
    };
    let value = self_att.to_value();
    assert!(cbor::map_get_text(&value, "x5c").is_none());
    assert_eq!(PackedStatement::from_value(&value).unwrap(), self_att);
    let bad = text_map([("alg", Value::from("ES256")), ("sig", Value::Bytes(vec![]))]);
    assert_eq!(
        PackedStatement::from_value(&bad),
        Err(AttestationError::WrongType {
            field: "attStmt.alg",
            expected: "an integer",
            found: "a text string"
        })
    );
    let no_sig = text_map([("alg", Value::from(-7))]);
    assert_eq!(
        PackedStatement::from_value(&no_sig),
        Err(AttestationError::Missing("attStmt.sig"))
    );
}

#[test]
fn none_attestation_has_an_empty_statement() {
    let object = Attester::None.attest(vec![5; 40], &[1; 32], &credential_key());
    assert_eq!(object.fmt, "none");
    assert_eq!(object.att_stmt, Value::Map(vec![]));
    assert_eq!(object.auth_data, vec![5; 40]);
}

#[test]
fn packed_self_attestation_verifies_under_the_credential_key() {
    let key = credential_key();
    let auth_data = vec![0xAB; 77];
    let cdh = [0x11; 32];
    let object = Attester::PackedSelf.attest(auth_data.clone(), &cdh, &key);
    assert_eq!(object.fmt, "packed");
    let statement = PackedStatement::from_value(&object.att_stmt).unwrap();
    assert_eq!((statement.alg, statement.x5c.len()), (-7, 0));
    // The signature covers authData ‖ clientDataHash, nothing else.
    let signature = DerSignature::from_bytes(&statement.sig).unwrap();
    let message = [auth_data.as_slice(), &cdh].concat();
    assert!(key.verifying_key().verify(&message, &signature).is_ok());
    assert!(key.verifying_key().verify(&auth_data, &signature).is_err());
    assert!(verify_es256(
        key.verifying_key(),
        &[&auth_data, &cdh],
        &statement.sig
    ));
}

#[test]
fn signatures_are_deterministic() {
    let a = Attester::PackedSelf.attest(vec![1; 37], &[2; 32], &credential_key());
    let b = Attester::PackedSelf.attest(vec![1; 37], &[2; 32], &credential_key());
    assert_eq!(a, b);
}

/// Checks that `leaf` is signed by `issuer` (ECDSA P-256 with SHA-256 over the TBS DER).
fn issued_by(leaf: &Certificate, issuer: &Certificate) -> bool {
    let issuer_key = VerifyingKey::from_public_key_der(
        &issuer
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap(),
    )
    .unwrap();
    let tbs = leaf.tbs_certificate.to_der().unwrap();
    let sig = leaf.signature.as_bytes().unwrap();
    verify_es256(&issuer_key, &[&tbs], sig)
}

#[test]
fn packed_x5c_leaf_verifies_and_chains_to_the_test_ca() {
    let ca_der = pem_to_der(&read_fixture("attestation/ca.pem"), "CERTIFICATE").unwrap();
    let ca = Certificate::from_der(&ca_der).unwrap();
    for name in [
        "microsoft-authenticator-ios",
        "microsoft-authenticator-android",
    ] {
        let profile = testkit::profile(name);
        let attester = testkit::attester(&profile);
        let object = attester.attest(vec![0x42; 100], &[0x24; 32], &credential_key());
        let statement = PackedStatement::from_value(&object.att_stmt).unwrap();
        assert_eq!(statement.x5c.len(), 1);
        let leaf = Certificate::from_der(&statement.x5c[0]).unwrap();
        // The leaf chains to ca.pem.
        assert!(issued_by(&leaf, &ca), "{name}");
        assert!(issued_by(&ca, &ca), "the CA is self-signed");
        assert!(!issued_by(&leaf, &leaf), "the leaf is not self-signed");
        // The statement signature verifies under the leaf's key, over authData ‖ cdh.
        let leaf_key = VerifyingKey::from_public_key_der(
            &leaf
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .unwrap(),
        )
        .unwrap();
        assert!(
            verify_es256(&leaf_key, &[&object.auth_data, &[0x24; 32]], &statement.sig),
            "{name}"
        );
        assert!(!verify_es256(
            credential_key().verifying_key(),
            &[&object.auth_data, &[0x24; 32]],
            &statement.sig
        ));
        // The leaf names the profile's AAGUID.
        let Attester::PackedX5c(identity) = &attester else {
            panic!()
        };
        assert_eq!(identity.certificate_aaguid(), Some(profile.aaguid));
    }
}

#[test]
fn identity_checks_pem_labels_and_key_match() {
    let cert = read_fixture("attestation/microsoft-authenticator-ios.pem");
    let key = read_fixture("attestation/microsoft-authenticator-ios.key");
    assert!(AttestationIdentity::from_pem(&cert, &key).is_ok());
    assert!(matches!(
        AttestationIdentity::from_pem(&key, &key),
        Err(IdentityError::Pem {
            what: "certificate",
            ..
        })
    ));
    assert!(matches!(
        AttestationIdentity::from_pem(&cert, &cert),
        Err(IdentityError::Key(_))
    ));
    let other = read_fixture("attestation/ca.key");
    assert_eq!(
        AttestationIdentity::from_pem(&cert, &other).unwrap_err(),
        IdentityError::KeyMismatch
    );
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Value::Bytes),
        "[a-z]{0,8}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4).prop_map(|m| {
                Value::Map(m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect())
            }),
        ]
    })
}

proptest! {
    #[test]
    fn attestation_objects_round_trip(
        fmt in "[a-z-]{1,10}",
        auth_data in prop::collection::vec(any::<u8>(), 0..120),
        stmt in prop::collection::btree_map("[a-z]{1,6}", arb_value(), 0..4),
    ) {
        let mut att_stmt = Value::Map(stmt.into_iter().map(|(k, v)| (Value::Text(k), v)).collect());
        cbor::sort_canonical(&mut att_stmt);
        let object = AttestationObject { fmt, auth_data, att_stmt };
        prop_assert_eq!(AttestationObject::decode_webauthn(&object.to_webauthn_bytes()).unwrap(), object.clone());
        let ctap = cbor::decode(&cbor::encode_canonical(&object.to_ctap_response_map()), Strictness::Canonical).unwrap();
        prop_assert_eq!(AttestationObject::from_ctap_response_map(&ctap).unwrap(), object);
    }

    #[test]
    fn packed_statements_round_trip(alg in any::<i64>(), sig in prop::collection::vec(any::<u8>(), 0..80),
                                    x5c in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..3)) {
        let statement = PackedStatement { alg, sig, x5c };
        let bytes = cbor::encode_canonical(&statement.to_value());
        let value = cbor::decode(&bytes, Strictness::Canonical).unwrap();
        prop_assert_eq!(PackedStatement::from_value(&value).unwrap(), statement);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = AttestationObject::decode_webauthn(&bytes);
        let _ = AttestationObject::decode_webauthn_with(&bytes, Strictness::WellFormed);
        if let Ok(value) = cbor::decode(&bytes, Strictness::WellFormed) {
            let _ = PackedStatement::from_value(&value);
            let _ = AttestationObject::from_ctap_response_map(&value);
        }
    }
}
