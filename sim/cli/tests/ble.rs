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

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The interpreter that has Debian's `dbus` and `dbusmock` modules (a pyenv `python3` on
/// PATH may not).
fn python() -> String {
    std::env::var("HYBRIDSIM_BLE_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether the mock's tools are here; a skip notice otherwise (a failure in CI).
fn tools_present() -> bool {
    let daemon = Command::new("dbus-daemon")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let modules = Command::new(python())
        .args(["-c", "import dbus, dbusmock, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if daemon && modules {
        return true;
    }
    let why = format!(
        "dbus-daemon ({daemon}) or {} with dbus, dbusmock and cryptography ({modules}) missing: \
         apt install dbus-daemon python3-dbusmock python3-cryptography (bash tests/run does)",
        python()
    );
    assert!(!in_ci(), "{why}");
    eprintln!("skipped: {why}");
    false
}

fn ctl_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ble_mock/bluez_ctl.py")
}

/// What the mock BlueZ starts with.
#[derive(Clone, Copy, PartialEq)]
enum Adapter {
    On,
    Off,
    Missing,
}

/// A private bus with a mock bluetoothd on it; everything it started is killed and its
/// directory removed on drop, also when the test fails.
struct MockBluez {
    dir: PathBuf,
    address: String,
    children: Vec<Child>,
}

impl Drop for MockBluez {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl MockBluez {
    /// A bus and, unless `bluez` is false, the mock BlueZ with `adapter`.
    fn start(bluez: bool, adapter: Adapter) -> MockBluez {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hybridsim-ble-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A permissive bus of our own: the distribution's system-bus policy would not let
        // the mock own org.bluez. <listen> is required even though --address replaces it.
        std::fs::write(
            dir.join("bus.conf"),
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"#,
        )
        .unwrap();
        let mut mock = MockBluez {
            address: String::new(),
            children: Vec::new(),
            dir,
        };
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!(
                "--config-file={}",
                mock.dir.join("bus.conf").display()
            ))
            .arg(format!(
                "--address=unix:path={}",
                mock.dir.join("bus.sock").display()
            ))
            .args(["--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = daemon.stdout.take().unwrap();
        mock.children.push(daemon);
        // The daemon prints its address once it listens: no waiting by the clock.
        let mut address = String::new();
        BufReader::new(stdout).read_line(&mut address).unwrap();
        mock.address = address.trim().to_owned();
        assert!(mock.address.starts_with("unix:"), "{address:?}");
        if !bluez {
            return mock;
        }
        let server = Command::new(python())
            .args(["-m", "dbusmock", "--system", "--template", "bluez5", "-l"])
            .arg(mock.dir.join("dbusmock.log"))
            .env("DBUS_SYSTEM_BUS_ADDRESS", &mock.address)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        mock.children.push(server);
        let mut setup = vec!["setup"];
        match adapter {
            Adapter::On => {}
            Adapter::Off => setup.push("--powered-off"),
            Adapter::Missing => setup.push("--no-adapter"),
        }
        let out = mock.ctl().args(&setup).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "ready",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        mock
    }

    fn on_bus(&self, mut cmd: Command) -> Command {
        cmd.env("DBUS_SYSTEM_BUS_ADDRESS", &self.address)
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        cmd
    }

    fn ctl(&self) -> Command {
        let mut cmd = Command::new(python());
        cmd.arg(ctl_script());
        self.on_bus(cmd)
    }

    /// Starts the fake phone: it advertises once a scanner has started discovery.
    fn advertise(&mut self, args: &[&str]) {
        let child = self
            .ctl()
            .arg("advertise")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.children.push(child);
    }

    /// Waits for the fake phone and returns the advert hex it printed.
    fn advertised(&mut self) -> String {
        let child = self.children.pop().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "advertiser: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn hybridsim(&self) -> Command {
        self.on_bus(Command::new(env!("CARGO_BIN_EXE_hybridsim")))
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The stderr of a failed command: exactly one line, `hybridsim: …`.
#[track_caller]
fn one_error_line(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    let text = stderr(out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].starts_with("hybridsim: "), "{text}");
    lines[0].to_owned()
}

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
