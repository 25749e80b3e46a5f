//! One test per catalogued fault (`hybridsim_world::faults`): which party fails, at which
//! layer, with which error, after how much virtual time, and that nobody hangs. Faults that
//! the protocol says to ignore are shown to leave the ceremony successful, citing the row of
//! docs/protocol.md §9 that says so. Plus the ceremonies the API runs end to end: registration,
//! sign-in, linking, linked sign-in, legacy peers, and byte-identical traces.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

use hybridsim_peers::desktop::UpdatePolicy;
use hybridsim_peers::{Layer, Millis, PeerError};
use hybridsim_proto::qr::QrPayload;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson};
use hybridsim_webauthn::rp::{AuthenticationRequest, RegisteredCredential, RelyingParty};
use hybridsim_world::ceremony::{Ceremony, CeremonyError, Outcome, PhoneState};
use hybridsim_world::faults::{Fault, FaultAt};
use hybridsim_world::WorldError;
use std::time::{Duration, Instant};

/// Virtual time of an undisturbed QR registration, give or take.
const QUICK: Millis = Millis(3_000);

/// A discoverable sign-in request (empty allow list).
fn discoverable_request(challenge: u8) -> String {
    let (options, _) = relying_party().start_authentication(
        &[],
        [challenge; 32],
        &AuthenticationRequest::default(),
    );
    options.to_json()
}

/// A QR registration with these faults, timed on the wall as a sanity bound (minutes of
/// virtual time must not cost minutes of wall time).
fn register_with(ceremony: Ceremony) -> Outcome {
    let started = Instant::now();
    let outcome = ceremony
        .phone(phone("microsoft-authenticator-ios"))
        .register(&creation().0)
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    outcome
}

fn register(fault: impl Into<FaultAt>) -> Outcome {
    register_with(Ceremony::new(1).fault(fault))
}

#[track_caller]
fn assert_fails(result: &Result<(), PeerError>, layer: Layer, fragment: &str) {
    let error = result.as_ref().expect_err("the party should have failed");
    assert_eq!(error.layer, layer, "{error}");
    assert!(error.reason.to_string().contains(fragment), "{error}");
}

#[track_caller]
fn assert_between(at: Option<Millis>, low: Millis, high: Millis) {
    let at = at.expect("the party finished");
    assert!(low <= at && at <= high, "{at} not in {low}..={high}");
}

/// The ceremony succeeded, quickly, and nobody was left waiting.
#[track_caller]
fn assert_succeeds(outcome: &Outcome) {
    assert_eq!(outcome.desktop, Ok(()));
    assert_eq!(outcome.phone, Ok(()));
    assert_eq!(outcome.response_error, None);
    assert!(outcome.response_json.is_some());
    assert!(outcome.world_error.is_none());
    assert!(outcome.virtual_time <= QUICK, "{}", outcome.virtual_time);
}

/// The desktop waited out its 300 s advert timeout; the phone's pending tunnel was closed
/// by the server's 60 s pending TTL first.
#[track_caller]
fn assert_advert_timeout(outcome: &Outcome) {
    assert_fails(
        &outcome.desktop,
        Layer::Ble,
        "timed out after 300000 ms waiting for a BLE advert that matches",
    );
    assert_between(outcome.desktop_at, Millis(300_000), Millis(300_000));
    assert_fails(
        &outcome.phone,
        Layer::Tunnel,
        "the tunnel closed (code 1008) while waiting for the Noise handshake message",
    );
    assert_between(outcome.phone_at, Millis(61_000), Millis(62_000));
    assert!(outcome.world_error.is_none());
    assert!(outcome.response_json.is_none());
}

fn trace_has(outcome: &Outcome, what: &str) -> bool {
    outcome
        .trace
        .records()
        .iter()
        .any(|r| r.what.contains(what))
}

// ---------------------------------------------------------------- BLE adverts

#[test]
fn advert_dropped() {
    assert_advert_timeout(&register(Fault::AdvertDropped));
}

#[test]
fn advert_dropped_once_only_delays_by_one_broadcast() {
    let outcome = register(FaultAt::new(Fault::AdvertDropped, 1));
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "dropped by advert-dropped"));
}

#[test]
fn advert_duplicated() {
    // §9 "duplicate advert: ignored (Chromium)".
    let outcome = register(Fault::AdvertDuplicated);
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "duplicated by advert-duplicated"));
}

#[test]
fn advert_corrupted() {
    // §9 "advert for another QR secret / wrong secret: HMAC mismatch → silently ignored".
    let outcome = register(Fault::AdvertCorrupted);
    assert_advert_timeout(&outcome);
    assert!(trace_has(&outcome, "advert ignored: not for this desktop"));
}

#[test]
fn advert_other_secret() {
    // §9 "advert for another QR secret: HMAC mismatch → silently ignored, keep scanning";
    // the right advert, also on the air, still matches.
    let outcome = register(Fault::AdvertOtherSecret);
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "advert ignored: not for this desktop"));
}

#[test]
fn advert_wrong_length() {
    // §9 "advert service data ≠ 20 bytes: ignored by Chromium".
    let outcome = register(Fault::AdvertWrongLength);
    assert_advert_timeout(&outcome);
    assert!(trace_has(&outcome, "advert ignored: 21 bytes"));
}

#[test]
fn advert_reserved_byte() {
    // §9 "reserved byte ≠ 0: reject advert (all)".
    let outcome = register(Fault::AdvertReservedByte);
    assert_advert_timeout(&outcome);
    assert!(trace_has(&outcome, "reserved and must be 0"));
}

#[test]
fn advert_reserved_domain() {
    // §9 "domain id 2..255 in advert: reject advert".
    let outcome = register(Fault::AdvertReservedDomain);
    assert_advert_timeout(&outcome);
    assert!(trace_has(&outcome, "names domain id 7"));
}

// ---------------------------------------------------------------- QR code

#[test]
fn qr_stale() {
    // §9 "stale QR timestamp: not checked anywhere read".
    // The QR text is read back from the trace, which hides it unless revealed.
    let outcome = register_with(Ceremony::new(1).fault(Fault::QrStale).reveal_secrets(true));
    assert_succeeds(&outcome);
    let timestamp = qr_timestamp(&outcome);
    let a_year = 365 * 24 * 3600;
    assert_eq!(
        timestamp,
        hybridsim_peers::desktop::DEFAULT_UNIX_EPOCH - a_year
    );
}

fn qr_timestamp(outcome: &Outcome) -> u64 {
    let shown = outcome
        .trace
        .records()
        .iter()
        .find(|r| r.what == "show QR")
        .unwrap();
    let text = String::from_utf8(hex::decode(&shown.hex).unwrap()).unwrap();
    QrPayload::parse(&text).unwrap().timestamp.unwrap()
}

#[test]
fn qr_malformed() {
    // §9 "QR malformed: QR rejected (Chromium qr::Parse)".
    let outcome = register(Fault::QrMalformed);
    assert_fails(&outcome.phone, Layer::Qr, "QR code refused");
    assert_between(outcome.phone_at, Millis(1_500), Millis(1_500));
    assert_fails(&outcome.desktop, Layer::Ble, "timed out after 300000 ms");
    assert_between(outcome.desktop_at, Millis(300_000), Millis(300_000));
}

// ---------------------------------------------------------------- tunnel server

#[test]
fn tunnel_no_subprotocol() {
    // The server's rule: no `Sec-WebSocket-Protocol: fido.cable` → 400 (§10 item 1);
    // §9 "other HTTP error: transaction fails".
    let outcome = register(Fault::TunnelNoSubprotocol);
    assert_fails(
        &outcome.desktop,
        Layer::Tunnel,
        "HTTP 400 missing_subprotocol",
    );
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(&outcome.phone, Layer::Tunnel, "closed (code 1008)");
    assert_between(outcome.phone_at, Millis(61_000), Millis(62_000));
}

#[test]
fn tunnel_no_subprotocol_on_the_phone_side() {
    let outcome = register(FaultAt::new(Fault::TunnelNoSubprotocol, 1));
    assert_fails(
        &outcome.phone,
        Layer::Tunnel,
        "HTTP 400 missing_subprotocol",
    );
    assert_between(outcome.phone_at, Millis(1_700), Millis(1_900));
    assert_fails(&outcome.desktop, Layer::Ble, "timed out after 300000 ms");
}

#[test]
fn tunnel_unknown() {
    let outcome = register(Fault::TunnelUnknown);
    assert_fails(&outcome.desktop, Layer::Tunnel, "HTTP 404 unknown_tunnel");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(&outcome.phone, Layer::Tunnel, "closed (code 1008)");
    assert_between(outcome.phone_at, Millis(61_000), Millis(62_000));
}

#[test]
fn tunnel_duplicate_new() {
    // §9 "second phone answering the same QR": its /cable/new for the same tunnel id is a
    // 409; the first phone's ceremony is untouched.
    let outcome = register(Fault::TunnelDuplicateNew);
    assert_succeeds(&outcome);
    let [(name, second)] = outcome.others.as_slice() else {
        panic!("{:?}", outcome.others)
    };
    assert_eq!(name, "phone-2");
    assert_fails(second, Layer::Tunnel, "HTTP 409 duplicate_tunnel");
}

#[test]
fn contact_gone() {
    // §9 "HTTP 410 on /contact: delete linking record".
    let (device, phone_state) = linked_phone();
    let outcome = Ceremony::new(2)
        .phone(phone_state)
        .fault(Fault::ContactGone)
        .sign_in_linked(&device, &discoverable_request(4))
        .unwrap();
    assert_fails(&outcome.desktop, Layer::Tunnel, "HTTP 410 Gone");
    assert_between(outcome.desktop_at, Millis(0), Millis(100));
    assert!(outcome.forget_link);
    // The phone was never woken; the run ends when nothing is left to happen.
    assert_fails(&outcome.phone, Layer::Tunnel, "never finished");
    assert!(matches!(
        outcome.world_error,
        Some(WorldError::Stalled { .. })
    ));
    assert!(outcome.virtual_time <= Millis(100));
}

#[test]
fn contact_gone_is_refused_outside_the_linked_flow() {
    let error = Ceremony::new(1)
        .phone(phone("microsoft-authenticator-ios"))
        .fault(Fault::ContactGone)
        .register(&creation().0)
        .unwrap_err();
    assert_eq!(error, CeremonyError::FaultNotApplicable(Fault::ContactGone));
}

#[test]
fn routing_id_missing() {
    // §9 "missing/invalid X-caBLE-Routing-ID on /new: phone fails".
    let outcome = register(Fault::RoutingIdMissing);
    assert_fails(&outcome.phone, Layer::Tunnel, "header absent");
    assert_between(outcome.phone_at, Millis(1_700), Millis(1_900));
    assert_fails(&outcome.desktop, Layer::Ble, "timed out after 300000 ms");
}

#[test]
fn routing_id_bad() {
    let outcome = register(Fault::RoutingIdBad);
    assert_fails(&outcome.phone, Layer::Tunnel, "is not 6 hex digits");
    assert_between(outcome.phone_at, Millis(1_700), Millis(1_900));
    assert_fails(&outcome.desktop, Layer::Ble, "timed out after 300000 ms");
}

// ---------------------------------------------------------------- WebSocket messages

#[test]
fn ws_truncated() {
    // The CTAP response loses a byte: §9 "decrypt failure later: close".
    let outcome = register(Fault::WsTruncated);
    assert_fails(&outcome.desktop, Layer::Transport, "does not decrypt");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_eq!(outcome.phone, Ok(()), "the phone had replied");
    assert!(outcome.response_json.is_none());
}

#[test]
fn ws_duplicated() {
    // The CTAP request arrives twice: the replay does not decrypt on the phone (§9
    // "decrypt failure later"), after it replied; the desktop has its response.
    let outcome = register(Fault::WsDuplicated);
    assert_fails(&outcome.phone, Layer::Transport, "does not decrypt");
    assert_eq!(outcome.desktop, Ok(()));
    assert!(outcome.response_json.is_some());
    assert!(outcome.virtual_time <= QUICK);
}

#[test]
fn ws_reordered() {
    // The update overtakes the post-handshake message: §9 "post-handshake decrypt/parse
    // failure: desktop closes".
    let outcome = register(Fault::WsReordered);
    assert_fails(&outcome.desktop, Layer::Transport, "does not decrypt");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(
        &outcome.phone,
        Layer::Transport,
        "before sending a CTAP request",
    );
    assert!(trace_has(&outcome, "held back by ws-reordered"));
}

#[test]
fn ws_split() {
    let outcome = register(Fault::WsSplit);
    assert_fails(&outcome.desktop, Layer::Transport, "does not decrypt");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(
        &outcome.phone,
        Layer::Transport,
        "before sending a CTAP request",
    );
}

#[test]
fn ws_split_handshake_message() {
    // §9 "handshake response length ≠ 81: desktop: handshake failed".
    let outcome = register(FaultAt::new(Fault::WsSplit, 2));
    assert_fails(&outcome.desktop, Layer::Noise, "is 40 bytes");
}

#[test]
fn ws_text() {
    // §9 "non-binary WebSocket frame: Chromium closes".
    let outcome = register(Fault::WsText);
    assert_fails(&outcome.desktop, Layer::Tunnel, "text WebSocket message");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(
        &outcome.phone,
        Layer::Transport,
        "before sending a CTAP request",
    );
}

#[test]
fn ws_text_to_the_phone() {
    let outcome = register(FaultAt::new(Fault::WsText, 1));
    assert_fails(&outcome.phone, Layer::Tunnel, "text WebSocket message");
    assert_fails(&outcome.desktop, Layer::Tunnel, "the tunnel closed");
    assert!(outcome.virtual_time <= QUICK);
}

// ---------------------------------------------------------------- Noise handshake

#[test]
fn noise_bad_tag() {
    // §9 "handshake response … bad tag: desktop: handshake failed".
    let outcome = register(Fault::NoiseBadTag);
    assert_fails(&outcome.desktop, Layer::Noise, "tag does not verify");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_fails(
        &outcome.phone,
        Layer::Transport,
        "before sending a CTAP request",
    );
}

#[test]
fn noise_bad_tag_on_message_1() {
    // §9 "phone: HANDSHAKE_FAILED".
    let outcome = register(FaultAt::new(Fault::NoiseBadTag, 1));
    assert_fails(&outcome.phone, Layer::Noise, "handshake message 1");
    assert_fails(
        &outcome.desktop,
        Layer::Tunnel,
        "while waiting for the Noise handshake",
    );
    assert!(outcome.virtual_time <= QUICK);
}

#[test]
fn noise_wrong_psk() {
    let outcome = register(Fault::NoiseWrongPsk);
    assert_fails(&outcome.phone, Layer::Noise, "handshake message 1");
    assert_between(outcome.phone_at, Millis(1_800), QUICK);
    assert_fails(
        &outcome.desktop,
        Layer::Tunnel,
        "closed (code 1000) while waiting for the Noise handshake message",
    );
}

#[test]
fn handshake_wrong_length() {
    // §9 "handshake response length ≠ 81".
    let outcome = register(Fault::HandshakeWrongLength);
    assert_fails(&outcome.desktop, Layer::Noise, "is 80 bytes");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    let outcome = register(FaultAt::new(Fault::HandshakeWrongLength, 1));
    assert_fails(&outcome.phone, Layer::Noise, "");
}

// ---------------------------------------------------------------- transport and CTAP

#[test]
fn phone_shutdown() {
    // §9 "shutdown from phone: desktop treats as remote close".
    let outcome = register(Fault::PhoneShutdown);
    assert_fails(
        &outcome.desktop,
        Layer::Transport,
        "phone sent a shutdown message",
    );
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert_eq!(outcome.phone, Ok(()));
}

#[test]
fn second_ctap_command() {
    // One transaction per session (§10 item 4): the phone ends the session; the desktop
    // already has its response.
    let outcome = register(Fault::SecondCtapCommand);
    assert_fails(
        &outcome.phone,
        Layer::Ctap,
        "a second CTAP request (command 0x01)",
    );
    assert_between(outcome.phone_at, Millis(1_800), QUICK);
    assert_eq!(outcome.desktop, Ok(()));
    assert!(outcome.response_json.is_some());
}

#[test]
fn update_not_cbor() {
    // Chromium's ProcessUpdate: "invalid update frame", then a remote close.
    let outcome = register(Fault::UpdateNotCbor);
    assert_fails(&outcome.desktop, Layer::Transport, "invalid update message");
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert!(outcome.response_json.is_none());
}

#[test]
fn update_not_cbor_is_ignored_by_a_lenient_desktop() {
    let outcome = register_with(
        Ceremony::new(1)
            .fault(Fault::UpdateNotCbor)
            .update_policy(UpdatePolicy::Lenient),
    );
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "update ignored"));
}

#[test]
fn linking_bad_signature() {
    let outcome = register(Fault::LinkingBadSignature);
    assert_fails(
        &outcome.desktop,
        Layer::Transport,
        "signature does not match",
    );
    assert_between(outcome.desktop_at, Millis(1_800), QUICK);
    assert!(outcome.linked_device.is_none());
}

#[test]
fn linking_bad_signature_with_a_lenient_desktop_links_nothing() {
    let outcome = register_with(
        Ceremony::new(1)
            .fault(Fault::LinkingBadSignature)
            .update_policy(UpdatePolicy::Lenient),
    );
    assert_succeeds(&outcome);
    assert!(outcome.linked_device.is_none());
}

// ---------------------------------------------------------------- clocks and silence

#[test]
fn clock_skew() {
    // Only QR key 3 shows the desktop's clock, and §9 says nobody checks it.
    // The QR text is read back from the trace, which hides it unless revealed.
    let outcome = register_with(
        Ceremony::new(1)
            .fault(Fault::ClockSkew)
            .reveal_secrets(true),
    );
    assert_succeeds(&outcome);
    assert_eq!(
        qr_timestamp(&outcome),
        hybridsim_peers::desktop::DEFAULT_UNIX_EPOCH + 600
    );
}

#[test]
fn phone_silent() {
    let outcome = register(Fault::PhoneSilent);
    assert_fails(
        &outcome.desktop,
        Layer::Transport,
        "timed out after 30000 ms waiting for the post-handshake message",
    );
    assert_between(outcome.desktop_at, Millis(31_000), Millis(32_500));
    assert_fails(&outcome.phone, Layer::Tunnel, "went silent");
    assert!(outcome.world_error.is_none());
}

#[test]
fn desktop_silent() {
    let outcome = register(Fault::DesktopSilent);
    assert_fails(
        &outcome.phone,
        Layer::Ctap,
        "timed out after 120000 ms waiting for the CTAP message",
    );
    assert_between(outcome.phone_at, Millis(121_500), Millis(121_500));
    assert_fails(&outcome.desktop, Layer::Tunnel, "went silent");
}

#[test]
fn every_fault_ends_in_bounded_virtual_and_wall_time() {
    for fault in Fault::ALL.iter().filter(|f| !f.linked_only()) {
        let started = Instant::now();
        let outcome = register(*fault);
        assert!(
            outcome.world_error.is_none(),
            "{fault}: {:?}",
            outcome.world_error
        );
        assert!(outcome.virtual_time <= Millis(301_000), "{fault}");
        assert!(started.elapsed() < Duration::from_secs(10), "{fault}");
    }
}

// ---------------------------------------------------------------- ceremonies end to end

/// A phone that registered with linking offered, and the link the desktop stored.
fn linked_phone() -> (hybridsim_peers::LinkedDevice, PhoneState) {
    let outcome = register_with(Ceremony::new(1).offer_linking(true));
    assert_succeeds(&outcome);
    (
        outcome.linked_device.expect("linked"),
        outcome.phone_state.expect("phone back"),
    )
}

fn verify_sign_in(
    rp: &RelyingParty,
    credential: &mut RegisteredCredential,
    challenge: u8,
    run: impl FnOnce(&str) -> Outcome,
) -> Outcome {
    let (options, state) = rp.start_authentication(
        std::slice::from_ref(credential),
        [challenge; 32],
        &AuthenticationRequest::default(),
    );
    let outcome = run(&options.to_json());
    let json =
        AuthenticationResponseJson::from_json(outcome.response_json.as_ref().unwrap()).unwrap();
    rp.finish_authentication(&state, &json, credential).unwrap();
    outcome
}

#[test]
fn registration_sign_in_linking_and_linked_sign_in_end_to_end() {
    let rp = relying_party();
    // Registration with linking offered; the relying party verifies the attestation.
    let (options, state) = creation();
    let outcome = Ceremony::new(10)
        .phone(phone("microsoft-authenticator-ios"))
        .offer_linking(true)
        .register(&options)
        .unwrap();
    assert_succeeds(&outcome);
    let json =
        RegistrationResponseJson::from_json(outcome.response_json.as_ref().unwrap()).unwrap();
    let mut credential = rp.finish_registration(&state, &json, NOW).unwrap();
    let device = outcome.linked_device.clone().expect("the phone linked");
    let phone_state = outcome.phone_state.unwrap();

    // Sign-in over the QR flow.
    let outcome = verify_sign_in(&rp, &mut credential, 2, |request| {
        Ceremony::new(11)
            .phone(phone_state)
            .sign_in(request)
            .unwrap()
    });
    assert_succeeds(&outcome);
    let phone_state = outcome.phone_state.unwrap();

    // Linked sign-in: /cable/contact and a wake-up, no QR code.
    let outcome = verify_sign_in(&rp, &mut credential, 3, |request| {
        Ceremony::new(12)
            .phone(phone_state)
            .sign_in_linked(&device, request)
            .unwrap()
    });
    assert_succeeds(&outcome);
    assert!(!trace_has(&outcome, "show QR"));
    assert!(trace_has(&outcome, "wake-up"));
    assert!(trace_has(&outcome, "/cable/contact/"));
}

#[test]
fn legacy_revision_0_phone() {
    let outcome = register_with(Ceremony::new(1).revision0().offer_linking(true));
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "protocol revision detected: v2.0"));
    // Revision 0 carries linking in the post-handshake message.
    assert!(outcome.linked_device.is_some());
}

#[test]
fn legacy_old_crypter_phone() {
    let outcome = register_with(Ceremony::new(1).old_crypter());
    assert_succeeds(&outcome);
    assert!(trace_has(&outcome, "transport construction detected: old"));
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = |seed| {
        register_with(Ceremony::new(seed).fault(Fault::AdvertOtherSecret))
            .trace
            .to_json_lines()
    };
    let first = run(4);
    assert_eq!(first, run(4));
    assert_ne!(first, run(5));
}

#[test]
fn bad_options_and_a_missing_phone_are_errors_not_outcomes() {
    assert_eq!(
        Ceremony::new(1).register(&creation().0).unwrap_err(),
        CeremonyError::NoPhone
    );
    assert!(matches!(
        Ceremony::new(1)
            .phone(phone("microsoft-authenticator-ios"))
            .register("{}")
            .unwrap_err(),
        CeremonyError::Options(_)
    ));
    assert!(matches!(
        Ceremony::new(1)
            .phone(phone("microsoft-authenticator-ios"))
            .origin("https://elsewhere.example")
            .register(&creation().0)
            .unwrap_err(),
        CeremonyError::Client(_)
    ));
}
