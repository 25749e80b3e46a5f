//! `hybridsim decode session` on sessions built with proto's own desktop and phone: every
//! message decoded, the failing message named with exit 1, bad input one line with exit 2,
//! and `--pcapng` writing a capture the Wireshark dissector decrypts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::tshark;
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::Flow;
use hybridsim_session::keylog::Label;
use hybridsim_session::messages;
use hybridsim_session::sample::{self, Options, Sample};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hybridsim-decode-session-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample() -> Sample {
    sample::build(Options {
        flow: Flow::Qr,
        construction: Construction::New,
        revision: ProtocolRevision::V1,
    })
    .unwrap()
}

/// Writes the key log (the labels given) and the messages; returns their paths.
fn files(dir: &Path, s: &Sample, labels: &[Label]) -> (PathBuf, PathBuf) {
    let keylog = dir.join("keys.log");
    let msgs = dir.join("messages.jsonl");
    std::fs::write(&keylog, s.keylog(labels)).unwrap();
    std::fs::write(&msgs, messages::to_json_lines(&s.messages)).unwrap();
    (keylog, msgs)
}

fn hybridsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .output()
        .unwrap()
}

fn decode(s: &Sample, keylog: &Path, msgs: &Path, extra: &[&str]) -> Output {
    let url = s.qr.to_url();
    let mut args = vec![
        "decode",
        "session",
        "--qr",
        &url,
        "--keylog",
        keylog.to_str().unwrap(),
        "--messages",
        msgs.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    hybridsim(&args)
}

#[test]
fn decodes_every_message_as_json_and_as_lines() {
    let dir = scratch("ok");
    let s = sample();
    let (keylog, msgs) = files(
        &dir,
        &s,
        &[
            Label::QrIdentityPrivateKey,
            Label::DesktopEphemeralPrivateKey,
        ],
    );
    let advert = hex::encode(s.advert);
    let out = decode(&s, &keylog, &msgs, &["--advert", &advert, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["crypter"], "new");
    assert_eq!(json["revision"], 1);
    assert_eq!(json["handshake"], "desktop_keys");
    let kinds: Vec<&str> = json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "handshake_message_1",
            "handshake_message_2",
            "post_handshake",
            "update",
            "ctap_request",
            "ctap_response",
            "shutdown"
        ]
    );
    assert!(json["messages"][4]["cbor"]
        .as_str()
        .unwrap()
        .contains("/clientDataHash/"));

    let out = decode(&s, &keylog, &msgs, &["--advert", &format!("fff9:{advert}")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        text.contains("advert       routing id 2A0000, domain cable.ua5v.com"),
        "{text}"
    );
    assert!(
        text.contains("hybrid ctap_request: CTAP request makeCredential (0x01)"),
        "{text}"
    );
}

#[test]
fn a_failing_message_is_named_with_exit_1() {
    let dir = scratch("fail");
    let s = sample();
    let (keylog, msgs) = files(&dir, &s, &[Label::DesktopWriteKey, Label::DesktopReadKey]);
    let mut wire = s.messages.clone();
    *wire[5].bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&msgs, messages::to_json_lines(&wire)).unwrap();
    let out = decode(&s, &keylog, &msgs, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("message 6 (line 6, from the phone): bad tag"),
        "{stderr}"
    );
    // What decoded before it is still printed.
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("makeCredential"));
}

#[test]
fn malformed_input_is_one_line_with_exit_2() {
    let dir = scratch("bad");
    let s = sample();
    let (keylog, msgs) = files(&dir, &s, &[Label::Psk]);
    std::fs::write(&keylog, "PSK 00 11\n").unwrap();
    let out = decode(&s, &keylog, &msgs, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "hybridsim: key log line 1: the tunnel id is 1 bytes; expected 16"
    );
    std::fs::write(&msgs, "{\"from\": \"server\", \"hex\": \"00\"}\n").unwrap();
    std::fs::write(&keylog, "").unwrap();
    let out = decode(&s, &keylog, &msgs, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("hybridsim: messages line 1: unknown variant `server`"));
    let out = hybridsim(&[
        "decode",
        "session",
        "--qr",
        "FIDO:/12",
        "--keylog",
        "x",
        "--messages",
        "y",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pcapng_output_opens_in_tshark_with_the_dissector_naming_the_request() {
    let dir = scratch("pcapng");
    let s = sample();
    let (keylog, msgs) = files(&dir, &s, &Label::ALL);
    let pcap = dir.join("session.pcapng");
    let out = decode(
        &s,
        &keylog,
        &msgs,
        &[
            "--advert",
            &hex::encode(s.advert),
            "--pcapng",
            pcap.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(text) = tshark(&pcap, &["-V"]) else {
        return;
    };
    assert!(text.contains("CTAP command: makeCredential"), "{text}");
    assert!(text.contains("CTAP status: CTAP2_OK"));
    assert!(text.contains("Decoded by hybridsim: hybrid ctap_request: CTAP request makeCredential"));
}

#[test]
fn decrypts_the_real_chromium_message_from_its_traffic_keys() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../session/tests/fixtures/chromium-makecredential");
    let out = hybridsim(&[
        "decode",
        "session",
        "--tunnel-id",
        &"00".repeat(16),
        "--keylog",
        dir.join("keys.log").to_str().unwrap(),
        "--messages",
        dir.join("messages.jsonl").to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("crypter      new"), "{text}");
    assert!(
        text.contains("CTAP request makeCredential (0x01)"),
        "{text}"
    );
    assert!(text.contains("webauthn.firstyear.id.au"), "{text}");
}

/// The value of the first trace note `what` by `actor`.
fn note<'t>(trace: &'t [serde_json::Value], actor: &str, what: &str) -> &'t str {
    trace
        .iter()
        .find(|r| r["actor"] == actor && r["dir"] == "note" && r["what"] == what)
        .and_then(|r| r["hex"].as_str())
        .unwrap_or_else(|| panic!("no {actor} note {what:?}"))
}

#[test]
fn reproduces_what_a_simulated_ceremony_traced() {
    let dir = scratch("ceremony");
    std::fs::write(
        dir.join("create.json"),
        r#"{"rp": {"id": "login.example", "name": "Login"}, "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}"#,
    )
    .unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let out = hybridsim(&[
        "ceremony",
        "create",
        "--profile",
        "microsoft-authenticator-ios",
        "--options",
        &path("create.json"),
        "--origin",
        "https://login.example",
        "--state",
        &path("phone.json"),
        "--seed",
        "7",
        "--trace",
        &path("trace.jsonl"),
        "--reveal-secrets",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("trace.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |actor: &str, what: &str| {
        trace
            .iter()
            .find(|r| r["actor"] == actor && r["what"].as_str().unwrap().starts_with(what))
            .unwrap()
    };
    // The key log a desktop driver would write, from the secrets the trace reveals.
    let connect = find("phone", "connect wss://")["what"]
        .as_str()
        .unwrap()
        .to_owned();
    let tunnel = connect.rsplit('/').next().unwrap();
    let labels = [
        ("QR_SECRET", "desktop", "qr secret"),
        (
            "QR_IDENTITY_PRIVATE_KEY",
            "desktop",
            "qr identity private key",
        ),
        (
            "DESKTOP_EPHEMERAL_PRIVATE_KEY",
            "desktop",
            "ephemeral private key",
        ),
        ("PSK", "desktop", "psk"),
    ];
    let keylog: String = labels
        .iter()
        .map(|(label, actor, what)| format!("{label} {tunnel} {}\n", note(&trace, actor, what)))
        .collect();
    std::fs::write(dir.join("keys.log"), keylog).unwrap();
    let messages: String = trace
        .iter()
        .filter(|r| r["dir"] == "send" && r["what"] == "message")
        .map(|r| {
            format!(
                "{{\"from\": \"{}\", \"hex\": \"{}\"}}\n",
                r["actor"].as_str().unwrap(),
                r["hex"].as_str().unwrap()
            )
        })
        .collect();
    std::fs::write(dir.join("messages.jsonl"), messages).unwrap();
    let qr = String::from_utf8(
        hex::decode(find("desktop", "show QR")["hex"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let advert = find("phone", "advertise fff9")["hex"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = hybridsim(&[
        "decode",
        "session",
        "--qr",
        &qr,
        "--keylog",
        &path("keys.log"),
        "--messages",
        &path("messages.jsonl"),
        "--advert",
        &advert,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["handshake"], "desktop_keys");
    assert_eq!(
        got["handshake_hash"],
        note(&trace, "desktop", "handshake hash")
    );
    assert_eq!(
        (got["crypter"].as_str(), got["revision"].as_u64()),
        (Some("new"), Some(1))
    );
    let decoded = |kind: &str| {
        got["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind)
            .unwrap()["plaintext_hex"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        decoded("post_handshake"),
        note(&trace, "phone", "post-handshake message")
    );
    assert_eq!(decoded("update"), note(&trace, "phone", "update message"));
    // The trace notes CTAP without the message-type byte.
    assert_eq!(
        decoded("ctap_request")[2..],
        *note(&trace, "desktop", "ctap request")
    );
    assert_eq!(
        decoded("ctap_response")[2..],
        *note(&trace, "phone", "ctap response")
    );
    assert_eq!(decoded("shutdown"), "00");
}
