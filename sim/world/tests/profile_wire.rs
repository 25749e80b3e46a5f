//! Phone profiles drive the bytes: one test per `[hybrid]` field (and the getInfo fields a
//! CTAP 2.3 phone adds), each showing the trace of a ceremony in the simulated world carries
//! what the profile says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

use hybridsim_peers::desktop::DesktopConfig;
use hybridsim_peers::{Layer, Party};
use hybridsim_proto::advert::LengthRule;
use hybridsim_proto::noise::HandshakeKind;
use hybridsim_proto::post_handshake::PostHandshakeMessage;
use hybridsim_proto::qr::Key6;
use hybridsim_world::ceremony::{Ceremony, Outcome};
use hybridsim_world::trace::TraceRecord;

fn profile_text(name: &str) -> String {
    fixture(&format!("profiles/{name}.toml"))
}

/// A shipped profile with `line` added to its `[hybrid]` table.
fn with_hybrid(name: &str, line: &str) -> String {
    profile_text(name).replace("[hybrid]", &format!("[hybrid]\n{line}"))
}

fn register(toml: &str, ceremony: Ceremony) -> Outcome {
    ceremony
        .phone(phone_from(toml))
        .register(&creation().0)
        .unwrap()
}

/// A desktop that takes CTAP 2.3 suffixed adverts (libwebauthn's rule).
fn allow_suffix(desktop: &mut DesktopConfig) {
    desktop.advert_length = LengthRule::AllowSuffix;
}

fn records<'a>(outcome: &'a Outcome, what: &str) -> Vec<&'a TraceRecord> {
    outcome
        .trace
        .records()
        .iter()
        .filter(|r| r.what.contains(what))
        .collect()
}

fn record<'a>(outcome: &'a Outcome, actor: &str, what: &str) -> &'a TraceRecord {
    records(outcome, what)
        .into_iter()
        .find(|r| r.actor == actor)
        .unwrap_or_else(|| panic!("no {actor} record {what:?}"))
}

fn has(outcome: &Outcome, what: &str) -> bool {
    !records(outcome, what).is_empty()
}

fn assert_ok(outcome: &Outcome) {
    assert_eq!(outcome.desktop, Ok(()), "{:?}", outcome.phone);
    assert_eq!(outcome.phone, Ok(()));
    assert_eq!(outcome.response_error, None);
    assert!(outcome.response_json.is_some());
}

fn post_handshake(outcome: &Outcome) -> PostHandshakeMessage {
    let bytes = hex::decode(&record(outcome, "phone", "post-handshake message").hex).unwrap();
    PostHandshakeMessage::decode(&bytes, HandshakeKind::QrInitiated)
        .unwrap()
        .0
}

#[test]
fn tunnel_domain_names_the_server_both_sides_connect_to() {
    let outcome = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1),
    );
    assert_ok(&outcome);
    assert!(record(&outcome, "phone", "connect wss://cable.auth.com/cable/new/").len == 0);
    assert!(has(&outcome, "domain id 1"));
    assert!(
        record(
            &outcome,
            "desktop",
            "connect wss://cable.auth.com/cable/connect/"
        )
        .len == 0
    );
    let google = register(&profile_text("google-password-manager"), Ceremony::new(1));
    assert!(has(&google, "connect wss://cable.ua5v.com/cable/new/"));
}

#[test]
fn service_uuid_is_the_adverts() {
    let iphone = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1),
    );
    assert_eq!(record(&iphone, "phone", "advertise fde2").len, 20);
    assert!(has(&iphone, "advert fde2 rssi"));
    let android = register(&profile_text("google-password-manager"), Ceremony::new(1));
    assert_eq!(record(&android, "phone", "advertise fff9").len, 20);
}

#[test]
fn advert_suffix_channel_keyed_carries_the_ble_psm() {
    let toml = profile_text("google-play-services-2-3");
    let outcome = register(&toml, Ceremony::new(1).configure_desktop(allow_suffix));
    assert_ok(&outcome);
    let advert = record(&outcome, "phone", "advertise fff9");
    assert_eq!(advert.len, 24);
    // {1: 129}: BLE, PSM 0x81.
    assert!(advert.hex.ends_with("a1011881"), "{}", advert.hex);
    assert!(has(&outcome, "advert suffix (channel-keyed)"));
    let matched = record(&outcome, "desktop", "advert matched");
    assert!(
        matched
            .what
            .contains("channel-keyed: channel 1 (ble) extra 129"),
        "{}",
        matched.what
    );
}

#[test]
fn advert_suffix_id_keyed_is_the_other_reading() {
    let toml = with_hybrid("google-play-services-2-3", "").replace(
        "advert = \"suffix-channel-keyed\"",
        "advert = \"suffix-id-keyed\"",
    );
    let outcome = register(&toml, Ceremony::new(1).configure_desktop(allow_suffix));
    assert_ok(&outcome);
    let advert = record(&outcome, "phone", "advertise fff9");
    assert_eq!(advert.len, 26);
    // {0: 1, 1: 129}
    assert!(advert.hex.ends_with("a20001011881"), "{}", advert.hex);
    assert!(record(&outcome, "desktop", "advert matched")
        .what
        .contains("id-keyed: channel 1 (ble) extra 129"));
}

#[test]
fn a_suffixed_advert_is_never_matched_by_an_exact_20_byte_desktop() {
    // bloom-directory/bloom#129: Chrome 149/150 on Linux and Android phones' 2.3 adverts.
    let outcome = register(&profile_text("google-play-services-2-3"), Ceremony::new(1));
    assert!(has(&outcome, "advert ignored: 24 bytes of service data"));
    let error = outcome.desktop.clone().unwrap_err();
    assert_eq!((error.party, error.layer), (Party::Desktop, Layer::Ble));
    assert!(outcome.response_json.is_none());
}

#[test]
fn update_never_sends_no_update_message() {
    let iphone = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1),
    );
    assert!(!has(&iphone, "update message"));
    let android = register(&profile_text("google-password-manager"), Ceremony::new(1));
    // Chromium's update plaintext, before the crypter's padding takes it to 512 (§8.2).
    assert_eq!(record(&android, "phone", "update message").len, 498);
    assert!(has(&android, "update message"));
}

#[test]
fn update_after_ctap_reply_comes_after_the_response() {
    let toml = with_hybrid("google-password-manager", "").replace(
        "update = \"after-post-handshake\"",
        "update = \"after-ctap-reply\"",
    );
    let outcome = register(&toml, Ceremony::new(1));
    assert_ok(&outcome);
    // The desktop receives it after the CTAP response, while lingering.
    let desktop: Vec<&str> = outcome
        .trace
        .records()
        .iter()
        .filter(|r| r.actor == "desktop")
        .map(|r| r.what.as_str())
        .collect();
    let response = desktop.iter().position(|w| *w == "ctap response").unwrap();
    let update = desktop.iter().position(|w| *w == "update message").unwrap();
    assert!(update > response, "{desktop:?}");
    let default = register(&profile_text("google-password-manager"), Ceremony::new(1));
    let desktop: Vec<&str> = default
        .trace
        .records()
        .iter()
        .filter(|r| r.actor == "desktop")
        .map(|r| r.what.as_str())
        .collect();
    let response = desktop.iter().position(|w| *w == "ctap response").unwrap();
    let update = desktop.iter().position(|w| *w == "update message").unwrap();
    assert!(update < response, "{desktop:?}");
}

#[test]
fn linking_false_sends_no_linking_info_even_when_offered() {
    let iphone = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1).offer_linking(true),
    );
    assert_ok(&iphone);
    assert!(iphone.linked_device.is_none());
    let android = register(
        &profile_text("google-password-manager"),
        Ceremony::new(1).offer_linking(true),
    );
    assert!(android.linked_device.is_some());
}

#[test]
fn features_are_post_handshake_key_3() {
    let iphone = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1),
    );
    assert_eq!(post_handshake(&iphone).features, ["ctap", "dc"]);
    let android = register(&profile_text("google-password-manager"), Ceremony::new(1));
    assert_eq!(post_handshake(&android).features, ["ctap"]);
}

#[test]
fn get_info_fields_reach_the_desktop() {
    let outcome = register(
        &profile_text("google-play-services-2-3"),
        Ceremony::new(1).configure_desktop(allow_suffix),
    );
    let get_info = record(&outcome, "desktop", "getInfo");
    let diag = get_info.cbor.clone().unwrap_or_default();
    for wanted in ["FIDO_2_3", "prf", "hybrid", "\"rk\": true"] {
        assert!(diag.contains(wanted), "{wanted} not in {diag}");
    }
    let iphone = register(
        &profile_text("iphone-icloud-keychain-2026"),
        Ceremony::new(1),
    );
    let diag = record(&iphone, "desktop", "getInfo").cbor.clone().unwrap();
    assert!(
        diag.contains("FIDO_2_1") && !diag.contains("FIDO_2_3"),
        "{diag}"
    );
}

fn with_key6(key6: Key6) -> impl FnOnce(&mut DesktopConfig) {
    move |desktop: &mut DesktopConfig| {
        desktop.qr.key6 = Some(key6);
        desktop.advert_length = LengthRule::AllowSuffix;
    }
}

#[test]
fn pre_2_3_play_services_rejects_a_key_6_array_at_the_qr() {
    let outcome = register(
        &profile_text("google-password-manager"),
        Ceremony::new(1).configure_desktop(with_key6(Key6::TransportChannels(vec![0, 1]))),
    );
    let error = outcome.phone.clone().unwrap_err();
    assert_eq!((error.party, error.layer), (Party::Phone, Layer::Qr));
    assert!(
        error
            .to_string()
            .contains("QR key 6: expected a boolean, found an array"),
        "{error}"
    );
    // The same phone takes the legacy boolean.
    let legacy = register(
        &profile_text("google-password-manager"),
        Ceremony::new(1).configure_desktop(with_key6(Key6::NonDiscoverableMc(true))),
    );
    assert_ok(&legacy);
}

#[test]
fn a_2_3_phone_reads_key_6_as_channels_and_chromium_ignores_it() {
    let channels = Key6::TransportChannels(vec![1, 0]);
    let phone23 = register(
        &profile_text("google-play-services-2-3"),
        Ceremony::new(1).configure_desktop(with_key6(channels.clone())),
    );
    assert_ok(&phone23);
    assert!(has(
        &phone23,
        "qr key 6 read as Channels: channels offered ble,websocket"
    ));
    let chromium = register(
        &profile_text("ios16"),
        Ceremony::new(1).configure_desktop(with_key6(channels.clone())),
    );
    assert_ok(&chromium);
    assert!(has(&chromium, "qr key 6 read as Ignored"));
    let strict = register(
        &with_hybrid("ios16", "").replace("qr_key6 = \"ignored\"", "qr_key6 = \"absent-only\""),
        Ceremony::new(1).configure_desktop(with_key6(channels)),
    );
    assert_eq!(strict.phone.clone().unwrap_err().layer, Layer::Qr);
}

#[test]
fn revision_0_from_the_profile_is_detected_by_the_desktop() {
    let outcome = register(
        &with_hybrid("ios16", "revision = 0"),
        Ceremony::new(1).offer_linking(true),
    );
    assert_ok(&outcome);
    assert!(has(&outcome, "protocol revision detected: v2.0"));
}

#[test]
fn the_old_crypter_from_the_profile_is_detected_by_the_desktop() {
    let outcome = register(&with_hybrid("ios16", "crypter = \"old\""), Ceremony::new(1));
    assert_ok(&outcome);
    assert!(has(&outcome, "transport construction detected: old"));
}
