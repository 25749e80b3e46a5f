use super::*;
use crate::status::Ctap2Code;
use crate::testkit::arb;
use crate::wire::text_map;
use proptest::prelude::*;

/// A silent getAssertion with one allowed credential, written out by hand.
fn request_hex() -> String {
    [
        "a4",
        "01",
        "6b",
        "6578616d706c652e636f6d",
        "02",
        "5820",
        &"cd".repeat(32),
        "03",
        "81",
        "a2",
        "626964",
        "420102",
        "6474797065",
        "6a7075626c69632d6b6579",
        "05",
        "a1",
        "627570",
        "f4",
    ]
    .concat()
}

fn request() -> GetAssertionRequest {
    GetAssertionRequest {
        rp_id: "example.com".into(),
        client_data_hash: vec![0xcd; 32],
        allow_list: Some(vec![CredentialDescriptor::public_key(vec![1, 2])]),
        extensions: None,
        options: Options {
            rk: None,
            up: Some(false),
            uv: None,
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
    }
}

/// What Chromium's phone answers for an empty allowList (docs/protocol.md §7.5), by hand.
fn response_hex() -> String {
    [
        "a5",
        "01",
        "a3",
        "626964",
        "420a0b",
        "6474797065",
        "6a7075626c69632d6b6579",
        "6a7472616e73706f727473",
        "82",
        "68696e7465726e616c",
        "656361626c65",
        "02",
        "450102030405",
        "03",
        "43aabbcc",
        "04",
        "a3",
        "626964",
        "4101",
        "646e616d65",
        "60",
        "6b646973706c61794e616d65",
        "60",
        "06",
        "f5",
    ]
    .concat()
}

fn response() -> GetAssertionResponse {
    GetAssertionResponse {
        credential: Some(CredentialDescriptor {
            cred_type: "public-key".into(),
            id: vec![0x0a, 0x0b],
            transports: Some(vec!["internal".into(), "cable".into()]),
        }),
        auth_data: vec![1, 2, 3, 4, 5],
        signature: vec![0xaa, 0xbb, 0xcc],
        user: Some(UserEntity {
            id: vec![1],
            name: Some(String::new()),
            display_name: Some(String::new()),
        }),
        number_of_credentials: None,
        user_selected: Some(true),
        large_blob_key: None,
        unsigned_extension_outputs: None,
    }
}

#[test]
fn handmade_request_and_response_match() {
    assert_eq!(
        GetAssertionRequest::decode(&hex::decode(request_hex()).unwrap()).unwrap(),
        request()
    );
    assert_eq!(hex::encode(request().encode()), request_hex());
    assert_eq!(request().to_message()[0], 0x02);
    assert_eq!(
        GetAssertionResponse::decode(&hex::decode(response_hex()).unwrap()).unwrap(),
        response()
    );
    assert_eq!(hex::encode(response().encode()), response_hex());
}

fn with_key(key: i64, value: Option<Value>) -> Vec<u8> {
    let Value::Map(mut entries) = request().to_value() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::from(key));
    if let Some(v) = value {
        entries.push((Value::from(key), v));
    }
    cbor::encode_canonical(&Value::Map(entries))
}

#[test]
fn malformed_requests_map_to_the_ctap_status_codes() {
    use Ctap2Code::*;
    let cases: Vec<(Vec<u8>, Ctap2Code, &str)> = vec![
        (
            with_key(1, None),
            MissingParameter,
            "getAssertion 0x01 rpId",
        ),
        (
            with_key(1, Some(Value::Bytes(vec![1]))),
            CborUnexpectedType,
            "getAssertion 0x01 rpId",
        ),
        (
            with_key(2, None),
            MissingParameter,
            "getAssertion 0x02 clientDataHash",
        ),
        (
            with_key(3, Some(Value::from("list"))),
            CborUnexpectedType,
            "getAssertion 0x03 allowList",
        ),
        (
            with_key(
                3,
                Some(Value::Array(vec![text_map([(
                    "id",
                    Value::Bytes(vec![1]),
                )])])),
            ),
            MissingParameter,
            "getAssertion 0x03 allowList[0].type",
        ),
        (
            with_key(
                3,
                Some(Value::Array(vec![text_map([
                    ("id", Value::Bytes(vec![1])),
                    ("type", Value::from("public-key")),
                    ("transports", Value::from("usb")),
                ])])),
            ),
            CborUnexpectedType,
            "getAssertion 0x03 allowList[0].transports",
        ),
        (
            with_key(4, Some(Value::Array(vec![]))),
            CborUnexpectedType,
            "getAssertion 0x04 extensions",
        ),
        (
            with_key(5, Some(text_map([("up", Value::from("no"))]))),
            CborUnexpectedType,
            "getAssertion 0x05 options.up",
        ),
        (
            with_key(6, Some(Value::from(1))),
            CborUnexpectedType,
            "getAssertion 0x06 pinUvAuthParam",
        ),
        (
            with_key(7, Some(Value::Bytes(vec![]))),
            CborUnexpectedType,
            "getAssertion 0x07 pinUvAuthProtocol",
        ),
        (vec![0x60], CborUnexpectedType, "getAssertion"),
        (vec![0xa1, 0x01], InvalidCbor, "getAssertion"),
    ];
    for (bytes, status, field) in cases {
        let e = GetAssertionRequest::decode(&bytes).unwrap_err();
        assert_eq!(
            (e.status(), e.field.as_str()),
            (status.into(), field),
            "{e}"
        );
    }
    let Value::Map(mut entries) = request().to_value() else {
        unreachable!()
    };
    entries.swap(0, 1);
    let swapped = cbor::encode_as_is(&Value::Map(entries));
    assert_eq!(
        GetAssertionRequest::decode(&swapped).unwrap_err().status(),
        InvalidCbor.into()
    );
    assert_eq!(
        GetAssertionRequest::decode_with(&swapped, Strictness::WellFormed).unwrap(),
        request()
    );
}

#[test]
fn response_requires_auth_data_and_signature() {
    let only_auth_data = cbor::encode_canonical(&cbor::int_map([(2, Value::Bytes(vec![1]))]));
    let e = GetAssertionResponse::decode(&only_auth_data).unwrap_err();
    assert_eq!(
        (e.status(), e.field.as_str()),
        (
            Ctap2Code::MissingParameter.into(),
            "getAssertion response 0x03 signature"
        )
    );
    let mut minimal = response();
    minimal.credential = None;
    minimal.user = None;
    minimal.user_selected = None;
    assert_eq!(
        GetAssertionResponse::decode(&minimal.encode()).unwrap(),
        minimal
    );
}

fn arb_request() -> impl Strategy<Value = GetAssertionRequest> {
    (
        arb::text(),
        arb::bytes(40),
        prop::option::of(prop::collection::vec(arb::descriptor(), 0..3)),
        prop::option::of(arb::extensions()),
        arb::options(),
        prop::option::of(arb::bytes(33)),
        prop::option::of(any::<u32>()),
    )
        .prop_map(
            |(rp_id, cdh, allow, ext, options, param, protocol)| GetAssertionRequest {
                rp_id,
                client_data_hash: cdh,
                allow_list: allow,
                extensions: ext,
                options,
                pin_uv_auth_param: param,
                pin_uv_auth_protocol: protocol,
            },
        )
}

fn arb_response() -> impl Strategy<Value = GetAssertionResponse> {
    (
        prop::option::of(arb::descriptor()),
        arb::bytes(100),
        arb::bytes(72),
        prop::option::of(arb::user()),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<bool>()),
        prop::option::of(arb::bytes(32)),
        prop::option::of(arb::extensions()),
    )
        .prop_map(
            |(credential, auth_data, signature, user, n, selected, lbk, unsigned)| {
                GetAssertionResponse {
                    credential,
                    auth_data,
                    signature,
                    user,
                    number_of_credentials: n,
                    user_selected: selected,
                    large_blob_key: lbk,
                    unsigned_extension_outputs: unsigned,
                }
            },
        )
}

proptest! {
    #[test]
    fn requests_round_trip(request in arb_request()) {
        prop_assert_eq!(GetAssertionRequest::decode(&request.encode()).unwrap(), request);
    }

    #[test]
    fn responses_round_trip(response in arb_response()) {
        prop_assert_eq!(GetAssertionResponse::decode(&response.encode()).unwrap(), response);
    }

    #[test]
    fn decoders_never_panic(bytes in arb::bytes(300)) {
        let _ = GetAssertionRequest::decode(&bytes);
        let _ = GetAssertionRequest::decode_with(&bytes, Strictness::WellFormed);
        let _ = GetAssertionResponse::decode_with(&bytes, Strictness::WellFormed);
    }
}
