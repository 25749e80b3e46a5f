//! `hybridsim ble scan` and `hybridsim desktop --real-ble` through the real btleplug → BlueZ
//! D-Bus path, with no radio: each test starts its own private `dbus-daemon` as the system
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`, given to the child processes only) and python-dbusmock's
//! `bluez5` template as bluetoothd.
//!
//! The adverts are made by `ble_mock/bluez_ctl.py` with Python's `cryptography` and its own
//! HKDF, not with hybridsim's code, so a decrypted advert checks hybridsim's key derivation,
//! AES and tag against an independent implementation.
//!
//! Needs `dbus-daemon`, `python3-dbusmock` and `python3-cryptography` (Debian; `bash
//! tests/run` installs them). Without them the tests are skipped, except in CI.

#![cfg(feature = "ble")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ble_mock;

use ble_mock::{one_error_line, stderr, tools_present, Adapter, MockBluez};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const SECRET: &str = "00112233445566778899aabbccddeeff";

#[test]
fn scan_decrypts_an_fff9_advert_made_for_the_secret() {
    if !tools_present() {
        return;
    }
    let mut mock = MockBluez::start(true, Adapter::On);
    mock.advertise(&[
        "--secret",
        SECRET,
        "--nonce",
        "0102030405060708090a",
        "--routing-id",
        "abcdef",
        "--domain-id",
        "1",
        "--rssi",
        "-57",
        "--address",
        "5A:11:22:33:44:55",
    ]);
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--secret", SECRET, "--count", "1"])
        .args(["--seconds", "60", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let advert = mock.advertised();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let seen: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(seen["address"], "5A:11:22:33:44:55");
    assert_eq!(seen["rssi"], -57);
    assert_eq!(seen["uuid"], "fff9");
    assert_eq!(seen["length"], 20);
    assert_eq!(seen["form"], "20-byte");
    assert_eq!(seen["data"], json!(advert));
    assert!(seen["at_ms"].is_u64(), "{seen}");
    assert_eq!(
        seen["decrypted"],
        json!({
            "for_secret": 1,
            "nonce": "0102030405060708090a",
            "routing_id": "ABCDEF",
            "domain_id": 1,
            "domain": "cable.auth.com",
            "suffix": null,
        })
    );
}

#[test]
fn scan_shows_a_longer_fde2_advert_as_ctap_2_3_and_decrypts_with_a_real_qr_code() {
    if !tools_present() {
        return;
    }
    // A QR code Chrome showed (fixtures/vectors/qr_codes.json, chrome_2022).
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vectors/qr_codes.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let qr = vectors["qr_codes"][0]["url"].as_str().unwrap().to_owned();
    let qr_file = std::env::temp_dir().join(format!("hybridsim-ble-qr-{}", std::process::id()));
    std::fs::write(&qr_file, format!("{qr}\n")).unwrap();
    let mut mock = MockBluez::start(true, Adapter::On);
    mock.advertise(&[
        "--wait-qr",
        qr_file.to_str().unwrap(),
        "--uuid16",
        "fde2",
        "--suffix",
        "c0ffee",
        "--nonce",
        "aaaaaaaaaaaaaaaaaaaa",
        "--routing-id",
        "000102",
        "--domain-id",
        "0",
    ]);
    let out = mock
        .hybridsim()
        .args([
            "ble",
            "scan",
            "--qr",
            &qr,
            "--count",
            "1",
            "--seconds",
            "60",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&qr_file);
    assert!(out.status.success(), "{}", stderr(&out));
    let advert = mock.advertised();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("C0:FF:EE:00:00:01"), "{stdout}");
    assert!(lines[0].contains("fde2  23 B ctap2.3-suffix"), "{stdout}");
    assert!(lines[0].ends_with(&advert), "{stdout}");
    assert!(advert.ends_with("c0ffee"), "{advert}");
    assert!(
        lines[1].trim().starts_with(
            "secret #1: nonce aaaaaaaaaaaaaaaaaaaa  routing id 000102  domain cable.ua5v.com (id 0)  \
             suffix c0ffee (CTAP 2.3 suffix of 3 bytes: channel-keyed: unreadable"
        ),
        "{stdout}"
    );
}

#[test]
fn scan_with_a_secret_that_never_matches_exits_1() {
    if !tools_present() {
        return;
    }
    let mut mock = MockBluez::start(true, Adapter::On);
    mock.advertise(&[
        "--secret",
        SECRET,
        "--nonce",
        "0102030405060708090a",
        "--routing-id",
        "abcdef",
        "--domain-id",
        "0",
    ]);
    // Another secret: the advert is listed but not decrypted.
    let other = "ffeeddccbbaa99887766554433221100";
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--secret", other, "--count", "1"])
        .args(["--seconds", "60", "--json"])
        .output()
        .unwrap();
    let line = one_error_line(&out, 1);
    let advert = mock.advertised();
    assert_eq!(
        line,
        "hybridsim: no advert decrypted with the given secret(s) (1 hybrid adverts heard)"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["data"], json!(advert));
    assert_eq!(first["decrypted"], json!({"for_secret": null}));
}

#[test]
fn no_system_bus_is_one_line_and_exit_3() {
    let dir = std::env::temp_dir().join(format!("hybridsim-ble-nobus-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["ble", "scan", "--seconds", "1"])
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path={}/bus.sock", dir.display()),
        )
        .output()
        .unwrap();
    let line = one_error_line(&out, 3);
    assert!(line.starts_with("hybridsim: no D-Bus system bus"), "{line}");
    assert!(line.contains("DBUS_SYSTEM_BUS_ADDRESS"), "{line}");
}

#[test]
fn a_bus_without_bluez_is_one_line_and_exit_3() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(false, Adapter::Missing);
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--seconds", "1"])
        .output()
        .unwrap();
    let line = one_error_line(&out, 3);
    assert!(
        line.starts_with("hybridsim: no BlueZ service on the D-Bus system bus"),
        "{line}"
    );
    assert!(line.contains("bluetoothd"), "{line}");
}

#[test]
fn no_adapter_is_one_line_and_exit_3() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::Missing);
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--seconds", "1"])
        .output()
        .unwrap();
    let line = one_error_line(&out, 3);
    assert!(
        line.starts_with("hybridsim: BlueZ has no Bluetooth adapter; plug in"),
        "{line}"
    );
}

#[test]
fn adapter_off_is_one_line_and_exit_3_and_is_not_switched_on() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::Off);
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--seconds", "1"])
        .output()
        .unwrap();
    let line = one_error_line(&out, 3);
    assert!(
        line.starts_with("hybridsim: Bluetooth adapter hci0"),
        "{line}"
    );
    assert!(line.contains("is powered off; turn it on"), "{line}");
    let log = std::fs::read_to_string(mock.dir.join("dbusmock.log")).unwrap();
    assert!(!log.contains("StartDiscovery"), "{log}");
    assert!(!log.contains("Powered True"), "{log}");
}

#[test]
fn desktop_real_ble_matches_the_phone_advert_then_reports_the_unreachable_tunnel() {
    if !tools_present() {
        return;
    }
    let mut mock = MockBluez::start(true, Adapter::On);
    std::fs::write(
        mock.dir.join("create.json"),
        json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
        })
        .to_string(),
    )
    .unwrap();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tunnel = format!("ws://{}", closed.local_addr().unwrap());
    drop(closed);
    let qr_file = mock.dir.join("qr.txt");
    // The fake phone reads the QR code the desktop writes, as a camera would.
    mock.advertise(&[
        "--wait-qr",
        qr_file.to_str().unwrap(),
        "--nonce",
        "99999999999999999999",
        "--routing-id",
        "123456",
        "--domain-id",
        "0",
    ]);
    let out = mock
        .hybridsim()
        .current_dir(&mock.dir)
        .args([
            "desktop",
            "create",
            "--real-ble",
            "--options",
            "create.json",
        ])
        .args(["--origin", "https://login.example", "--tunnel", &tunnel])
        .args([
            "--qr-out",
            "qr.txt",
            "--trace",
            "trace.jsonl",
            "--timeout",
            "60",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let advert = mock.advertised();
    let last = err.lines().last().unwrap();
    let port = tunnel.rsplit(':').next().unwrap();
    assert!(
        last.starts_with(&format!(
            "hybridsim: cannot reach the tunnel host 127.0.0.1 for {tunnel}/cable/connect/123456/"
        )),
        "{err}"
    );
    assert!(
        last.ends_with(&format!(
            "connection to 127.0.0.1:{port} refused (nothing listens there)"
        )),
        "{err}"
    );
    assert!(
        err.contains("heard fff9 advert (20 B) from C0:FF:EE:00:00:01 rssi -42"),
        "{err}"
    );
    let trace = std::fs::read_to_string(mock.dir.join("trace.jsonl")).unwrap();
    assert!(trace.contains(&advert), "{trace}");
    assert!(trace.contains("/cable/connect/123456/"), "{trace}");
}
