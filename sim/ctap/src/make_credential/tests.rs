use super::*;
use crate::status::Ctap2Code;
use crate::testkit::arb;
use proptest::prelude::*;

const CDH: &str = "687134968222ec17202e42505f8ed2b16ae22f16bb05b88c25db9e602645f141";
const USER_ID: &str = "2b6689bb18f4169f069fbcdf50cb6ea3c60a861b9a7b63946983e0b577b78c70";

/// The CTAP 2.0 specification's example makeCredential request (without the user's "icon"),
/// written out byte by byte.
fn spec_example_hex(with_icon: bool) -> String {
    let icon = if with_icon {
        // "icon": "https://x.example/i.png" (same length as "name", sorts before it)
        "6469636f6e7768747470733a2f2f782e6578616d706c652f692e706e67"
    } else {
        ""
    };
    let user_entries = if with_icon { "a4" } else { "a3" };
    [
        "a5",
        "01",
        "5820",
        CDH,
        "02",
        "a2",
        "626964",
        "69746573742e63746170",
        "646e616d65",
        "69746573742e63746170",
        "03",
        user_entries,
        "626964",
        "5820",
        USER_ID,
        icon,
        "646e616d65",
        "71746573746374617040637461702e636f6d",
        "6b646973706c61794e616d65",
        "695465737420437461 70",
        "04",
        "82",
        "a2",
        "63616c67",
        "26",
        "6474797065",
        "6a7075626c69632d6b6579",
        "a2",
        "63616c67",
        "390100",
        "6474797065",
        "6a7075626c69632d6b6579",
        "07",
        "a1",
        "62726b",
        "f5",
    ]
    .concat()
    .replace(' ', "")
}

fn spec_example() -> MakeCredentialRequest {
    MakeCredentialRequest {
        client_data_hash: hex::decode(CDH).unwrap(),
        rp: RpEntity {
            id: "test.ctap".into(),
            name: Some("test.ctap".into()),
        },
        user: UserEntity {
            id: hex::decode(USER_ID).unwrap(),
            name: Some("testctap@ctap.com".into()),
            display_name: Some("Test Ctap".into()),
        },
        pub_key_cred_params: vec![
            PubKeyCredParam::public_key(-7),
            PubKeyCredParam::public_key(-257),
        ],
        exclude_list: None,
        extensions: None,
        options: Options {
            rk: Some(true),
            up: None,
            uv: None,
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
        enterprise_attestation: None,
    }
}

#[test]
fn spec_example_decodes_and_encodes_byte_for_byte() {
    let bytes = hex::decode(spec_example_hex(false)).unwrap();
    assert_eq!(
        MakeCredentialRequest::decode(&bytes).unwrap(),
        spec_example()
    );
    assert_eq!(
        hex::encode(spec_example().encode()),
        spec_example_hex(false)
    );
    assert_eq!(spec_example().to_message()[0], 0x01);
    // Unknown members ("icon") are ignored.
    let with_icon = hex::decode(spec_example_hex(true)).unwrap();
    assert_eq!(
        MakeCredentialRequest::decode(&with_icon).unwrap(),
        spec_example()
    );
}

fn with_key(key: i64, value: Option<Value>) -> Vec<u8> {
    let Value::Map(mut entries) = spec_example().to_value() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::from(key));
    if let Some(v) = value {
        entries.push((Value::from(key), v));
    }
    cbor::encode_canonical(&Value::Map(entries))
}

fn status_and_field(bytes: &[u8]) -> (Ctap2Code, String) {
    let e = MakeCredentialRequest::decode(bytes).unwrap_err();
    let crate::status::StatusCode::Known(code) = e.status() else {
        panic!("{e}")
    };
    (code, e.field)
}

#[test]
fn malformed_requests_map_to_the_ctap_status_codes() {
    use crate::wire::text_map;
    use Ctap2Code::*;
    let cases: Vec<(Vec<u8>, Ctap2Code, &str)> = vec![
        (
            with_key(1, None),
            MissingParameter,
            "makeCredential 0x01 clientDataHash",
        ),
        (
            with_key(1, Some(Value::from("hash"))),
            CborUnexpectedType,
            "makeCredential 0x01 clientDataHash",
        ),
        (
            with_key(2, None),
            MissingParameter,
            "makeCredential 0x02 rp",
        ),
        (
            with_key(2, Some(Value::from(1))),
            CborUnexpectedType,
            "makeCredential 0x02 rp",
        ),
        (
            with_key(2, Some(text_map([("name", Value::from("x"))]))),
            MissingParameter,
            "makeCredential 0x02 rp.id",
        ),
        (
            with_key(3, Some(text_map([("id", Value::from("text id"))]))),
            CborUnexpectedType,
            "makeCredential 0x03 user.id",
        ),
        (
            with_key(
                3,
                Some(text_map([
                    ("id", Value::Bytes(vec![1])),
                    ("displayName", Value::from(5)),
                ])),
            ),
            CborUnexpectedType,
            "makeCredential 0x03 user.displayName",
        ),
        (
            with_key(4, None),
            MissingParameter,
            "makeCredential 0x04 pubKeyCredParams",
        ),
        (
            with_key(4, Some(Value::Map(vec![]))),
            CborUnexpectedType,
            "makeCredential 0x04 pubKeyCredParams",
        ),
        (
            with_key(
                4,
                Some(Value::Array(vec![text_map([(
                    "type",
                    Value::from("public-key"),
                )])])),
            ),
            MissingParameter,
            "makeCredential 0x04 pubKeyCredParams[0].alg",
        ),
        (
            with_key(
                4,
                Some(Value::Array(vec![text_map([
                    ("alg", Value::from("ES256")),
                    ("type", Value::from("public-key")),
                ])])),
            ),
            CborUnexpectedType,
            "makeCredential 0x04 pubKeyCredParams[0].alg",
        ),
        (
            with_key(
                5,
                Some(Value::Array(vec![text_map([(
                    "type",
                    Value::from("public-key"),
                )])])),
            ),
            MissingParameter,
            "makeCredential 0x05 excludeList[0].id",
        ),
        (
            with_key(
                6,
                Some(Value::Map(vec![(Value::from(1), Value::Bool(true))])),
            ),
            CborUnexpectedType,
            "makeCredential 0x06 extensions key",
        ),
        (
            with_key(7, Some(text_map([("uv", Value::from(1))]))),
            CborUnexpectedType,
            "makeCredential 0x07 options.uv",
        ),
        (
            with_key(9, Some(Value::from(-1))),
            CborUnexpectedType,
            "makeCredential 0x09 pinUvAuthProtocol",
        ),
        (
            with_key(9, Some(Value::from(1u64 << 40))),
            CborUnexpectedType,
            "makeCredential 0x09 pinUvAuthProtocol",
        ),
        (vec![0x80], CborUnexpectedType, "makeCredential"),
        (vec![], InvalidCbor, "makeCredential"),
        (
            hex::decode(&spec_example_hex(false)[..60]).unwrap(),
            InvalidCbor,
            "makeCredential",
        ),
    ];
    for (bytes, status, field) in cases {
        assert_eq!(
            status_and_field(&bytes),
            (status, field.to_owned()),
            "{}",
            hex::encode(&bytes)
        );
    }
}

#[test]
fn unknown_keys_and_options_are_ignored() {
    let bytes = with_key(0x20, Some(Value::from("future")));
    assert_eq!(
        MakeCredentialRequest::decode(&bytes).unwrap(),
        spec_example()
    );
    let options = crate::wire::text_map([("plat", Value::from(5)), ("rk", Value::Bool(true))]);
    assert_eq!(
        MakeCredentialRequest::decode(&with_key(7, Some(options))).unwrap(),
        spec_example()
    );
}

#[test]
fn non_canonical_requests_need_well_formed_strictness() {
    let Value::Map(mut entries) = spec_example().to_value() else {
        unreachable!()
    };
    entries.reverse();
    let bytes = cbor::encode_as_is(&Value::Map(entries));
    let err = MakeCredentialRequest::decode(&bytes).unwrap_err();
    assert_eq!(err.status(), Ctap2Code::InvalidCbor.into());
    assert!(
        err.to_string()
            .contains("keys not in CTAP2 canonical order"),
        "{err}"
    );
    assert_eq!(
        MakeCredentialRequest::decode_with(&bytes, Strictness::WellFormed).unwrap(),
        spec_example()
    );
}

#[test]
fn response_keys_and_round_trip() {
    let response = MakeCredentialResponse {
        attestation: AttestationObject {
            fmt: "none".into(),
            auth_data: vec![1; 37],
            att_stmt: Value::Map(vec![]),
        },
        ep_att: None,
        large_blob_key: None,
        unsigned_extension_outputs: Some(crate::wire::text_map([(
            "prf",
            crate::wire::text_map([("enabled", Value::Bool(true))]),
        )])),
    };
    let bytes = response.encode();
    // {1: "none", 2: h'01…01', 3: {}, 6: {"prf": {"enabled": true}}}, written by hand.
    let expected = format!(
        "a401646e6f6e65025825{}03a006a163707266a167656e61626c6564f5",
        "01".repeat(37)
    );
    assert_eq!(hex::encode(&bytes), expected);
    assert_eq!(MakeCredentialResponse::decode(&bytes).unwrap(), response);
    let missing = cbor::encode_canonical(&cbor::int_map([(1, Value::from("none"))]));
    assert_eq!(
        MakeCredentialResponse::decode(&missing).unwrap_err().field,
        "makeCredential response 0x02 authData"
    );
}

fn arb_request() -> impl Strategy<Value = MakeCredentialRequest> {
    (
        (
            arb::bytes(40),
            arb::rp(),
            arb::user(),
            prop::collection::vec(arb::param(), 0..4),
        ),
        (
            prop::option::of(prop::collection::vec(arb::descriptor(), 0..3)),
            prop::option::of(arb::extensions()),
            arb::options(),
            prop::option::of(arb::bytes(33)),
            prop::option::of(any::<u32>()),
            prop::option::of(any::<u32>()),
        ),
    )
        .prop_map(
            |((cdh, rp, user, params), (exclude, ext, options, param, protocol, ep))| {
                MakeCredentialRequest {
                    client_data_hash: cdh,
                    rp,
                    user,
                    pub_key_cred_params: params,
                    exclude_list: exclude,
                    extensions: ext,
                    options,
                    pin_uv_auth_param: param,
                    pin_uv_auth_protocol: protocol,
                    enterprise_attestation: ep,
                }
            },
        )
}

proptest! {
    #[test]
    fn requests_round_trip(request in arb_request()) {
        prop_assert_eq!(MakeCredentialRequest::decode(&request.encode()).unwrap(), request);
    }

    #[test]
    fn responses_round_trip(
        fmt in "[a-z]{1,8}", auth_data in arb::bytes(100), ep_att in prop::option::of(any::<bool>()),
        large_blob_key in prop::option::of(arb::bytes(32)), unsigned in prop::option::of(arb::extensions()),
    ) {
        let response = MakeCredentialResponse {
            attestation: AttestationObject { fmt, auth_data, att_stmt: Value::Map(vec![]) },
            ep_att,
            large_blob_key,
            unsigned_extension_outputs: unsigned,
        };
        prop_assert_eq!(MakeCredentialResponse::decode(&response.encode()).unwrap(), response);
    }

    #[test]
    fn decoders_never_panic(bytes in arb::bytes(300)) {
        let _ = MakeCredentialRequest::decode(&bytes);
        let _ = MakeCredentialRequest::decode_with(&bytes, Strictness::WellFormed);
        let _ = MakeCredentialResponse::decode_with(&bytes, Strictness::WellFormed);
    }
}
