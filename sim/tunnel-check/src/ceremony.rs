//! Full cryptographic ceremonies through a tunnel server, as conformance cases.
//!
//! [`ceremony_cases`] gives two [`ExtraCase`]s that [`CheckOptions::default`] runs after the
//! built-in ones (so `hybridsim tunnel check` covers them without a flag):
//!
//! | case | what it does |
//! |---|---|
//! | `ceremony/qr-registration` | a real desktop and phone ([`hybridsim_peers`], driven by [`run_peers`]) register a passkey through the target: QR flow, Noise handshake, makeCredential; a relying party verifies the response, packed attestation chain included |
//! | `ceremony/linked-sign-in` | a QR registration that offers linking, then a linked sign-in: `/cable/contact`, a wake-up on `/hybridsim/wake`, NKpsk0, getAssertion verified by the relying party. Skipped where `/hybridsim/wake` is refused with a 4xx (a server without the hybridsim extension) |
//!
//! The phone is the `microsoft-authenticator-ios` profile of `fixtures/profiles/` with its
//! test attestation key (compiled in), answering as an approving user; the relying party is
//! `login.example` trusting the test attestation root. Seeds are fresh per run, so contact
//! and tunnel ids never repeat on a shared server. Each run is bounded by twice the check's
//! step timeout (at least 1 s), and every upgrade by one step timeout. The peers' URLs name
//! the check's origin ([`CheckOptions::origin`](crate::check::CheckOptions::origin)), so
//! they send the `Origin` the probes send; their sockets go to the target.
//!
//! [`CheckOptions::default`]: crate::check::CheckOptions

use crate::check::case::{ExtraCase, Verdict};
use crate::check::probe::Probe;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::{Authenticator, GetAssertionResponse, MakeCredentialResponse, Profile};
use hybridsim_peers::{Desktop, DesktopConfig, Millis, Phone, PhoneConfig, TunnelEndpoint};
use hybridsim_sockets::client::{random_bytes, Refusal};
use hybridsim_sockets::drive::{
    run_peers, DriveOptions, PeersOutcome, DEFAULT_CLOSE_LINGER, DEFAULT_FAILURE_GRACE,
};
use hybridsim_sockets::text::format_duration;
use hybridsim_tunnel::wake_path;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{
    AttestationConveyance, AuthenticationRequest, RegisteredCredential, RegistrationRequest,
    RelyingParty, ResidentKey,
};
use hybridsim_webauthn::x509::pem_to_der;
use std::time::Duration;

/// The relying party's id in the ceremony cases.
pub const CEREMONY_RP_ID: &str = "login.example";
/// The page origin the desktop's client data names.
pub const CEREMONY_ORIGIN: &str = "https://login.example";
/// The authenticator profile the phone runs.
pub const CEREMONY_PROFILE: &str = "microsoft-authenticator-ios";

const PROFILE_TOML: &str =
    include_str!("../../../fixtures/profiles/microsoft-authenticator-ios.toml");
const ATTESTATION_CERT: &str =
    include_str!("../../../fixtures/attestation/microsoft-authenticator-ios.pem");
const ATTESTATION_KEY: &str =
    include_str!("../../../fixtures/attestation/microsoft-authenticator-ios.key");
const ATTESTATION_ROOT: &str = include_str!("../../../fixtures/attestation/ca.pem");

/// Shortest bound of one run, whatever the step timeout (the phone alone waits 250 ms before
/// it opens its tunnel).
const MIN_RUN: Duration = Duration::from_secs(1);

/// The full-ceremony conformance cases, in the order they run: `ceremony/qr-registration`
/// and `ceremony/linked-sign-in` (see the module documentation).
pub fn ceremony_cases() -> Vec<ExtraCase> {
    vec![
        ExtraCase::new("ceremony/qr-registration", qr_registration_case),
        ExtraCase::new("ceremony/linked-sign-in", linked_sign_in_case),
    ]
}

/// The phone's authenticator: the [`CEREMONY_PROFILE`] profile with its attestation key, an
/// empty credential store seeded with `seed`, and a user who approves everything.
pub fn ceremony_authenticator(seed: [u8; 32]) -> Result<Authenticator, String> {
    let profile = Profile::from_toml_str(PROFILE_TOML)
        .map_err(|e| format!("profile {CEREMONY_PROFILE}: {e}"))?;
    let attester = profile
        .attester(|file| match file {
            "microsoft-authenticator-ios.pem" => Some(ATTESTATION_CERT.to_owned()),
            "microsoft-authenticator-ios.key" => Some(ATTESTATION_KEY.to_owned()),
            _ => None,
        })
        .map_err(|e| format!("profile {CEREMONY_PROFILE}: {e}"))?;
    Ok(Authenticator::new(
        profile,
        attester,
        seed,
        ScriptedUser::approving(),
    ))
}

/// The relying party of the cases: [`CEREMONY_RP_ID`] at [`CEREMONY_ORIGIN`], asking for
/// direct attestation and trusting only hybridsim's test attestation root.
pub fn ceremony_relying_party() -> Result<RelyingParty, String> {
    let mut rp = RelyingParty::new(CEREMONY_RP_ID, "hybridsim check", &[CEREMONY_ORIGIN]);
    rp.attestation = AttestationConveyance::Direct;
    rp.trusted_roots =
        vec![pem_to_der(ATTESTATION_ROOT).map_err(|e| format!("test attestation root: {e}"))?];
    Ok(rp)
}

fn drive_options(probe: &Probe) -> DriveOptions {
    let step = probe.step_timeout();
    DriveOptions {
        timeout: (step * 2).max(MIN_RUN),
        upgrade_timeout: step,
        failure_grace: step.min(DEFAULT_FAILURE_GRACE),
        close_linger: step.min(DEFAULT_CLOSE_LINGER),
        ..DriveOptions::default()
    }
}

/// Seconds since the UNIX epoch, for the attestation chain's validity.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// One line for a failed run: the first failure, and how long it took.
fn failed(what: &str, outcome: &PeersOutcome) -> String {
    let why = outcome
        .ok()
        .err()
        .unwrap_or_else(|| "no failure".to_owned());
    format!("{what}: {why} (after {})", format_duration(outcome.elapsed))
}

/// A successful QR registration: the verified credential and the run.
struct Registration {
    credential: RegisteredCredential,
    outcome: PeersOutcome,
}

/// Registers a discoverable credential over the QR flow and has the relying party verify it.
async fn register(
    tunnel: &str,
    endpoint: &TunnelEndpoint,
    rp: &RelyingParty,
    phone: PhoneConfig,
    linking: bool,
    options: DriveOptions,
) -> Result<Registration, String> {
    let user = UserEntity {
        id: Base64Url(random_bytes::<16>().to_vec()),
        name: "check@login.example".into(),
        display_name: "Check".into(),
    };
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (creation, state) = rp.start_registration(user, random_bytes(), &request);
    let pending = client::create(&creation, &Caller::new(CEREMONY_ORIGIN))
        .map_err(|e| format!("client create(): {e}"))?;
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), random_bytes());
    config.tunnel = Some(endpoint.clone());
    config.qr.linking = Some(linking);
    let desktop = Desktop::new(config, Millis::ZERO);
    let outcome = run_peers(tunnel, desktop, Phone::new(phone), options).await;
    if outcome.ok().is_err() {
        return Err(failed("QR registration", &outcome));
    }
    let body = ctap_ok(outcome.ctap_response.as_deref(), "makeCredential")?;
    let response = MakeCredentialResponse::decode(body)
        .map_err(|e| format!("makeCredential response: {e}"))?;
    let transports = ["hybrid".to_owned(), "internal".to_owned()];
    let json = client::registration_response(&pending, &response, &transports)
        .map_err(|e| format!("registration response: {e}"))?;
    let credential = rp
        .finish_registration(&state, &json, unix_now())
        .map_err(|e| format!("relying party refused the registration: {e}"))?;
    Ok(Registration {
        credential,
        outcome,
    })
}

/// The CBOR body of a CTAP response whose status is 0.
fn ctap_ok<'a>(response: Option<&'a [u8]>, command: &str) -> Result<&'a [u8], String> {
    match response {
        None => Err(format!("both peers finished, but no {command} response")),
        Some([0, body @ ..]) => Ok(body),
        Some([status, ..]) => Err(format!("{command} answered CTAP status {status:#04x}")),
        Some([]) => Err(format!("empty {command} response")),
    }
}

fn phone_config(endpoint: &TunnelEndpoint) -> Result<PhoneConfig, String> {
    let mut config = PhoneConfig::new(ceremony_authenticator(random_bytes())?, random_bytes());
    config.tunnel = Some(endpoint.clone());
    Ok(config)
}

/// The endpoint the peers name in their URLs: the probe's origin, so that their `Origin`
/// header is the probe's (by default the target's own, as `tunnel_endpoint` gives it).
fn endpoint(probe: &Probe) -> Result<TunnelEndpoint, String> {
    Ok(probe.origin().endpoint().clone())
}

/// `ceremony/qr-registration`.
async fn qr_registration_case(probe: Probe) -> Result<Verdict, String> {
    let endpoint = endpoint(&probe)?;
    let rp = ceremony_relying_party()?;
    let phone = phone_config(&endpoint)?;
    let registration = register(
        &probe.target().url(),
        &endpoint,
        &rp,
        phone,
        false,
        drive_options(&probe),
    )
    .await?;
    Ok(Verdict::pass(format!(
        "{CEREMONY_PROFILE} registered through the tunnel in {}; {} verified",
        format_duration(registration.outcome.elapsed),
        registration.credential.attestation,
    )))
}

/// `ceremony/linked-sign-in`.
async fn linked_sign_in_case(probe: Probe) -> Result<Verdict, String> {
    // Does the target serve the wake channel at all? (A fresh contact id, closed at once.)
    match probe.upgrade(&wake_path(&random_bytes::<16>()), &[]).await {
        Ok(upgraded) => drop(upgraded),
        Err(Refusal::Status(head)) if (400..500).contains(&head.status) => {
            return Ok(Verdict::skip(format!(
                "no /hybridsim/wake on this server ({}): a linked phone cannot be woken",
                head.summary()
            )))
        }
        Err(refusal) => return Err(format!("wake socket: {refusal}")),
    }
    let tunnel = probe.target().url();
    let endpoint = endpoint(&probe)?;
    let rp = ceremony_relying_party()?;
    let options = drive_options(&probe);
    let phone = phone_config(&endpoint)?;
    let Registration {
        mut credential,
        outcome,
    } = register(&tunnel, &endpoint, &rp, phone, true, options.clone()).await?;
    let device = outcome
        .linked_device
        .clone()
        .ok_or("registered, but the desktop stored no link (linking offered)")?;

    // The same phone, woken for the linked desktop.
    let previous = outcome.phone.config();
    let (root_secret, contact_id) = (previous.root_secret, previous.contact_id.clone());
    let mut phone = PhoneConfig::new(outcome.phone.into_authenticator(), random_bytes());
    phone.root_secret = root_secret;
    phone.contact_id = contact_id;
    phone.tunnel = Some(endpoint.clone());

    let (request, state) = rp.start_authentication(
        std::slice::from_ref(&credential),
        random_bytes(),
        &AuthenticationRequest::default(),
    );
    let pending = client::get(&request, &Caller::new(CEREMONY_ORIGIN))
        .map_err(|e| format!("client get(): {e}"))?;
    let mut config = DesktopConfig::new(0x02, pending.request.encode(), random_bytes());
    config.tunnel = Some(endpoint);
    config.linked_device = Some(device);
    let desktop = Desktop::new(config, Millis::ZERO);
    let signed = run_peers(&tunnel, desktop, Phone::new(phone), options).await;
    if signed.ok().is_err() {
        return Err(failed("linked sign-in", &signed));
    }
    let body = ctap_ok(signed.ctap_response.as_deref(), "getAssertion")?;
    let response =
        GetAssertionResponse::decode(body).map_err(|e| format!("getAssertion response: {e}"))?;
    let json = client::authentication_response(&pending, &response)
        .map_err(|e| format!("authentication response: {e}"))?;
    rp.finish_authentication(&state, &json, &mut credential)
        .map_err(|e| format!("relying party refused the assertion: {e}"))?;
    Ok(Verdict::pass(format!(
        "linked during a QR registration; woken through /hybridsim/wake; assertion verified (linked sign-in {})",
        format_duration(signed.elapsed)
    )))
}
