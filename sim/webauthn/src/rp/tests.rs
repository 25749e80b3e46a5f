//! Every check of the relying party, each reached by a response that is right except for one
//! thing. The responses are built here by a small software authenticator (independent of the
//! client module), signed after the edit so that only the edited check can fail.

use super::*;
use crate::client_data::{client_data_hash, CollectedClientData, TYPE_CREATE, TYPE_GET};
use crate::crypto::{spki_from_sec1, SignatureError};
use crate::json::{
    AssertionResponseJson, AttestationResponseJson, AuthenticationResponseJson,
    RegistrationResponseJson,
};
use crate::test_support::*;
use crate::x509::CertificateError;
use hybridsim_ctap::attestation::{sign_es256, AttestationObject, PackedStatement};
use hybridsim_ctap::auth_data::{AttestedCredentialData, AuthenticatorData, Flags};
use hybridsim_ctap::cose::CoseKey;
use hybridsim_proto::cbor::Value as Cbor;
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

const RP_ID: &str = "login.example";
const ORIGIN: &str = "https://login.example";
const CHALLENGE: [u8; 32] = [7; 32];
const CRED_ID: &[u8] = b"credential-0001";

fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new(RP_ID, "Login", &[ORIGIN]);
    rp.trusted_roots = vec![cert_der("ca")];
    rp
}

fn user() -> UserEntity {
    UserEntity {
        id: Base64Url(b"user-1".to_vec()),
        name: "alex@login.example".into(),
        display_name: "Alex".into(),
    }
}

fn credential_key() -> SigningKey {
    seeded_key(1)
}

fn cose(key: &SigningKey) -> CoseKey {
    CoseKey::es256(&p256::PublicKey::from(key.verifying_key()))
}

fn rp_id_hash(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

#[derive(Clone)]
enum Statement {
    None,
    SelfSigned,
    X5c,
    Custom(String, Cbor),
}

/// A registration response under construction: edit a field, then `build`.
#[derive(Clone)]
struct Registration {
    client_data: CollectedClientData,
    client_data_json: Option<Vec<u8>>,
    auth_data: AuthenticatorData,
    auth_data_bytes: Option<Vec<u8>>,
    statement: Statement,
    statement_alg: i64,
    corrupt_signature: bool,
    raw_id: Vec<u8>,
    transports: Vec<String>,
}

impl Registration {
    fn new(statement: Statement) -> Self {
        let attested = AttestedCredentialData {
            aaguid: IOS_AAGUID,
            credential_id: CRED_ID.to_vec(),
            public_key: cose(&credential_key()),
        };
        Self {
            client_data: CollectedClientData::new(TYPE_CREATE, &CHALLENGE, ORIGIN),
            client_data_json: None,
            auth_data: AuthenticatorData::new(
                rp_id_hash(RP_ID),
                Flags::UP | Flags::UV | Flags::BE | Flags::BS,
                0,
                Some(attested),
                None,
            ),
            auth_data_bytes: None,
            statement,
            statement_alg: -7,
            corrupt_signature: false,
            raw_id: CRED_ID.to_vec(),
            transports: vec!["hybrid".into(), "internal".into()],
        }
    }

    fn build(&self) -> RegistrationResponseJson {
        let client_data_json = self
            .client_data_json
            .clone()
            .unwrap_or_else(|| self.client_data.to_json());
        let auth_data = self
            .auth_data_bytes
            .clone()
            .unwrap_or_else(|| self.auth_data.to_bytes());
        let hash = client_data_hash(&client_data_json);
        let sign = |key: &SigningKey| {
            let mut sig = sign_es256(key, &[&auth_data, &hash]);
            if self.corrupt_signature {
                if let Some(b) = sig.last_mut() {
                    *b ^= 1;
                }
            }
            sig
        };
        let (fmt, att_stmt) = match &self.statement {
            Statement::None => ("none".to_owned(), Cbor::Map(vec![])),
            Statement::SelfSigned => (
                "packed".to_owned(),
                PackedStatement {
                    alg: self.statement_alg,
                    sig: sign(&credential_key()),
                    x5c: vec![],
                }
                .to_value(),
            ),
            Statement::X5c => (
                "packed".to_owned(),
                PackedStatement {
                    alg: self.statement_alg,
                    sig: sign(&key("microsoft-authenticator-ios")),
                    x5c: vec![cert_der("microsoft-authenticator-ios")],
                }
                .to_value(),
            ),
            Statement::Custom(fmt, stmt) => (fmt.clone(), stmt.clone()),
        };
        let object = AttestationObject {
            fmt,
            auth_data: auth_data.clone(),
            att_stmt,
        };
        let public_key = self
            .auth_data
            .attested
            .as_ref()
            .map(|a| spki_from_sec1(&a.public_key.to_sec1_uncompressed()).unwrap());
        RegistrationResponseJson {
            id: b64::encode(&self.raw_id),
            raw_id: Base64Url(self.raw_id.clone()),
            response: AttestationResponseJson {
                client_data_json: Base64Url(client_data_json),
                authenticator_data: Some(Base64Url(auth_data)),
                transports: self.transports.clone(),
                public_key: public_key.map(Base64Url),
                public_key_algorithm: Some(-7),
                attestation_object: Base64Url(object.to_webauthn_bytes()),
            },
            authenticator_attachment: Some("cross-platform".into()),
            client_extension_results: Map::new(),
            type_: "public-key".into(),
        }
    }
}

fn start(rp: &RelyingParty) -> RegistrationState {
    rp.start_registration(user(), CHALLENGE, &RegistrationRequest::default())
        .1
}

fn finish(
    rp: &RelyingParty,
    response: &RegistrationResponseJson,
) -> Result<RegisteredCredential, RegistrationError> {
    rp.finish_registration(&start(rp), response, NOW)
}

fn refused(reg: &Registration) -> RegistrationError {
    finish(&relying_party(), &reg.build()).unwrap_err()
}

#[test]
fn none_self_and_x5c_registrations_are_accepted() {
    for (statement, kind, fmt) in [
        (Statement::None, AttestationType::None, "none"),
        (
            Statement::SelfSigned,
            AttestationType::SelfAttestation,
            "packed",
        ),
        (Statement::X5c, AttestationType::Basic, "packed"),
    ] {
        let credential = finish(&relying_party(), &Registration::new(statement).build()).unwrap();
        assert_eq!(credential.attestation, kind);
        assert_eq!(credential.attestation_format, fmt);
        assert_eq!(credential.id.as_slice(), CRED_ID);
        assert_eq!(credential.user, user());
        assert_eq!(credential.aaguid, IOS_AAGUID);
        assert!(credential.backup_eligible && credential.backup_state && credential.user_verified);
        assert_eq!(credential.transports, ["hybrid", "internal"]);
    }
}

#[test]
fn start_registration_options_and_state() {
    let rp = relying_party();
    let (options, state) = rp.start_registration(
        user(),
        CHALLENGE,
        &RegistrationRequest {
            resident_key: ResidentKey::Required,
            ..RegistrationRequest::default()
        },
    );
    assert_eq!(options.rp.id.as_deref(), Some(RP_ID));
    assert_eq!(options.challenge.as_slice(), CHALLENGE);
    assert_eq!(options.pub_key_cred_params[0].alg, -7);
    let selection = options.authenticator_selection.unwrap();
    assert_eq!(selection.resident_key.as_deref(), Some("required"));
    assert_eq!(selection.require_resident_key, Some(true));
    assert_eq!(selection.user_verification.as_deref(), Some("preferred"));
    assert_eq!(options.attestation.as_deref(), Some("none"));
    assert_eq!(state.rp_id, RP_ID);
    // The state is a value the caller can store.
    let text = serde_json::to_string(&state).unwrap();
    assert_eq!(
        serde_json::from_str::<RegistrationState>(&text).unwrap(),
        state
    );
}

#[test]
fn relying_party_configuration_serialises() {
    let rp = relying_party();
    let text = serde_json::to_string(&rp).unwrap();
    assert!(
        text.contains(&format!(
            "\"trusted_roots\":[\"{}\"]",
            b64::encode(&cert_der("ca"))
        )),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<RelyingParty>(&text).unwrap(), rp);
}

#[test]
fn registered_credentials_serialise() {
    let credential = finish(&relying_party(), &Registration::new(Statement::X5c).build()).unwrap();
    let text = serde_json::to_string(&credential).unwrap();
    assert!(
        text.contains("\"aaguid\":\"90a3ccdf-635c-4729-a248-9b709135078f\""),
        "{text}"
    );
    assert!(text.contains("\"attestation\":\"basic\""), "{text}");
    assert_eq!(
        serde_json::from_str::<RegisteredCredential>(&text).unwrap(),
        credential
    );
}

#[test]
fn reg_credential_type() {
    let mut response = Registration::new(Statement::None).build();
    response.type_ = "password".into();
    let err = finish(&relying_party(), &response).unwrap_err();
    assert_eq!(
        err,
        RegistrationError::CredentialType {
            found: "password".into()
        }
    );
}

#[test]
fn reg_id_not_raw_id() {
    let mut response = Registration::new(Statement::None).build();
    response.id = "AAAA".into();
    assert!(matches!(
        finish(&relying_party(), &response),
        Err(RegistrationError::IdNotRawId { .. })
    ));
    // A padded id names the same credential.
    let mut reg = Registration::new(Statement::None);
    reg.raw_id.truncate(14);
    if let Some(attested) = reg.auth_data.attested.as_mut() {
        attested.credential_id.truncate(14);
    }
    let mut response = reg.build();
    response.id.push('=');
    assert_eq!(response.id.len() % 4, 0);
    finish(&relying_party(), &response).unwrap();
}

#[test]
fn reg_client_data_json() {
    let mut reg = Registration::new(Statement::None);
    reg.client_data_json = Some(b"not json".to_vec());
    assert!(matches!(
        refused(&reg),
        RegistrationError::ClientDataJson(_)
    ));
}

#[test]
fn reg_client_data_type() {
    let mut reg = Registration::new(Statement::None);
    reg.client_data.type_ = TYPE_GET.into();
    assert_eq!(
        refused(&reg),
        RegistrationError::ClientDataType {
            found: TYPE_GET.into()
        }
    );
}

#[test]
fn reg_challenge() {
    let mut reg = Registration::new(Statement::None);
    reg.client_data.challenge = b64::encode(&[8; 32]);
    assert!(matches!(refused(&reg), RegistrationError::Challenge { .. }));
    // Padding does not change the challenge.
    let mut reg = Registration::new(Statement::None);
    reg.client_data.challenge.push('=');
    finish(&relying_party(), &reg.build()).unwrap();
}

#[test]
fn reg_origin() {
    let mut reg = Registration::new(Statement::None);
    reg.client_data.origin = "https://evil.example".into();
    let err = refused(&reg);
    assert_eq!(
        err.to_string(),
        "clientDataJSON.origin is https://evil.example, expected https://login.example"
    );
    assert!(matches!(err, RegistrationError::Origin { .. }));
}

fn cross_origin(reg: &mut Registration, top: Option<&str>) {
    reg.client_data.cross_origin = Some(true);
    reg.client_data.top_origin = top.map(str::to_owned);
}

#[test]
fn reg_cross_origin() {
    let mut reg = Registration::new(Statement::None);
    cross_origin(&mut reg, Some("https://shop.example"));
    assert_eq!(refused(&reg), RegistrationError::CrossOrigin);
    // Allowed when the top origin is configured.
    let mut rp = relying_party();
    rp.top_origins = vec!["https://shop.example".into()];
    finish(&rp, &reg.build()).unwrap();
}

#[test]
fn reg_top_origin() {
    let mut rp = relying_party();
    rp.top_origins = vec!["https://shop.example".into()];
    let mut reg = Registration::new(Statement::None);
    cross_origin(&mut reg, Some("https://other.example"));
    assert!(matches!(
        finish(&rp, &reg.build()),
        Err(RegistrationError::TopOrigin { found: Some(_), .. })
    ));
    cross_origin(&mut reg, None);
    assert!(matches!(
        finish(&rp, &reg.build()),
        Err(RegistrationError::TopOrigin { found: None, .. })
    ));
}

#[test]
fn reg_top_origin_without_cross_origin() {
    let mut reg = Registration::new(Statement::None);
    reg.client_data.top_origin = Some("https://shop.example".into());
    assert!(matches!(
        refused(&reg),
        RegistrationError::TopOriginWithoutCrossOrigin { .. }
    ));
}

#[test]
fn reg_attestation_object() {
    let mut response = Registration::new(Statement::None).build();
    response.response.attestation_object = Base64Url(vec![0xa0]);
    assert!(matches!(
        finish(&relying_party(), &response),
        Err(RegistrationError::AttestationObject(_))
    ));
}

#[test]
fn reg_authenticator_data() {
    let mut reg = Registration::new(Statement::None);
    let mut bytes = reg.auth_data.to_bytes();
    bytes.truncate(50);
    reg.auth_data_bytes = Some(bytes);
    assert!(matches!(
        refused(&reg),
        RegistrationError::AuthenticatorData(_)
    ));
}

#[test]
fn reg_authenticator_data_copy() {
    let mut response = Registration::new(Statement::None).build();
    response.response.authenticator_data = Some(Base64Url(vec![0; 37]));
    assert_eq!(
        finish(&relying_party(), &response),
        Err(RegistrationError::AuthenticatorDataCopy)
    );
}

#[test]
fn reg_rp_id_hash() {
    let mut reg = Registration::new(Statement::X5c);
    reg.auth_data.rp_id_hash = rp_id_hash("evil.example");
    let err = refused(&reg);
    assert!(matches!(err, RegistrationError::RpIdHash { .. }));
    assert!(
        err.to_string().contains("SHA-256(\"login.example\")"),
        "{err}"
    );
}

#[test]
fn reg_user_not_present() {
    let mut reg = Registration::new(Statement::SelfSigned);
    reg.auth_data.flags.set(Flags::UP, false);
    assert_eq!(refused(&reg), RegistrationError::UserNotPresent);
}

#[test]
fn reg_user_not_verified_only_when_required() {
    let mut reg = Registration::new(Statement::SelfSigned);
    reg.auth_data.flags.set(Flags::UV, false);
    finish(&relying_party(), &reg.build()).unwrap();
    let mut rp = relying_party();
    rp.user_verification = UserVerification::Required;
    assert_eq!(
        finish(&rp, &reg.build()),
        Err(RegistrationError::UserNotVerified)
    );
}

#[test]
fn reg_backup_state_without_eligibility() {
    let mut reg = Registration::new(Statement::SelfSigned);
    reg.auth_data.flags.set(Flags::BE, false);
    assert_eq!(
        refused(&reg),
        RegistrationError::BackupStateWithoutEligibility
    );
}

#[test]
fn reg_no_attested_credential() {
    let mut reg = Registration::new(Statement::None);
    reg.auth_data = AuthenticatorData::new(rp_id_hash(RP_ID), Flags::UP, 0, None, None);
    assert_eq!(refused(&reg), RegistrationError::NoAttestedCredential);
}

#[test]
fn reg_credential_id_mismatch() {
    let mut reg = Registration::new(Statement::None);
    reg.raw_id = b"another".to_vec();
    assert!(matches!(
        refused(&reg),
        RegistrationError::CredentialIdMismatch { .. }
    ));
}

#[test]
fn reg_algorithm_not_offered() {
    let mut rp = relying_party();
    rp.algorithms = vec![-257];
    let err = finish(&rp, &Registration::new(Statement::None).build()).unwrap_err();
    assert_eq!(
        err,
        RegistrationError::AlgorithmNotOffered {
            alg: -7,
            offered: vec![-257]
        }
    );
}

#[test]
fn reg_public_key_algorithm() {
    let mut response = Registration::new(Statement::None).build();
    response.response.public_key_algorithm = Some(-8);
    assert_eq!(
        finish(&relying_party(), &response),
        Err(RegistrationError::PublicKeyAlgorithm { json: -8, key: -7 })
    );
}

#[test]
fn reg_public_key() {
    let mut response = Registration::new(Statement::None).build();
    let other = seeded_key(2).verifying_key().to_encoded_point(false);
    response.response.public_key = Some(Base64Url(spki_from_sec1(other.as_bytes()).unwrap()));
    assert_eq!(
        finish(&relying_party(), &response),
        Err(RegistrationError::PublicKey)
    );
    // Absent (older clients) is fine.
    let mut response = Registration::new(Statement::None).build();
    response.response.public_key = None;
    response.response.public_key_algorithm = None;
    response.response.authenticator_data = None;
    finish(&relying_party(), &response).unwrap();
}

#[test]
fn reg_credential_excluded() {
    let rp = relying_party();
    let request = RegistrationRequest {
        exclude_credentials: vec![crate::json::CredentialDescriptor::public_key(
            CRED_ID.to_vec(),
            None,
        )],
        ..RegistrationRequest::default()
    };
    let (options, state) = rp.start_registration(user(), CHALLENGE, &request);
    assert_eq!(options.exclude_credentials.len(), 1);
    let err = rp
        .finish_registration(&state, &Registration::new(Statement::None).build(), NOW)
        .unwrap_err();
    assert!(matches!(err, RegistrationError::CredentialExcluded { .. }));
}

#[test]
fn reg_transport_not_allowed() {
    let mut rp = relying_party();
    rp.transports = vec!["usb".into()];
    let err = finish(&rp, &Registration::new(Statement::None).build()).unwrap_err();
    assert!(
        matches!(err, RegistrationError::TransportNotAllowed { ref transport, .. } if transport == "hybrid")
    );
    // "cable" is accepted by default and kept as is.
    let mut reg = Registration::new(Statement::None);
    reg.transports = vec!["cable".into(), "hybrid".into()];
    let credential = finish(&relying_party(), &reg.build()).unwrap();
    assert_eq!(credential.transports, ["cable", "hybrid"]);
}

#[test]
fn reg_unsupported_format() {
    let reg = Registration::new(Statement::Custom("tpm".into(), Cbor::Map(vec![])));
    assert_eq!(
        refused(&reg),
        RegistrationError::UnsupportedFormat { fmt: "tpm".into() }
    );
}

#[test]
fn reg_none_statement_not_empty() {
    let stmt = Cbor::Map(vec![(Cbor::Text("x".into()), Cbor::from(1))]);
    let reg = Registration::new(Statement::Custom("none".into(), stmt));
    assert_eq!(refused(&reg), RegistrationError::NoneStatementNotEmpty);
}

#[test]
fn reg_packed_statement() {
    let stmt = Cbor::Map(vec![(Cbor::Text("alg".into()), Cbor::from(-7))]);
    let reg = Registration::new(Statement::Custom("packed".into(), stmt));
    assert!(matches!(
        refused(&reg),
        RegistrationError::PackedStatement(_)
    ));
}

#[test]
fn reg_self_attestation_algorithm() {
    let mut reg = Registration::new(Statement::SelfSigned);
    reg.statement_alg = -8;
    assert_eq!(
        refused(&reg),
        RegistrationError::SelfAttestationAlgorithm {
            statement: -8,
            key: -7
        }
    );
}

#[test]
fn reg_attestation_algorithm() {
    let mut reg = Registration::new(Statement::X5c);
    reg.statement_alg = -257;
    assert_eq!(
        refused(&reg),
        RegistrationError::AttestationAlgorithm { alg: -257 }
    );
}

#[test]
fn reg_attestation_certificate() {
    let mut reg = Registration::new(Statement::X5c);
    if let Some(attested) = reg.auth_data.attested.as_mut() {
        attested.aaguid = [0; 16];
    }
    assert!(matches!(
        refused(&reg),
        RegistrationError::AttestationCertificate(CertificateError::AaguidMismatch { .. })
    ));
    let mut rp = relying_party();
    rp.trusted_roots.clear();
    assert_eq!(
        finish(&rp, &Registration::new(Statement::X5c).build()),
        Err(RegistrationError::AttestationCertificate(
            CertificateError::NoTrustedRoots
        ))
    );
    let err = relying_party()
        .finish_registration(
            &start(&relying_party()),
            &Registration::new(Statement::X5c).build(),
            1_000,
        )
        .unwrap_err();
    assert!(matches!(
        err,
        RegistrationError::AttestationCertificate(CertificateError::NotYetValid { .. })
    ));
}

#[test]
fn reg_attestation_signature() {
    for statement in [Statement::SelfSigned, Statement::X5c] {
        let mut reg = Registration::new(statement);
        reg.corrupt_signature = true;
        assert!(matches!(
            refused(&reg),
            RegistrationError::AttestationSignature(
                SignatureError::Mismatch | SignatureError::Encoding
            )
        ));
    }
}

#[test]
fn reg_attestation_not_accepted() {
    let mut rp = relying_party();
    rp.attestation_policy = AttestationPolicy::trusted_chain_only();
    for (statement, found) in [
        (Statement::None, AttestationType::None),
        (Statement::SelfSigned, AttestationType::SelfAttestation),
    ] {
        let err = finish(&rp, &Registration::new(statement).build()).unwrap_err();
        assert_eq!(err, RegistrationError::AttestationNotAccepted { found });
    }
    finish(&rp, &Registration::new(Statement::X5c).build()).unwrap();
}

// ---- authentication ----

fn registered() -> RegisteredCredential {
    static REGISTERED: std::sync::OnceLock<RegisteredCredential> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            finish(&relying_party(), &Registration::new(Statement::X5c).build()).unwrap()
        })
        .clone()
}

/// An assertion under construction.
#[derive(Clone)]
struct Assertion {
    client_data: CollectedClientData,
    client_data_json: Option<Vec<u8>>,
    auth_data: AuthenticatorData,
    auth_data_bytes: Option<Vec<u8>>,
    key: SigningKey,
    raw_id: Vec<u8>,
    user_handle: Option<Vec<u8>>,
}

impl Assertion {
    fn new() -> Self {
        Self {
            client_data: CollectedClientData::new(TYPE_GET, &CHALLENGE, ORIGIN),
            client_data_json: None,
            auth_data: AuthenticatorData::new(
                rp_id_hash(RP_ID),
                Flags::UP | Flags::UV | Flags::BE | Flags::BS,
                0,
                None,
                None,
            ),
            auth_data_bytes: None,
            key: credential_key(),
            raw_id: CRED_ID.to_vec(),
            user_handle: Some(b"user-1".to_vec()),
        }
    }

    fn build(&self) -> AuthenticationResponseJson {
        let client_data_json = self
            .client_data_json
            .clone()
            .unwrap_or_else(|| self.client_data.to_json());
        let auth_data = self
            .auth_data_bytes
            .clone()
            .unwrap_or_else(|| self.auth_data.to_bytes());
        let signature = sign_es256(
            &self.key,
            &[&auth_data, &client_data_hash(&client_data_json)],
        );
        AuthenticationResponseJson {
            id: b64::encode(&self.raw_id),
            raw_id: Base64Url(self.raw_id.clone()),
            response: AssertionResponseJson {
                client_data_json: Base64Url(client_data_json),
                authenticator_data: Base64Url(auth_data),
                signature: Base64Url(signature),
                user_handle: self.user_handle.clone().map(Base64Url),
            },
            authenticator_attachment: Some("cross-platform".into()),
            client_extension_results: Map::new(),
            type_: "public-key".into(),
        }
    }
}

fn authenticate(
    rp: &RelyingParty,
    allow: &[RegisteredCredential],
    response: &AuthenticationResponseJson,
    credential: &mut RegisteredCredential,
) -> Result<AuthenticationResult, AuthenticationError> {
    let (_, state) = rp.start_authentication(allow, CHALLENGE, &AuthenticationRequest::default());
    rp.finish_authentication(&state, response, credential)
}

fn auth_refused(assertion: &Assertion) -> AuthenticationError {
    let mut credential = registered();
    authenticate(
        &relying_party(),
        &[credential.clone()],
        &assertion.build(),
        &mut credential,
    )
    .unwrap_err()
}

#[test]
fn assertions_are_accepted_with_and_without_allow_list() {
    let rp = relying_party();
    let mut credential = registered();
    let result = authenticate(
        &rp,
        &[credential.clone()],
        &Assertion::new().build(),
        &mut credential,
    )
    .unwrap();
    assert_eq!(result.user_id, user().id);
    assert!(result.user_verified && result.backup_eligible && result.backup_state);
    let result = authenticate(&rp, &[], &Assertion::new().build(), &mut credential).unwrap();
    assert_eq!(result.credential_id.as_slice(), CRED_ID);
}

#[test]
fn start_authentication_options() {
    let credential = registered();
    let (options, state) = relying_party().start_authentication(
        std::slice::from_ref(&credential),
        CHALLENGE,
        &AuthenticationRequest::default(),
    );
    assert_eq!(options.rp_id.as_deref(), Some(RP_ID));
    assert_eq!(options.allow_credentials.len(), 1);
    assert_eq!(
        options.allow_credentials[0].transports.as_deref(),
        Some(&["hybrid".to_owned(), "internal".to_owned()][..])
    );
    assert_eq!(state.allow_credentials, vec![credential.id]);
}

#[test]
fn auth_credential_type() {
    let mut response = Assertion::new().build();
    response.type_ = "otp".into();
    let mut credential = registered();
    let err = authenticate(&relying_party(), &[], &response, &mut credential).unwrap_err();
    assert_eq!(
        err,
        AuthenticationError::CredentialType {
            found: "otp".into()
        }
    );
}

#[test]
fn auth_id_not_raw_id() {
    let mut response = Assertion::new().build();
    response.id = "Zm9v".into();
    let mut credential = registered();
    let err = authenticate(&relying_party(), &[], &response, &mut credential).unwrap_err();
    assert!(matches!(err, AuthenticationError::IdNotRawId { .. }));
}

#[test]
fn auth_credential_not_allowed() {
    let mut other = registered();
    other.id = Base64Url(b"other".to_vec());
    let mut credential = registered();
    let err = authenticate(
        &relying_party(),
        &[other],
        &Assertion::new().build(),
        &mut credential,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        AuthenticationError::CredentialNotAllowed { .. }
    ));
}

#[test]
fn auth_credential_mismatch() {
    let mut wrong = registered();
    wrong.id = Base64Url(b"other".to_vec());
    let err =
        authenticate(&relying_party(), &[], &Assertion::new().build(), &mut wrong).unwrap_err();
    assert!(matches!(
        err,
        AuthenticationError::CredentialMismatch { .. }
    ));
}

#[test]
fn auth_user_handle_mismatch() {
    let mut assertion = Assertion::new();
    assertion.user_handle = Some(b"user-2".to_vec());
    assert!(matches!(
        auth_refused(&assertion),
        AuthenticationError::UserHandleMismatch { .. }
    ));
}

#[test]
fn auth_user_handle_missing_only_in_discoverable_flows() {
    let mut assertion = Assertion::new();
    assertion.user_handle = None;
    let mut credential = registered();
    let rp = relying_party();
    authenticate(
        &rp,
        &[credential.clone()],
        &assertion.build(),
        &mut credential,
    )
    .unwrap();
    let err = authenticate(&rp, &[], &assertion.build(), &mut credential).unwrap_err();
    assert_eq!(err, AuthenticationError::UserHandleMissing);
    // An empty handle is read as none.
    assertion.user_handle = Some(vec![]);
    let err = authenticate(&rp, &[], &assertion.build(), &mut credential).unwrap_err();
    assert_eq!(err, AuthenticationError::UserHandleMissing);
}

#[test]
fn auth_client_data_checks() {
    let mut a = Assertion::new();
    a.client_data_json = Some(b"[]".to_vec());
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::ClientDataJson(_)
    ));

    let mut a = Assertion::new();
    a.client_data.type_ = TYPE_CREATE.into();
    assert_eq!(
        auth_refused(&a),
        AuthenticationError::ClientDataType {
            found: TYPE_CREATE.into()
        }
    );

    let mut a = Assertion::new();
    a.client_data.challenge = b64::encode(b"replayed");
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::Challenge { .. }
    ));

    let mut a = Assertion::new();
    a.client_data.origin = "https://login.example:8443".into();
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::Origin { .. }
    ));

    let mut a = Assertion::new();
    a.client_data.cross_origin = Some(true);
    a.client_data.top_origin = Some("https://shop.example".into());
    assert_eq!(auth_refused(&a), AuthenticationError::CrossOrigin);

    let mut rp = relying_party();
    rp.top_origins = vec!["https://shop.example".into()];
    let mut credential = registered();
    authenticate(&rp, &[], &a.build(), &mut credential).unwrap();
    a.client_data.top_origin = Some("https://other.example".into());
    let err = authenticate(&rp, &[], &a.build(), &mut credential).unwrap_err();
    assert!(matches!(err, AuthenticationError::TopOrigin { .. }));

    let mut a = Assertion::new();
    a.client_data.top_origin = Some("https://shop.example".into());
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::TopOriginWithoutCrossOrigin { .. }
    ));
}

#[test]
fn auth_authenticator_data() {
    let mut a = Assertion::new();
    a.auth_data_bytes = Some(vec![0; 36]);
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::AuthenticatorData(_)
    ));
}

#[test]
fn auth_rp_id_hash() {
    let mut a = Assertion::new();
    a.auth_data.rp_id_hash = rp_id_hash("login.example.evil");
    assert!(matches!(
        auth_refused(&a),
        AuthenticationError::RpIdHash { .. }
    ));
}

#[test]
fn auth_user_not_present() {
    let mut a = Assertion::new();
    a.auth_data.flags.set(Flags::UP, false);
    assert_eq!(auth_refused(&a), AuthenticationError::UserNotPresent);
}

#[test]
fn auth_user_not_verified_only_when_required() {
    let mut a = Assertion::new();
    a.auth_data.flags.set(Flags::UV, false);
    let mut credential = registered();
    authenticate(&relying_party(), &[], &a.build(), &mut credential).unwrap();
    let mut rp = relying_party();
    rp.user_verification = UserVerification::Required;
    let err = authenticate(&rp, &[], &a.build(), &mut credential).unwrap_err();
    assert_eq!(err, AuthenticationError::UserNotVerified);
}

#[test]
fn auth_backup_flags() {
    let mut a = Assertion::new();
    a.auth_data.flags.set(Flags::BE, false);
    assert_eq!(
        auth_refused(&a),
        AuthenticationError::BackupStateWithoutEligibility
    );
    a.auth_data.flags.set(Flags::BS, false);
    assert_eq!(
        auth_refused(&a),
        AuthenticationError::BackupEligibilityChanged {
            stored: true,
            found: false
        }
    );
    // BS may change; it is stored.
    let mut a = Assertion::new();
    a.auth_data.flags.set(Flags::BS, false);
    let mut credential = registered();
    authenticate(&relying_party(), &[], &a.build(), &mut credential).unwrap();
    assert!(!credential.backup_state);
}

#[test]
fn auth_stored_public_key() {
    let mut credential = registered();
    credential.public_key = Base64Url(vec![0xa0]);
    let err = authenticate(
        &relying_party(),
        &[],
        &Assertion::new().build(),
        &mut credential,
    )
    .unwrap_err();
    assert_eq!(err, AuthenticationError::StoredPublicKey);
}

#[test]
fn auth_signature() {
    let mut a = Assertion::new();
    a.key = seeded_key(3);
    assert_eq!(
        auth_refused(&a),
        AuthenticationError::Signature(SignatureError::Mismatch)
    );
    let mut response = Assertion::new().build();
    response.response.signature = Base64Url(vec![1, 2, 3]);
    let mut credential = registered();
    let err = authenticate(&relying_party(), &[], &response, &mut credential).unwrap_err();
    assert_eq!(
        err,
        AuthenticationError::Signature(SignatureError::Encoding)
    );
}

#[test]
fn sign_counter_rules() {
    let rp = relying_party();
    let mut credential = registered();
    let with_count = |count: u32| {
        let mut a = Assertion::new();
        a.auth_data.sign_count = count;
        a.build()
    };
    // Both zero: a synced passkey that does not count.
    authenticate(&rp, &[], &with_count(0), &mut credential).unwrap();
    assert_eq!(credential.sign_count, 0);
    // Counting starts.
    authenticate(&rp, &[], &with_count(5), &mut credential).unwrap();
    assert_eq!(credential.sign_count, 5);
    for received in [5, 4, 0] {
        let err = authenticate(&rp, &[], &with_count(received), &mut credential).unwrap_err();
        assert_eq!(
            err,
            AuthenticationError::SignCountRegression {
                stored: 5,
                received
            }
        );
        assert_eq!(
            credential.sign_count, 5,
            "a refused assertion changes nothing"
        );
    }
    authenticate(&rp, &[], &with_count(6), &mut credential).unwrap();
    assert_eq!(credential.sign_count, 6);
}

#[test]
fn display_names_the_check() {
    let err = AuthenticationError::SignCountRegression {
        stored: 5,
        received: 4,
    };
    assert_eq!(
        err.to_string(),
        "authenticatorData.signCount is 4, not above the stored 5: possible cloned authenticator"
    );
    let err = RegistrationError::AlgorithmNotOffered {
        alg: -8,
        offered: vec![-7, -257],
    };
    assert_eq!(
        err.to_string(),
        "the credential public key's algorithm is -8, expected one of the offered pubKeyCredParams (-7, -257)"
    );
}

proptest::proptest! {
    /// Whatever byte of a valid assertion's signed data is changed, the assertion is refused.
    #[test]
    fn changed_signed_bytes_are_refused(index in 0usize..1000, xor in 1u8..=255, in_client_data in proptest::bool::ANY) {
        let mut response = Assertion::new().build();
        let target = if in_client_data {
            &mut response.response.client_data_json.0
        } else {
            &mut response.response.authenticator_data.0
        };
        let i = index % target.len();
        target[i] ^= xor;
        let mut credential = registered();
        proptest::prop_assert!(authenticate(&relying_party(), &[], &response, &mut credential).is_err());
    }
}

// ---- key restrictions (AAGUID allow-list, enforced attestation) ----

const OTHER_AAGUID: [u8; 16] = [0xee; 16];

#[test]
fn reg_aaguid_not_allowed() {
    let mut rp = relying_party();
    rp.key_restrictions.allowed_aaguids = vec![OTHER_AAGUID];
    let err = finish(&rp, &Registration::new(Statement::X5c).build()).unwrap_err();
    assert!(
        matches!(&err, RegistrationError::AaguidNotAllowed { aaguid, allowed }
            if *aaguid == hybridsim_ctap::profile::format_aaguid(&IOS_AAGUID) && allowed.len() == 1),
        "{err}"
    );
    rp.key_restrictions.allowed_aaguids.push(IOS_AAGUID);
    finish(&rp, &Registration::new(Statement::X5c).build()).unwrap();
}

#[test]
fn reg_attestation_not_enforceable() {
    let mut rp = relying_party();
    rp.key_restrictions.enforce_attestation = true;
    let (options, _) = rp.start_registration(user(), CHALLENGE, &RegistrationRequest::default());
    assert_eq!(options.attestation.as_deref(), Some("direct"));
    for statement in [Statement::None, Statement::SelfSigned] {
        let err = finish(&rp, &Registration::new(statement).build()).unwrap_err();
        assert!(
            matches!(err, RegistrationError::AttestationNotEnforceable { .. }),
            "{err}"
        );
    }
    finish(&rp, &Registration::new(Statement::X5c).build()).unwrap();
}

#[test]
fn auth_aaguid_not_allowed_once_the_policy_drops_it() {
    let mut rp = relying_party();
    let mut credential = registered();
    let response = Assertion::new().build();
    authenticate(&rp, &[], &response, &mut credential).unwrap();
    rp.key_restrictions.allowed_aaguids = vec![OTHER_AAGUID];
    let err = authenticate(&rp, &[], &response, &mut credential).unwrap_err();
    assert!(
        matches!(err, AuthenticationError::AaguidNotAllowed { .. }),
        "{err}"
    );
}

#[test]
fn auth_attestation_not_enforceable_for_a_credential_registered_without_a_chain() {
    let mut rp = relying_party();
    rp.key_restrictions.enforce_attestation = true;
    let mut credential = finish(
        &relying_party(),
        &Registration::new(Statement::None).build(),
    )
    .unwrap();
    let err = authenticate(&rp, &[], &Assertion::new().build(), &mut credential).unwrap_err();
    assert!(
        matches!(err, AuthenticationError::AttestationNotEnforceable { .. }),
        "{err}"
    );
}
