//! `rp serve --allow-aaguid` refuses a registration from an authenticator not on the list, and
//! admits it once its AAGUID is listed (`rp check` drives the hybrid ceremonies).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rp check` against `rp serve` with `extra` flags: (exit code, table).
fn checked(extra: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args([
            "rp",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rp-id",
            "login.example",
        ])
        .args(["--origin", "https://login.example"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let _server = Running(child);
    let line = lines.next().unwrap().unwrap();
    let url = line[line.find("http://").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .to_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args([
            "rp",
            "check",
            &url,
            "--profile",
            "microsoft-authenticator-ios",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn rp_serve_applies_its_aaguid_allow_list() {
    let (code, table) = checked(&["--allow-aaguid", "de1e552d-db1d-4423-a619-566b625cdc84"]);
    assert_eq!(code, Some(1), "{table}");
    assert!(
        table.contains("AAGUID 90a3ccdf-635c-4729-a248-9b709135078f is not allowed"),
        "{table}"
    );
    let (code, table) = checked(&["--allow-aaguid", "90a3ccdf-635c-4729-a248-9b709135078f"]);
    assert_eq!(code, Some(0), "{table}");
}
