//! Whole hybrid ceremonies inside the simulated world: a desktop and a phone (with a
//! Microsoft Authenticator profile) meet through the radio, the camera and the simulated
//! tunnel server, and a relying party verifies the result. Virtual time only: a 300 s
//! timeout costs no wall time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::{Authenticator, MakeCredentialResponse, Profile};
use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_peers::{Layer, Millis};
use hybridsim_tunnel::Config as TunnelConfig;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller, PendingCreate};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{RegistrationRequest, RegistrationState, RelyingParty, ResidentKey};
use hybridsim_webauthn::x509::pem_to_der;
use hybridsim_world::fault::{FnRule, Medium, Verdict};
use hybridsim_world::radio::RadioConfig;
use hybridsim_world::World;

const ORIGIN: &str = "https://login.example";
/// Inside the test attestation chain's validity.
const NOW: u64 = 1_800_000_000;
const STEPS: u64 = 100_000;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new("login.example", "Login", &[ORIGIN]);
    rp.trusted_roots = vec![pem_to_der(&fixture("attestation/ca.pem")).unwrap()];
    rp
}

fn registration() -> (PendingCreate, RegistrationState) {
    let user = UserEntity {
        id: Base64Url(b"user-1".to_vec()),
        name: "alex".into(),
        display_name: "Alex".into(),
    };
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (options, state) = relying_party().start_registration(user, [1; 32], &request);
    (
        client::create(&options, &Caller::new(ORIGIN)).unwrap(),
        state,
    )
}

fn authenticator(seed: u8) -> Authenticator {
    let profile =
        Profile::from_toml_str(&fixture("profiles/microsoft-authenticator-ios.toml")).unwrap();
    let attester = profile
        .attester(|file| Some(fixture(&format!("attestation/{file}"))))
        .unwrap();
    Authenticator::new(profile, attester, [seed; 32], ScriptedUser::approving())
}

/// A world with one desktop (registering) and one phone looking at its screen.
fn world(
    seed: u64,
    pending: &PendingCreate,
) -> (World, hybridsim_world::ActorId, hybridsim_world::ActorId) {
    let mut world = World::new(seed, TunnelConfig::default(), false);
    let byte = u8::try_from(seed % 256).unwrap();
    let desktop = Desktop::new(
        DesktopConfig::new(0x01, pending.request.encode(), [byte; 32]),
        Millis::ZERO,
    );
    let phone = Phone::new(PhoneConfig::new(
        authenticator(byte),
        [byte.wrapping_add(1); 32],
    ));
    let d = world.add_desktop("desktop", Box::new(desktop));
    let p = world.add_phone("phone", Box::new(phone), true);
    (world, d, p)
}

fn ctap_response(world: &World) -> Vec<u8> {
    let record = world
        .trace()
        .records()
        .iter()
        .find(|r| r.actor == "desktop" && r.what == "ctap response")
        .expect("the desktop received a CTAP response");
    hex::decode(&record.hex).unwrap()
}

#[test]
fn qr_registration_through_the_world_is_verified_by_the_relying_party() {
    let (pending, state) = registration();
    let (mut world, desktop, phone) = world(1, &pending);
    world.run(STEPS).unwrap();
    assert_eq!(world.outcome(desktop), Some(&Ok(())));
    assert_eq!(world.outcome(phone), Some(&Ok(())));
    let response = ctap_response(&world);
    assert_eq!(response[0], 0, "CTAP status");
    let response = MakeCredentialResponse::decode(&response[1..]).unwrap();
    let json = client::registration_response(&pending, &response, &["hybrid".into()]).unwrap();
    let credential = relying_party()
        .finish_registration(&state, &json, NOW)
        .unwrap();
    assert_eq!(
        credential.aaguid,
        hybridsim_ctap::profile::parse_aaguid("90a3ccdf-635c-4729-a248-9b709135078f").unwrap()
    );
}

#[test]
fn the_same_seed_gives_a_byte_identical_trace_and_another_seed_does_not() {
    let (pending, _) = registration();
    let run = |seed| {
        let (mut world, _, _) = world(seed, &pending);
        world.run(STEPS).unwrap();
        world.trace().to_json_lines()
    };
    let first = run(5);
    assert_eq!(first, run(5));
    assert_ne!(first, run(6));
    assert!(first.lines().count() > 20, "{first}");
}

#[test]
fn registration_trace_snapshot() {
    let (pending, _) = registration();
    let (mut world, _, _) = world(1, &pending);
    world.run(STEPS).unwrap();
    insta::assert_snapshot!("qr_registration_seed_1", world.trace().to_json_lines());
}

#[test]
fn secrets_stay_out_of_the_trace_unless_revealed() {
    let (pending, _) = registration();
    let (mut world, _, _) = world(1, &pending);
    world.run(STEPS).unwrap();
    let lines = world.trace().to_json_lines();
    assert!(
        lines.contains("\"hex\":\"secret\""),
        "secret events exist and are hidden"
    );
}

#[test]
fn lost_adverts_end_in_a_ble_timeout_in_virtual_time() {
    let (pending, _) = registration();
    let (mut world, desktop, _) = world(1, &pending);
    world.add_rule(Box::new(FnRule::new("drop every advert", |m| {
        if m.medium == Medium::Radio {
            Verdict::Drop
        } else {
            Verdict::Pass
        }
    })));
    let started = std::time::Instant::now();
    world.run(STEPS).unwrap();
    let error = world.outcome(desktop).unwrap().as_ref().unwrap_err();
    assert_eq!(error.layer, Layer::Ble);
    assert!(
        world.now() >= Millis(300_000),
        "desktop waited its advert timeout: {}",
        world.now()
    );
    // A sanity bound, not a timing test: minutes of virtual time are not spent on the wall.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn a_lossy_radio_only_delays_the_ceremony() {
    let (pending, _) = registration();
    let (mut world, desktop, _) = world(2, &pending);
    world.set_radio(RadioConfig {
        loss: 0.7,
        duplicate: 0.3,
        ..RadioConfig::default()
    });
    world.run(STEPS).unwrap();
    assert_eq!(world.outcome(desktop), Some(&Ok(())));
    let lost = world
        .trace()
        .records()
        .iter()
        .filter(|r| r.what.starts_with("advert lost"))
        .count();
    assert!(lost > 0, "the seed made the radio lose some adverts");
}

#[test]
fn a_corrupted_handshake_message_fails_the_noise_layer() {
    let (pending, _) = registration();
    let (mut world, desktop, _) = world(1, &pending);
    world.add_rule(Box::new(FnRule::new(
        "flip a bit of the phone's handshake",
        |m| {
            if m.medium == Medium::Network && m.from == "phone" && m.data.len() == 81 {
                let mut bytes = m.data.to_vec();
                bytes[70] ^= 1;
                Verdict::Replace(bytes)
            } else {
                Verdict::Pass
            }
        },
    )));
    world.run(STEPS).unwrap();
    assert_eq!(
        world.outcome(desktop).unwrap().as_ref().unwrap_err().layer,
        Layer::Noise
    );
}

#[test]
fn the_camera_can_read_the_qr_code_from_a_rendered_image() {
    let (pending, _) = registration();
    let (mut world, desktop, phone) = world(3, &pending);
    world.set_camera_reads_images(4);
    world.run(STEPS).unwrap();
    assert_eq!(world.outcome(desktop), Some(&Ok(())));
    assert_eq!(world.outcome(phone), Some(&Ok(())));
}

#[test]
fn unrelated_advertisers_in_the_room_are_ignored() {
    let (pending, _) = registration();
    let (mut world, desktop, _) = world(4, &pending);
    world.add_beacon("fitness band", 0xfff9, vec![0x5a; 20]);
    world.add_beacon("other phone", 0xfde2, vec![0xa5; 22]);
    world.run(STEPS).unwrap();
    assert_eq!(world.outcome(desktop), Some(&Ok(())));
    let heard = world
        .trace()
        .records()
        .iter()
        .filter(|r| {
            r.actor == "desktop" && r.what.starts_with("advert") && r.hex.starts_with("5a5a")
        })
        .count();
    assert!(heard > 0, "the desktop heard the band's advert and went on");
}
