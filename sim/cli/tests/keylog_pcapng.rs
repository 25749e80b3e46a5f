//! `--keylog` and `--pcapng` on `hybridsim ceremony`: the capture opens in tshark with the
//! Wireshark dissector naming the CTAP request and showing the advert's service data; the
//! key log a ceremony appends, with the messages of its trace, lets `decode session`
//! reproduce the ceremony's decrypted events; two ceremonies share one key log; and the
//! default trace holds none of the logged secrets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::tshark;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hybridsim-keylog-pcapng-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hybridsim(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hybridsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const CREATE: &str = r#"{"rp": {"id": "login.example", "name": "Login"},
  "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
  "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
  "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
  "authenticatorSelection": {"residentKey": "required"}}"#;
const GET: &str = r#"{"challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
  "rpId": "login.example"}"#;

/// Runs `ceremony create|get` with `--keylog keys.log --pcapng NAME.pcapng --trace
/// NAME.jsonl`; returns the trace records.
fn ceremony(dir: &Path, command: &str, seed: &str) -> Vec<Value> {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(
        dir.join(format!("{command}.json")),
        if command == "create" { CREATE } else { GET },
    )
    .unwrap();
    let mut args = vec!["ceremony", command];
    if command == "create" {
        args.extend(["--profile", "microsoft-authenticator-ios"]);
    }
    let (options, state, keylog) = (
        path(&format!("{command}.json")),
        path("phone.json"),
        path("keys.log"),
    );
    let (pcapng, trace) = (
        path(&format!("{command}.pcapng")),
        path(&format!("{command}.jsonl")),
    );
    args.extend([
        "--options",
        &options,
        "--origin",
        "https://login.example",
        "--state",
        &state,
        "--seed",
        seed,
        "--keylog",
        &keylog,
        "--pcapng",
        &pcapng,
        "--trace",
        &trace,
    ]);
    hybridsim(&args);
    std::fs::read_to_string(dir.join(format!("{command}.jsonl")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn find<'t>(trace: &'t [Value], actor: &str, what: &str) -> &'t str {
    trace
        .iter()
        .find(|r| r["actor"] == actor && r["what"].as_str().unwrap().starts_with(what))
        .and_then(|r| r["hex"].as_str())
        .unwrap_or_else(|| panic!("no {actor} {what:?}"))
}

/// `decode session --json` from the ceremony's key log and the messages its trace shows.
fn decode(dir: &Path, trace: &[Value]) -> Value {
    let messages: String = trace
        .iter()
        .filter(|r| r["dir"] == "send" && r["what"] == "message")
        .map(|r| format!("{{\"from\": {}, \"hex\": {}}}\n", r["actor"], r["hex"]))
        .collect();
    std::fs::write(dir.join("messages.jsonl"), messages).unwrap();
    // The default trace hides the QR code (its secret); the key log has QR_SECRET, and the
    // tunnel id is the last part of the phone's /cable/new path.
    let connect = trace
        .iter()
        .filter_map(|r| r["what"].as_str())
        .find(|w| w.starts_with("connect ") && w.contains("/cable/new/"))
        .unwrap();
    let tunnel = connect.rsplit('/').next().unwrap();
    let advert = find(trace, "phone", "advertise fff9");
    let (keylog, msgs) = (dir.join("keys.log"), dir.join("messages.jsonl"));
    let out = hybridsim(&[
        "decode",
        "session",
        "--tunnel-id",
        tunnel,
        "--keylog",
        keylog.to_str().unwrap(),
        "--messages",
        msgs.to_str().unwrap(),
        "--advert",
        advert,
        "--json",
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn plaintext(got: &Value, kind: &str) -> String {
    got["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {got}"))["plaintext_hex"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_ceremony_capture_and_key_log_decrypt_in_tshark_and_decode_session() {
    let dir = scratch("ceremony");
    let trace = ceremony(&dir, "create", "7");
    let got = decode(&dir, &trace);
    assert_eq!(got["handshake"], "desktop_keys");
    assert_eq!(
        got["handshake_hash"],
        find(&trace, "desktop", "handshake hash")
    );
    // The trace notes CTAP without the message-type byte.
    assert_eq!(
        plaintext(&got, "ctap_request")[2..],
        *find(&trace, "phone", "ctap request")
    );
    assert_eq!(
        plaintext(&got, "ctap_response")[2..],
        *find(&trace, "desktop", "ctap response")
    );
    if let Some(text) = tshark(&dir.join("create.pcapng"), &["-V"]) {
        assert!(text.contains("CTAP command: makeCredential"), "{text}");
        assert!(text.contains("CTAP status: CTAP2_OK"), "{text}");
        let advert = find(&trace, "phone", "advertise fff9");
        assert!(text.contains(&format!("Service Data: {advert}")), "{text}");
        assert!(text.contains("WebSocket"), "{text}");
    }

    // A second ceremony appends its session to the same key log; --qr picks it.
    let trace = ceremony(&dir, "get", "8");
    let keylog = std::fs::read_to_string(dir.join("keys.log")).unwrap();
    assert_eq!(
        keylog.lines().filter(|l| l.starts_with('#')).count(),
        2,
        "{keylog}"
    );
    assert!(keylog.contains("# hybridsim ceremony, seed 8: getAssertion, QR flow\n"));
    let got = decode(&dir, &trace);
    assert_eq!(
        plaintext(&got, "ctap_request")[2..],
        *find(&trace, "phone", "ctap request")
    );
    if let Some(text) = tshark(&dir.join("get.pcapng"), &["-V"]) {
        assert!(text.contains("CTAP command: getAssertion"), "{text}");
    }

    // The default traces hold none of the secrets the key log does (the handshake hash is
    // no secret: traces show it, and decode session checks it).
    for name in ["create.jsonl", "get.jsonl"] {
        let trace = std::fs::read_to_string(dir.join(name)).unwrap();
        let secrets = keylog
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("HANDSHAKE_HASH "));
        for line in secrets {
            let value = line.rsplit(' ').next().unwrap();
            assert!(!trace.contains(value), "{name} holds {line}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("keys.log"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn run_writes_one_key_log_and_a_capture_per_scenario() {
    let dir = scratch("run");
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/linked");
    let (keylog, caps) = (dir.join("keys.log"), dir.join("caps"));
    hybridsim(&[
        "run",
        suite.to_str().unwrap(),
        "--keylog",
        keylog.to_str().unwrap(),
        "--pcapng",
        caps.to_str().unwrap(),
    ]);
    let text = std::fs::read(&keylog).unwrap();
    let log = hybridsim_session::keylog::KeyLog::parse(&text).unwrap();
    assert!(log.notices.is_empty(), "{:?}", log.notices);
    assert!(log.tunnel_ids().count() >= 2);
    let captures: Vec<PathBuf> = std::fs::read_dir(&caps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let scenarios = std::fs::read_dir(&suite)
        .unwrap()
        .filter(|e| {
            let path = e.as_ref().unwrap().path();
            path.extension().is_some_and(|x| x == "toml")
        })
        .count();
    assert_eq!(captures.len(), scenarios, "{captures:?}");
    let mut named = String::new();
    for capture in &captures {
        let Some(text) = tshark(capture, &["-V"]) else {
            return;
        };
        named.push_str(&text);
    }
    assert!(named.contains("CTAP command: getAssertion"));
    assert!(named.contains("CTAP command: makeCredential"));
}
