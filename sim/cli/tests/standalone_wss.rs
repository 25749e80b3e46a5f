//! `hybridsim desktop` and `hybridsim phone` over `wss://`: both processes through `hybridsim
//! tunnel serve --tls-cert --tls-key` with the test certificate (fixtures/tls, valid for
//! localhost) trusted through `--tunnel-ca`, giving the same response as the simulated
//! ceremony under the same seeds; and the tunnel host not reachable (untrusted certificate,
//! closed port) exits 3 naming the host and the reason, with the trace written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, scratch as scratch_in, Running, ORIGIN};

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

const PROFILE: &str = "microsoft-authenticator-ios";

fn tls_fixture(name: &str) -> String {
    format!("{}/../../fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `hybridsim tunnel serve` over TLS on a free loopback port; its port from the banner.
fn tls_tunnel_server() -> (Running, u16) {
    let mut child = hybridsim()
        .args([
            "tunnel",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &tls_fixture("cert.pem"),
            "--tls-key",
            &tls_fixture("key.pem"),
        ])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let port = banner
        .split("wss://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no wss:// address in {banner:?}"));
    std::thread::spawn(move || lines.for_each(drop));
    (Running(child), port)
}

fn desktop(dir: &Path, tunnel: &str, extra: &[&str]) -> Command {
    let mut cmd = hybridsim();
    cmd.current_dir(dir)
        .args([
            "desktop",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--tunnel",
            tunnel,
            "--seed",
            "5",
            "--trace",
            "desktop.jsonl",
            "--timeout",
            "60",
        ])
        .args(extra);
    cmd
}

fn phone(dir: &Path, qr: &str, tunnel: &str, extra: &[&str]) -> Command {
    let mut cmd = hybridsim();
    cmd.current_dir(dir)
        .args([
            "phone",
            "--qr",
            qr,
            "--profile",
            PROFILE,
            "--state",
            "phone.json",
            "--tunnel",
            tunnel,
            "--seed",
            "5",
            "--trace",
            "phone.jsonl",
            "--timeout",
            "60",
        ])
        .args(extra);
    cmd
}

/// A QR code from a desktop that gives up at once (no adverts, no server needed).
fn some_qr(dir: &Path) -> String {
    let out = desktop(dir, "ws://127.0.0.1:9", &["--advert-in", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let qr = stdout.lines().next().unwrap().to_owned();
    assert!(qr.starts_with("FIDO:/"), "{qr}");
    qr
}

#[test]
fn desktop_and_phone_processes_register_over_wss_like_the_simulated_ceremony() {
    let dir = scratch("pair");
    let (_server, port) = tls_tunnel_server();
    let tunnel = format!("wss://localhost:{port}");
    let ca = tls_fixture("cert.pem");
    let ca_flag = ["--tunnel-ca", ca.as_str()];

    let mut desktop_run = Running(
        desktop(&dir, &tunnel, &ca_flag)
            .args(["--advert-in", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut desktop_out = BufReader::new(desktop_run.0.stdout.take().unwrap());
    let mut qr = String::new();
    desktop_out.read_line(&mut qr).unwrap();
    assert!(qr.starts_with("FIDO:/"), "{qr:?}");
    let mut desktop_in = desktop_run.0.stdin.take().unwrap();
    let mut phone_run = Running(
        phone(&dir, qr.trim(), &tunnel, &ca_flag)
            .args(["--advert-out", "-"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut phone_out = phone_run.0.stdout.take().unwrap();
    // The phone's advert lines go to the desktop's radio (its stdin); once the desktop has
    // its advert it may stop reading.
    let carrier = std::thread::spawn(move || {
        let _ = std::io::copy(&mut phone_out, &mut desktop_in);
    });
    let mut registration = String::new();
    desktop_out.read_to_string(&mut registration).unwrap();
    let mut desktop_err = String::new();
    let mut err = desktop_run.0.stderr.take().unwrap();
    err.read_to_string(&mut desktop_err).unwrap();
    assert!(
        desktop_run.0.wait().unwrap().success(),
        "desktop: {desktop_err}"
    );
    let mut phone_err = String::new();
    let mut err = phone_run.0.stderr.take().unwrap();
    err.read_to_string(&mut phone_err).unwrap();
    assert!(phone_run.0.wait().unwrap().success(), "phone: {phone_err}");
    assert!(
        phone_err.contains("served makeCredential: status 0x00"),
        "{phone_err}"
    );
    carrier.join().unwrap();

    // Both went through the TLS server with the real paths.
    let phone_trace = std::fs::read_to_string(dir.join("phone.jsonl")).unwrap();
    assert!(
        phone_trace.contains(&format!("upgrade wss://localhost:{port}/cable/new/")),
        "{phone_trace}"
    );
    let desktop_trace = std::fs::read_to_string(dir.join("desktop.jsonl")).unwrap();
    assert!(
        desktop_trace.contains(&format!("upgrade wss://localhost:{port}/cable/connect/")),
        "{desktop_trace}"
    );

    // The simulated ceremony under the same seeds gives the same response bytes.
    let simulated = hybridsim()
        .current_dir(&dir)
        .args([
            "ceremony",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--state",
            "sim-phone.json",
            "--profile",
            PROFILE,
            "--seed",
            "5",
        ])
        .output()
        .unwrap();
    assert!(simulated.status.success());
    assert_eq!(registration, String::from_utf8(simulated.stdout).unwrap());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_untrusted_tunnel_certificate_exits_3_with_the_tls_reason_and_a_trace() {
    let dir = scratch("untrusted");
    let (_server, port) = tls_tunnel_server();
    let qr = some_qr(&dir);
    let out = phone(&dir, &qr, &format!("wss://localhost:{port}"), &[])
        .args(["--advert-out", "adverts.txt"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "hybridsim: cannot reach the tunnel host localhost for wss://localhost:{port}/cable/new/"
        )),
        "{err}"
    );
    assert!(
        err.contains("TLS: the certificate of localhost is not trusted"),
        "{err}"
    );
    let trace = std::fs::read_to_string(dir.join("phone.jsonl")).unwrap();
    assert!(trace.contains("\"what\":\"qr scanned\""), "{trace}");
    assert!(trace.contains("upgrade refused: status 0, TLS"), "{trace}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_closed_tunnel_port_exits_3_with_the_connection_reason() {
    let dir = scratch("closed");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let qr = some_qr(&dir);
    let ca = tls_fixture("cert.pem");
    let out = phone(
        &dir,
        &qr,
        &format!("wss://localhost:{closed}"),
        &["--tunnel-ca", &ca],
    )
    .args(["--advert-out", "adverts.txt"])
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "connection to localhost:{closed} refused (nothing listens there)"
        )),
        "{err}"
    );
    let trace = std::fs::read_to_string(dir.join("phone.jsonl")).unwrap();
    assert!(
        trace.contains("upgrade refused: status 0, connection to localhost"),
        "{trace}"
    );

    // A trust-anchor file that is not PEM certificates is bad input.
    let out = phone(
        &dir,
        &qr,
        "wss://localhost:1",
        &["--tunnel-ca", "create.json"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tunnel-ca"));
    std::fs::remove_dir_all(dir).unwrap();
}

fn scratch(tag: &str) -> std::path::PathBuf {
    scratch_in("wss", tag)
}
