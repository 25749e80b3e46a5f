use super::*;
use crate::test_vectors::load;
use proptest::prelude::*;

const CHROME_2022: &str = "FIDO:/162870791865632382552704231438327900152302540348097243854039966655366469794954476199158014113179232779520163209900691930075274801398564434658077048963842109321447142660";

#[test]
fn real_chrome_qr_matches_the_source_asserted_fields() {
    let v = load("qr_codes.json");
    for code in v["qr_codes"].as_array().unwrap() {
        let url = code["url"].as_str().unwrap();
        let want = &code["expected"];
        let qr = QrPayload::parse(url).unwrap();
        assert_eq!(
            qr.request_type.as_ref().unwrap().as_str(),
            want["request_type"].as_str().unwrap()
        );
        assert_eq!(qr.known_domains, want["known_domain_count"].as_u64());
        assert_eq!(qr.timestamp, want["timestamp"].as_u64());
        assert_eq!(
            qr.linking,
            want["supports_state_assisted_transactions"].as_bool()
        );
        assert_eq!(
            hex::encode_upper(qr.tunnel_id()),
            want["tunnel_id_hex"].as_str().unwrap()
        );
        // Re-encoding gives the identical string (webauthn-rs decode_chrome).
        assert_eq!(qr.to_url(), url);
    }
}

#[test]
fn real_chrome_qr_matches_the_derived_crosscheck() {
    let v = load("derived_crosschecks.json");
    let case = &v["qr_decodings"][0];
    let qr = QrPayload::parse(case["url"].as_str().unwrap()).unwrap();
    assert_eq!(
        hex::encode(qr.to_cbor()),
        case["cbor_hex"].as_str().unwrap()
    );
    let d = &case["decoded"];
    assert_eq!(
        hex::encode(qr.public_key),
        d["0_compressed_public_key_hex"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(qr.secret),
        d["1_qr_secret_hex"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(qr.public_key_uncompressed()),
        case["public_key_uncompressed_hex"].as_str().unwrap()
    );
}

/// Builds a CBOR value from the vector file's notation ("h:" = bytes, strings, ints, bools).
fn vector_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::String(s) => match s.strip_prefix("h:") {
            Some(h) => Value::Bytes(hex::decode(h).unwrap()),
            None => Value::Text(s.clone()),
        },
        serde_json::Value::Number(n) => Value::Integer(n.as_i64().unwrap().into()),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        other => panic!("unexpected vector value {other}"),
    }
}

#[test]
fn chromium_known_qr_cases() {
    let v = load("qr_parse_cases.json");
    for case in v["cases"].as_array().unwrap() {
        let map = Value::Map(
            case["map"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        Value::Integer(k.parse::<i64>().unwrap().into()),
                        vector_value(v),
                    )
                })
                .collect(),
        );
        let url = format!("FIDO:/{}", base10::encode(&cbor::encode_canonical(&map)));
        let result = QrPayload::parse(&url);
        if !case["valid"].as_bool().unwrap() {
            assert!(result.is_err(), "accepted {case}");
            continue;
        }
        let qr = result.unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(
            qr.known_domains.unwrap_or(0),
            case["num_known_domains"].as_u64().unwrap()
        );
        assert_eq!(qr.linking, case["supports_linking"].as_bool());
        let expected = match case["request_type"].as_str().unwrap() {
            "getAssertion" => RequestType::GetAssertion,
            "makeCredential" => RequestType::MakeCredential,
            other => panic!("vector request type {other}"),
        };
        assert_eq!(qr.effective_request_type(), expected);
        assert_eq!(qr.to_url(), url, "re-encoding keeps every key");
    }
}

#[test]
fn invalid_url_cases_fail_for_the_stated_reason() {
    let v = load("qr_parse_cases.json");
    for case in v["invalid_urls"]["cases"].as_array().unwrap() {
        let url = case["url"].as_str().unwrap();
        let err = QrPayload::parse(url).unwrap_err();
        let kind = match &err {
            QrError::Prefix | QrError::Empty => "InvalidCableUrl",
            QrError::Digits(Base10Error::NotADigit { .. }) => "Base10(ContainsNonDigitChars)",
            QrError::Digits(Base10Error::InvalidLength { .. }) => "Base10(InvalidLength)",
            QrError::Digits(Base10Error::OutOfRange { .. }) => "Base10(OutOfRange)",
            QrError::NotAMap(_) => "Cbor",
            other => panic!("{url}: unexpected {other}"),
        };
        assert_eq!(kind, case["error"].as_str().unwrap(), "{url}: {err}");
    }
}

#[test]
fn chromium_qrs_facts() {
    // 'F' ^ 4 in the first character makes the prefix fail; lower case is fine.
    let flipped = format!("B{}", &CHROME_2022[1..]);
    assert_eq!(QrPayload::parse(&flipped), Err(QrError::Prefix));
    assert!(QrPayload::parse(&CHROME_2022.replacen("FIDO", "fido", 1)).is_ok());
    assert_eq!(QrPayload::parse("nonsense"), Err(QrError::Prefix));
}

#[test]
fn errors_say_what_and_where() {
    let secret = Value::Bytes(vec![0; 16]);
    let point = Value::Bytes(
        hex::decode("03364C15EEC34331D2865757421D497E569E1EBA6CFF9A69D32E90F19E7F6FD15E").unwrap(),
    );
    let encode = |entries: Vec<(i64, Value)>| {
        QrPayload::from_cbor(&cbor::encode_canonical(&cbor::int_map(entries)))
    };
    assert_eq!(
        encode(vec![(1, secret.clone())]).unwrap_err().to_string(),
        "QR key 0 is missing"
    );
    assert_eq!(
        encode(vec![(0, point.clone()), (1, Value::Bytes(vec![0; 15]))])
            .unwrap_err()
            .to_string(),
        "QR key 1: 15 bytes, expected 16"
    );
    assert_eq!(
        encode(vec![
            (0, point.clone()),
            (1, secret.clone()),
            (4, Value::Integer(1.into()))
        ])
        .unwrap_err()
        .to_string(),
        "QR key 4: expected a boolean, found an integer"
    );
    assert_eq!(
        QrPayload::parse("FIDO:/00000000000000000999")
            .unwrap_err()
            .to_string(),
        "QR digits: digit group 1: value 999 exceeds 1 byte(s)"
    );
}

#[test]
fn key_6_is_read_in_both_meanings_and_kept() {
    let base = QrPayload::parse(CHROME_2022).unwrap();
    for k6 in [
        Key6::NonDiscoverableMc(true),
        Key6::TransportChannels(vec![0, 1]),
        Key6::Other(Value::Text("grease".into())),
    ] {
        let qr = QrPayload {
            key6: Some(k6.clone()),
            ..base.clone()
        };
        let back = QrPayload::parse(&qr.to_url()).unwrap();
        assert_eq!(back.key6, Some(k6));
    }
}

#[test]
fn a_non_integer_timestamp_is_kept_but_does_not_reject() {
    let base = QrPayload::parse(CHROME_2022).unwrap();
    let qr = QrPayload {
        timestamp: None,
        unknown: vec![(Value::Integer(3.into()), Value::Text("now".into()))],
        ..base
    };
    let back = QrPayload::parse(&qr.to_url()).unwrap();
    assert_eq!(back.timestamp, None);
    assert_eq!(back.unknown.len(), 1);
}

#[test]
fn non_canonical_payloads_are_refused_with_the_offset() {
    // Keys 1 then 0: out of order.
    let point =
        hex::decode("03364C15EEC34331D2865757421D497E569E1EBA6CFF9A69D32E90F19E7F6FD15E").unwrap();
    let map = Value::Map(vec![
        (Value::Integer(1.into()), Value::Bytes(vec![0; 16])),
        (Value::Integer(0.into()), Value::Bytes(point)),
    ]);
    let url = format!("FIDO:/{}", base10::encode(&cbor::encode_as_is(&map)));
    assert_eq!(
        QrPayload::parse(&url).unwrap_err().to_string(),
        "QR payload: CBOR byte 19: map keys not in CTAP2 canonical order"
    );
}

fn arb_payload() -> impl Strategy<Value = QrPayload> {
    (
        any::<[u8; 32]>().prop_filter_map("valid scalar", |k| keys::public_of(&k).ok()),
        any::<[u8; 16]>(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(prop_oneof![Just("ga"), Just("mc"), Just("dcp"), Just("zz")]),
    )
        .prop_map(|(public, secret, known, time, linking, hint)| QrPayload {
            known_domains: known,
            timestamp: time,
            linking,
            request_type: hint.map(RequestType::from_wire),
            ..QrPayload::new(keys::compressed(&public).unwrap(), secret)
        })
}

proptest! {
    #[test]
    fn parse_inverts_to_url(qr in arb_payload()) {
        prop_assert_eq!(QrPayload::parse(&qr.to_url()).unwrap(), qr);
    }

    #[test]
    fn parse_never_panics(digits in "[0-9]{0,200}") {
        let _ = QrPayload::parse(&format!("FIDO:/{digits}"));
    }
}
