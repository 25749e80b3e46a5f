//! `hybridsim rp serve` under hostile clients, and `rp check` over HTTPS, as processes:
//! a client trickling its request a byte at a time is cut off by the whole-request
//! deadline; connections beyond the cap are answered 503 while idle ones hold theirs;
//! megabyte user names are refused; `rp check https://…` passes against `rp serve` with
//! the test certificate (`--ca`), and exits 3 with one line when the RP cannot be reached
//! or its certificate is not trusted.
//!
//! Waits are bounded (a loop with a count), and nothing asserts on how long anything took.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, Running, ORIGIN};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Starts `rp serve` with `extra` flags; the guard and the URL it prints.
fn serve(extra: &[&str]) -> (Running, String) {
    let mut child = hybridsim()
        .args(["rp", "serve", "--listen", "127.0.0.1:0"])
        .args(["--rp-id", "login.example", "--origin", ORIGIN])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let start = line.find("http").unwrap_or_else(|| panic!("{line}"));
    let url = line[start..].split_whitespace().next().unwrap().to_owned();
    (Running(child), url)
}

fn address(url: &str) -> String {
    url.split("://").nth(1).unwrap().to_owned()
}

/// Sends a request and reads the whole answer (the server closes after one).
fn exchange(addr: &str, head_and_body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head_and_body).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn options_request(username: &str) -> Vec<u8> {
    let body = serde_json::json!({ "username": username }).to_string();
    let mut request = format!(
        "POST /attestation/options HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    request
}

#[test]
fn a_trickling_client_is_cut_off_by_the_request_deadline() {
    let (_server, url) = serve(&["--request-deadline-ms", "300"]);
    let mut stream = TcpStream::connect(address(&url)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    stream
        .write_all(
            b"POST /attestation/options HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{",
        )
        .unwrap();
    // One byte per 50 ms read wait: 1,000 bytes would take 50 s. Each byte resets a
    // per-read timeout, so only a deadline over the whole request ends this.
    let mut cut_off_after = None;
    for sent in 0..200 {
        let mut buf = [0u8; 512];
        match stream.read(&mut buf) {
            Ok(_) => {
                cut_off_after = Some(sent);
                break;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {
                cut_off_after = Some(sent);
                break;
            }
        }
        if stream.write_all(b" ").is_err() {
            cut_off_after = Some(sent);
            break;
        }
    }
    let sent = cut_off_after.expect("still connected after 200 trickled bytes");
    assert!(sent < 200, "{sent}");
    // The server itself is fine.
    let answer = exchange(&address(&url), &options_request("kim"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn connections_beyond_the_cap_get_503_while_idle_ones_hold_theirs() {
    let (_server, url) = serve(&["--max-connections", "2", "--request-deadline-ms", "60000"]);
    let addr = address(&url);
    let first = TcpStream::connect(&addr).unwrap();
    let _second = TcpStream::connect(&addr).unwrap();
    let answer = exchange(&addr, &options_request("kim"));
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("too many connections"), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "{answer}"
    );
    // Closing an idle connection frees its place (the server learns of it a moment later).
    drop(first);
    let mut served = None;
    for _ in 0..100 {
        let answer = exchange(&addr, &options_request("kim"));
        if !answer.starts_with("HTTP/1.1 503") {
            served = Some(answer);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let answer = served.expect("no place freed after the idle connection closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn megabyte_user_names_are_refused() {
    let name = "u".repeat(1_000_000);
    // Over the body limit: 413, unread.
    let (_server, url) = serve(&[]);
    let answer = exchange(&address(&url), &options_request(&name));
    assert!(answer.starts_with("HTTP/1.1 413"), "{:.300}", answer);
    assert!(answer.contains(r#""status":"failed""#), "{:.300}", answer);
    // Within a larger body limit: still refused by the name bound.
    let (_server, url) = serve(&["--max-body", "2000000"]);
    let answer = exchange(&address(&url), &options_request(&name));
    assert!(answer.starts_with("HTTP/1.1 400"), "{:.300}", answer);
    assert!(
        answer.contains("longer than the 256 allowed"),
        "{:.300}",
        answer
    );
}

#[test]
fn rp_check_passes_over_https_with_the_test_ca() {
    let cert = fixtures().join("tls/cert.pem");
    let key = fixtures().join("tls/key.pem");
    let (_server, url) = serve(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let out = hybridsim()
        .args(["rp", "check", &url, "--ca", cert.to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("8 passed, 0 failed"), "{table}");

    // Without --ca the self-signed certificate is not trusted: exit 3, one line.
    let out = hybridsim().args(["rp", "check", &url]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach") && stderr.contains("certificate"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_rp_exits_3_with_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = hybridsim()
        .args(["rp", "check", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("hybridsim: cannot reach http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn out_of_file_descriptors_the_server_keeps_running_and_serves_again() {
    // 32 descriptors, more connections than that: accept fails with EMFILE until some close.
    let mut child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 32 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["rp", "serve", "--listen", "127.0.0.1:0"])
        .args(["--rp-id", "login.example", "--origin", ORIGIN])
        .args([
            "--request-deadline-ms",
            "60000",
            "--max-connections",
            "1000",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let _server = Running(child);
    let url = line[line.find("http").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let idle: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(address(&url)).unwrap())
        .collect();
    // Accepting now fails with EMFILE (no thread to spawn a panic from, no exit).
    // Once the connections close, the server serves again.
    drop(idle);
    let mut served = None;
    for _ in 0..100 {
        let answer = exchange(&address(&url), &options_request("kim"));
        if answer.starts_with("HTTP/1.1 200") {
            served = Some(answer);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        served.is_some(),
        "not serving after the descriptors came back"
    );
}
