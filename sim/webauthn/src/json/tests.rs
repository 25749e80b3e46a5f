use super::*;
use proptest::prelude::*;

/// As py_webauthn's `options_to_json(generate_registration_options(...))` writes it.
const PY_WEBAUTHN_CREATE: &str = r#"{"rp": {"name": "Example Co", "id": "example.com"}, "user": {"id": "MTIzNDU2Nzg5MA", "name": "lee", "displayName": "Lee"}, "challenge": "MTIzNDU2Nzg5MA", "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}], "timeout": 60000, "excludeCredentials": [], "authenticatorSelection": {"residentKey": "preferred", "requireResidentKey": false, "userVerification": "preferred"}, "attestation": "none", "hints": []}"#;

/// As SimpleWebAuthn's `generateRegistrationOptions` returns it.
const SIMPLEWEBAUTHN_CREATE: &str = r#"{"challenge":"AQIDBAUGBwgJCgsMDQ4PEA","rp":{"name":"SimpleWebAuthn Example","id":"localhost"},"user":{"id":"dXNlcg","name":"user@localhost","displayName":""},"pubKeyCredParams":[{"alg":-8,"type":"public-key"},{"alg":-7,"type":"public-key"},{"alg":-257,"type":"public-key"}],"timeout":60000,"attestation":"none","excludeCredentials":[{"id":"Y3JlZA","type":"public-key","transports":["internal","hybrid"]}],"authenticatorSelection":{"residentKey":"preferred","userVerification":"preferred","requireResidentKey":false},"extensions":{"credProps":true},"hints":[]}"#;

/// As python fido2's `dict(CredentialCreationOptions)` dumps: wrapped, with nulls and padding.
const FIDO2_CREATE: &str = r#"{"publicKey": {"rp": {"name": "example.com", "id": "example.com"}, "user": {"name": "alice", "id": "dXNlcl9pZA==", "displayName": "alice"}, "challenge": "AQIDBA==", "pubKeyCredParams": [{"type": "public-key", "alg": -7}], "timeout": null, "excludeCredentials": null, "authenticatorSelection": {"residentKey": "preferred", "requireResidentKey": false, "userVerification": "preferred"}, "attestation": "direct", "extensions": null}}"#;

#[test]
fn reads_py_webauthn_creation_options() {
    let options = CreationOptionsJson::from_json(PY_WEBAUTHN_CREATE).unwrap();
    assert_eq!(options.rp.id.as_deref(), Some("example.com"));
    assert_eq!(options.user.id.as_slice(), b"1234567890");
    assert_eq!(options.user.display_name, "Lee");
    assert_eq!(options.challenge.as_slice(), b"1234567890");
    assert_eq!(
        options
            .pub_key_cred_params
            .iter()
            .map(|p| p.alg)
            .collect::<Vec<_>>(),
        [-7, -257]
    );
    assert_eq!(options.timeout, Some(60000));
    let selection = options.authenticator_selection.unwrap();
    assert_eq!(selection.resident_key.as_deref(), Some("preferred"));
    assert_eq!(selection.require_resident_key, Some(false));
    assert_eq!(options.attestation.as_deref(), Some("none"));
    assert!(options.unknown.is_empty());
}

#[test]
fn reads_simplewebauthn_creation_options() {
    let options = CreationOptionsJson::from_json(SIMPLEWEBAUTHN_CREATE).unwrap();
    assert_eq!(options.challenge.as_slice(), (1..=16).collect::<Vec<u8>>());
    assert_eq!(options.exclude_credentials.len(), 1);
    assert_eq!(options.exclude_credentials[0].id.as_slice(), b"cred");
    assert_eq!(
        options.exclude_credentials[0].transports.as_deref(),
        Some(&["internal".to_owned(), "hybrid".to_owned()][..])
    );
    assert_eq!(
        options.extensions.as_ref().and_then(|e| e.get("credProps")),
        Some(&Value::Bool(true))
    );
}

#[test]
fn reads_python_fido2_dict_form_with_padding_and_nulls() {
    let options = CreationOptionsJson::from_json(FIDO2_CREATE).unwrap();
    assert_eq!(options.user.id.as_slice(), b"user_id");
    assert_eq!(options.challenge.as_slice(), [1, 2, 3, 4]);
    assert_eq!(options.timeout, None);
    assert!(options.exclude_credentials.is_empty());
    assert_eq!(options.extensions, None);
    // Written back unpadded and without the wrapper.
    let text = options.to_json();
    assert!(text.contains(r#""challenge":"AQIDBA""#), "{text}");
    assert!(text.contains(r#""id":"dXNlcl9pZA""#), "{text}");
    assert!(!text.contains("publicKey"), "{text}");
}

#[test]
fn unknown_members_are_kept_and_written_back() {
    let text = r#"{"challenge":"AA","rpId":"a.example","mediation":"conditional","x":{"y":[1]}}"#;
    let options = RequestOptionsJson::from_json(text).unwrap();
    assert_eq!(options.unknown.len(), 2);
    let back: Value = serde_json::from_str(&options.to_json()).unwrap();
    assert_eq!(back["mediation"], "conditional");
    assert_eq!(back["x"]["y"][0], 1);
    assert_eq!(
        RequestOptionsJson::from_json(&options.to_json()).unwrap(),
        options
    );
}

#[test]
fn timeout_may_be_written_with_a_fraction() {
    let options = RequestOptionsJson::from_json(r#"{"challenge":"AA","timeout":60000.7}"#).unwrap();
    assert_eq!(options.timeout, Some(60000));
    let err = RequestOptionsJson::from_json(r#"{"challenge":"AA","timeout":-1}"#).unwrap_err();
    assert_eq!(err.field, "timeout");
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (r#"{"challenge":"A+A","rpId":"x"}"#, "challenge"),
        (
            r#"{"challenge":"AA","allowCredentials":[{"type":"public-key","id":7}]}"#,
            "allowCredentials[0].id",
        ),
        (
            r#"{"challenge":"AA","userVerification":false}"#,
            "userVerification",
        ),
    ];
    for (text, field) in cases {
        let err = RequestOptionsJson::from_json(text).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("PublicKeyCredentialRequestOptionsJSON.{field}: ")),
            "{err}"
        );
    }
    let err = CreationOptionsJson::from_json(
        &PY_WEBAUTHN_CREATE.replace(r#""alg": -257"#, r#""alg": "RS256""#),
    )
    .unwrap_err();
    assert_eq!(err.field, "pubKeyCredParams[1].alg");
    let err = CreationOptionsJson::from_json(
        &PY_WEBAUTHN_CREATE.replace("MTIzNDU2Nzg5MA\", \"name", "MT$\", \"name"),
    )
    .unwrap_err();
    assert_eq!(err.field, "user.id");
    assert!(err.message.contains("base64url"), "{err}");
    let err = CreationOptionsJson::from_json(r#"{"rp":{"name":"x"}}"#).unwrap_err();
    assert!(err.message.contains("missing field `user`"), "{err}");
    let err = RegistrationResponseJson::from_json("{").unwrap_err();
    assert_eq!(err.field, "");
    assert!(
        err.to_string()
            .starts_with("RegistrationResponseJSON: not JSON"),
        "{err}"
    );
}

/// Chrome's `PublicKeyCredential.toJSON()` after a hybrid registration (shape; values made up).
const CHROME_REGISTRATION: &str = r#"{"authenticatorAttachment":"cross-platform","clientExtensionResults":{"credProps":{"rk":true}},"id":"AQID","rawId":"AQID","response":{"attestationObject":"o2NmbXRkbm9uZQ","authenticatorData":"SZYN5Q","clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0","publicKey":"MFkw","publicKeyAlgorithm":-7,"transports":["cable","hybrid","internal"]},"type":"public-key"}"#;

#[test]
fn reads_and_writes_registration_responses() {
    let response = RegistrationResponseJson::from_json(CHROME_REGISTRATION).unwrap();
    assert_eq!(response.raw_id.as_slice(), [1, 2, 3]);
    assert_eq!(
        response.response.transports,
        ["cable", "hybrid", "internal"]
    );
    assert_eq!(response.response.public_key_algorithm, Some(-7));
    assert_eq!(
        response.authenticator_attachment.as_deref(),
        Some("cross-platform")
    );
    let again = RegistrationResponseJson::from_json(&response.to_json()).unwrap();
    assert_eq!(again, response);
}

#[test]
fn reads_soft_webauthn_registration_without_level_3_members() {
    let text = r#"{"id": "AQID", "rawId": "AQID", "type": "public-key", "response": {"clientDataJSON": "e30", "attestationObject": "oA"}, "clientExtensionResults": {}}"#;
    let response = RegistrationResponseJson::from_json(text).unwrap();
    assert_eq!(response.response.authenticator_data, None);
    assert!(response.response.transports.is_empty());
    assert_eq!(response.response.public_key, None);
}

#[test]
fn reads_authentication_responses_with_null_or_absent_user_handle() {
    let base = r#"{"id":"AQI","rawId":"AQI=","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"MEQ"USER}}"#;
    let with =
        AuthenticationResponseJson::from_json(&base.replace("USER", r#","userHandle":"dXNlcg""#))
            .unwrap();
    assert_eq!(
        with.response.user_handle.as_ref().map(Base64Url::as_slice),
        Some(&b"user"[..])
    );
    let null =
        AuthenticationResponseJson::from_json(&base.replace("USER", r#","userHandle":null"#))
            .unwrap();
    assert_eq!(null.response.user_handle, None);
    let absent = AuthenticationResponseJson::from_json(&base.replace("USER", "")).unwrap();
    assert_eq!(absent.response.user_handle, None);
    assert_eq!(absent.raw_id.as_slice(), [1, 2]);
    let err =
        AuthenticationResponseJson::from_json(&base.replace("USER", "").replace("\"MEQ\"", "1"))
            .unwrap_err();
    assert_eq!(err.field, "response.signature");
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..70)
}

proptest! {
    #[test]
    fn base64url_fields_round_trip_padded_or_not(id in bytes(), challenge in bytes(), pad in any::<bool>()) {
        let options = RequestOptionsJson {
            challenge: Base64Url(challenge),
            timeout: Some(1000),
            rp_id: Some("a.example".into()),
            allow_credentials: vec![CredentialDescriptor::public_key(id, Some(vec!["hybrid".into()]))],
            user_verification: Some("required".into()),
            hints: vec!["hybrid".into()],
            extensions: None,
            unknown: Map::new(),
        };
        let mut text = options.to_json();
        prop_assert!(!text.contains('='));
        if pad {
            // Pad every base64url string the way python's urlsafe_b64encode would.
            let mut value: Value = serde_json::from_str(&text).unwrap();
            let pad_str = |s: &mut Value| if let Value::String(t) = s {
                let n = (4 - t.len() % 4) % 4;
                t.push_str(&"=".repeat(n));
            };
            pad_str(&mut value["challenge"]);
            pad_str(&mut value["allowCredentials"][0]["id"]);
            text = value.to_string();
        }
        prop_assert_eq!(RequestOptionsJson::from_json(&text).unwrap(), options);
    }

    #[test]
    fn creation_options_round_trip(user_id in bytes(), challenge in bytes(), name in "\\PC{0,20}", timeout in proptest::option::of(any::<u32>())) {
        let mut options = CreationOptionsJson::from_json(SIMPLEWEBAUTHN_CREATE).unwrap();
        options.user.id = Base64Url(user_id);
        options.user.name = name;
        options.challenge = Base64Url(challenge);
        options.timeout = timeout.map(u64::from);
        prop_assert_eq!(CreationOptionsJson::from_json(&options.to_json()).unwrap(), options);
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,200}") {
        let _ = CreationOptionsJson::from_json(&text);
        let _ = RequestOptionsJson::from_json(&text);
        let _ = RegistrationResponseJson::from_json(&text);
        let _ = AuthenticationResponseJson::from_json(&text);
    }
}
