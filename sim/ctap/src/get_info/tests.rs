use super::*;
use crate::status::Ctap2Code;
use crate::testkit::arb;
use proptest::prelude::*;

// The iOS 16 getInfo of fixtures/vectors/post_handshake.json (post-handshake key 1).
const IOS16: &str = "a40181684649444f5f325f300350f24a8e70d0d3f82c293732523cc4de5a04a262726bf5627576f5098268696e7465726e616c66687962726964";

#[test]
fn captured_get_info_decodes_and_reencodes() {
    let bytes = hex::decode(IOS16).unwrap();
    let info = GetInfoResponse::decode(&bytes).unwrap();
    assert_eq!(info.versions, ["FIDO_2_0"]);
    assert_eq!(
        info.transports.as_deref(),
        Some(&["internal".to_owned(), "hybrid".to_owned()][..])
    );
    assert!(info.option("rk") && info.option("uv"));
    assert_eq!(info.extensions, None);
    assert_eq!(info.encode(), bytes);
}

#[test]
fn get_info_request_takes_no_parameters() {
    assert_eq!(GetInfoRequest::decode(&[]), Ok(GetInfoRequest));
    let e = GetInfoRequest::decode(&[0xa0]).unwrap_err();
    assert_eq!(e.status(), Ctap2Code::InvalidLength.into());
    assert_eq!(GetInfoRequest.to_message(), [0x04]);
    assert!(GetInfoRequest.encode().is_empty());
}

#[test]
fn malformed_responses_name_the_key() {
    let no_versions = cbor::encode_canonical(&int_map([(3, Value::Bytes(vec![0; 16]))]));
    let e = GetInfoResponse::decode(&no_versions).unwrap_err();
    assert_eq!(
        (e.status(), e.field.as_str()),
        (
            Ctap2Code::MissingParameter.into(),
            "getInfo response 0x01 versions"
        )
    );
    let short_aaguid = cbor::encode_canonical(&int_map([
        (1, Value::Array(vec![])),
        (3, Value::Bytes(vec![0; 15])),
    ]));
    let e = GetInfoResponse::decode(&short_aaguid).unwrap_err();
    assert_eq!(
        (e.status(), e.field.as_str()),
        (
            Ctap2Code::CborUnexpectedType.into(),
            "getInfo response 0x03 aaguid"
        )
    );
    let bad_option = cbor::encode_canonical(&int_map([
        (1, Value::Array(vec![])),
        (3, Value::Bytes(vec![0; 16])),
        (4, Value::Map(vec![(Value::from("rk"), Value::from(1))])),
    ]));
    assert_eq!(
        GetInfoResponse::decode(&bad_option).unwrap_err().field,
        "getInfo response 0x04 options.rk"
    );
}

fn arb_info() -> impl Strategy<Value = GetInfoResponse> {
    let texts = || prop::option::of(prop::collection::vec(arb::text(), 0..4));
    let uint = || prop::option::of(any::<u64>());
    (
        (
            prop::collection::vec(arb::text(), 0..3),
            texts(),
            any::<[u8; 16]>(),
        ),
        prop::option::of(prop::collection::btree_map(
            "[a-zA-Z]{1,10}",
            any::<bool>(),
            0..5,
        )),
        (
            uint(),
            prop::option::of(prop::collection::vec(any::<u64>(), 0..3)),
            uint(),
            uint(),
        ),
        (
            texts(),
            prop::option::of(prop::collection::vec(arb::param(), 0..3)),
        ),
        (uint(), uint(), texts()),
    )
        .prop_map(
            |(
                (versions, extensions, aaguid),
                options,
                (max_msg_size, pin, count, id_len),
                (transports, algorithms),
                (fw, remaining, formats),
            )| {
                GetInfoResponse {
                    versions,
                    extensions,
                    aaguid,
                    options,
                    max_msg_size,
                    pin_uv_auth_protocols: pin,
                    max_credential_count_in_list: count,
                    max_credential_id_length: id_len,
                    transports,
                    algorithms,
                    firmware_version: fw,
                    remaining_discoverable_credentials: remaining,
                    attestation_formats: formats,
                }
            },
        )
}

proptest! {
    #[test]
    fn responses_round_trip(info in arb_info()) {
        prop_assert_eq!(GetInfoResponse::decode(&info.encode()).unwrap(), info);
    }

    #[test]
    fn decoder_never_panics(bytes in arb::bytes(300)) {
        let _ = GetInfoResponse::decode(&bytes);
        let _ = GetInfoResponse::decode_with(&bytes, Strictness::WellFormed);
    }
}
