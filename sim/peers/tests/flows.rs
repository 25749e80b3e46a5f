//! Whole transactions between the desktop and the phone over the tunnel router: the full
//! stack from a relying party's options to its verdict, linking and the linked flow, legacy
//! revisions and constructions, and byte-for-byte determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use core::time::Duration;
use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::get_assertion::GetAssertionResponse;
use hybridsim_ctap::make_credential::MakeCredentialResponse;
use hybridsim_peers::desktop::{CrypterPolicy, Desktop, DesktopConfig, LinkedDevice};
use hybridsim_peers::phone::{Phone, PhoneConfig, UpdateTiming};
use hybridsim_peers::{Layer, Millis, ReasonKind, TunnelEndpoint};
use hybridsim_proto::advert::GOOGLE_SERVICE_UUID;
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::domain;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_proto::qr::QrPayload;
use hybridsim_proto::tunnel_url::{Route, Scheme};
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller, PendingCreate, PendingGet};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{
    AuthenticationRequest, RegisteredCredential, RegistrationRequest, RelyingParty, ResidentKey,
};
use hybridsim_webauthn::x509::pem_to_der;
use support::{authenticator, fixture, Delivery, Side, World};

const ORIGIN: &str = "https://login.example";
const RP_ID: &str = "login.example";
/// Inside the test attestation chain's validity.
const NOW: u64 = 1_800_000_000;
const STEPS: usize = 10_000;

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

fn registration(rp: &RelyingParty) -> (PendingCreate, hybridsim_webauthn::rp::RegistrationState) {
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (options, state) = rp.start_registration(user(), [1; 32], &request);
    (
        client::create(&options, &Caller::new(ORIGIN)).unwrap(),
        state,
    )
}

fn sign_in(
    rp: &RelyingParty,
    credential: &RegisteredCredential,
    challenge: u8,
) -> (PendingGet, hybridsim_webauthn::rp::AuthenticationState) {
    let (options, state) = rp.start_authentication(
        std::slice::from_ref(credential),
        [challenge; 32],
        &AuthenticationRequest::default(),
    );
    (client::get(&options, &Caller::new(ORIGIN)).unwrap(), state)
}

/// A discoverable getAssertion (empty allow list): a request the phone must answer itself.
fn discoverable_get() -> Vec<u8> {
    let (options, _) =
        relying_party().start_authentication(&[], [4; 32], &AuthenticationRequest::default());
    client::get(&options, &Caller::new(ORIGIN))
        .unwrap()
        .request
        .encode()
}

fn phone(authenticator: Authenticator, seed: u8) -> Phone {
    Phone::new(PhoneConfig::new(authenticator, [seed; 32]))
}

fn ok_body(response: &[u8]) -> &[u8] {
    assert_eq!(response.first(), Some(&0), "CTAP status {response:02x?}");
    &response[1..]
}

/// Registers over hybrid and has the relying party verify it; returns the credential, the
/// phone's authenticator and the world.
fn register(desktop_config: impl FnOnce(&mut DesktopConfig)) -> (RegisteredCredential, World) {
    let rp = relying_party();
    let (pending, state) = registration(&rp);
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), [7; 32]);
    desktop_config(&mut config);
    let desktop = Desktop::new(config, Millis::ZERO);
    let phone = phone(authenticator("microsoft-authenticator-android", 3), 9);
    let mut world = World::new(desktop, phone);
    world.run(STEPS);
    world.assert_both_ok();
    let response =
        MakeCredentialResponse::decode(ok_body(world.desktop.ctap_response().unwrap())).unwrap();
    let transports = ["hybrid".to_owned(), "internal".to_owned()];
    let json = client::registration_response(&pending, &response, &transports).unwrap();
    let credential = rp.finish_registration(&state, &json, NOW).unwrap();
    (credential, world)
}

#[test]
fn qr_registration_is_verified_by_the_relying_party() {
    let (credential, world) = register(|_| {});
    assert_eq!(credential.attestation_format, "none");
    assert_eq!(world.desktop.revision(), Some(ProtocolRevision::V1));
    assert_eq!(world.desktop.handshake_hash(), world.phone.handshake_hash());
    assert!(world.desktop.handshake_hash().is_some());
    // No linking offered (Chromium's QR key 4 is false): the update is padding only.
    assert!(world.desktop.linked_device().is_none());
    assert!(!world.phone.linking_sent());

    // The wire: message 1 and 2 are 81 bytes, the update 528, the shutdown 48.
    let desktop_sent: Vec<usize> = world
        .sent
        .iter()
        .filter(|s| s.side == Side::Desktop)
        .map(|s| s.data.len())
        .collect();
    let phone_sent: Vec<usize> = world
        .sent
        .iter()
        .filter(|s| s.side == Side::Phone)
        .map(|s| s.data.len())
        .collect();
    assert_eq!(desktop_sent[0], 81);
    assert_eq!(*desktop_sent.last().unwrap(), 48, "shutdown");
    assert_eq!(phone_sent[0], 81);
    assert_eq!(phone_sent[2], 528, "update message");

    // URLs and headers as Chromium sends them.
    let (_, phone_url, phone_headers) = &world.connects[0];
    assert_eq!(phone_url.host, "cable.ua5v.com");
    assert!(matches!(phone_url.route, Route::New { .. }));
    let (_, desktop_url, desktop_headers) = &world.connects[1];
    assert!(desktop_url
        .to_string()
        .starts_with("wss://cable.ua5v.com/cable/connect/2A0000/"));
    for headers in [phone_headers, desktop_headers] {
        assert!(headers.contains(&("Sec-WebSocket-Protocol".into(), "fido.cable".into())));
        assert!(headers.contains(&("Origin".into(), "wss://cable.ua5v.com".into())));
    }
    // The linger ended when the phone hung up after the shutdown, not by the timer.
    let (at, _) = world.desktop_result.as_ref().unwrap();
    assert!(*at < Millis(1_000), "{at}");
    assert!(!world
        .events_matching(Side::Desktop, "linger ended: the tunnel closed")
        .is_empty());
}

#[test]
fn qr_sign_in_with_a_registered_credential() {
    let (mut credential, world) = register(|_| {});
    let authenticator = world.phone.into_authenticator();
    let rp = relying_party();
    let (pending, state) = sign_in(&rp, &credential, 2);
    let config = DesktopConfig::new(0x02, pending.request.encode(), [8; 32]);
    let mut world = World::new(Desktop::new(config, Millis::ZERO), phone(authenticator, 10));
    world.run(STEPS);
    world.assert_both_ok();
    let response =
        GetAssertionResponse::decode(ok_body(world.desktop.ctap_response().unwrap())).unwrap();
    let json = client::authentication_response(&pending, &response).unwrap();
    rp.finish_authentication(&state, &json, &mut credential)
        .unwrap();
}

#[test]
fn the_qr_code_carries_chromium_keys() {
    let config = DesktopConfig::new(0x01, vec![0xa0], [7; 32]);
    let desktop = Desktop::new(config, Millis(5_000));
    let payload = QrPayload::parse(desktop.qr_url().unwrap()).unwrap();
    assert_eq!(payload.known_domains, Some(2));
    assert_eq!(payload.linking, Some(false));
    assert_eq!(
        payload.timestamp,
        Some(hybridsim_peers::desktop::DEFAULT_UNIX_EPOCH + 5)
    );
    assert_eq!(payload.request_type.unwrap().as_str(), "mc");
    assert!(payload.key6.is_none());
}

/// Registers with linking offered; returns the stored link and the phone's configuration
/// values to rebuild it.
fn link() -> (LinkedDevice, World) {
    let (_, world) = register(|c| c.qr.linking = Some(true));
    let device = world.desktop.linked_device().cloned().expect("linked");
    assert!(world.phone.linking_sent());
    assert!(!world
        .events_matching(Side::Desktop, "linking info verified")
        .is_empty());
    (device, world)
}

#[test]
fn linking_is_offered_verified_and_stored() {
    let (device, world) = link();
    assert_eq!(device.contact_id, world.phone.config().contact_id);
    assert_eq!(Some(device.public_key), world.phone.identity_public_key());
    assert_eq!(device.domain_id, 0);
    assert_eq!(device.name, "hybridsim phone");
    // The link secret shows up only in events marked secret.
    for (_, side, event) in &world.events {
        let leaks = event
            .bytes
            .windows(32)
            .any(|w| w == device.link_secret.as_slice());
        assert!(!leaks || event.secret, "{side:?} {:?}", event.what);
    }
    // Linking info rides in the update message, still 528 bytes on the wire.
    let phone_sent: Vec<usize> = world
        .sent
        .iter()
        .filter(|s| s.side == Side::Phone)
        .map(|s| s.data.len())
        .collect();
    assert_eq!(phone_sent[2], 528);
}

#[test]
fn linked_sign_in_over_contact_and_wake_up() {
    let (device, world) = link();
    let root_secret = world.phone.config().root_secret;
    let contact_id = world.phone.config().contact_id.clone();
    let authenticator = world.phone.into_authenticator();

    let rp = relying_party();
    let registered = {
        // The credential the linking run made is in the authenticator; sign in with a
        // discoverable request (empty allow list) so no relying-party record is needed.
        let (options, _) = rp.start_authentication(&[], [4; 32], &AuthenticationRequest::default());
        client::get(&options, &Caller::new(ORIGIN)).unwrap()
    };
    let mut config = DesktopConfig::new(0x02, registered.request.encode(), [11; 32]);
    config.linked_device = Some(device.clone());
    let mut phone_config = PhoneConfig::new(authenticator, [12; 32]);
    phone_config.root_secret = root_secret;
    phone_config.contact_id = contact_id;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();

    let (_, contact_url, headers) = &world.connects[0];
    assert_eq!(
        contact_url.route,
        Route::Contact {
            contact_id: device.contact_id.clone()
        }
    );
    assert!(headers
        .iter()
        .any(|(n, v)| n == "X-caBLE-Signal-Connection" && v == "true"));
    assert!(headers.iter().any(|(n, _)| n == "X-caBLE-Client-Payload"));
    let (side, connect_url, _) = &world.connects[1];
    assert_eq!(*side, Side::Phone);
    assert!(matches!(connect_url.route, Route::Connect { .. }));
    assert!(!world
        .events_matching(Side::Desktop, "connect signal")
        .is_empty());
    // No update message on a linked connection: handshake, post-handshake, reply.
    assert_eq!(
        world.sent.iter().filter(|s| s.side == Side::Phone).count(),
        3
    );
    let response =
        GetAssertionResponse::decode(ok_body(world.desktop.ctap_response().unwrap())).unwrap();
    assert!(response.user.is_some());
}

#[test]
fn revision_0_phone_is_detected() {
    let rp = relying_party();
    let (pending, _) = registration(&rp);
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), [7; 32]);
    config.qr.linking = Some(true);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.revision = ProtocolRevision::V0;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(world.desktop.revision(), Some(ProtocolRevision::V0));
    // Revision 0: linking in post-handshake key 2, no update, no shutdown.
    assert!(world.desktop.linked_device().is_some());
    let phone_sent = world.sent.iter().filter(|s| s.side == Side::Phone).count();
    assert_eq!(phone_sent, 3, "handshake, padded post-handshake, reply");
    assert!(world
        .events_matching(Side::Desktop, "shutdown sent")
        .is_empty());
    // The padded map is at least 512 bytes, plus transport padding and tag.
    let post_handshake = &world
        .sent
        .iter()
        .filter(|s| s.side == Side::Phone)
        .nth(1)
        .unwrap();
    assert!(post_handshake.data.len() >= 512 + 16);
}

#[test]
fn old_construction_phone_with_a_detecting_desktop() {
    let mut config = DesktopConfig::new(0x02, discoverable_get(), [7; 32]);
    config.crypter = CrypterPolicy::Detect;
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.construction = Construction::Old;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    assert!(!world
        .events_matching(Side::Desktop, "transport construction detected: old")
        .is_empty());
    assert!(world.desktop.ctap_response().is_some());
}

#[test]
fn get_info_is_answered_locally_and_the_phone_sees_no_request() {
    let config = DesktopConfig::new(0x04, Vec::new(), [7; 32]);
    let phone = phone(authenticator("google-password-manager", 3), 9);
    let mut world = World::new(Desktop::new(config, Millis::ZERO), phone);
    world.run(STEPS);
    // Chromium's desktop answers getInfo from the post-handshake message...
    assert!(matches!(world.desktop_result, Some((_, Ok(())))));
    let response = world.desktop.ctap_response().unwrap();
    assert_eq!(response[0], 0);
    assert!(!world
        .events_matching(Side::Desktop, "getInfo answered from the post-handshake")
        .is_empty());
    // ...so the phone sees a shutdown before any request: Chromium's UNEXPECTED_EOF.
    assert_eq!(world.phone_error().layer, Layer::Transport);
    assert_eq!(world.phone_error().kind(), ReasonKind::EndedBeforeRequest);
}

#[test]
fn old_construction_phone_with_a_new_only_desktop_fails() {
    let config = DesktopConfig::new(0x04, Vec::new(), [7; 32]);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.construction = Construction::Old;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    assert_eq!(world.desktop_error().layer, Layer::Transport);
    assert!(world
        .desktop_error()
        .reason
        .to_string()
        .contains("does not decrypt"));
}

fn transcript(desktop_seed: u8) -> Vec<support::Sent> {
    let rp = relying_party();
    let (pending, _) = registration(&rp);
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), [desktop_seed; 32]);
    config.qr.linking = Some(true);
    let desktop = Desktop::new(config, Millis::ZERO);
    let phone = phone(authenticator("microsoft-authenticator-android", 3), 9);
    let mut world = World::new(desktop, phone);
    world.run(STEPS);
    world.assert_both_ok();
    world.sent
}

#[test]
fn the_same_seeds_give_the_same_bytes() {
    let first = transcript(7);
    assert_eq!(first, transcript(7));
    let other = transcript(8);
    assert_eq!(first.len(), other.len());
    for (a, b) in first.iter().zip(&other) {
        assert_ne!(
            a.data, b.data,
            "{:?} message repeated under another seed",
            a.side
        );
    }
}

#[test]
fn tunnel_override_keeps_the_path() {
    let endpoint = TunnelEndpoint::new(Scheme::Ws, "127.0.0.1", Some(8080));
    let mut config = DesktopConfig::new(0x02, discoverable_get(), [7; 32]);
    config.tunnel = Some(endpoint.clone());
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.tunnel = Some(endpoint);
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    for (_, url, headers) in &world.connects {
        assert!(url.to_string().starts_with("ws://127.0.0.1:8080/cable/"));
        assert!(headers.contains(&("Origin".into(), "ws://127.0.0.1:8080".into())));
    }
}

#[test]
fn hashed_domain_and_ios_uuid() {
    let config = DesktopConfig::new(0x02, discoverable_get(), [7; 32]);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.domain_id = 266;
    phone_config.advert_uuid = GOOGLE_SERVICE_UUID;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(world.adverts[0].0, GOOGLE_SERVICE_UUID);
    for (_, url, _) in &world.connects {
        assert_eq!(url.host, domain::host(266).unwrap());
        assert_eq!(url.host, "cable.wufkweyy3uaxb.com");
    }
}

#[test]
fn webauthn_rs_phone_sends_shutdown_after_its_reply() {
    let config = DesktopConfig::new(0x02, discoverable_get(), [7; 32]);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.shutdown_after_reply = true;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    // No credential: the phone's status is an error, but the transaction itself worked.
    assert_ne!(world.desktop.ctap_response().unwrap()[0], 0);
    assert!(!world
        .events_matching(Side::Desktop, "linger ended")
        .is_empty());
}

#[test]
fn late_linking_arrives_while_lingering() {
    let rp = relying_party();
    let (pending, _) = registration(&rp);
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), [7; 32]);
    config.qr.linking = Some(true);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.update = UpdateTiming::AfterCtapReply;
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    world.run(STEPS);
    world.assert_both_ok();
    assert!(world.desktop.linked_device().is_some());
    // The update came after the response (and after the shutdown was sent).
    let order: Vec<&str> = world
        .events
        .iter()
        .filter(|(_, s, _)| *s == Side::Desktop)
        .map(|(_, _, e)| e.what.as_str())
        .filter(|w| *w == "ctap response" || w.starts_with("linking info verified"))
        .collect();
    assert_eq!(order[0], "ctap response");
    assert!(order[1].starts_with("linking info verified"));
}

#[test]
fn linger_runs_out_when_the_phone_never_hangs_up() {
    let mut config = DesktopConfig::new(0x02, discoverable_get(), [7; 32]);
    config.linger = Duration::from_secs(30);
    let mut phone_config = PhoneConfig::new(authenticator("google-password-manager", 3), [9; 32]);
    phone_config.timeout = Duration::from_secs(600);
    let mut world = World::new(Desktop::new(config, Millis::ZERO), Phone::new(phone_config));
    // The phone never sees the shutdown (its third message: message 1, request, shutdown).
    world.faults.deliver = Some(Box::new(|side, index, _| {
        if side == Side::Phone && index == 2 {
            Delivery::Drop
        } else {
            Delivery::Pass
        }
    }));
    world.run(STEPS);
    world.assert_both_ok();
    let (at, _) = world.desktop_result.as_ref().unwrap();
    assert!(*at >= Millis(30_000), "{at}");
    assert!(!world
        .events_matching(Side::Desktop, "linger ended: the linger time is over")
        .is_empty());
}
