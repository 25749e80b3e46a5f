//! `hybridsim phone --real-ble` and `hybridsim ble advertise` through BlueZ's
//! LEAdvertisingManager1 on the mock BlueZ (`ble_mock`): python-dbusmock's `bluez5` template
//! has no advertising manager, so `bluez_ctl.py setup` adds one (recording
//! RegisterAdvertisement / UnregisterAdvertisement, or refusing with BlueZ's error names).
//!
//! `bluez_ctl.py watch` is the independent side: it sees each registration on the bus, reads
//! the advertisement object's properties back from the hybridsim process over D-Bus (as
//! bluetoothd does) and decrypts the service data with its own HKDF, AES and HMAC. With
//! `--relay` it also plays the air, setting that service data on a mock device, so that
//! `desktop --real-ble` (btleplug) hears the phone and the two complete a registration over
//! a loopback tunnel server.
//!
//! Nothing waits by the clock: each step waits for a line (the watcher's events, a banner,
//! the desktop's QR code) or a process's exit, and the watcher gives up on its own after a
//! bound.

#![cfg(feature = "ble")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ble_mock;
mod common;

use ble_mock::{one_error_line, stderr, tools_present, Adapter, Advertising, MockBluez};
use common::{scratch, tunnel_server, Running, ORIGIN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIDO_UUID: &str = "0000fff9-0000-1000-8000-00805f9b34fb";
const PROFILE: &str = "microsoft-authenticator-ios";

/// A QR code Chrome showed (fixtures/vectors/qr_codes.json, chrome_2022).
fn chrome_qr() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vectors/qr_codes.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    vectors["qr_codes"][0]["url"].as_str().unwrap().to_owned()
}

fn phone(mock: &MockBluez, dir: &Path, qr: &str, tunnel: &str) -> Command {
    let mut cmd = mock.hybridsim();
    cmd.current_dir(dir)
        .args(["phone", "--real-ble", "--qr", qr, "--profile", PROFILE])
        .args(["--state", "phone.json", "--tunnel", tunnel])
        .args(["--trace", "phone.jsonl", "--timeout", "60"]);
    cmd
}

/// Sends the signal `name` (`TERM`, `INT`) to `child` (the shell's `kill`: no libc here).
fn signal(child: &Child, name: &str) {
    let kill = format!("kill -{name} {}", child.id());
    let sent = Command::new("sh").args(["-c", &kill]).status().unwrap();
    assert!(sent.success());
}

/// The stderr of a process that has exited.
fn finished(mut run: Running) -> (Option<i32>, String) {
    let status = run.0.wait().unwrap();
    let mut err = String::new();
    if let Some(mut pipe) = run.0.stderr.take() {
        pipe.read_to_string(&mut err).unwrap();
    }
    (status.code(), err)
}

/// A registration event: the properties read back, one 20-byte 0xFFF9 service data entry,
/// no local name, no service-UUID list; its decryption by the watcher.
#[track_caller]
fn check_registered(event: &Value) -> Value {
    assert_eq!(event["event"], "registered", "{event}");
    assert_eq!(event["path"], "/org/hybridsim/advertisement0", "{event}");
    assert_eq!(event["keys"], json!(["ServiceData", "Type"]), "{event}");
    assert_eq!(event["type"], "peripheral", "{event}");
    let data = event["service_data"].as_object().unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), [FIDO_UUID], "{event}");
    assert_eq!(data[FIDO_UUID].as_str().unwrap().len(), 40, "{event}");
    let decrypted = event["decrypted"][FIDO_UUID].clone();
    assert!(decrypted.get("error").is_none(), "{event}");
    assert_eq!(decrypted["reserved"], 0, "{event}");
    decrypted
}

#[test]
fn the_phone_advertises_the_qr_advert_and_withdraws_it_on_sigterm() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::On);
    let (_server, tunnel, routing_id) = tunnel_server();
    let dir = scratch("bleadv", "sigterm");
    let qr = chrome_qr();
    let mut watcher = mock.watch(&["--qr", &qr]);
    let run = Running(
        phone(&mock, &dir, &qr, &tunnel)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );

    let decrypted = check_registered(&watcher.next());
    assert_eq!(decrypted["routing_id"], json!(routing_id));
    assert_eq!(decrypted["domain_id"], 0);
    signal(&run.0, "TERM");
    let (code, err) = finished(run);
    assert_eq!(code, Some(130), "{err}");
    assert_eq!(
        err.lines().last(),
        Some("hybridsim: stopped by SIGTERM; the advert was withdrawn"),
        "{err}"
    );
    let withdrawn = watcher.next();
    assert_eq!(withdrawn["event"], "unregistered", "{withdrawn}");
    assert_eq!(withdrawn["path"], "/org/hybridsim/advertisement0");
    assert!(watcher.finished());
    let trace = std::fs::read_to_string(dir.join("phone.jsonl")).unwrap();
    assert!(trace.contains("stopped by SIGTERM"), "{trace}");
}

#[test]
fn ble_advertise_sends_the_routing_id_and_domain_asked_until_ctrl_c() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::On);
    let qr = chrome_qr();
    let mut watcher = mock.watch(&["--qr", &qr]);
    let mut run = Running(
        mock.hybridsim()
            .args(["ble", "advertise", "--qr", &qr, "--routing-id", "ABCDEF"])
            .args(["--domain-id", "1", "--seconds", "600"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(run.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let event = watcher.next();
    let decrypted = check_registered(&event);
    assert_eq!(decrypted["routing_id"], "abcdef");
    assert_eq!(decrypted["domain_id"], 1);
    assert_eq!(
        line.trim(),
        format!(
            "fff9:{}",
            event["service_data"][FIDO_UUID].as_str().unwrap()
        )
    );
    signal(&run.0, "INT");
    let (code, err) = finished(run);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("domain cable.auth.com (id 1)"), "{err}");
    assert!(err.ends_with("advert withdrawn (Ctrl-C)\n"), "{err}");
    assert_eq!(watcher.next()["event"], "unregistered");
    assert!(watcher.finished());
}

#[test]
fn the_phone_withdraws_its_advert_when_the_run_fails() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::On);
    let (server, tunnel, _) = tunnel_server();
    let dir = scratch("bleadv", "fails");
    let qr = chrome_qr();
    let mut watcher = mock.watch(&[]);
    let run = Running(
        phone(&mock, &dir, &qr, &tunnel)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    assert_eq!(watcher.next()["event"], "registered");
    // The tunnel server goes away under the phone waiting for the desktop.
    drop(server);
    let (code, err) = finished(run);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("hybridsim: the phone failed at the tunnel layer"),
        "{err}"
    );
    assert!(err.contains("advert withdrawn"), "{err}");
    assert_eq!(watcher.next()["event"], "unregistered");
    assert!(watcher.finished());
}

/// The one exit-3 line of `ble advertise` and of `phone --real-ble` on `mock`.
fn advertising_lines(mock: &MockBluez) -> [String; 2] {
    let dir = scratch("bleadv-env", &mock.address.len().to_string());
    let qr = chrome_qr();
    [
        mock.hybridsim().args(["ble", "advertise", "--qr", &qr]),
        mock.hybridsim()
            .args(["phone", "--real-ble", "--qr", &qr, "--profile", PROFILE])
            .args(["--state", "p.json", "--tunnel", "ws://127.0.0.1:9"]),
    ]
    .map(|cmd| one_error_line(&cmd.current_dir(&dir).output().unwrap(), 3))
}

/// The one exit-3 line of `ble scan` on `mock`.
fn scan_line(mock: &MockBluez) -> String {
    let out = mock
        .hybridsim()
        .args(["ble", "scan", "--seconds", "1"])
        .output()
        .unwrap();
    one_error_line(&out, 3)
}

#[test]
fn without_a_bus_bluez_adapter_or_power_advertising_fails_as_the_scan_does() {
    // No bus at all: under a second, without any mock.
    let nowhere = std::env::temp_dir().join(format!("hybridsim-nobus-{}", std::process::id()));
    let qr = chrome_qr();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["ble", "advertise", "--qr", &qr])
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path={}/bus.sock", nowhere.display()),
        )
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let line = one_error_line(&out, 3);
    assert!(line.starts_with("hybridsim: no D-Bus system bus"), "{line}");
    if !tools_present() {
        return;
    }
    let cases = [
        (
            false,
            Adapter::Missing,
            "hybridsim: no BlueZ service on the D-Bus system bus",
        ),
        (
            true,
            Adapter::Missing,
            "hybridsim: BlueZ has no Bluetooth adapter; plug in",
        ),
        (
            true,
            Adapter::Off,
            "hybridsim: Bluetooth adapter hci0 (usb:v1D6Bp0245d050A) is powered off; turn it on",
        ),
    ];
    for (bluez, adapter, expected) in cases {
        let mock = MockBluez::start(bluez, adapter);
        let scan = scan_line(&mock);
        let [advertise, phone] = advertising_lines(&mock);
        assert!(scan.starts_with(expected), "{scan}");
        assert_eq!(advertise, scan);
        assert_eq!(phone, scan);
        if adapter == Adapter::Off {
            let log = std::fs::read_to_string(mock.dir.join("dbusmock.log")).unwrap();
            assert!(!log.contains("Powered True"), "{log}");
            assert!(!log.contains("RegisterAdvertisement"), "{log}");
        }
    }
}

#[test]
fn an_adapter_that_cannot_advertise_fails_before_anything_is_sent() {
    if !tools_present() {
        return;
    }
    let cases = [
        (
            "absent",
            "cannot advertise (BlueZ offers no LEAdvertisingManager1 on it); use an adapter",
        ),
        (
            "full",
            "has no advertising slot free (MaxAdvertisements reached); stop the other",
        ),
    ];
    for (mode, expected) in cases {
        let advertising = Advertising {
            mode,
            denied: false,
        };
        let mock = MockBluez::start_with(true, Adapter::On, advertising);
        let [advertise, phone] = advertising_lines(&mock);
        let adapter = "hybridsim: Bluetooth adapter hci0 (usb:v1D6Bp0245d050A) ";
        assert_eq!(
            advertise,
            format!("{adapter}{}", advertise.trim_start_matches(adapter))
        );
        assert!(advertise.contains(expected), "{advertise}");
        assert_eq!(phone, advertise);
        let log = std::fs::read_to_string(mock.dir.join("dbusmock.log")).unwrap();
        assert!(!log.contains("RegisterAdvertisement"), "{log}");
    }
}

#[test]
fn a_registration_bluez_refuses_is_one_line_and_exit_3() {
    if !tools_present() {
        return;
    }
    let qr = chrome_qr();
    let cases = [
        (Advertising { mode: "busy", denied: false }, "hybridsim: Bluetooth adapter hci0 (usb:v1D6Bp0245d050A) has no advertising slot free (MaxAdvertisements reached)"),
        (Advertising { mode: "refuse", denied: false }, "hybridsim: BlueZ refused the advertisement (org.bluez.Error.Failed: Failed to parse advertisement.); see bluetoothd's log"),
        (Advertising { mode: "ok", denied: true }, "hybridsim: not allowed to use Bluetooth ("),
    ];
    for (advertising, expected) in cases {
        let mock = MockBluez::start_with(true, Adapter::On, advertising);
        let out = mock
            .hybridsim()
            .args(["ble", "advertise", "--qr", &qr])
            .output()
            .unwrap();
        let line = one_error_line(&out, 3);
        assert!(line.starts_with(expected), "{line}");
        let log = std::fs::read_to_string(mock.dir.join("dbusmock.log")).unwrap();
        assert_eq!(
            log.contains("RegisterAdvertisement"),
            !advertising.denied,
            "{log}"
        );
        assert!(!log.contains("UnregisterAdvertisement"), "{log}");
    }
}

#[test]
fn a_refused_registration_stops_the_phone_with_its_trace() {
    if !tools_present() {
        return;
    }
    let advertising = Advertising {
        mode: "refuse",
        denied: false,
    };
    let mock = MockBluez::start_with(true, Adapter::On, advertising);
    let (_server, tunnel, _) = tunnel_server();
    let dir = scratch("bleadv", "refused");
    let out = phone(&mock, &dir, &chrome_qr(), &tunnel).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("hybridsim: BlueZ refused the advertisement (org.bluez.Error.Failed"),
        "{err}"
    );
    let trace = std::fs::read_to_string(dir.join("phone.jsonl")).unwrap();
    assert!(
        trace.contains("the radio failed: BlueZ refused the advertisement"),
        "{trace}"
    );
    assert!(trace.contains("/cable/new/"), "{trace}");
}

#[test]
fn desktop_real_ble_hears_phone_real_ble_and_the_rp_verifies_the_registration() {
    if !tools_present() {
        return;
    }
    let mock = MockBluez::start(true, Adapter::On);
    let (_server, tunnel, _) = tunnel_server();
    let dir = scratch("bleadv", "e2e");
    let mut watcher = mock.watch(&["--relay"]);
    let mut desktop = Running(
        mock.hybridsim()
            .current_dir(&dir)
            .args([
                "desktop",
                "create",
                "--real-ble",
                "--options",
                "create.json",
            ])
            .args(["--origin", ORIGIN, "--tunnel", &tunnel, "--qr-out", "-"])
            .args(["--trace", "desktop.jsonl", "--timeout", "60"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut desktop_out = BufReader::new(desktop.0.stdout.take().unwrap());
    let mut qr = String::new();
    desktop_out.read_line(&mut qr).unwrap();
    assert!(qr.starts_with("FIDO:/"), "{qr:?}");
    let phone = Running(
        phone(&mock, &dir, qr.trim(), &tunnel)
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );

    let mut registration = String::new();
    desktop_out.read_to_string(&mut registration).unwrap();
    let (code, desktop_err) = finished(desktop);
    assert_eq!(code, Some(0), "desktop: {desktop_err}");
    assert!(
        desktop_err.contains("heard fff9 advert (20 B) from C0:FF:EE:00:00:09 rssi -45"),
        "{desktop_err}"
    );
    let mut phone = phone;
    let mut phone_out = String::new();
    phone
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut phone_out)
        .unwrap();
    let (code, phone_err) = finished(phone);
    assert_eq!(code, Some(0), "phone: {phone_err}");
    assert!(
        phone_out.contains("served makeCredential: status 0x00"),
        "{phone_out}"
    );
    assert_eq!(watcher.next()["event"], "registered");
    assert_eq!(watcher.next()["event"], "unregistered");
    assert!(watcher.finished());

    std::fs::write(dir.join("registration.json"), &registration).unwrap();
    let ca = format!(
        "{}/../../fixtures/attestation/ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let verified = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .current_dir(&dir)
        .args(["rp", "verify-registration", "--options", "create.json"])
        .args(["--response", "registration.json", "--origin", ORIGIN])
        .args([
            "--trust",
            &ca,
            "--require-attestation",
            "--now",
            "1800000000",
        ])
        .output()
        .unwrap();
    assert!(verified.status.success(), "{}", stderr(&verified));
}
