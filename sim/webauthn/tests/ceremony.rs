//! The whole loop: relying party → options JSON → client (browser) → CTAP bytes →
//! hybridsim's authenticator (built from a profile in fixtures/profiles/) → CTAP bytes →
//! client → response JSON → relying party, for registration and authentication.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_ctap::auth_data::AuthenticatorData;
use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::get_assertion::GetAssertionResponse;
use hybridsim_ctap::make_credential::MakeCredentialResponse;
use hybridsim_ctap::profile::Profile;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::json::{
    AuthenticationResponseJson, CreationOptionsJson, RegistrationResponseJson, RequestOptionsJson,
    UserEntity,
};
use hybridsim_webauthn::rp::{
    AttestationConveyance, AttestationPolicy, AttestationType, AuthenticationError,
    AuthenticationRequest, RegisteredCredential, RegistrationError, RegistrationRequest,
    RelyingParty, ResidentKey, UserVerification,
};
use hybridsim_webauthn::x509::pem_to_der;
use serde_json::{json, Value};

const ORIGIN: &str = "https://login.example";
const RP_ID: &str = "login.example";
/// Inside the test attestation chain's validity (2027-01-15).
const NOW: u64 = 1_800_000_000;

fn fixture(path: &str) -> String {
    let path = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn profile_text(name: &str) -> String {
    fixture(&format!("profiles/{name}.toml"))
}

fn authenticator_from(text: &str) -> Authenticator {
    let profile = Profile::from_toml_str(text).unwrap();
    let attester = profile
        .attester(|file| Some(fixture(&format!("attestation/{file}"))))
        .unwrap();
    Authenticator::new(profile, attester, [42; 32], ScriptedUser::approving())
}

fn authenticator(name: &str) -> Authenticator {
    authenticator_from(&profile_text(name))
}

/// A packed-self, per-credential-counting authenticator: the wrong-rpIdHash profile without its
/// bug.
fn packed_self_authenticator() -> Authenticator {
    let text = profile_text("buggy-wrong-rpid-hash").replace("wrong_rp_id_hash = true", "");
    authenticator_from(&text)
}

fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new(RP_ID, "Login", &[ORIGIN]);
    rp.trusted_roots = vec![pem_to_der(&fixture("attestation/ca.pem")).unwrap()];
    rp
}

fn user() -> UserEntity {
    UserEntity {
        id: Base64Url(b"user-0001".to_vec()),
        name: "alex@login.example".into(),
        display_name: "Alex".into(),
    }
}

/// Splits `status ‖ CBOR`, insisting on success.
fn ok_body(reply: &[u8]) -> &[u8] {
    assert_eq!(reply.first(), Some(&0), "CTAP status {reply:02x?}");
    &reply[1..]
}

fn transports(authenticator: &Authenticator) -> Vec<String> {
    authenticator.get_info().transports.unwrap_or_default()
}

/// The browser side of create(): options text in, response text out.
fn browser_create(authenticator: &mut Authenticator, options_json: &str) -> String {
    let options = CreationOptionsJson::from_json(options_json).unwrap();
    let pending = client::create(&options, &Caller::new(ORIGIN)).unwrap();
    let reply = authenticator.handle(0x01, &pending.request.encode());
    let response = MakeCredentialResponse::decode(ok_body(&reply)).unwrap();
    client::registration_response(&pending, &response, &transports(authenticator))
        .unwrap()
        .to_json()
}

/// The browser side of get().
fn browser_get(authenticator: &mut Authenticator, options_json: &str) -> String {
    let options = RequestOptionsJson::from_json(options_json).unwrap();
    let pending = client::get(&options, &Caller::new(ORIGIN)).unwrap();
    let reply = authenticator.handle(0x02, &pending.request.encode());
    let response = GetAssertionResponse::decode(ok_body(&reply)).unwrap();
    client::authentication_response(&pending, &response)
        .unwrap()
        .to_json()
}

fn register_with(
    rp: &RelyingParty,
    authenticator: &mut Authenticator,
    request: &RegistrationRequest,
) -> Result<RegisteredCredential, RegistrationError> {
    let (options, state) = rp.start_registration(user(), [1; 32], request);
    let response_json = browser_create(authenticator, &options.to_json());
    let response = RegistrationResponseJson::from_json(&response_json).unwrap();
    rp.finish_registration(&state, &response, NOW)
}

fn register(
    rp: &RelyingParty,
    authenticator: &mut Authenticator,
) -> Result<RegisteredCredential, RegistrationError> {
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    register_with(rp, authenticator, &request)
}

fn authenticate(
    rp: &RelyingParty,
    authenticator: &mut Authenticator,
    allow: &[RegisteredCredential],
    credential: &mut RegisteredCredential,
    challenge: u8,
) -> Result<hybridsim_webauthn::rp::AuthenticationResult, AuthenticationError> {
    let (options, state) =
        rp.start_authentication(allow, [challenge; 32], &AuthenticationRequest::default());
    let response_json = browser_get(authenticator, &options.to_json());
    let response = AuthenticationResponseJson::from_json(&response_json).unwrap();
    rp.finish_authentication(&state, &response, credential)
}

#[test]
fn packed_x5c_under_the_test_ca() {
    for profile in [
        "microsoft-authenticator-ios",
        "microsoft-authenticator-android",
    ] {
        let mut rp = relying_party();
        rp.attestation = AttestationConveyance::Direct;
        rp.attestation_policy = AttestationPolicy::trusted_chain_only();
        rp.user_verification = UserVerification::Required;
        let mut phone = authenticator(profile);
        let mut credential = register(&rp, &mut phone).unwrap();
        assert_eq!(credential.attestation, AttestationType::Basic, "{profile}");
        assert_eq!(credential.attestation_format, "packed");
        assert!(!credential.backup_eligible, "device-bound");
        assert!(credential.user_verified);
        let allow = [credential.clone()];
        let result = authenticate(&rp, &mut phone, &allow, &mut credential, 2).unwrap();
        assert_eq!(result.user_id, user().id);
        assert_eq!(result.sign_count, 0);
        // Discoverable: no allow list, the user handle names the account.
        authenticate(&rp, &mut phone, &[], &mut credential, 3).unwrap();
    }
}

#[test]
fn packed_x5c_is_refused_without_the_root() {
    let mut rp = relying_party();
    rp.attestation = AttestationConveyance::Direct;
    rp.trusted_roots.clear();
    let err = register(&rp, &mut authenticator("microsoft-authenticator-ios")).unwrap_err();
    assert!(
        matches!(err, RegistrationError::AttestationCertificate(_)),
        "{err}"
    );
}

#[test]
fn attestation_none_asked_strips_the_chain() {
    let rp = relying_party();
    let credential = register(&rp, &mut authenticator("microsoft-authenticator-ios")).unwrap();
    assert_eq!(credential.attestation, AttestationType::None);
    let mut strict = relying_party();
    strict.attestation_policy = AttestationPolicy::trusted_chain_only();
    let err = register(&strict, &mut authenticator("microsoft-authenticator-ios")).unwrap_err();
    assert_eq!(
        err,
        RegistrationError::AttestationNotAccepted {
            found: AttestationType::None
        }
    );
}

#[test]
fn packed_self_with_a_counting_authenticator() {
    let mut rp = relying_party();
    rp.attestation = AttestationConveyance::Direct;
    let mut phone = packed_self_authenticator();
    let mut credential = register(&rp, &mut phone).unwrap();
    assert_eq!(credential.attestation, AttestationType::SelfAttestation);
    let allow = [credential.clone()];
    let first = authenticate(&rp, &mut phone, &allow, &mut credential, 2).unwrap();
    let second = authenticate(&rp, &mut phone, &allow, &mut credential, 3).unwrap();
    assert!(second.sign_count > first.sign_count && first.sign_count > 0);
    // Replaying the stored counter backwards is caught.
    credential.sign_count += 10;
    let err = authenticate(&rp, &mut phone, &allow, &mut credential, 4).unwrap_err();
    assert!(
        matches!(err, AuthenticationError::SignCountRegression { .. }),
        "{err}"
    );
}

#[test]
fn none_attestation_synced_passkeys() {
    for profile in ["google-password-manager", "ios16"] {
        let rp = relying_party();
        let mut phone = authenticator(profile);
        let mut credential = register(&rp, &mut phone).unwrap();
        assert_eq!(credential.attestation, AttestationType::None, "{profile}");
        assert!(
            credential.backup_eligible && credential.backup_state,
            "synced"
        );
        assert_eq!(credential.sign_count, 0);
        let allow = [credential.clone()];
        for challenge in 2..5 {
            let result = authenticate(&rp, &mut phone, &allow, &mut credential, challenge).unwrap();
            assert_eq!(result.sign_count, 0, "synced passkeys always send 0");
        }
        authenticate(&rp, &mut phone, &[], &mut credential, 9).unwrap();
    }
}

#[test]
fn legacy_cable_transport_is_stored_as_reported() {
    let mut phone = authenticator("google-password-manager");
    let credential = register(&relying_party(), &mut phone).unwrap();
    assert_eq!(credential.transports, ["cable", "hybrid", "internal"]);
    let (options, _) = relying_party().start_authentication(
        std::slice::from_ref(&credential),
        [2; 32],
        &AuthenticationRequest::default(),
    );
    let text = options.to_json();
    assert!(
        text.contains(r#""transports":["cable","hybrid","internal"]"#),
        "{text}"
    );
}

#[test]
fn excluded_credential_is_not_created_again() {
    let rp = relying_party();
    let mut phone = authenticator("google-password-manager");
    let credential = register(&rp, &mut phone).unwrap();
    let (options, _) = rp.start_registration(
        user(),
        [5; 32],
        &RegistrationRequest::excluding(std::slice::from_ref(&credential)),
    );
    let options = CreationOptionsJson::from_json(&options.to_json()).unwrap();
    let pending = client::create(&options, &Caller::new(ORIGIN)).unwrap();
    let reply = phone.handle(0x01, &pending.request.encode());
    assert_eq!(reply, [0x19], "CTAP2_ERR_CREDENTIAL_EXCLUDED");
}

#[test]
fn prf_and_cred_props_through_the_loop() {
    let rp = relying_party();
    let mut phone = authenticator("google-password-manager");
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        extensions: Some(
            json!({"credProps": true, "prf": {}})
                .as_object()
                .unwrap()
                .clone(),
        ),
        ..RegistrationRequest::default()
    };
    let (options, state) = rp.start_registration(user(), [1; 32], &request);
    let response_json = browser_create(&mut phone, &options.to_json());
    let response = RegistrationResponseJson::from_json(&response_json).unwrap();
    assert_eq!(
        Value::Object(response.client_extension_results.clone()),
        json!({"credProps": {"rk": true}, "prf": {"enabled": true}})
    );
    let mut credential = rp.finish_registration(&state, &response, NOW).unwrap();
    assert_eq!(credential.discoverable, Some(true));

    let eval = |challenge: u8, phone: &mut Authenticator, credential: &mut RegisteredCredential| {
        let request = AuthenticationRequest {
            extensions: Some(
                json!({"prf": {"eval": {"first": "c2FsdA"}}})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..AuthenticationRequest::default()
        };
        let (options, state) = rp.start_authentication(&[], [challenge; 32], &request);
        let response_json = browser_get(phone, &options.to_json());
        let response = AuthenticationResponseJson::from_json(&response_json).unwrap();
        let result = rp
            .finish_authentication(&state, &response, credential)
            .unwrap();
        result.client_extension_results["prf"]["results"]["first"].clone()
    };
    let first = eval(2, &mut phone, &mut credential);
    assert_eq!(
        first.as_str().map(str::len),
        Some(43),
        "32 bytes, base64url"
    );
    assert_eq!(
        eval(3, &mut phone, &mut credential),
        first,
        "the same salt gives the same output"
    );
}

#[test]
fn wrong_rp_id_hash_is_caught_by_the_rp_id_hash_check() {
    let mut rp = relying_party();
    rp.attestation = AttestationConveyance::Direct;
    let mut phone = authenticator("buggy-wrong-rpid-hash");
    let err = register(&rp, &mut phone).unwrap_err();
    assert!(matches!(err, RegistrationError::RpIdHash { .. }), "{err}");

    // Authentication too: store the credential the phone made as if registration had passed.
    let credential_id = phone.store().credentials[0].id.clone();
    let mut credential = RegisteredCredential {
        id: Base64Url(credential_id),
        user: user(),
        public_key: Base64Url(public_key_of(&mut phone)),
        algorithm: -7,
        sign_count: 0,
        backup_eligible: false,
        backup_state: false,
        user_verified: true,
        transports: vec![],
        aaguid: [0; 16],
        attestation_format: "packed".into(),
        attestation: AttestationType::SelfAttestation,
        discoverable: Some(true),
    };
    let allow = [credential.clone()];
    let err = authenticate(&rp, &mut phone, &allow, &mut credential, 2).unwrap_err();
    assert!(matches!(err, AuthenticationError::RpIdHash { .. }), "{err}");
}

/// The COSE key of the phone's first stored credential.
fn public_key_of(phone: &mut Authenticator) -> Vec<u8> {
    let stored = &phone.store().credentials[0];
    let secret = stored.secret_key().unwrap();
    hybridsim_ctap::cose::CoseKey::es256(&secret.public_key()).to_bytes()
}

#[test]
fn non_canonical_responses_are_refused_by_the_client() {
    let rp = relying_party();
    let mut phone = authenticator("buggy-non-canonical");
    let (options, _) = rp.start_registration(user(), [1; 32], &RegistrationRequest::default());
    let options = CreationOptionsJson::from_json(&options.to_json()).unwrap();
    let pending = client::create(&options, &Caller::new(ORIGIN)).unwrap();
    let reply = phone.handle(0x01, &pending.request.encode());
    let err = MakeCredentialResponse::decode(ok_body(&reply)).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("order"), "{err}");
}

#[test]
fn registration_response_json_is_what_the_rp_reads_back() {
    let mut phone = authenticator("microsoft-authenticator-android");
    let rp = relying_party();
    let (options, _) = rp.start_registration(user(), [1; 32], &RegistrationRequest::default());
    let text = browser_create(&mut phone, &options.to_json());
    let value: Value = serde_json::from_str(&text).unwrap();
    for member in [
        "id",
        "rawId",
        "response",
        "authenticatorAttachment",
        "clientExtensionResults",
        "type",
    ] {
        assert!(value.get(member).is_some(), "{member} in {text}");
    }
    for member in [
        "clientDataJSON",
        "attestationObject",
        "authenticatorData",
        "publicKey",
        "publicKeyAlgorithm",
        "transports",
    ] {
        assert!(
            value["response"].get(member).is_some(),
            "response.{member} in {text}"
        );
    }
    assert!(!text.contains('='), "unpadded base64url: {text}");
    let parsed = RegistrationResponseJson::from_json(&text).unwrap();
    let auth_data =
        AuthenticatorData::decode(parsed.response.authenticator_data.unwrap().as_slice()).unwrap();
    assert_eq!(
        auth_data.attested.unwrap().credential_id,
        parsed.raw_id.as_slice()
    );
}
