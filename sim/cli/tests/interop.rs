//! hybridsim against WebAuthn code it did not write.
//!
//! - Python `fido2` (Yubico's server) verifies registrations and assertions made by
//!   `hybridsim authenticator`, including packed attestation chaining to the test root.
//! - PyPI `soft-webauthn`, an independent software authenticator, answers options; `hybridsim
//!   rp` accepts its responses and rejects tampered copies, naming the failed check.
//!
//! `bash tests/run` installs both into virtualenvs and points HYBRIDSIM_PYTHON_FIDO2 and
//! HYBRIDSIM_PYTHON_SOFT at their interpreters. Without them the tests are skipped, except in
//! CI, where a missing tool is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{fido2_rp, python, succeeded, ORIGIN};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RP_ID: &str = "login.example";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hybridsim-interop-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(program: &str, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn hybridsim(args: &[&str], dir: &Path) -> Output {
    run(env!("CARGO_BIN_EXE_hybridsim"), args, dir)
}

fn write_json(dir: &Path, name: &str, value: &Value) {
    std::fs::write(dir.join(name), value.to_string()).unwrap();
}

fn read_json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

/// Flips one bit of a base64url field of a response JSON file, writing a tampered copy.
fn tamper(dir: &Path, from: &str, to: &str, field: &str, byte: usize) {
    let mut value = read_json(dir, from);
    let text = value["response"][field].as_str().unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(text).unwrap();
    let index = byte.min(bytes.len() - 1);
    bytes[index] ^= 0x01;
    value["response"][field] = json!(URL_SAFE_NO_PAD.encode(bytes));
    write_json(dir, to, &value);
}

fn fido2_accepts_registration_and_two_assertions(profile: &str, attestation: &str) {
    let Some(py) = python("HYBRIDSIM_PYTHON_FIDO2") else {
        return;
    };
    let dir = scratch(profile);
    let ca = root().join("fixtures/attestation/ca.pem");
    let ca = ca.to_str().unwrap();
    succeeded(&fido2_rp(
        &py,
        &dir,
        &[
            "register-begin",
            "--user-id",
            "75736572",
            "--user-name",
            "alex",
            "--challenge",
            &"01".repeat(32),
            "--attestation",
            attestation,
            "--resident-key",
            "required",
            "--uv",
            "required",
            "--out-options",
            "create.json",
            "--out-state",
            "reg-state.json",
        ],
    ));
    let created = succeeded(&hybridsim(
        &[
            "authenticator",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--state",
            "phone.json",
            "--profile",
            profile,
        ],
        &dir,
    ));
    std::fs::write(dir.join("registration.json"), created).unwrap();
    let summary = succeeded(&fido2_rp(
        &py,
        &dir,
        &[
            "register-complete",
            "--state",
            "reg-state.json",
            "--response",
            "registration.json",
            "--trust",
            ca,
            "--out-credential",
            "credential.hex",
        ],
    ));
    let summary: Value = serde_json::from_str(&summary).unwrap();
    let flags = summary["flags"].as_u64().unwrap();
    assert_eq!(flags & 0x45, 0x45, "UP, UV and AT set: {summary}");

    for round in 0..2u8 {
        let challenge = format!("{:02x}", 0x10 + round).repeat(32);
        succeeded(&fido2_rp(
            &py,
            &dir,
            &[
                "authenticate-begin",
                "--credential",
                "credential.hex",
                "--challenge",
                &challenge,
                "--uv",
                "required",
                "--out-options",
                "get.json",
                "--out-state",
                "auth-state.json",
            ],
        ));
        let assertion = succeeded(&hybridsim(
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
            &dir,
        ));
        std::fs::write(dir.join("assertion.json"), assertion).unwrap();
        succeeded(&fido2_rp(
            &py,
            &dir,
            &[
                "authenticate-complete",
                "--state",
                "auth-state.json",
                "--credential",
                "credential.hex",
                "--response",
                "assertion.json",
            ],
        ));
    }
    // fido2 is not a rubber stamp: a flipped signature bit is refused.
    tamper(&dir, "assertion.json", "tampered.json", "signature", 40);
    let refused = fido2_rp(
        &py,
        &dir,
        &[
            "authenticate-complete",
            "--state",
            "auth-state.json",
            "--credential",
            "credential.hex",
            "--response",
            "tampered.json",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fido2_verifies_microsoft_authenticator_ios_with_packed_attestation() {
    fido2_accepts_registration_and_two_assertions("microsoft-authenticator-ios", "direct");
}

#[test]
fn fido2_verifies_microsoft_authenticator_android_with_packed_attestation() {
    fido2_accepts_registration_and_two_assertions("microsoft-authenticator-android", "direct");
}

#[test]
fn fido2_verifies_google_password_manager() {
    fido2_accepts_registration_and_two_assertions("google-password-manager", "none");
}

#[test]
fn fido2_verifies_ios16() {
    fido2_accepts_registration_and_two_assertions("ios16", "none");
}

fn soft(py: &str, dir: &Path, action: &str, options: &str, out: &str) {
    let script = root().join("tests/interop/soft_authenticator.py");
    let output = run(
        py,
        &[
            script.to_str().unwrap(),
            "--origin",
            ORIGIN,
            "--state",
            "soft.json",
            action,
            options,
        ],
        dir,
    );
    std::fs::write(dir.join(out), succeeded(&output)).unwrap();
}

fn verify(dir: &Path, args: &[&str]) -> Output {
    hybridsim(args, dir)
}

fn assert_rejected(out: &Output, check: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.to_lowercase().contains(&check.to_lowercase()),
        "{stderr:?} should name {check:?}"
    );
}

#[test]
fn hybridsim_rp_accepts_soft_webauthn_and_rejects_tampered_copies() {
    let Some(py) = python("HYBRIDSIM_PYTHON_SOFT") else {
        return;
    };
    let dir = scratch("soft");
    let challenge = URL_SAFE_NO_PAD.encode([0x21; 32]);
    write_json(
        &dir,
        "create.json",
        &json!({
            "rp": {"id": RP_ID, "name": "Login"},
            "user": {"id": URL_SAFE_NO_PAD.encode(b"user-7"), "name": "sam", "displayName": "Sam"},
            "challenge": challenge,
            "pubKeyCredParams": [{"alg": -7, "type": "public-key"}],
            "attestation": "none",
        }),
    );
    soft(&py, &dir, "create", "create.json", "registration.json");
    let reg = [
        "rp",
        "verify-registration",
        "--options",
        "create.json",
        "--origin",
        ORIGIN,
    ];

    // Tampered copies first, so no credential file exists yet.
    tamper(
        &dir,
        "registration.json",
        "bad-client-data.json",
        "clientDataJSON",
        20,
    );
    assert_rejected(
        &verify(
            &dir,
            &[&reg[..], &["--response", "bad-client-data.json"]].concat(),
        ),
        "clientDataJSON",
    );
    tamper(
        &dir,
        "registration.json",
        "bad-attestation.json",
        "attestationObject",
        40,
    );
    let out = verify(
        &dir,
        &[&reg[..], &["--response", "bad-attestation.json"]].concat(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wrong_origin = verify(
        &dir,
        &[
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--origin",
            "https://evil.example",
            "--response",
            "registration.json",
        ],
    );
    assert_rejected(&wrong_origin, "origin");
    let strict = verify(
        &dir,
        &[
            &reg[..],
            &["--response", "registration.json", "--require-attestation"],
        ]
        .concat(),
    );
    assert_rejected(&strict, "attestation");

    succeeded(&verify(
        &dir,
        &[
            &reg[..],
            &[
                "--response",
                "registration.json",
                "--credential-out",
                "credential.json",
            ],
        ]
        .concat(),
    ));
    let again = verify(
        &dir,
        &[
            &reg[..],
            &[
                "--response",
                "registration.json",
                "--credential-out",
                "credential.json",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing credential file is not overwritten"
    );

    let credential_id = read_json(&dir, "registration.json")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write_json(
        &dir,
        "get.json",
        &json!({
            "challenge": URL_SAFE_NO_PAD.encode([0x22; 32]),
            "rpId": RP_ID,
            "allowCredentials": [{"id": credential_id, "type": "public-key"}],
            "userVerification": "discouraged",
        }),
    );
    soft(&py, &dir, "get", "get.json", "assertion.json");
    let auth = [
        "rp",
        "verify-authentication",
        "--options",
        "get.json",
        "--origin",
        ORIGIN,
        "--credential",
        "credential.json",
    ];
    tamper(
        &dir,
        "assertion.json",
        "bad-signature.json",
        "signature",
        30,
    );
    assert_rejected(
        &verify(
            &dir,
            &[&auth[..], &["--response", "bad-signature.json"]].concat(),
        ),
        "signature",
    );
    tamper(
        &dir,
        "assertion.json",
        "bad-rp.json",
        "authenticatorData",
        3,
    );
    assert_rejected(
        &verify(&dir, &[&auth[..], &["--response", "bad-rp.json"]].concat()),
        "rpIdHash",
    );
    let accepted = succeeded(&verify(
        &dir,
        &[&auth[..], &["--response", "assertion.json", "--json"]].concat(),
    ));
    let accepted: Value = serde_json::from_str(&accepted).unwrap();
    assert_eq!(accepted["result"]["sign_count"], 1);
    // The same assertion again: its counter no longer moves forward.
    assert_rejected(
        &verify(
            &dir,
            &[&auth[..], &["--response", "assertion.json"]].concat(),
        ),
        "signCount",
    );
    std::fs::remove_dir_all(dir).unwrap();
}
