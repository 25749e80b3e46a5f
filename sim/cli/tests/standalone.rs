//! `hybridsim desktop` and `hybridsim phone` as separate processes over `hybridsim tunnel
//! serve` on loopback, the advert carried through a pipe (registration) and a FIFO
//! (sign-in): the responses verify with `hybridsim rp`, are byte-identical to the simulated
//! ceremony's under the same seeds, and so are both peers' decrypted events (QR payload,
//! EID, handshake hash, getInfo, CTAP request and response, update message).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, relay_lines, scratch as scratch_in, tunnel_server, Running, ORIGIN};

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

const PROFILE: &str = "microsoft-authenticator-ios";

#[track_caller]
fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The desktop's QR line, then whatever it prints after it (the response JSON).
fn qr_line(stdout: &mut BufReader<ChildStdout>) -> String {
    let mut qr = String::new();
    stdout.read_line(&mut qr).unwrap();
    assert!(qr.starts_with("FIDO:/"), "{qr:?}");
    qr.trim().to_owned()
}

fn rest(mut stdout: BufReader<ChildStdout>) -> String {
    let mut text = String::new();
    stdout.read_to_string(&mut text).unwrap();
    text
}

fn desktop(dir: &Path, verb: &str, tunnel: &str, seed: &str, advert_in: &str) -> Command {
    let options = if verb == "create" {
        "create.json"
    } else {
        "get.json"
    };
    let mut cmd = hybridsim();
    cmd.current_dir(dir).args([
        "desktop",
        verb,
        "--options",
        options,
        "--origin",
        ORIGIN,
        "--tunnel",
        tunnel,
        "--seed",
        seed,
        "--advert-in",
        advert_in,
        "--trace",
        &format!("desktop-{verb}.jsonl"),
        "--timeout",
        "60",
    ]);
    cmd
}

fn phone(dir: &Path, qr: &str, tunnel: &str, seed: &str, advert_out: &str, tag: &str) -> Command {
    let mut cmd = hybridsim();
    cmd.current_dir(dir).args([
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
        seed,
        "--advert-out",
        advert_out,
        "--trace",
        &format!("phone-{tag}.jsonl"),
        "--timeout",
        "60",
    ]);
    cmd
}

/// The peer's own events (`dir: note`) as (layer, what, hex), from a trace file. The world
/// also notes each peer's end as `finished`; the driver logs that as its own line instead.
fn peer_events(path: &Path, actor: &str) -> Vec<(String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|r| r["actor"] == actor && r["dir"] == "note" && r["what"] != "finished")
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap().to_owned();
            (field("layer"), field("what"), field("hex"))
        })
        .collect()
}

fn simulated(dir: &Path, verb: &str, seed: &str) -> String {
    let options = if verb == "create" {
        "create.json"
    } else {
        "get.json"
    };
    let trace = format!("sim-{verb}.jsonl");
    let mut args = vec![
        "ceremony",
        verb,
        "--options",
        options,
        "--origin",
        ORIGIN,
        "--state",
        "sim-phone.json",
        "--seed",
        seed,
        "--trace",
        &trace,
    ];
    if verb == "create" {
        args.extend_from_slice(&["--profile", PROFILE]);
    }
    let out = hybridsim().current_dir(dir).args(&args).output().unwrap();
    assert_ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

#[track_caller]
fn assert_same_events(dir: &Path, verb: &str, actor: &str, process_trace: &str) {
    let simulated = peer_events(&dir.join(format!("sim-{verb}.jsonl")), actor);
    let process = peer_events(&dir.join(process_trace), actor);
    assert!(simulated.len() > 10, "{simulated:?}");
    let whats: Vec<&str> = simulated.iter().map(|e| e.1.as_str()).collect();
    for needed in ["handshake hash", "ctap request", "ctap response"] {
        assert!(whats.contains(&needed), "{actor} {verb}: {whats:?}");
    }
    assert_eq!(process, simulated, "{actor} {verb}");
}

#[test]
fn desktop_and_phone_processes_register_and_sign_in_like_the_simulated_ceremony() {
    let dir = scratch("pair");
    let (_server, tunnel, _) = tunnel_server();

    // Registration: the phone's stdout (its advert lines) piped into the desktop's stdin.
    let mut desktop_run = Running(
        desktop(&dir, "create", &tunnel, "5", "-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut desktop_out = BufReader::new(desktop_run.0.stdout.take().unwrap());
    let qr = qr_line(&mut desktop_out);
    let desktop_in = desktop_run.0.stdin.take().unwrap();
    let mut phone_run = Running(
        phone(&dir, &qr, &tunnel, "5", "-", "create")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let adverts = relay_lines(phone_run.0.stdout.take().unwrap(), desktop_in);
    let registration = rest(desktop_out);
    let desktop_status = desktop_run.0.wait().unwrap();
    let mut desktop_err = String::new();
    desktop_run
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut desktop_err)
        .unwrap();
    assert!(desktop_status.success(), "desktop: {desktop_err}");
    let phone_done = phone_run.0.wait_with_output_taken();
    assert!(phone_done.0.success(), "phone: {}", phone_done.1);
    assert!(phone_done.1.contains("served makeCredential: status 0x00"));
    let carried = adverts.join().unwrap();
    assert!(
        carried.first().is_some_and(|l| l.starts_with("fff9:")),
        "{carried:?}"
    );
    std::fs::write(dir.join("registration.json"), &registration).unwrap();

    let verified = hybridsim()
        .current_dir(&dir)
        .args([
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--response",
            "registration.json",
            "--origin",
            ORIGIN,
            "--trust",
            &format!(
                "{}/../../fixtures/attestation/ca.pem",
                env!("CARGO_MANIFEST_DIR")
            ),
            "--require-attestation",
            "--now",
            "1800000000",
            "--credential-out",
            "cred.json",
        ])
        .output()
        .unwrap();
    assert_ok(&verified);

    // The simulated ceremony with the same seeds gives the same bytes.
    assert_eq!(registration, simulated(&dir, "create", "5"));
    assert_same_events(&dir, "create", "desktop", "desktop-create.jsonl");
    assert_same_events(&dir, "create", "phone", "phone-create.jsonl");

    // Sign-in with the same phone state: the advert through a FIFO the phone writes.
    let fifo = dir.join("adverts.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let mut desktop_run = Running(
        desktop(&dir, "get", &tunnel, "6", fifo)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut desktop_out = BufReader::new(desktop_run.0.stdout.take().unwrap());
    let qr = qr_line(&mut desktop_out);
    let phone_run = phone(&dir, &qr, &tunnel, "6", fifo, "get")
        .output()
        .unwrap();
    assert_ok(&phone_run);
    assert_eq!(
        String::from_utf8_lossy(&phone_run.stdout).trim(),
        "served getAssertion: status 0x00"
    );
    let assertion = rest(desktop_out);
    let (status, err) = desktop_run.0.wait_with_output_taken();
    assert!(status.success(), "desktop: {err}");
    std::fs::write(dir.join("assertion.json"), &assertion).unwrap();
    let checked = hybridsim()
        .current_dir(&dir)
        .args([
            "rp",
            "verify-authentication",
            "--options",
            "get.json",
            "--response",
            "assertion.json",
            "--origin",
            ORIGIN,
            "--credential",
            "cred.json",
        ])
        .output()
        .unwrap();
    assert_ok(&checked);
    assert_eq!(assertion, simulated(&dir, "get", "6"));
    assert_same_events(&dir, "get", "desktop", "desktop-get.jsonl");
    assert_same_events(&dir, "get", "phone", "phone-get.jsonl");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn adverts_for_another_qr_code_are_ignored_and_the_input_ending_fails_the_desktop() {
    let dir = scratch("foreign");
    let (_server, tunnel, _) = tunnel_server();
    let mut run = Running(
        desktop(&dir, "create", &tunnel, "1", "-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(run.0.stdout.take().unwrap());
    qr_line(&mut out);
    let mut stdin = run.0.stdin.take().unwrap();
    // A well-formed advert made for some other QR secret, and a line that is not hex.
    writeln!(stdin, "fff9:{}", "ab".repeat(20)).unwrap();
    writeln!(stdin, "not an advert").unwrap();
    drop(stdin);
    let (status, err) = run.0.wait_with_output_taken();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("the desktop failed at the ble layer: the advert input ended"),
        "{err}"
    );
    let trace = std::fs::read_to_string(dir.join("desktop-create.jsonl")).unwrap();
    assert!(trace.contains("advert input ignored: line 2"), "{trace}");
    assert!(trace.contains("MAC mismatch"), "{trace}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_a_tunnel_flag_the_desktop_runs_and_a_bad_qr_is_bad_input() {
    let dir = scratch("notunnel");
    // No --tunnel: the desktop would reach the advert's tunnel domain over wss://; with no
    // adverts coming it shows its QR code and fails at the BLE layer before any socket.
    let out = hybridsim()
        .current_dir(&dir)
        .args([
            "desktop",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--advert-in",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("FIDO:/"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed at the ble layer"));
    let bad_qr = hybridsim()
        .current_dir(&dir)
        .args(["phone", "--qr", "FIDO:/123", "--state", "p.json"])
        .output()
        .unwrap();
    assert_eq!(bad_qr.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

/// `phone --qr-image` scans a picture as `decode qr` does: the code in a PNG made by `encode qr
/// --png` gets the phone as far as the tunnel (a closed port: exit 3), a picture of a code
/// that is not `FIDO:/` is bad input naming the file.
#[test]
fn the_phone_scans_its_qr_code_from_a_picture() {
    let dir = scratch("qr-image");
    let encoded = hybridsim()
        .current_dir(&dir)
        .args(["encode", "qr", "--png", "qr.png", "--public-key"])
        .args([
            "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "--secret",
            "00112233445566778899aabbccddeeff",
        ])
        .output()
        .unwrap();
    assert_ok(&encoded);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let scan = |picture: &str| {
        hybridsim()
            .current_dir(&dir)
            .args(["phone", "--qr-image", picture, "--state", "p.json"])
            .args(["--profile", PROFILE, "--advert-out", "adverts.txt"])
            .args(["--tunnel", &format!("ws://127.0.0.1:{closed}")])
            .output()
            .unwrap()
    };
    let out = scan("qr.png");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("refused (nothing listens there)"), "{err}");

    let other = hybridsim_optical::render_png("https://example.com/", 8).unwrap();
    std::fs::write(dir.join("other.png"), other).unwrap();
    let out = scan("other.png");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            r#"other.png: the QR code says "https://example.com/", which is not a FIDO:/ code"#
        ),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The standalone phone advertises as its profile's `[hybrid]` table says: an iPhone with
/// iCloud Keychain under Google's 0xFDE2 with the Apple tunnel domain (1), checked by
/// decrypting the advert line it writes.
#[test]
fn the_standalone_phone_advertises_with_its_profiles_uuid_and_domain() {
    let dir = scratch("iphone-advert");
    let (_server, tunnel, _) = tunnel_server();
    // A QR code for a desktop that never comes: the phone advertises, then times out.
    let secret = "00112233445566778899aabbccddeeff";
    let public_key = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    let encoded = hybridsim()
        .args([
            "encode",
            "qr",
            "--public-key",
            public_key,
            "--secret",
            secret,
        ])
        .output()
        .unwrap();
    assert_ok(&encoded);
    let qr = String::from_utf8(encoded.stdout).unwrap().trim().to_owned();
    let mut phone = Running(
        hybridsim()
            .current_dir(&dir)
            .args([
                "phone",
                "--qr",
                &qr,
                "--profile",
                "iphone-icloud-keychain-2026",
            ])
            .args([
                "--state",
                "iphone.json",
                "--tunnel",
                &tunnel,
                "--timeout",
                "30",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(phone.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("fde2:"), "{line:?}");
    let decoded = hybridsim()
        .args([
            "decode",
            "advert",
            "--secret",
            secret,
            "--json",
            line.trim(),
        ])
        .output()
        .unwrap();
    assert_ok(&decoded);
    let fields: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(fields["domain_id"], 1, "{fields}");
}

/// Waits for a child whose stdout was taken, returning its status and stderr.
trait WaitTaken {
    fn wait_with_output_taken(&mut self) -> (std::process::ExitStatus, String);
}

impl WaitTaken for Child {
    fn wait_with_output_taken(&mut self) -> (std::process::ExitStatus, String) {
        let mut err = String::new();
        if let Some(mut stderr) = self.stderr.take() {
            stderr.read_to_string(&mut err).unwrap();
        }
        (self.wait().unwrap(), err)
    }
}

fn scratch(tag: &str) -> std::path::PathBuf {
    scratch_in("procs", tag)
}
