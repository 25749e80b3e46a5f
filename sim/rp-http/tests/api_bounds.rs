//! The conformance API's bounds with time passed in: long names refused, unredeemed
//! challenges expiring, the challenge store capped, and options requests leaving no user
//! behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_rp_http::{Api, Limits, RpIdentity};
use serde_json::{json, Value};
use std::time::Duration;

fn api(limits: &Limits) -> Api {
    let identity = RpIdentity {
        key_restrictions: Default::default(),
        rp_id: "login.example".into(),
        origins: vec!["https://login.example".into()],
        trusted_roots: Vec::new(),
    };
    Api::new(identity, limits, [9; 32])
}

fn post(api: &Api, path: &str, body: &Value, now: u64) -> (u16, Value) {
    let answer = api.post(
        path,
        body.to_string().as_bytes(),
        Duration::from_secs(now),
        0,
    );
    (answer.status, answer.body)
}

/// A registration response carrying `challenge` (the rest is not a valid attestation: the
/// challenge is looked up before anything else is checked).
fn result_for(challenge: &str) -> Value {
    let client_data = json!({
        "type": "webauthn.create", "challenge": challenge, "origin": "https://login.example"
    });
    json!({
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {
            "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data.to_string()),
            "attestationObject": "oA"
        }
    })
}

fn options(api: &Api, name: &str, now: u64) -> String {
    let (status, body) = post(api, "/attestation/options", &json!({"username": name}), now);
    assert_eq!(status, 200, "{body}");
    body["challenge"].as_str().unwrap().to_owned()
}

#[test]
fn a_megabyte_user_name_is_refused_and_kept_nowhere() {
    let api = api(&Limits::default());
    let name = "u".repeat(1 << 20);
    for body in [
        json!({"username": name}),
        json!({"username": "kim", "displayName": name}),
    ] {
        let (status, answer) = post(&api, "/attestation/options", &body, 0);
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["errorMessage"]
                .as_str()
                .unwrap()
                .contains("longer than the 256 allowed"),
            "{answer}"
        );
    }
    assert_eq!(api.sizes(), (0, 0));
    let name = "u".repeat(256);
    let (status, _) = post(&api, "/attestation/options", &json!({"username": name}), 0);
    assert_eq!(status, 200);
}

#[test]
fn options_alone_create_no_user() {
    let api = api(&Limits::default());
    for n in 0..50 {
        options(&api, &format!("user{n}"), 0);
    }
    assert_eq!(api.sizes(), (50, 0));
}

#[test]
fn an_unredeemed_challenge_expires() {
    let limits = Limits {
        challenge_ttl: Duration::from_secs(60),
        ..Limits::default()
    };
    let api = api(&limits);
    let fresh = options(&api, "kim", 0);
    let stale = options(&api, "kim", 0);
    // Within the lifetime the challenge is found (and the bogus attestation refused).
    let (_, answer) = post(&api, "/attestation/result", &result_for(&fresh), 59);
    let why = answer["errorMessage"].as_str().unwrap();
    assert!(why.starts_with("registration rejected"), "{why}");
    // After it, the challenge is refused as expired, and gone.
    let (status, answer) = post(&api, "/attestation/result", &result_for(&stale), 60);
    assert_eq!(status, 400);
    assert_eq!(
        answer["errorMessage"],
        format!("challenge {stale} expired"),
        "{answer}"
    );
    assert_eq!(api.sizes(), (0, 0));
}

#[test]
fn the_challenge_store_stays_capped_evicting_the_oldest() {
    let limits = Limits {
        max_challenges: 5,
        ..Limits::default()
    };
    let api = api(&limits);
    let challenges: Vec<String> = (0..40)
        .map(|n| options(&api, &format!("u{n}"), 0))
        .collect();
    assert_eq!(api.sizes(), (5, 0));
    let (_, answer) = post(&api, "/attestation/result", &result_for(&challenges[0]), 1);
    assert!(
        answer["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("was not issued, or already used"),
        "{answer}"
    );
    let (_, answer) = post(&api, "/attestation/result", &result_for(&challenges[39]), 1);
    let why = answer["errorMessage"].as_str().unwrap();
    assert!(why.starts_with("registration rejected"), "{why}");
}

#[test]
fn refusals_speak_the_api() {
    let api = api(&Limits::default());
    let answer = api.post("/attestation/options", b"not json", Duration::ZERO, 0);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["status"], "failed");
    let answer = api.post("/nowhere", b"{}", Duration::ZERO, 0);
    assert_eq!(answer.status, 404);
    let (status, answer) = post(&api, "/assertion/options", &json!({"username": "ghost"}), 0);
    assert_eq!(status, 400);
    assert_eq!(answer["errorMessage"], "user \"ghost\" has no credentials");
}

#[test]
fn a_large_value_sent_in_is_not_echoed_whole() {
    let api = api(&Limits::default());
    let challenge = "A".repeat(40_000);
    let (status, answer) = post(&api, "/attestation/result", &result_for(&challenge), 0);
    assert_eq!(status, 400);
    let why = answer["errorMessage"].as_str().unwrap();
    assert!(why.len() < 200, "{} bytes", why.len());
    assert!(why.contains("(40000 bytes)"), "{why}");
}
