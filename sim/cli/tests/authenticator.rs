//! `hybridsim authenticator` and `hybridsim rp` without outside tools: the state file's
//! guarantees, reproducible bytes, and the exit codes scripts rely on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{scratch as scratch_in, ORIGIN};

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn hybridsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn create(dir: &Path, state: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "authenticator",
        "create",
        "--options",
        "create.json",
        "--origin",
        ORIGIN,
        "--state",
        state,
    ];
    args.extend_from_slice(extra);
    hybridsim(dir, &args)
}

#[test]
fn same_seed_same_bytes_and_a_new_seed_new_bytes() {
    let dir = scratch("seed");
    let a = create(
        &dir,
        "a.json",
        &["--profile", "microsoft-authenticator-ios", "--seed", "7"],
    );
    let b = create(
        &dir,
        "b.json",
        &["--profile", "microsoft-authenticator-ios", "--seed", "7"],
    );
    let c = create(
        &dir,
        "c.json",
        &["--profile", "microsoft-authenticator-ios", "--seed", "8"],
    );
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
    // A second create on the same state draws fresh randomness: a different credential.
    let again = create(&dir, "a.json", &[]);
    let id = |o: &Output| serde_json::from_slice::<Value>(&o.stdout).unwrap()["id"].clone();
    assert_ne!(id(&a), id(&again));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_corrupt_state_file_is_refused_and_left_untouched() {
    let dir = scratch("corrupt");
    std::fs::write(
        dir.join("phone.json"),
        "{\"format\": \"hybridsim-authenticator-state\", trunc",
    )
    .unwrap();
    let out = create(&dir, "phone.json", &["--profile", "ios16"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("left untouched"));
    assert_eq!(
        std::fs::read_to_string(dir.join("phone.json")).unwrap(),
        "{\"format\": \"hybridsim-authenticator-state\", trunc"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn state_belongs_to_one_profile_and_new_state_needs_one() {
    let dir = scratch("profile");
    assert_eq!(create(&dir, "phone.json", &[]).status.code(), Some(2));
    assert!(create(&dir, "phone.json", &["--profile", "ios16"])
        .status
        .success());
    let other = create(
        &dir,
        "phone.json",
        &["--profile", "google-password-manager"],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("belongs to profile ios16"));
    let unknown = create(&dir, "fresh.json", &["--profile", "no-such-phone"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("microsoft-authenticator-ios"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn our_rp_accepts_our_authenticator_and_names_the_failed_check() {
    let dir = scratch("rp");
    let reg = create(
        &dir,
        "phone.json",
        &["--profile", "microsoft-authenticator-android"],
    );
    std::fs::write(dir.join("registration.json"), &reg.stdout).unwrap();
    let ca = format!(
        "{}/../../fixtures/attestation/ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--response",
            "registration.json",
            "--now",
            "1800000000",
        ];
        args.extend_from_slice(extra);
        hybridsim(&dir, &args)
    };
    // Without the root the chain is untrusted; with it the registration passes.
    let untrusted = verify(&["--origin", ORIGIN, "--require-attestation"]);
    assert_eq!(untrusted.status.code(), Some(1));
    let wrong_origin = verify(&["--origin", "https://other.example", "--trust", &ca]);
    assert_eq!(wrong_origin.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong_origin.stderr).contains("origin"));
    let ok = verify(&[
        "--origin",
        ORIGIN,
        "--trust",
        &ca,
        "--require-attestation",
        "--json",
        "--credential-out",
        "cred.json",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(
        report["credential"]["aaguid"],
        "de1e552d-db1d-4423-a619-566b625cdc84"
    );
    assert_eq!(report["credential"]["backup_eligible"], false);

    // Sign in twice with a discoverable credential (empty allowCredentials).
    std::fs::write(
        dir.join("get.json"),
        json!({"challenge": "c2lnbi1pbg", "rpId": "login.example", "userVerification": "required"})
            .to_string(),
    )
    .unwrap();
    for _ in 0..2 {
        let assertion = hybridsim(
            &dir,
            &[
                "authenticator",
                "get",
                "--options",
                "get.json",
                "--origin",
                ORIGIN,
                "--state",
                "phone.json",
            ],
        );
        assert!(assertion.status.success());
        std::fs::write(dir.join("assertion.json"), &assertion.stdout).unwrap();
        let checked = hybridsim(
            &dir,
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
        assert!(
            checked.status.success(),
            "{}",
            String::from_utf8_lossy(&checked.stderr)
        );
    }
    // A failed user verification is the authenticator's refusal: exit 1 with the status name.
    let absent = hybridsim(
        &dir,
        &[
            "authenticator",
            "get",
            "--options",
            "get.json",
            "--origin",
            ORIGIN,
            "--state",
            "phone.json",
            "--uv-fails",
        ],
    );
    assert_eq!(absent.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&absent.stderr).contains("CTAP2_ERR_UV_INVALID"),
        "{}",
        String::from_utf8_lossy(&absent.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn profiles_lists_every_shipped_profile() {
    let dir = scratch("list");
    let out = hybridsim(&dir, &["authenticator", "profiles", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for expected in [
        "microsoft-authenticator-ios",
        "microsoft-authenticator-android",
        "google-password-manager",
        "ios16",
        "buggy-non-canonical",
        "buggy-wrong-rpid-hash",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn scratch(tag: &str) -> std::path::PathBuf {
    scratch_in("authn", tag)
}
