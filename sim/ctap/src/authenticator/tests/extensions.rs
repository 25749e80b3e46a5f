use super::*;
use crate::client_pin::{ClientPinRequest, ClientPinResponse};
use crate::extensions::hmac_secret::{self, HmacSecretInput};
use crate::extensions::prf::{self, PrfInput, PrfValues};
use crate::pin_protocol::{hmac_sha256, PinUvAuthProtocol};
use crate::wire::text_map;
use rand_chacha::ChaCha20Rng;

fn prf_input(first: &[u8], second: Option<&[u8]>) -> Value {
    PrfInput {
        eval: Some(PrfValues {
            first: first.to_vec(),
            second: second.map(<[u8]>::to_vec),
        }),
        eval_by_credential: Vec::new(),
    }
    .to_value()
}

#[test]
fn prf_is_enabled_at_creation_and_evaluated_in_assertions() {
    let mut auth = testkit::authenticator("google-password-manager");
    let mut create = testkit::make_credential(b"alice");
    create.extensions = Some(text_map([
        ("prf", Value::Map(vec![])),
        ("credProps", Value::Bool(true)),
    ]));
    let response = auth.make_credential(&create).unwrap();
    assert_eq!(
        response.unsigned_extension_outputs,
        Some(text_map([(
            "prf",
            text_map([("enabled", Value::Bool(true))])
        )]))
    );
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    assert!(data.extensions.is_none(), "prf outputs are unsigned");
    let id = data.attested.unwrap().credential_id;

    // Independent check: HMAC-SHA-256(credRandom, SHA-256("WebAuthn PRF" ‖ 0 ‖ input))
    // computed with Python's hashlib/hmac for credRandom = 5a×32 and input "hybridsim prf".
    auth.store_mut().get_mut(&id).unwrap().cred_random_uv = [0x5a; 32];
    let mut get = testkit::get_assertion(&[&id]);
    get.extensions = Some(text_map([(
        "prf",
        prf_input(b"hybridsim prf", Some(b"two")),
    )]));
    let response = auth.get_assertion(&get).unwrap();
    let results = prf::results_from_output(
        cbor::map_get_text(response.unsigned_extension_outputs.as_ref().unwrap(), "prf").unwrap(),
    )
    .unwrap();
    assert_eq!(
        hex::encode(&results.first),
        "1eea14bf9f22ab81c37a38f94c5e83efeda3ab971ff0820697f54017cb01b3b9"
    );
    assert_eq!(results.second.unwrap(), prf::evaluate(&[0x5a; 32], b"two"));
}

#[test]
fn prf_eval_by_credential_takes_precedence() {
    let mut auth = testkit::authenticator("google-password-manager");
    let (id, _) = register(&mut auth, b"alice");
    let random = auth.store().get(&id).unwrap().cred_random_uv;
    let input = PrfInput {
        eval: Some(PrfValues {
            first: b"general".to_vec(),
            second: None,
        }),
        eval_by_credential: vec![
            (
                vec![0; 16],
                PrfValues {
                    first: b"other".to_vec(),
                    second: None,
                },
            ),
            (
                id.clone(),
                PrfValues {
                    first: b"mine".to_vec(),
                    second: None,
                },
            ),
        ],
    };
    let mut get = testkit::get_assertion(&[]);
    get.extensions = Some(text_map([("prf", input.to_value())]));
    let response = auth.get_assertion(&get).unwrap();
    let output =
        cbor::map_get_text(response.unsigned_extension_outputs.as_ref().unwrap(), "prf").unwrap();
    assert_eq!(
        prf::results_from_output(output).unwrap().first,
        prf::evaluate(&random, b"mine")
    );
    // Neither eval nor a matching entry: no output at all.
    get.extensions = Some(text_map([("prf", Value::Map(vec![]))]));
    assert_eq!(
        auth.get_assertion(&get).unwrap().unsigned_extension_outputs,
        None
    );
    // A malformed input is a type error.
    get.extensions = Some(text_map([("prf", text_map([("eval", Value::from(1))]))]));
    assert_eq!(
        status_of(auth.get_assertion(&get)),
        Ctap2Code::CborUnexpectedType
    );
}

#[test]
fn extensions_not_advertised_are_ignored() {
    // iOS 16 advertises no extensions; GPM advertises devicePubKey but does not implement it.
    for name in ["ios16", "google-password-manager"] {
        let mut auth = testkit::authenticator(name);
        let mut create = testkit::make_credential(b"alice");
        let inputs = [
            ("hmac-secret", Value::Bool(true)),
            ("devicePubKey", Value::Map(vec![])),
        ];
        create.extensions = Some(text_map(inputs));
        let response = auth.make_credential(&create).unwrap();
        assert_eq!(response.unsigned_extension_outputs, None, "{name}");
        assert!(AuthenticatorData::decode(&response.attestation.auth_data)
            .unwrap()
            .extensions
            .is_none());
    }
    let mut ios = testkit::authenticator("ios16");
    let (id, _) = register(&mut ios, b"alice");
    let mut get = testkit::get_assertion(&[&id]);
    get.extensions = Some(text_map([("prf", prf_input(b"x", None))]));
    assert_eq!(
        ios.get_assertion(&get).unwrap().unsigned_extension_outputs,
        None
    );
}

fn key_agreement(auth: &mut Authenticator, protocol: u32) -> crate::cose::CoseKey {
    let reply = auth.handle(
        0x06,
        &ClientPinRequest::get_key_agreement(protocol).encode(),
    );
    assert_eq!(reply[0], 0);
    ClientPinResponse::decode(&reply[1..])
        .unwrap()
        .key_agreement
        .unwrap()
}

#[test]
fn hmac_secret_round_trip_for_both_protocols() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let mut create = testkit::make_credential(b"alice");
    create.extensions = Some(text_map([("hmac-secret", Value::Bool(true))]));
    let response = auth.make_credential(&create).unwrap();
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    assert!(data.flags.contains(Flags::ED));
    assert_eq!(data.extension("hmac-secret"), Some(&Value::Bool(true)));
    let id = data.attested.unwrap().credential_id;
    let stored = auth.store().get(&id).unwrap().clone();
    assert_ne!(stored.cred_random_uv, stored.cred_random_no_uv);

    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    for (number, protocol) in [(1, PinUvAuthProtocol::One), (2, PinUvAuthProtocol::Two)] {
        let authenticator_key = key_agreement(&mut auth, number);
        let (platform_key, shared) = protocol.encapsulate(&authenticator_key, &mut rng).unwrap();
        let salt1 = [0x01; 32];
        let salt2 = prf::salt(b"hybridsim prf");
        let input =
            HmacSecretInput::build(&shared, platform_key, &salt1, Some(&salt2), &mut rng).unwrap();
        for uv in [true, false] {
            let mut get = testkit::get_assertion(&[&id]);
            get.options.uv = uv.then_some(true);
            get.extensions = Some(text_map([("hmac-secret", input.to_value())]));
            let response = auth.get_assertion(&get).unwrap();
            let data = AuthenticatorData::decode(&response.auth_data).unwrap();
            assert_eq!(data.flags.contains(Flags::UV), uv);
            let Some(Value::Bytes(output)) = data.extension("hmac-secret") else {
                panic!()
            };
            let outputs = hmac_secret::decrypt_output(&shared, output).unwrap();
            let random = if uv {
                stored.cred_random_uv
            } else {
                stored.cred_random_no_uv
            };
            assert_eq!(
                outputs,
                vec![
                    hmac_sha256(&random, &[&salt1]),
                    hmac_sha256(&random, &[&salt2])
                ]
            );
            // hmac-secret and prf share credRandom: the PRF of an input is hmac-secret of its salt.
            assert_eq!(outputs[1], prf::evaluate(&random, b"hybridsim prf"));
        }
    }
}

#[test]
fn hmac_secret_errors() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let (id, _) = register(&mut auth, b"alice");
    let mut rng = ChaCha20Rng::from_seed([43; 32]);
    let authenticator_key = key_agreement(&mut auth, 2);
    let (platform_key, shared) = PinUvAuthProtocol::Two
        .encapsulate(&authenticator_key, &mut rng)
        .unwrap();
    let good = HmacSecretInput::build(&shared, platform_key, &[1; 32], None, &mut rng).unwrap();
    let run = |auth: &mut Authenticator, input: Value| {
        let mut get = testkit::get_assertion(&[&id]);
        get.extensions = Some(text_map([("hmac-secret", input)]));
        auth.get_assertion(&get)
    };
    assert!(run(&mut auth, good.to_value()).is_ok());
    let mut bad_auth = good.clone();
    bad_auth.salt_auth[0] ^= 1;
    assert_eq!(
        status_of(run(&mut auth, bad_auth.to_value())),
        Ctap2Code::PinAuthInvalid
    );
    let mut protocol_3 = good.clone();
    protocol_3.pin_uv_auth_protocol = Some(3);
    assert_eq!(
        status_of(run(&mut auth, protocol_3.to_value())),
        Ctap2Code::InvalidParameter
    );
    // Sixteen bytes of salt, properly encrypted and authenticated: wrong length.
    let mut short = good.clone();
    short.salt_enc = shared.encrypt(&[7; 16], &mut rng).unwrap();
    short.salt_auth = shared.authenticate(&short.salt_enc);
    assert_eq!(
        status_of(run(&mut auth, short.to_value())),
        Ctap2Code::InvalidLength
    );
    let Value::Map(mut entries) = good.to_value() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::from(3));
    assert_eq!(
        status_of(run(&mut auth, Value::Map(entries))),
        Ctap2Code::MissingParameter
    );
    assert_eq!(
        status_of(run(&mut auth, Value::Bool(true))),
        Ctap2Code::CborUnexpectedType
    );
    let mut create = testkit::make_credential(b"bob");
    create.extensions = Some(text_map([("hmac-secret", Value::from(1))]));
    assert_eq!(
        status_of(auth.make_credential(&create)),
        Ctap2Code::CborUnexpectedType
    );
}

#[test]
fn client_pin_offers_key_agreement_only() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let first = key_agreement(&mut auth, 2);
    assert_eq!(
        key_agreement(&mut auth, 1),
        first,
        "one key agreement key per power cycle"
    );
    assert_eq!(first.alg, -25);
    let mut retries = ClientPinRequest::get_key_agreement(2);
    retries.sub_command = crate::client_pin::GET_PIN_RETRIES;
    assert_eq!(auth.handle(0x06, &retries.encode()), [0x3E]);
    let mut no_protocol = ClientPinRequest::get_key_agreement(2);
    no_protocol.pin_uv_auth_protocol = None;
    assert_eq!(auth.handle(0x06, &no_protocol.encode()), [0x14]);
    assert_eq!(
        auth.handle(0x06, &ClientPinRequest::get_key_agreement(9).encode()),
        [0x02]
    );
    let mut gpm = testkit::authenticator("google-password-manager");
    assert_eq!(
        gpm.handle(0x06, &ClientPinRequest::get_key_agreement(2).encode()),
        [0x01]
    );
}
