//! `hybridsim rp check` drives relying parties that serve the FIDO2 conformance API through
//! full hybrid ceremonies: our own `hybridsim rp serve`, and python `fido2`'s Fido2Server
//! (tests/interop/fido2_conformance_server.py), an RP written by someone else.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const ORIGIN: &str = "https://login.example";

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first `http://HOST:PORT` in a readiness line.
fn url_in(line: &str) -> String {
    let start = line
        .find("http://")
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    line[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .to_owned()
}

fn check(url: &str, junit: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["rp", "check", url, "--junit", junit.to_str().unwrap()])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[track_caller]
fn assert_all_pass(code: Option<i32>, table: &str, junit: &Path) {
    assert_eq!(code, Some(0), "{table}");
    for name in [
        "attestation options well formed",
        "registration from another origin refused",
        "registration accepted",
        "replayed registration refused",
        "assertion options well formed",
        "assertion with a bad signature refused",
        "assertion accepted",
        "replayed assertion refused",
    ] {
        assert!(table.contains(&format!("pass  {name}")), "{name}: {table}");
    }
    assert!(table.contains("8 passed, 0 failed"), "{table}");
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains("tests=\"8\"") && xml.contains("failures=\"0\""),
        "{xml}"
    );
    std::fs::remove_file(junit).unwrap();
}

#[test]
fn rp_check_passes_against_rp_serve() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args([
            "rp",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rp-id",
            "login.example",
            "--origin",
            ORIGIN,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let _server = Running(child);
    let url = url_in(&lines.next().unwrap().unwrap());
    let junit = std::env::temp_dir().join(format!("hybridsim-rp-check-{}.xml", std::process::id()));
    let (code, table) = check(&url, &junit);
    assert_all_pass(code, &table, &junit);

    // A broken request is answered in the API's own terms.
    let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    use std::io::Write;
    let body = r#"{"displayName":"no username"}"#;
    write!(
        stream,
        "POST /attestation/options HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains(r#""status":"failed""#) && answer.contains("username"),
        "{answer}"
    );
}

#[test]
fn rp_check_passes_against_python_fido2_server() {
    let python = match std::env::var("HYBRIDSIM_PYTHON_FIDO2") {
        Ok(p) if !p.is_empty() => p,
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") => {
            panic!("HYBRIDSIM_PYTHON_FIDO2 is not set: run bash tests/run")
        }
        _ => {
            eprintln!("skipped: HYBRIDSIM_PYTHON_FIDO2 not set (bash tests/run sets it)");
            return;
        }
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop/fido2_conformance_server.py");
    let mut child = Command::new(python)
        .arg(script)
        .args(["--rp-id", "login.example", "--origin", ORIGIN])
        .args(["--listen", "127.0.0.1:0", "--lifetime", "120"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = Running(child);
    let url = url_in(&lines.next().unwrap().unwrap());
    let junit =
        std::env::temp_dir().join(format!("hybridsim-rp-check-py-{}.xml", std::process::id()));
    let (code, table) = check(&url, &junit);
    assert_all_pass(code, &table, &junit);
}
