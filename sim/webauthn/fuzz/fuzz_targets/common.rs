//! A relying party and one valid registration and authentication, made once through the real
//! client and authenticator (the Microsoft Authenticator iOS profile, packed x5c under the test
//! CA), for the targets to mutate.

// Each target uses part of this module.
#![allow(dead_code)]

use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::get_assertion::GetAssertionResponse;
use hybridsim_ctap::make_credential::MakeCredentialResponse;
use hybridsim_ctap::profile::Profile;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AttestationConveyance, AuthenticationRequest, AuthenticationState, RegisteredCredential,
    RegistrationRequest, RegistrationState, RelyingParty,
};
use std::sync::OnceLock;

pub const NOW: u64 = 1_800_000_000;
const ORIGIN: &str = "https://login.example";

pub const CA_PEM: &str = include_str!("../../../../fixtures/attestation/ca.pem");
pub const LEAF_PEM: &str =
    include_str!("../../../../fixtures/attestation/microsoft-authenticator-ios.pem");
const LEAF_KEY: &str =
    include_str!("../../../../fixtures/attestation/microsoft-authenticator-ios.key");
const PROFILE: &str =
    include_str!("../../../../fixtures/profiles/microsoft-authenticator-ios.toml");

pub struct Valid {
    pub rp: RelyingParty,
    pub registration_state: RegistrationState,
    pub registration: RegistrationResponseJson,
    pub credential: RegisteredCredential,
    pub authentication_state: AuthenticationState,
    pub authentication: AuthenticationResponseJson,
}

pub fn valid() -> &'static Valid {
    static VALID: OnceLock<Valid> = OnceLock::new();
    VALID.get_or_init(build)
}

fn build() -> Valid {
    let profile = Profile::from_toml_str(PROFILE).expect("profile");
    let attester = profile
        .attester(|name| match name {
            "microsoft-authenticator-ios.pem" => Some(LEAF_PEM.to_owned()),
            "microsoft-authenticator-ios.key" => Some(LEAF_KEY.to_owned()),
            _ => None,
        })
        .expect("attester");
    let mut phone = Authenticator::new(profile, attester, [1; 32], ScriptedUser::approving());
    let mut rp = RelyingParty::new("login.example", "Login", &[ORIGIN]);
    rp.trusted_roots = vec![hybridsim_webauthn::x509::pem_to_der(CA_PEM).expect("ca")];
    rp.attestation = AttestationConveyance::Direct;
    let user = UserEntity {
        id: Base64Url(b"user".to_vec()),
        name: "alex".into(),
        display_name: "Alex".into(),
    };
    let caller = Caller::new(ORIGIN);

    let (options, registration_state) =
        rp.start_registration(user, [1; 32], &RegistrationRequest::default());
    let pending = client::create(&options, &caller).expect("create");
    let reply = phone.handle(0x01, &pending.request.encode());
    let response = MakeCredentialResponse::decode(reply.get(1..).expect("reply")).expect("mc");
    let registration =
        client::registration_response(&pending, &response, &["hybrid".into()]).expect("json");
    let credential = rp
        .finish_registration(&registration_state, &registration, NOW)
        .expect("registration");

    let (options, authentication_state) = rp.start_authentication(
        std::slice::from_ref(&credential),
        [2; 32],
        &AuthenticationRequest::default(),
    );
    let pending = client::get(&options, &caller).expect("get");
    let reply = phone.handle(0x02, &pending.request.encode());
    let response = GetAssertionResponse::decode(reply.get(1..).expect("reply")).expect("ga");
    let authentication = client::authentication_response(&pending, &response).expect("json");
    let mut check = credential.clone();
    rp.finish_authentication(&authentication_state, &authentication, &mut check)
        .expect("authentication");

    Valid {
        rp,
        registration_state,
        registration,
        credential,
        authentication_state,
        authentication,
    }
}

/// Applies `(index: u16 LE, xor: u8)` triples from `edits` to `bytes`.
pub fn mutate(bytes: &mut [u8], edits: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    for edit in edits.chunks_exact(3) {
        let index = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
        bytes[index] ^= edit[2];
    }
}
