//! `hybridsim ceremony create|get`: the JSON of `authenticator create|get` through the
//! simulated hybrid path, and over a real tunnel server, verified by `hybridsim rp`; traces
//! byte-identical under one seed; faults exit 1 naming the layer, and still leave a trace.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{scratch as scratch_in, tunnel_server, ORIGIN};

use std::path::Path;
use std::process::{Command, Output};

fn hybridsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ceremony(dir: &Path, verb: &str, state: &str, extra: &[&str]) -> Output {
    let options = if verb == "create" {
        "create.json"
    } else {
        "get.json"
    };
    let mut args = vec![
        "ceremony",
        verb,
        "--options",
        options,
        "--origin",
        ORIGIN,
        "--state",
        state,
    ];
    if verb == "create" {
        args.extend_from_slice(&["--profile", "microsoft-authenticator-ios"]);
    }
    args.extend_from_slice(extra);
    hybridsim(dir, &args)
}

#[track_caller]
fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ceremony create` (seed 3) then `ceremony get` (seed 4) with one state file and `extra`
/// arguments, each response verified by `hybridsim rp`.
fn create_then_get_verified(dir: &Path, extra: &[&str]) {
    let created = ceremony(
        dir,
        "create",
        "phone.json",
        &[&["--seed", "3"], extra].concat(),
    );
    assert_ok(&created);
    std::fs::write(dir.join("registration.json"), &created.stdout).unwrap();
    let ca = format!(
        "{}/../../fixtures/attestation/ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let verified = hybridsim(
        dir,
        &[
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--response",
            "registration.json",
            "--origin",
            ORIGIN,
            "--trust",
            &ca,
            "--require-attestation",
            "--now",
            "1800000000",
            "--credential-out",
            "cred.json",
        ],
    );
    assert_ok(&verified);

    let got = ceremony(
        dir,
        "get",
        "phone.json",
        &[&["--seed", "4"], extra].concat(),
    );
    assert_ok(&got);
    std::fs::write(dir.join("assertion.json"), &got.stdout).unwrap();
    let checked = hybridsim(
        dir,
        &[
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
        ],
    );
    assert_ok(&checked);
}

#[test]
fn create_then_get_with_the_same_state_verified_by_the_relying_party() {
    let dir = scratch("flow");
    create_then_get_verified(&dir, &[]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The desktop's QR secret in a JSON-lines trace written with `--reveal-secrets`.
fn qr_secret(trace: &str) -> String {
    trace
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|r| r["actor"] == "desktop" && r["what"] == "qr secret")
        .and_then(|r| r["hex"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no qr secret in {trace}"))
}

/// The same ceremonies over a real tunnel server (`hybridsim tunnel serve` on loopback):
/// verified responses, the JSON-lines trace, the simulated ceremony's seeds, a desktop
/// profile; an unreachable tunnel host is one line and exit 3, a URL that is none exit 2.
#[test]
fn create_then_get_over_a_real_tunnel_server_as_without_one() {
    let dir = scratch("tunnel");
    let (_server, url, _) = tunnel_server();
    let extra = [
        "--tunnel",
        &url,
        "--trace",
        "tunnel.jsonl",
        "--reveal-secrets",
    ];
    create_then_get_verified(&dir, &extra);
    let trace = std::fs::read_to_string(dir.join("tunnel.jsonl")).unwrap();
    for line in trace.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(record["actor"].is_string(), "{line}");
    }
    assert!(trace.contains("\"what\":\"ctap response\""), "{trace}");
    // Seed 4 gives the desktop the QR secret the simulated `ceremony get` gives it.
    let simulated = ceremony(
        &dir,
        "get",
        "phone.json",
        &["--seed", "4", "--trace", "sim.jsonl", "--reveal-secrets"],
    );
    assert_ok(&simulated);
    let simulated = std::fs::read_to_string(dir.join("sim.jsonl")).unwrap();
    assert_eq!(qr_secret(&trace), qr_secret(&simulated));

    // A desktop profile applies over the real server as in the simulated world.
    let safari = ceremony(
        &dir,
        "create",
        "safari.json",
        &["--tunnel", &url, "--desktop-profile", "safari-macos"],
    );
    assert_ok(&safari);

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = format!("ws://127.0.0.1:{closed}");
    let out = ceremony(&dir, "get", "phone.json", &["--tunnel", &unreachable]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach the tunnel host 127.0.0.1") && stderr.contains("refused"),
        "{stderr}"
    );
    let out = ceremony(&dir, "get", "phone.json", &["--tunnel", "http://example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tunnel"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_trace_is_identical_across_runs_with_the_same_seed() {
    let dir = scratch("trace");
    let run = |state: &str, trace: &str, seed: &str| {
        let out = ceremony(&dir, "create", state, &["--seed", seed, "--trace", trace]);
        assert_ok(&out);
        (out.stdout, std::fs::read(dir.join(trace)).unwrap())
    };
    let (json_a, trace_a) = run("a.json", "a.jsonl", "9");
    let (json_b, trace_b) = run("b.json", "b.jsonl", "9");
    let (_, trace_c) = run("c.json", "c.jsonl", "10");
    assert_eq!(json_a, json_b);
    assert_eq!(trace_a, trace_b);
    assert_ne!(trace_a, trace_c);
    let text = String::from_utf8(trace_a).unwrap();
    assert!(text.lines().count() > 20);
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            record["t_ms"].is_u64() && record["layer"].is_string(),
            "{line}"
        );
    }
    // Secrets stay hidden unless asked for.
    assert!(text.contains("\"hex\":\"secret\""));
    let revealed = ceremony(
        &dir,
        "create",
        "d.json",
        &["--seed", "9", "--trace", "d.jsonl", "--reveal-secrets"],
    );
    assert_ok(&revealed);
    let revealed = std::fs::read_to_string(dir.join("d.jsonl")).unwrap();
    assert!(!revealed.contains("\"hex\":\"secret\""));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_fault_exits_1_naming_the_layer_and_still_writes_the_trace() {
    let dir = scratch("fault");
    let out = ceremony(
        &dir,
        "create",
        "phone.json",
        &["--fault", "tunnel-unknown", "--trace", "fault.jsonl"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the desktop failed at the tunnel layer") && stderr.contains("404"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let trace = std::fs::read_to_string(dir.join("fault.jsonl")).unwrap();
    assert!(trace.contains("refused 404"), "{trace}");

    // A fault that leaves the ceremony working (a duplicated advert is ignored).
    let ignored = ceremony(
        &dir,
        "create",
        "other.json",
        &["--fault", "advert-duplicated"],
    );
    assert_ok(&ignored);

    // Faults at a step, and a silent phone: the desktop's 30 s timer, in no wall time.
    let silent = ceremony(
        &dir,
        "create",
        "silent.json",
        &["--fault", "phone-silent@1"],
    );
    assert_eq!(silent.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&silent.stderr).contains("at the transport layer after 31.800s")
    );

    // An unknown fault or step is a usage error.
    for bad in ["no-such-fault", "ws-split@0", "qr-stale@1"] {
        let out = ceremony(&dir, "create", "bad.json", &["--fault", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn get_needs_an_existing_state_file() {
    let dir = scratch("nostate");
    let out = ceremony(&dir, "get", "missing.json", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ceremony create"));
    std::fs::remove_dir_all(dir).unwrap();
}

fn scratch(tag: &str) -> std::path::PathBuf {
    scratch_in("ceremony", tag)
}
