//! What the world's integration tests share: the shipped fixtures, a phone from a profile,
//! a desktop profile, and the strict relying party with its registration options.

// Each test binary uses its own part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use hybridsim_peers::desktop::DesktopProfile;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{RegistrationRequest, RegistrationState, RelyingParty, ResidentKey};
use hybridsim_webauthn::x509::pem_to_der;
use hybridsim_world::ceremony::PhoneState;

/// The page's origin.
pub const ORIGIN: &str = "https://login.example";
/// Inside the test attestation chain's validity.
pub const NOW: u64 = 1_800_000_000;

/// A file under `fixtures/`.
pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A shipped desktop profile.
pub fn desktop(name: &str) -> DesktopProfile {
    DesktopProfile::from_toml_str(&fixture(&format!("desktops/{name}.toml"))).unwrap()
}

/// A phone made from profile TOML text, with the shipped attestation files.
pub fn phone_from(toml: &str) -> PhoneState {
    PhoneState::from_profile(
        toml,
        |file| Some(fixture(&format!("attestation/{file}"))),
        [3; 32],
    )
    .unwrap()
}

/// A phone with a shipped profile.
pub fn phone(name: &str) -> PhoneState {
    phone_from(&fixture(&format!("profiles/{name}.toml")))
}

/// The strict relying party, trusting the test attestation CA.
pub fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new("login.example", "Login", &[ORIGIN]);
    rp.trusted_roots = vec![pem_to_der(&fixture("attestation/ca.pem")).unwrap()];
    rp
}

/// Registration options for user "alex" as `request` asks, and the RP's state for them.
pub fn creation_with(request: &RegistrationRequest) -> (String, RegistrationState) {
    let user = UserEntity {
        id: Base64Url(b"user-1".to_vec()),
        name: "alex".into(),
        display_name: "Alex".into(),
    };
    let (options, state) = relying_party().start_registration(user, [1; 32], request);
    (options.to_json(), state)
}

/// Options for a discoverable credential, and the RP's state for them.
pub fn creation() -> (String, RegistrationState) {
    creation_with(&RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    })
}
