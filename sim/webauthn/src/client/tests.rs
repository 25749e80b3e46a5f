use super::*;
use crate::json::{
    AuthenticatorSelection, CredentialDescriptor as JsonDescriptor, CredentialParameters,
};
use hybridsim_ctap::attestation::PackedStatement;
use hybridsim_ctap::auth_data::{AttestedCredentialData, Flags};
use hybridsim_ctap::cose::CoseKey;
use p256::ecdsa::SigningKey;
use serde_json::json;

const ORIGIN: &str = "https://login.example";

fn creation_options() -> CreationOptionsJson {
    CreationOptionsJson::from_json(
        &json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlcg", "name": "alex", "displayName": "Alex"},
            "challenge": "AAECAw",
            "pubKeyCredParams": [
                {"type": "public-key", "alg": -8},
                {"type": "password", "alg": -7},
                {"type": "public-key", "alg": -7}
            ],
            "excludeCredentials": [{"type": "public-key", "id": "AQI", "transports": ["hybrid"]}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
            "attestation": "direct"
        })
        .to_string(),
    )
    .unwrap()
}

fn request_options() -> RequestOptionsJson {
    RequestOptionsJson::from_json(
        &json!({
            "challenge": "AAECAw",
            "rpId": "login.example",
            "allowCredentials": [{"type": "public-key", "id": "AQI"}],
            "userVerification": "discouraged"
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn create_builds_client_data_and_the_ctap_request() {
    let pending = create(&creation_options(), &Caller::new(ORIGIN)).unwrap();
    assert_eq!(
        String::from_utf8(pending.client_data_json.clone()).unwrap(),
        r#"{"type":"webauthn.create","challenge":"AAECAw","origin":"https://login.example","crossOrigin":false}"#
    );
    let request = &pending.request;
    assert_eq!(
        request.client_data_hash,
        client_data_hash(&pending.client_data_json).to_vec()
    );
    assert_eq!(request.rp.id, "login.example");
    assert_eq!(request.rp.name.as_deref(), Some("Login"));
    assert_eq!(request.user.id, b"user");
    assert_eq!(request.user.display_name.as_deref(), Some("Alex"));
    // In order, the non-public-key entry dropped.
    assert_eq!(
        request
            .pub_key_cred_params
            .iter()
            .map(|p| p.alg)
            .collect::<Vec<_>>(),
        [-8, -7]
    );
    let exclude = request.exclude_list.as_ref().unwrap();
    assert_eq!(exclude[0].id, [1, 2]);
    assert_eq!(
        exclude[0].transports.as_deref(),
        Some(&["hybrid".to_owned()][..])
    );
    assert_eq!(request.options.rk, Some(true));
    assert_eq!(request.options.uv, Some(true));
    assert_eq!(request.options.up, None);
    assert!(!pending.strip_attestation);
    // It encodes as canonical CTAP CBOR that the decoder reads back.
    assert_eq!(
        &MakeCredentialRequest::decode(&request.encode()).unwrap(),
        request
    );
}

#[test]
fn resident_key_and_user_verification_mapping() {
    let cases = [
        (Some("required"), None, Some(true)),
        (Some("preferred"), None, Some(true)),
        (Some("discouraged"), Some(true), None),
        (None, Some(true), Some(true)),
        (None, Some(false), None),
        (None, None, None),
    ];
    for (resident_key, require, expected) in cases {
        let mut options = creation_options();
        options.authenticator_selection = Some(AuthenticatorSelection {
            resident_key: resident_key.map(str::to_owned),
            require_resident_key: require,
            ..AuthenticatorSelection::default()
        });
        let pending = create(&options, &Caller::new(ORIGIN)).unwrap();
        assert_eq!(
            pending.request.options.rk, expected,
            "{resident_key:?} {require:?}"
        );
        // Absent userVerification is "preferred": the phone verifies.
        assert_eq!(pending.request.options.uv, Some(true));
    }
    let pending = get(&request_options(), &Caller::new(ORIGIN)).unwrap();
    assert_eq!(pending.request.options.uv, None);
    assert_eq!(pending.request.options.rk, None);
}

#[test]
fn empty_pub_key_cred_params_means_es256_and_rs256() {
    let mut options = creation_options();
    options.pub_key_cred_params.clear();
    let pending = create(&options, &Caller::new(ORIGIN)).unwrap();
    assert_eq!(
        pending
            .request
            .pub_key_cred_params
            .iter()
            .map(|p| p.alg)
            .collect::<Vec<_>>(),
        [-7, -257]
    );
    options.pub_key_cred_params = vec![CredentialParameters {
        type_: "x".into(),
        alg: -7,
    }];
    assert_eq!(
        create(&options, &Caller::new(ORIGIN)),
        Err(ClientError::NoPublicKeyParameters)
    );
}

#[test]
fn user_id_length_is_checked() {
    let mut options = creation_options();
    options.user.id = Base64Url(vec![]);
    assert_eq!(
        create(&options, &Caller::new(ORIGIN)),
        Err(ClientError::UserIdLength { len: 0 })
    );
    options.user.id = Base64Url(vec![1; 65]);
    assert_eq!(
        create(&options, &Caller::new(ORIGIN)),
        Err(ClientError::UserIdLength { len: 65 })
    );
}

#[test]
fn attestation_none_or_absent_is_stripped() {
    for (attestation, strip) in [
        (None, true),
        (Some("none"), true),
        (Some("unknown-value"), true),
        (Some("indirect"), false),
        (Some("direct"), false),
        (Some("enterprise"), false),
    ] {
        let mut options = creation_options();
        options.attestation = attestation.map(str::to_owned);
        assert_eq!(
            create(&options, &Caller::new(ORIGIN))
                .unwrap()
                .strip_attestation,
            strip
        );
    }
}

#[test]
fn rp_id_checks() {
    let ok = [
        ("https://login.example", "login.example"),
        ("https://a.login.example", "login.example"),
        ("https://LOGIN.example:8443", "login.example"),
        ("http://localhost:8080", "localhost"),
        ("http://app.localhost", "localhost"),
        ("https://[::1]", "x"),
    ];
    for (origin, rp_id) in &ok[..5] {
        check_rp_id(origin, rp_id).unwrap_or_else(|e| panic!("{origin} {rp_id}: {e}"));
    }
    let (origin, rp_id) = ok[5];
    assert!(matches!(
        check_rp_id(origin, rp_id),
        Err(ClientError::OriginHostNotADomain { .. })
    ));
    assert!(matches!(
        check_rp_id("https://10.0.0.1", "10.0.0.1"),
        Err(ClientError::OriginHostNotADomain { .. })
    ));
    assert!(matches!(
        check_rp_id("http://login.example", "login.example"),
        Err(ClientError::InsecureOrigin { .. })
    ));
    assert!(matches!(
        check_rp_id("login.example", "login.example"),
        Err(ClientError::MalformedOrigin { .. })
    ));
    assert!(matches!(
        check_rp_id("https://login.example/path", "login.example"),
        Err(ClientError::MalformedOrigin { .. })
    ));
    assert!(matches!(
        check_rp_id("https://login.example:x", "login.example"),
        Err(ClientError::MalformedOrigin { .. })
    ));
    for rp_id in ["evil.example", "ogin.example", "a.login.example", ""] {
        assert!(
            matches!(
                check_rp_id("https://login.example", rp_id),
                Err(ClientError::RpIdNotRegistrableSuffix { .. })
            ),
            "{rp_id}"
        );
    }
    assert!(matches!(
        check_rp_id("https://login.example", "example"),
        Err(ClientError::RpIdIsPublicSuffix { .. })
    ));
    assert_eq!(
        Origin::parse("https://login.example:443").unwrap().port,
        None
    );
    assert_eq!(
        Origin::parse("https://[::1]:8443").unwrap().port,
        Some(8443)
    );
}

#[test]
fn missing_rp_id_is_the_origin_host() {
    let mut options = creation_options();
    options.rp.id = None;
    let pending = create(&options, &Caller::new("https://www.login.example")).unwrap();
    assert_eq!(pending.rp_id, "www.login.example");
    let mut request = request_options();
    request.rp_id = None;
    assert_eq!(
        get(&request, &Caller::new(ORIGIN)).unwrap().request.rp_id,
        "login.example"
    );
    let err = create(&creation_options(), &Caller::new("https://evil.example")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "RP ID \"login.example\" is not evil.example nor a registrable domain suffix of it"
    );
}

#[test]
fn cross_origin_callers_get_top_origin() {
    let caller = Caller::embedded(ORIGIN, "https://shop.example");
    let pending = get(&request_options(), &caller).unwrap();
    let text = String::from_utf8(pending.client_data_json).unwrap();
    assert!(
        text.ends_with(r#""crossOrigin":true,"topOrigin":"https://shop.example"}"#),
        "{text}"
    );
}

#[test]
fn extensions_are_mapped() {
    let mut options = creation_options();
    options.extensions = Some(
        json!({
            "credProps": true,
            "prf": {"eval": {"first": "AQ"}},
            "hmacCreateSecret": true,
            "credentialProtectionPolicy": "userVerificationRequired",
            "unknownExtension": 1
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let pending = create(&options, &Caller::new(ORIGIN)).unwrap();
    assert_eq!(
        pending.extensions,
        RequestedExtensions {
            cred_props: true,
            prf: true,
            hmac_create_secret: true
        }
    );
    let ext = pending.request.extensions.unwrap();
    assert_eq!(
        cbor::map_get_text(&ext, "hmac-secret"),
        Some(&Cbor::Bool(true))
    );
    assert_eq!(
        cbor::map_get_text(&ext, "credProtect"),
        Some(&Cbor::from(3))
    );
    let prf = cbor::map_get_text(&ext, "prf").unwrap();
    let eval = cbor::map_get_text(prf, "eval").unwrap();
    assert_eq!(
        cbor::map_get_text(eval, "first"),
        Some(&Cbor::Bytes(vec![1]))
    );
    assert!(cbor::map_get_text(&ext, "credProps").is_none());
    assert!(cbor::map_get_text(&ext, "unknownExtension").is_none());

    let mut request = request_options();
    request.extensions = Some(
        json!({"prf": {"eval": {"first": "AQ", "second": "Ag"}, "evalByCredential": {"AQI": {"first": "Aw"}}}})
            .as_object()
            .unwrap()
            .clone(),
    );
    let pending = get(&request, &Caller::new(ORIGIN)).unwrap();
    let ext = pending.request.extensions.unwrap();
    let prf = cbor::map_get_text(&ext, "prf").unwrap();
    let by = cbor::map_get_text(prf, "evalByCredential").unwrap();
    assert_eq!(
        by,
        &Cbor::Map(vec![(
            Cbor::Bytes(vec![1, 2]),
            Cbor::Map(vec![(Cbor::Text("first".into()), Cbor::Bytes(vec![3]))])
        )])
    );
}

#[test]
fn malformed_extension_inputs_are_refused() {
    let bad_create = [
        json!({"prf": {"eval": {"first": "!!"}}}),
        json!({"prf": {"eval": {}}}),
        json!({"prf": 1}),
        json!({"credentialProtectionPolicy": "sometimes"}),
    ];
    for extensions in bad_create {
        let mut options = creation_options();
        options.extensions = Some(extensions.as_object().unwrap().clone());
        assert!(
            matches!(
                create(&options, &Caller::new(ORIGIN)),
                Err(ClientError::MalformedExtension { .. })
            ),
            "{extensions}"
        );
    }
    let bad_get = [
        json!({"prf": {"evalByCredential": {"Zm9v": {"first": "AQ"}}}}),
        json!({"prf": {"evalByCredential": {"": {"first": "AQ"}}}}),
    ];
    for extensions in bad_get {
        let mut request = request_options();
        request.extensions = Some(extensions.as_object().unwrap().clone());
        assert!(
            matches!(
                get(&request, &Caller::new(ORIGIN)),
                Err(ClientError::MalformedExtension { .. })
            ),
            "{extensions}"
        );
    }
    let mut request = request_options();
    request.allow_credentials.clear();
    request.extensions = Some(
        json!({"prf": {"evalByCredential": {"AQI": {"first": "AQ"}}}})
            .as_object()
            .unwrap()
            .clone(),
    );
    assert!(matches!(
        get(&request, &Caller::new(ORIGIN)),
        Err(ClientError::MalformedExtension { .. })
    ));
}

fn make_credential_response(attested: bool, unsigned: Option<Cbor>) -> MakeCredentialResponse {
    let key = SigningKey::from_slice(&[1; 32]).unwrap();
    let credential = AttestedCredentialData {
        aaguid: [9; 16],
        credential_id: vec![1, 2, 3],
        public_key: CoseKey::es256(&p256::PublicKey::from(key.verifying_key())),
    };
    let auth_data = AuthenticatorData::new(
        [0; 32],
        Flags::UP | Flags::UV,
        0,
        attested.then_some(credential),
        None,
    );
    MakeCredentialResponse {
        attestation: AttestationObject {
            fmt: "packed".into(),
            auth_data: auth_data.to_bytes(),
            att_stmt: PackedStatement {
                alg: -7,
                sig: vec![0x30, 0],
                x5c: vec![],
            }
            .to_value(),
        },
        ep_att: None,
        large_blob_key: None,
        unsigned_extension_outputs: unsigned,
    }
}

#[test]
fn registration_response_shape() {
    let mut options = creation_options();
    options.attestation = None;
    options.extensions = Some(
        json!({"credProps": true, "prf": {}})
            .as_object()
            .unwrap()
            .clone(),
    );
    let pending = create(&options, &Caller::new(ORIGIN)).unwrap();
    let enabled = text_map(vec![("prf", text_map(vec![("enabled", Cbor::Bool(true))]))]);
    let transports = [
        "internal".to_owned(),
        "hybrid".to_owned(),
        "internal".to_owned(),
    ];
    let response = registration_response(
        &pending,
        &make_credential_response(true, Some(enabled)),
        &transports,
    )
    .unwrap();
    assert_eq!(response.id, "AQID");
    assert_eq!(response.raw_id.as_slice(), [1, 2, 3]);
    assert_eq!(response.type_, "public-key");
    assert_eq!(
        response.authenticator_attachment.as_deref(),
        Some("cross-platform")
    );
    assert_eq!(response.response.transports, ["hybrid", "internal"]);
    assert_eq!(response.response.public_key_algorithm, Some(-7));
    assert_eq!(
        response
            .response
            .public_key
            .as_ref()
            .unwrap()
            .as_slice()
            .len(),
        91
    );
    assert_eq!(
        Value::Object(response.client_extension_results.clone()),
        json!({"credProps": {"rk": true}, "prf": {"enabled": true}})
    );
    // attestation "none" (absent): the statement is replaced, authData kept.
    let object =
        AttestationObject::decode_webauthn(response.response.attestation_object.as_slice())
            .unwrap();
    assert_eq!(object.fmt, "none");
    assert_eq!(object.att_stmt, Cbor::Map(vec![]));
    assert_eq!(
        Some(&Base64Url(object.auth_data)),
        response.response.authenticator_data.as_ref()
    );

    // Without rk, credProps.rk is left out: the client cannot know.
    if let Some(selection) = options.authenticator_selection.as_mut() {
        selection.resident_key = Some("discouraged".into());
    }
    let pending = create(&options, &Caller::new(ORIGIN)).unwrap();
    let response =
        registration_response(&pending, &make_credential_response(true, None), &[]).unwrap();
    assert_eq!(
        Value::Object(response.client_extension_results),
        json!({"credProps": {}, "prf": {"enabled": false}})
    );
}

#[test]
fn registration_response_needs_a_credential() {
    let pending = create(&creation_options(), &Caller::new(ORIGIN)).unwrap();
    assert_eq!(
        registration_response(&pending, &make_credential_response(false, None), &[]),
        Err(ClientError::NoAttestedCredential)
    );
    let mut broken = make_credential_response(true, None);
    broken.attestation.auth_data.truncate(40);
    assert!(matches!(
        registration_response(&pending, &broken, &[]),
        Err(ClientError::AuthenticatorData(_))
    ));
}

fn assertion(
    credential: Option<Vec<u8>>,
    user: Option<Vec<u8>>,
    unsigned: Option<Cbor>,
) -> GetAssertionResponse {
    GetAssertionResponse {
        credential: credential.map(CredentialDescriptor::public_key),
        auth_data: vec![0; 37],
        signature: vec![0x30, 0],
        user: user.map(|id| UserEntity {
            id,
            name: None,
            display_name: None,
        }),
        number_of_credentials: None,
        user_selected: None,
        large_blob_key: None,
        unsigned_extension_outputs: unsigned,
    }
}

#[test]
fn authentication_response_shape() {
    let mut request = request_options();
    request.extensions = Some(
        json!({"prf": {"eval": {"first": "AQ"}}})
            .as_object()
            .unwrap()
            .clone(),
    );
    let pending = get(&request, &Caller::new(ORIGIN)).unwrap();
    let results = text_map(vec![(
        "prf",
        text_map(vec![(
            "results",
            text_map(vec![("first", Cbor::Bytes(vec![0xff; 32]))]),
        )]),
    )]);
    let response = authentication_response(
        &pending,
        &assertion(Some(vec![7]), Some(b"user".to_vec()), Some(results)),
    )
    .unwrap();
    assert_eq!(response.raw_id.as_slice(), [7]);
    assert_eq!(
        response.response.user_handle.as_ref().unwrap().as_slice(),
        b"user"
    );
    assert_eq!(
        Value::Object(response.client_extension_results),
        json!({"prf": {"results": {"first": b64::encode(&[0xff; 32])}}})
    );
    // The one allowed credential stands in for an omitted credential.
    let response = authentication_response(&pending, &assertion(None, None, None)).unwrap();
    assert_eq!(response.raw_id.as_slice(), [1, 2]);
    assert_eq!(response.response.user_handle, None);
    let mut discoverable = request_options();
    discoverable.allow_credentials = vec![
        JsonDescriptor::public_key(vec![1], None),
        JsonDescriptor::public_key(vec![2], None),
    ];
    let pending = get(&discoverable, &Caller::new(ORIGIN)).unwrap();
    assert_eq!(
        authentication_response(&pending, &assertion(None, None, None)),
        Err(ClientError::NoCredentialId)
    );
}
