//! What the process tests share: a scratch folder with WebAuthn options files, the binary,
//! and a guard that stops a child process a failing test leaves behind.
#![allow(dead_code)]

use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The origin of the browser tab in every test.
pub const ORIGIN: &str = "https://login.example";

/// Kills a process a failing test leaves behind.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `hybridsim` binary under test.
pub fn hybridsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
}

/// A fresh folder `hybridsim-{prefix}-{tag}-{pid}` holding `create.json` (a passkey
/// registration for login.example) and `get.json` (a sign-in).
pub fn scratch(prefix: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hybridsim-{prefix}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("create.json"),
        json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
            "attestation": "direct"
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("get.json"),
        json!({"challenge": "c2lnbi1pbg", "rpId": "login.example", "userVerification": "required"})
            .to_string(),
    )
    .unwrap();
    dir
}

/// `hybridsim tunnel serve` on a free loopback port: its `ws://` URL and routing id
/// (lower-case hex), from the banner it prints once it listens.
pub fn tunnel_server() -> (Running, String, String) {
    let mut child = hybridsim()
        .args(["tunnel", "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let after = |marker: &str| {
        let rest = banner
            .split(marker)
            .nth(1)
            .unwrap_or_else(|| panic!("no {marker} in {banner:?}"));
        rest.split([' ', ')']).next().unwrap().to_owned()
    };
    let (url, routing_id) = (format!("ws://{}", after("ws://")), after("routing id "));
    std::thread::spawn(move || lines.for_each(drop));
    (Running(child), url, routing_id.to_lowercase())
}

/// The interpreter in environment variable `var` (a virtualenv `bash tests/run` makes), or
/// `None` to skip the test; under CI a missing one fails the test instead.
pub fn python(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") => {
            panic!("{var} is not set: run bash tests/run, which installs the interop tools")
        }
        _ => {
            eprintln!("skipped: {var} not set (bash tests/run sets it)");
            None
        }
    }
}

/// The stdout of a process that must have succeeded (its exit and both streams shown when it
/// did not).
pub fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Python `fido2`'s relying party (`tests/interop/fido2_rp.py`) for login.example, run by
/// the interpreter `py` in `dir` with `args`.
pub fn fido2_rp(py: &str, dir: &Path, args: &[&str]) -> Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/fido2_rp.py");
    Command::new(py)
        .arg(script)
        .args(["--rp-id", "login.example", "--origin", ORIGIN])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// What tshark prints for `pcapng` with the project's dissector (`tools/wireshark/hybrid.lua`)
/// and `extra` options, once it read the file without a dissector error; `None` to skip the
/// test when tshark is missing (under CI a missing one fails it instead).
pub fn tshark(pcapng: &Path, extra: &[&str]) -> Option<String> {
    if Command::new("tshark").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "tshark is not installed: bash tests/run installs it"
        );
        eprintln!("skipped: tshark is not installed");
        return None;
    }
    let lua = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/wireshark/hybrid.lua");
    let out = Command::new("tshark")
        .args(["-X", &format!("lua_script:{}", lua.display()), "-r"])
        .arg(pcapng)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("Lua: Error"),
        "{stderr}"
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Carries every line `from` gives (a phone's advert lines) to `to` (a desktop's stdin) as it
/// comes, and returns them once `from` ends. A desktop that has its advert may stop reading,
/// so a failed write is not an error.
pub fn relay_lines(
    from: impl Read + Send + 'static,
    mut to: impl Write + Send + 'static,
) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut carried = Vec::new();
        for line in BufReader::new(from).lines() {
            let line = line.unwrap();
            let _ = writeln!(to, "{line}");
            carried.push(line);
        }
        carried
    })
}
