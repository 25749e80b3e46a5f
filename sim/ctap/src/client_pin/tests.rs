use super::*;
use crate::status::Ctap2Code;
use crate::testkit::arb;
use proptest::prelude::*;

#[test]
fn get_key_agreement_request_bytes() {
    // {1: 2, 2: 2}
    assert_eq!(
        hex::encode(ClientPinRequest::get_key_agreement(2).encode()),
        "a2010202 02".replace(' ', "")
    );
    let decoded = ClientPinRequest::decode(&hex::decode("a201020202").unwrap()).unwrap();
    assert_eq!(decoded, ClientPinRequest::get_key_agreement(2));
    let e = ClientPinRequest::decode(&hex::decode("a10102").unwrap()).unwrap_err();
    assert_eq!(
        (e.status(), e.field.as_str()),
        (
            Ctap2Code::MissingParameter.into(),
            "clientPIN 0x02 subCommand"
        )
    );
}

#[test]
fn response_carries_a_key_agreement_key() {
    let key = CoseKey::from_public_key(
        &p256::SecretKey::from_slice(&[6; 32]).unwrap().public_key(),
        ALG_ECDH_ES_HKDF_256,
    );
    let response = ClientPinResponse {
        key_agreement: Some(key),
        ..Default::default()
    };
    assert_eq!(
        ClientPinResponse::decode(&response.encode()).unwrap(),
        response
    );
    let es256 = cbor::encode_canonical(&int_map([(
        1,
        CoseKey {
            alg: -7,
            ..response.key_agreement.clone().unwrap()
        }
        .to_value(),
    )]));
    assert!(matches!(
        ClientPinResponse::decode(&es256),
        Err(ClientPinResponseError::KeyAgreement(_))
    ));
}

proptest! {
    #[test]
    fn requests_round_trip(protocol in prop::option::of(any::<u32>()), sub in any::<u32>(), param in prop::option::of(arb::bytes(32)),
                           permissions in prop::option::of(any::<u32>()), rp_id in prop::option::of(arb::text())) {
        let request = ClientPinRequest { pin_uv_auth_protocol: protocol, sub_command: sub, key_agreement: None, pin_uv_auth_param: param, permissions, rp_id };
        prop_assert_eq!(ClientPinRequest::decode(&request.encode()).unwrap(), request);
    }

    #[test]
    fn decoders_never_panic(bytes in arb::bytes(200)) {
        let _ = ClientPinRequest::decode(&bytes);
        let _ = ClientPinResponse::decode(&bytes);
    }
}
