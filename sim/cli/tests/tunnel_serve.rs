//! `hybridsim tunnel serve` as an operator runs it: it says where it listens, answers
//! /metrics, stops cleanly on SIGTERM, and exits 3 when the port is taken.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the server if a test fails before stopping it, so nothing is left running.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(listen: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args([
            "tunnel",
            "serve",
            "--listen",
            listen,
            "--routing-id",
            "0a0b0c",
        ])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let addr = banner
        .split("ws://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();
    assert!(banner.contains("routing id 0A0B0C"), "{banner}");
    std::thread::spawn(move || lines.for_each(drop));
    (Server(child), addr)
}

#[test]
fn serves_metrics_and_stops_on_sigterm() {
    let (mut server, addr) = start("127.0.0.1:0");
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(
        body.contains("hybridsim_tunnel_tunnels_pending 0"),
        "{body}"
    );

    let taken = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["tunnel", "serve", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(taken.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already in use"));

    // Our own conformance check passes against our own server, with a JUnit report.
    let junit = std::env::temp_dir().join(format!("hybridsim-check-{}.xml", std::process::id()));
    let checked = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args([
            "tunnel",
            "check",
            &format!("ws://{addr}"),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{table}");
    assert!(table.contains("0 failed"), "{table}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite") && xml.contains("failures=\"0\""),
        "{xml}"
    );
    std::fs::remove_file(junit).unwrap();

    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_limit_of_zero_is_refused_before_listening_with_one_line() {
    for flag in [
        "--max-message-size",
        "--max-messages-per-peer",
        "--pending-ttl",
        "--tunnel-ttl",
        "--max-tunnels",
        "--max-connections-per-ip",
        "--max-connections",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(["tunnel", "serve", "--listen", "127.0.0.1:0", flag, "0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{flag}: {stderr}");
        assert!(stderr.contains("at least 1"), "{flag}: {stderr}");
    }
}
