//! The `hybridsim` binary as scripts use it: exact argument forms, JSON on stdout, one-line
//! errors on stderr, exit codes 0 / 1 (no match) / 2 (bad input).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const CHROME_2022: &str = "FIDO:/162870791865632382552704231438327900152302540348097243854039966655366469794954476199158014113179232779520163209900691930075274801398564434658077048963842109321447142660";

fn hybridsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .output()
        .expect("run hybridsim")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object on one line: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

/// Asserts exit `code` and exactly one stderr line containing `needle`.
fn assert_fails(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn vectors(name: &str) -> Value {
    let path = format!(
        "{}/../../fixtures/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn decode_qr_json_has_the_documented_fields_and_the_vector_values() {
    let out = json_of(&hybridsim(&["decode", "qr", CHROME_2022, "--json"]));
    let crosscheck = &vectors("derived_crosschecks.json")["qr_decodings"][0];
    let d = &crosscheck["decoded"];
    assert_eq!(out["public_key"], d["0_compressed_public_key_hex"]);
    assert_eq!(
        out["public_key_uncompressed"],
        crosscheck["public_key_uncompressed_hex"]
    );
    assert_eq!(out["secret"], d["1_qr_secret_hex"]);
    assert_eq!(out["known_domains"], 2);
    assert_eq!(out["timestamp"], 1666589051);
    assert_eq!(out["linking"], true);
    assert_eq!(out["request_type"], "mc");
    assert_eq!(
        out["tunnel_id"],
        vectors("qr_codes.json")["qr_codes"][0]["expected"]["tunnel_id_hex"]
    );
    assert_eq!(out["eid_key"].as_str().unwrap().len(), 128);
    assert_eq!(out["unknown_keys"], serde_json::json!([]));
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..10],
        [
            "public_key",
            "public_key_uncompressed",
            "secret",
            "known_domains",
            "timestamp",
            "linking",
            "request_type",
            "tunnel_id",
            "eid_key",
            "unknown_keys"
        ]
    );
}

#[test]
fn encode_qr_reproduces_chromes_string_and_its_png_reads_back() {
    let dir = std::env::temp_dir().join(format!("hybridsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("chrome.png");
    let out = hybridsim(&[
        "encode",
        "qr",
        "--public-key",
        "03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea",
        "--secret",
        "871bcec9c1227f91ccb86c9ffacd9eac",
        "--known-domains",
        "2",
        "--timestamp",
        "1666589051",
        "--linking",
        "true",
        "--request-type",
        "mc",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        CHROME_2022
    );
    let decoded = json_of(&hybridsim(&[
        "decode",
        "qr",
        png.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(decoded["secret"], "871bcec9c1227f91ccb86c9ffacd9eac");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn encode_qr_terminal_drawing_reads_back() {
    let out = hybridsim(&[
        "encode",
        "qr",
        "--public-key",
        "03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea",
        "--secret",
        "871bcec9c1227f91ccb86c9ffacd9eac",
        "--terminal",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let (url, drawing) = text.split_once('\n').unwrap();
    assert!(url.starts_with("FIDO:/"));
    assert_eq!(
        hybridsim_optical::read_terminal(drawing).unwrap(),
        vec![url.to_owned()]
    );
}

#[test]
fn bad_qr_inputs_exit_2_with_one_line() {
    assert_fails(
        &hybridsim(&["decode", "qr", "garbage"]),
        2,
        "neither a FIDO:/ string nor an existing image file",
    );
    assert_fails(
        &hybridsim(&["decode", "qr", "FIDO:/999"]),
        2,
        "digit group 0: value 999 exceeds 1 byte(s)",
    );
    assert_fails(&hybridsim(&["decode", "qr", "FIDO:/000"]), 2, "not a map");
    let not_png = std::env::temp_dir().join(format!("hybridsim-not-png-{}", std::process::id()));
    std::fs::write(&not_png, b"definitely not an image").unwrap();
    assert_fails(
        &hybridsim(&["decode", "qr", not_png.to_str().unwrap()]),
        2,
        not_png.to_str().unwrap(),
    );
    std::fs::remove_file(not_png).unwrap();
    assert_fails(
        &hybridsim(&["encode", "qr", "--public-key", "02", "--secret", "00"]),
        2,
        "--public-key",
    );
}

#[test]
fn advert_round_trip_mismatch_and_length_rules() {
    let secret = "00112233445566778899aabbccddeeff";
    let make = |domain: &str| {
        let out = hybridsim(&[
            "encode",
            "advert",
            "--secret",
            secret,
            "--nonce",
            "098b736b36a98cb9a42f",
            "--routing-id",
            "090a0b",
            "--domain-id",
            domain,
        ]);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let advert = make("0x01ff");
    assert_eq!(advert.len(), 40);
    let out = json_of(&hybridsim(&[
        "decode", "advert", "--secret", secret, &advert, "--json",
    ]));
    let want = &vectors("advert.json")["plaintext_parsing"];
    assert_eq!(out["plaintext"], want["plaintext_hex"]);
    assert_eq!(out["nonce"], want["expected"]["nonce_hex"]);
    assert_eq!(out["routing_id"], "090A0B");
    assert_eq!(out["domain_id"], 511);
    assert_eq!(out["domain"], "cable.3nfla3itbwmsb.com");

    let other_secret = "ffeeddccbbaa99887766554433221100";
    assert_fails(
        &hybridsim(&[
            "decode",
            "advert",
            "--secret",
            other_secret,
            &advert,
            "--json",
        ]),
        1,
        "advert not for this QR secret",
    );
    assert_fails(
        &hybridsim(&[
            "decode",
            "advert",
            "--secret",
            secret,
            &format!("{advert}00"),
        ]),
        2,
        "--allow-suffix",
    );
    let suffixed = json_of(&hybridsim(&[
        "decode",
        "advert",
        "--secret",
        secret,
        &format!("fde2:{advert}a10119"),
        "--allow-suffix",
        "--json",
    ]));
    assert_eq!(
        (
            suffixed["suffix"].as_str(),
            suffixed["service_uuid"].as_str()
        ),
        (Some("a10119"), Some("fde2"))
    );
    assert_fails(
        &hybridsim(&["decode", "advert", "--secret", "0011", &advert]),
        2,
        "expected 16 bytes",
    );
    assert_fails(
        &hybridsim(&["decode", "advert", "--secret", secret, "zz"]),
        2,
        "not a hex digit",
    );

    // A valid tag over an unassigned domain: fields shown, but the verdict is exit 1.
    let out = hybridsim(&["decode", "advert", "--secret", secret, &make("7"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (shown["domain"].clone(), shown["acceptable"].clone()),
        (Value::Null, Value::Bool(false))
    );
}

#[test]
fn decode_advert_takes_the_secret_from_a_qr_string() {
    let advert = hybridsim(&[
        "encode",
        "advert",
        "--qr",
        CHROME_2022,
        "--nonce",
        "00000000000000000001",
        "--routing-id",
        "C0FFEE",
    ]);
    let advert = String::from_utf8(advert.stdout).unwrap();
    let out = json_of(&hybridsim(&[
        "decode",
        "advert",
        "--qr",
        CHROME_2022,
        advert.trim(),
        "--json",
    ]));
    assert_eq!(
        (out["routing_id"].as_str(), out["domain"].as_str()),
        (Some("C0FFEE"), Some("cable.ua5v.com"))
    );
}

#[test]
fn decode_domain_matches_the_vectors_and_refuses_reserved_ids() {
    for case in vectors("tunnel_domains.json")["vectors"]
        .as_array()
        .unwrap()
    {
        let (Some(id), Some(host)) = (case["id"].as_u64(), case["host"].as_str()) else {
            continue;
        };
        let out = hybridsim(&["decode", "domain", &id.to_string()]);
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), host);
    }
    for id in ["2", "255", "0xff"] {
        assert_fails(&hybridsim(&["decode", "domain", id]), 2, "reserved");
    }
    assert_fails(
        &hybridsim(&["decode", "domain", "65536"]),
        2,
        "not a number from 0 to 65535",
    );
    let j = json_of(&hybridsim(&["decode", "domain", "0xf980", "--json"]));
    assert_eq!(
        (j["host"].as_str(), j["kind"].as_str()),
        (Some("cable.my4kstlhndi4c.net"), Some("hashed"))
    );
}

#[test]
fn decode_url_reports_route_ids_and_checks() {
    let urls = vectors("advert.json")["roundtrip_and_urls"]["expected_urls"].clone();
    let connect = urls["connect_0xf980"].as_str().unwrap();
    let j = json_of(&hybridsim(&[
        "decode",
        "url",
        connect,
        "--secret",
        "00000000000000000000000000000000",
        "--json",
    ]));
    assert_eq!(j["route"], "connect");
    assert_eq!(j["routing_id"], "090A0B");
    assert_eq!(j["tunnel_id"], "3EEF97097986413B059EAA2A30D653D4");
    assert_eq!(j["canonical"], connect);
    let checks = j["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    assert!(checks.iter().any(|c| c["detail"] == "domain id 63872"));

    let lower = connect
        .to_lowercase()
        .replace("wss://cable.my4kstlhndi4c.net", "ws://127.0.0.1:8080");
    let j = json_of(&hybridsim(&["decode", "url", &lower, "--json"]));
    assert_eq!(
        j["canonical"],
        "ws://127.0.0.1:8080/cable/connect/090A0B/3EEF97097986413B059EAA2A30D653D4"
    );

    assert_fails(
        &hybridsim(&[
            "decode",
            "url",
            connect,
            "--secret",
            "01000000000000000000000000000000",
        ]),
        1,
        "tunnel id is not the one",
    );
    assert_fails(
        &hybridsim(&["decode", "url", "wss://x/cable/new/C0FFEE"]),
        2,
        "tunnel id is 6 hex digits; expected 32",
    );
    assert_fails(
        &hybridsim(&["decode", "url", "https://x/"]),
        2,
        "wss:// or ws://",
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = hybridsim(&["decode", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    let help = hybridsim(&["--help"]);
    assert!(String::from_utf8(help.stdout)
        .unwrap()
        .contains("Exit codes"));
}

#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    // `hybridsim … | head -1`: the reader may be gone before the tool writes.
    for args in [
        &["authenticator", "profiles"][..],
        &["decode", "qr", CHROME_2022][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// An input echoed in an error is cut and its length given, not repeated whole.
#[test]
fn errors_echo_long_inputs_cut_with_their_length() {
    let long = "x".repeat(100_000);
    let dir = std::env::temp_dir().join(format!("hybridsim-cli-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for args in [
        vec!["decode", "domain", long.as_str()],
        vec!["decode", "qr", long.as_str()],
        vec![
            "authenticator",
            "create",
            "--options",
            "o.json",
            "--origin",
            "https://a.example",
            "--state",
            "s.json",
            "--profile",
            long.as_str(),
        ],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{:?}", &args[..2]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.len() < 2048,
            "{} bytes on stderr for {:?}",
            err.len(),
            &args[..2]
        );
        assert!(err.contains("(100000 bytes"), "{:?}: {err}", &args[..2]);
    }
}

/// Devices and oversized files are refused where a file is expected, instead of being read
/// until memory runs out.
/// A scenario folder holding a `z.toml` symlink to `/dev/zero`: read whole, it never ended
/// (or ran out of memory); now the file is refused, named on one line, exit 2.
#[test]
fn run_refuses_a_scenario_file_that_is_a_device_without_hanging() {
    let dir = std::env::temp_dir().join(format!("hybridsim-cli-zero-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("z.toml")).unwrap();
    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let line = format!(
        "{}: not a regular file (a device, FIFO or directory): give a file",
        dir.join("z.toml").display()
    );
    assert_eq!(
        stdout.lines().filter(|l| l.trim() == line).count(),
        1,
        "{stdout}"
    );
}

/// `--keylog` naming a device or a FIFO: the key log was read whole before appending
/// (`/dev/zero` never ended) or opened for appending (a FIFO waits for a reader). Now it is
/// refused as any named input is, exit 2, after the phone's state was saved.
#[test]
fn ceremony_refuses_a_key_log_that_is_a_device_or_a_fifo_without_hanging() {
    let dir = std::env::temp_dir().join(format!("hybridsim-cli-keylog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("create.json"),
        r#"{"rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}"#,
    )
    .unwrap();
    let fifo = dir.join("keys.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for keylog in [Path::new("/dev/zero"), &fifo] {
        let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(["ceremony", "create", "--options", "create.json"])
            .args(["--origin", "https://login.example", "--state", "phone.json"])
            .args(["--profile", "microsoft-authenticator-ios", "--keylog"])
            .arg(keylog)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_fails(
            &out,
            2,
            &format!(
                "--keylog {} is not a regular file (a device, FIFO or directory)",
                keylog.display()
            ),
        );
    }
}

#[test]
fn file_inputs_are_capped_and_regular_files_only() {
    let dir = std::env::temp_dir().join(format!("hybridsim-cli-caps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.png");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    let big = big.to_str().unwrap();
    for (args, expected) in [
        (vec!["decode", "qr", "/dev/zero"], "not a regular file"),
        (vec!["decode", "qr", big], "16 MiB"),
        (
            vec![
                "tunnel",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                "/dev/zero",
                "--tls-key",
                "/dev/zero",
            ],
            "not a regular file",
        ),
        (
            vec![
                "authenticator",
                "create",
                "--options",
                "/dev/zero",
                "--origin",
                "https://a.example",
                "--state",
                "s.json",
                "--profile",
                "microsoft-authenticator-ios",
            ],
            "not a regular file",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
