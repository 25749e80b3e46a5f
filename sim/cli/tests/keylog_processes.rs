//! `hybridsim desktop` and `hybridsim phone` as separate processes over `hybridsim tunnel
//! serve` on loopback, each with its own `--keylog` and `--pcapng`: the session decrypts
//! with `decode session` from the desktop's key log alone and from the phone's alone (the
//! messages as the desktop's trace logged them), and both captures, holding the sockets' real
//! bytes, open in tshark with the WebSocket frames and, with the dissector, the CTAP request
//! and status named. So do the captures of `ceremony … --tunnel` and `run --tunnel`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, relay_lines, scratch, tshark, tunnel_server, Running, ORIGIN};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Registration: the desktop and the phone, the phone's advert lines piped into the
/// desktop. Returns the QR code and the advert carried.
fn register(dir: &Path, tunnel: &str) -> (String, String) {
    let common = ["--tunnel", tunnel, "--seed", "5", "--timeout", "60"];
    let mut desktop = Running(
        hybridsim()
            .current_dir(dir)
            .args([
                "desktop",
                "create",
                "--options",
                "create.json",
                "--origin",
                ORIGIN,
            ])
            .args(common)
            .args(["--advert-in", "-", "--trace", "desktop.jsonl"])
            .args(["--keylog", "desktop.log", "--pcapng", "desktop.pcapng"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut desktop_out = BufReader::new(desktop.0.stdout.take().unwrap());
    let mut qr = String::new();
    desktop_out.read_line(&mut qr).unwrap();
    let qr = qr.trim().to_owned();
    assert!(qr.starts_with("FIDO:/"), "{qr:?}");
    let desktop_in = desktop.0.stdin.take().unwrap();
    let mut phone = Running(
        hybridsim()
            .current_dir(dir)
            .args([
                "phone",
                "--qr",
                &qr,
                "--profile",
                "microsoft-authenticator-ios",
            ])
            .args(["--state", "phone.json", "--advert-out", "-"])
            .args(common)
            .args(["--keylog", "phone.log", "--pcapng", "phone.pcapng"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let carried = relay_lines(phone.0.stdout.take().unwrap(), desktop_in);
    let mut rest = String::new();
    desktop_out.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    desktop
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(desktop.0.wait().unwrap().success(), "desktop: {err}");
    let mut err = String::new();
    phone
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(phone.0.wait().unwrap().success(), "phone: {err}");
    let first = carried
        .join()
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or_default();
    (qr, first)
}

/// The WebSocket messages as the desktop's trace logged them: what it sent is the
/// desktop's, what it received the phone's.
fn messages_from_desktop_trace(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("desktop.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["actor"] == "desktop" && r["layer"] == "tunnel")
        .filter_map(|r| {
            let what = r["what"].as_str().unwrap();
            let from = if what.starts_with("sent ") {
                "desktop"
            } else if what.starts_with("received ") {
                "phone"
            } else {
                return None;
            };
            Some(format!("{{\"from\": \"{from}\", \"hex\": {}}}\n", r["hex"]))
        })
        .collect()
}

fn decode(dir: &Path, qr: &str, advert: &str, keylog: &str) -> Value {
    let out = hybridsim()
        .current_dir(dir)
        .args(["decode", "session", "--qr", qr, "--keylog", keylog])
        .args(["--messages", "messages.jsonl", "--advert", advert, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{keylog}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn each_process_key_log_alone_decrypts_the_session_and_both_captures_open() {
    let dir = scratch("keylog", "procs");
    let (_server, tunnel, _) = tunnel_server();
    let (qr, advert) = register(&dir, &tunnel);
    assert!(advert.starts_with("fff9:"), "{advert:?}");
    std::fs::write(
        dir.join("messages.jsonl"),
        messages_from_desktop_trace(&dir),
    )
    .unwrap();

    let from_desktop = decode(&dir, &qr, &advert, "desktop.log");
    let from_phone = decode(&dir, &qr, &advert, "phone.log");
    assert_eq!(from_desktop["handshake"], "desktop_keys");
    assert_eq!(from_phone["handshake"], "phone_keys");
    let plaintexts = |got: &Value| -> Vec<(String, String)> {
        got["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["kind"].to_string(), m["plaintext_hex"].to_string()))
            .collect()
    };
    assert_eq!(plaintexts(&from_desktop), plaintexts(&from_phone));
    assert_eq!(from_desktop["handshake_hash"], from_phone["handshake_hash"]);
    let kinds: Vec<&str> = from_desktop["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"ctap_request") && kinds.contains(&"ctap_response"),
        "{kinds:?}"
    );
    // Neither key log holds the other side's ephemeral key.
    let desktop_log = std::fs::read_to_string(dir.join("desktop.log")).unwrap();
    let phone_log = std::fs::read_to_string(dir.join("phone.log")).unwrap();
    assert!(desktop_log.starts_with("# hybridsim desktop, seed 5: makeCredential\n"));
    assert!(!desktop_log.contains("PHONE_EPHEMERAL_PRIVATE_KEY"));
    assert!(!phone_log.contains("DESKTOP_EPHEMERAL_PRIVATE_KEY"));

    for name in ["desktop.pcapng", "phone.pcapng"] {
        let frames = tshark(
            &dir.join(name),
            &["-Y", "websocket", "-T", "fields", "-e", "frame.number"],
        );
        let Some(frames) = frames else { return };
        assert!(frames.lines().count() >= 6, "{name}: {frames}");
        let text = tshark(&dir.join(name), &["-V"]).unwrap();
        assert!(
            text.contains("CTAP command: makeCredential"),
            "{name}: {text}"
        );
        assert!(text.contains("CTAP status: CTAP2_OK"), "{name}: {text}");
        // The real bytes: the server's own answer (our tunnel server writes its headers in
        // lower case; a synthesised capture would not) on the server's real port.
        assert!(text.contains("sec-websocket-accept: "), "{name}: {text}");
        let port = tunnel.rsplit(':').next().unwrap();
        assert!(
            text.contains(&format!("Dst Port: {port}")),
            "{name}: {text}"
        );
    }
}

#[test]
fn a_ceremony_over_a_real_tunnel_captures_both_connections_in_time_order() {
    let dir = scratch("keylog", "tunnel");
    let (_server, tunnel, _) = tunnel_server();
    let out = hybridsim()
        .current_dir(&dir)
        .args([
            "ceremony",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
        ])
        .args([
            "--profile",
            "microsoft-authenticator-ios",
            "--state",
            "phone.json",
        ])
        .args([
            "--tunnel", &tunnel, "--keylog", "keys.log", "--pcapng", "t.pcapng",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keylog = std::fs::read_to_string(dir.join("keys.log")).unwrap();
    for label in [
        "DESKTOP_EPHEMERAL_PRIVATE_KEY",
        "PHONE_EPHEMERAL_PRIVATE_KEY",
    ] {
        assert_eq!(keylog.matches(label).count(), 1, "{keylog}");
    }
    let fields = [
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
        "-e",
        "hybrid.command",
    ];
    let Some(rows) = tshark(&dir.join("t.pcapng"), &fields) else {
        return;
    };
    let times: Vec<f64> = rows
        .lines()
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{rows}");
    // The request on both hops: the desktop's connection and the phone's.
    assert_eq!(rows.matches("makeCredential").count(), 2, "{rows}");
}

#[test]
fn a_scenario_over_a_real_tunnel_captures_its_real_connections() {
    let dir = scratch("keylog", "run-tunnel");
    let (_server, tunnel, _) = tunnel_server();
    let scenario =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ceremonies/qr-ios16.toml");
    let out = hybridsim()
        .current_dir(&dir)
        .arg("run")
        .arg(&scenario)
        .args([
            "--tunnel", &tunnel, "--keylog", "keys.log", "--pcapng", "caps",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let keylog = std::fs::read_to_string(dir.join("keys.log")).unwrap();
    // Two ceremonies, each with both sides' secrets.
    assert_eq!(
        keylog.matches("DESKTOP_EPHEMERAL_PRIVATE_KEY").count(),
        2,
        "{keylog}"
    );
    let captures: Vec<PathBuf> = std::fs::read_dir(dir.join("caps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(captures.len(), 1, "{captures:?}");
    let fields = ["-T", "fields", "-e", "tcp.dstport", "-e", "hybrid.command"];
    let Some(rows) = tshark(&captures[0], &fields) else {
        return;
    };
    // The bytes the sockets carried: segments to the server's own port (a capture
    // synthesised from messages uses port 80), with the requests in them on both hops.
    let port = tunnel.rsplit(':').next().unwrap();
    assert!(
        rows.lines().any(|row| row.split('\t').next() == Some(port)),
        "{rows}"
    );
    assert_eq!(rows.matches("makeCredential").count(), 2, "{rows}");
    assert_eq!(rows.matches("getAssertion").count(), 2, "{rows}");
}
