//! Desktop profiles (`fixtures/desktops/`) against phone profiles in the simulated world:
//! the two known field breaks, Chromium's getInfo validation, GREASE, key 6 forms and the
//! scanned service UUIDs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

use hybridsim_peers::desktop::DesktopProfile;
use hybridsim_peers::{Layer, Party, ReasonKind};
use hybridsim_proto::channels::GREASE_QR_KEY;
use hybridsim_proto::qr::{Key6, QrPayload};
use hybridsim_world::ceremony::{Ceremony, Outcome};

fn register(desktop_profile: DesktopProfile, phone_profile: &str) -> Outcome {
    // Secrets revealed: the QR payload record carries the QR secret.
    Ceremony::new(1)
        .reveal_secrets(true)
        .desktop_profile(desktop_profile)
        .phone(phone(phone_profile))
        .register(&creation().0)
        .unwrap()
}

fn has(outcome: &Outcome, what: &str) -> bool {
    outcome
        .trace
        .records()
        .iter()
        .any(|r| r.what.contains(what))
}

fn qr_payload(outcome: &Outcome) -> QrPayload {
    let record = outcome
        .trace
        .records()
        .iter()
        .find(|r| r.what == "qr payload")
        .unwrap();
    QrPayload::from_cbor(&hex::decode(&record.hex).unwrap()).unwrap()
}

fn assert_ok(outcome: &Outcome) {
    assert_eq!(outcome.desktop, Ok(()), "phone: {:?}", outcome.phone);
    assert_eq!(outcome.phone, Ok(()));
    assert_eq!(outcome.response_error, None);
    assert!(outcome.response_json.is_some());
}

#[test]
fn chrome_150_on_linux_never_matches_a_2_3_phones_suffixed_advert() {
    let outcome = register(desktop("chrome-150-linux"), "google-play-services-2-3");
    assert!(has(&outcome, "advert ignored: 24 bytes of service data"));
    let error = outcome.desktop.clone().unwrap_err();
    assert_eq!((error.party, error.layer), (Party::Desktop, Layer::Ble));
    assert_eq!(error.kind(), ReasonKind::Timeout);
    // The same phone works with Chrome stable, which takes the suffix.
    assert_ok(&register(
        desktop("chrome-stable"),
        "google-play-services-2-3",
    ));
}

#[test]
fn pre_2_3_play_services_refuses_libwebauthns_channel_list() {
    let outcome = register(desktop("libwebauthn"), "google-password-manager");
    let error = outcome.phone.clone().unwrap_err();
    assert_eq!((error.party, error.layer), (Party::Phone, Layer::Qr));
    assert!(error
        .to_string()
        .contains("expected a boolean, found an array"));
    assert_ok(&register(
        desktop("libwebauthn"),
        "google-play-services-2-3",
    ));
}

#[test]
fn chromes_get_info_validation_refuses_a_malformed_get_info_at_the_ctap_layer() {
    let outcome = register(desktop("chrome-stable"), "buggy-malformed-get-info");
    let error = outcome.desktop.clone().unwrap_err();
    assert_eq!((error.party, error.layer), (Party::Desktop, Layer::Ctap));
    assert_eq!(error.kind(), ReasonKind::GetInfo);
    let text = error.to_string();
    assert!(
        text.contains("phone's getInfo refused: it does not parse"),
        "{text}"
    );
    assert!(text.contains("aaguid"), "{text}");
    // A desktop that only logs getInfo carries on.
    assert_ok(&register(desktop("windows-11"), "buggy-malformed-get-info"));
}

#[test]
fn a_grease_key_is_written_by_libwebauthn_and_tolerated_by_every_phone() {
    for phone_profile in [
        "google-play-services-2-3",
        "iphone-icloud-keychain-2026",
        "ios16",
    ] {
        let outcome = register(desktop("libwebauthn"), phone_profile);
        let payload = qr_payload(&outcome);
        let grease = payload
            .unknown
            .iter()
            .any(|(k, _)| k.as_integer() == Some(GREASE_QR_KEY.into()));
        assert!(grease, "{phone_profile}");
        assert_ok(&outcome);
    }
    let chrome = qr_payload(&register(desktop("chrome-stable"), "ios16"));
    assert!(chrome.unknown.is_empty() && chrome.key6.is_none());
}

#[test]
fn webauthn_rs_writes_its_key_6_boolean_and_detects_the_crypter() {
    let outcome = register(desktop("webauthn-rs"), "google-password-manager");
    assert_ok(&outcome);
    assert_eq!(
        qr_payload(&outcome).key6,
        Some(Key6::NonDiscoverableMc(true))
    );
}

#[test]
fn libwebauthn_leaves_key_4_out_and_chrome_writes_false() {
    let outcome = register(desktop("libwebauthn"), "google-play-services-2-3");
    assert_eq!(qr_payload(&outcome).linking, None);
    let chrome = register(desktop("chrome-stable"), "ios16");
    assert_eq!(qr_payload(&chrome).linking, Some(false));
}

#[test]
fn a_desktop_scanning_one_uuid_misses_phones_on_the_other() {
    let text = fixture("desktops/safari-macos.toml")
        .replace("uuids = [\"fde2\", \"fff9\"]", "uuids = [\"fff9\"]");
    let profile = DesktopProfile::from_toml_str(&text).unwrap();
    let outcome = register(profile, "iphone-icloud-keychain-2026");
    assert!(has(
        &outcome,
        "service UUID 0xfde2 is not among the UUIDs this desktop scans"
    ));
    assert_eq!(outcome.desktop.clone().unwrap_err().layer, Layer::Ble);
    assert_ok(&register(
        desktop("safari-macos"),
        "iphone-icloud-keychain-2026",
    ));
}

#[test]
fn desktop_profiles_breaking_a_rule_are_refused() {
    let base = fixture("desktops/chrome-stable.toml");
    let refused = |from: &str, to: &str| {
        DesktopProfile::from_toml_str(&base.replace(from, to))
            .unwrap_err()
            .to_string()
    };
    assert!(refused("key6 = \"absent\"", "key6 = \"channels\"").contains("qr.channels"));
    assert!(refused("uuids = [\"fff9\", \"fde2\"]", "uuids = []").contains("advert.uuids"));
    assert!(refused("advert_s = 300", "advert_s = 0").contains("advert_s"));
    assert!(refused("grease = false", "grease = false\ncolour = 1").contains("unknown field"));
}
