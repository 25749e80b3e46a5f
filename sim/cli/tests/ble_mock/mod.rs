//! The mock BlueZ the BLE process tests run against: a private `dbus-daemon` as the system
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`, given to the child processes only) and python-dbusmock's
//! `bluez5` template as bluetoothd, driven by `bluez_ctl.py` beside this file (adapters,
//! the advertising manager the template lacks, fake phones, a watcher of registrations).
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Lines};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The interpreter that has Debian's `dbus` and `dbusmock` modules (a pyenv `python3` on
/// PATH may not).
pub fn python() -> String {
    std::env::var("HYBRIDSIM_BLE_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether the mock's tools are here; a skip notice otherwise (a failure in CI).
pub fn tools_present() -> bool {
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

pub fn ctl_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ble_mock/bluez_ctl.py")
}

/// What the mock BlueZ starts with.
#[derive(Clone, Copy, PartialEq)]
pub enum Adapter {
    On,
    Off,
    Missing,
}

/// A private bus with a mock bluetoothd on it; everything it started is killed and its
/// directory removed on drop, also when the test fails.
pub struct MockBluez {
    pub dir: PathBuf,
    pub address: String,
    children: Vec<Child>,
}

/// How the mock's adapter advertises (`bluez_ctl.py setup --advertising`), and whether the
/// bus policy refuses every call to the advertising manager (a user BlueZ does not allow).
#[derive(Clone, Copy)]
pub struct Advertising {
    pub mode: &'static str,
    pub denied: bool,
}

impl Advertising {
    pub const OK: Advertising = Advertising {
        mode: "ok",
        denied: false,
    };
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
    pub fn start(bluez: bool, adapter: Adapter) -> MockBluez {
        MockBluez::start_with(bluez, adapter, Advertising::OK)
    }

    /// As [`MockBluez::start`], the adapter's advertising as `advertising` says.
    pub fn start_with(bluez: bool, adapter: Adapter, advertising: Advertising) -> MockBluez {
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
    DENY
  </policy>
</busconfig>
"#
            .replace(
                "DENY",
                if advertising.denied {
                    r#"<deny send_interface="org.bluez.LEAdvertisingManager1"/>"#
                } else {
                    ""
                },
            ),
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
        let mut setup = vec!["setup", "--advertising", advertising.mode];
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

    pub fn on_bus(&self, mut cmd: Command) -> Command {
        cmd.env("DBUS_SYSTEM_BUS_ADDRESS", &self.address)
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        cmd
    }

    pub fn ctl(&self) -> Command {
        let mut cmd = Command::new(python());
        cmd.arg(ctl_script());
        self.on_bus(cmd)
    }

    /// Starts the fake phone: it advertises once a scanner has started discovery.
    pub fn advertise(&mut self, args: &[&str]) {
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
    pub fn advertised(&mut self) -> String {
        let child = self.children.pop().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "advertiser: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn hybridsim(&self) -> Command {
        self.on_bus(Command::new(env!("CARGO_BIN_EXE_hybridsim")))
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The stderr of a failed command: exactly one line, `hybridsim: …`.
#[track_caller]
pub fn one_error_line(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    let text = stderr(out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].starts_with("hybridsim: "), "{text}");
    lines[0].to_owned()
}

/// `bluez_ctl.py watch`, listening: its JSON event lines, read as they come.
pub struct Watcher {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl MockBluez {
    /// Starts a watcher of advertisement registrations and waits until it listens.
    pub fn watch(&self, args: &[&str]) -> Watcher {
        let mut child = self
            .ctl()
            .arg("watch")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().map(|l| l.unwrap());
        assert_eq!(first.as_deref(), Some("watching"));
        Watcher { child, lines }
    }
}

impl Watcher {
    /// The next event (the watcher gives up, with a `deadline` event, after its own bound).
    #[track_caller]
    pub fn next(&mut self) -> Value {
        let line = self.lines.next().unwrap().unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// Waits for the watcher to exit (it does after its `--until` event).
    pub fn finished(mut self) -> bool {
        self.child.wait().unwrap().success()
    }
}
