//! Passkeys moved by hybridsim, checked by code it did not write: python `fido2` registers a
//! passkey made by hybridsim's phone, python `cryptography` loads the PKCS#8 key of the CXF
//! export and its public key equals the one `fido2` stored, and after the import into another
//! provider `fido2` accepts the new phone's assertion (over a whole simulated hybrid
//! ceremony) against the public key registered on the old phone.
//!
//! `bash tests/run` points HYBRIDSIM_PYTHON_FIDO2 at a virtualenv with `fido2` (which brings
//! `cryptography`); without it the test is skipped, except in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::{fido2_rp, python, succeeded, ORIGIN};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn script(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn hybridsim(dir: &Path, args: &[&str]) -> String {
    succeeded(
        &Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

fn fido2(py: &str, dir: &Path, args: &[&str]) -> String {
    succeeded(&fido2_rp(py, dir, args))
}

#[test]
fn a_cxf_moved_passkey_matches_what_fido2_registered_and_still_signs_in() {
    let Some(py) = python("HYBRIDSIM_PYTHON_FIDO2") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("hybridsim-interop-cxf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let challenge = "02".repeat(32);
    fido2(
        &py,
        &dir,
        &[
            "register-begin",
            "--user-id",
            "6b696d",
            "--user-name",
            "kim",
            "--challenge",
            &challenge,
            "--resident-key",
            "required",
            "--uv",
            "required",
            "--out-options",
            "create.json",
            "--out-state",
            "reg-state.json",
        ],
    );
    let created = hybridsim(
        &dir,
        &[
            "ceremony",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--state",
            "old.json",
            "--profile",
            "ios16",
        ],
    );
    std::fs::write(dir.join("registration.json"), created).unwrap();
    fido2(
        &py,
        &dir,
        &[
            "register-complete",
            "--state",
            "reg-state.json",
            "--response",
            "registration.json",
            "--out-credential",
            "credential.hex",
        ],
    );

    hybridsim(
        &dir,
        &[
            "migrate",
            "add",
            "--state",
            "old.json",
            "--uri",
            "otpauth://totp/GitHub:kim?secret=M5UXI2DVMIWXGZLDOJSXILJSGBRHS5DF&issuer=GitHub",
        ],
    );
    hybridsim(
        &dir,
        &[
            "migrate",
            "export",
            "--state",
            "old.json",
            "--format",
            "cxf",
            "--out",
            "moved.json",
        ],
    );
    let checked = succeeded(
        &Command::new(&py)
            .args([
                script("cxf_keys.py").as_str(),
                "moved.json",
                "credential.hex",
            ])
            .current_dir(&dir)
            .output()
            .unwrap(),
    );
    let checked: Value = serde_json::from_str(&checked).unwrap();
    assert_eq!(checked["matched"], 1, "{checked}");
    // Not a rubber stamp: another P-256 key under the same credential ID is refused.
    let mut export: Value =
        serde_json::from_slice(&std::fs::read(dir.join("moved.json")).unwrap()).unwrap();
    let other = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgARu_0sCt20EpgVxb4Puq3Ga5VVLpuTY75ngvZlyq3X6hRANCAASmdk1xLsK0oOlhxIPp0d1ZuS0sT9nf6BZtSelhqvLBW0fOL33l_bXgsr_STUHjCLn8l6gcRJwe7OQvbQubZ1dY";
    for item in export["accounts"][0]["items"].as_array_mut().unwrap() {
        for credential in item["credentials"].as_array_mut().unwrap() {
            if credential["type"] == "passkey" {
                credential["key"] = Value::from(other);
            }
        }
    }
    std::fs::write(dir.join("swapped.json"), export.to_string()).unwrap();
    let refused = Command::new(&py)
        .args([
            script("cxf_keys.py").as_str(),
            "swapped.json",
            "credential.hex",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));

    hybridsim(
        &dir,
        &[
            "migrate",
            "import",
            "--state",
            "new.json",
            "--format",
            "cxf",
            "--profile",
            "google-password-manager",
            "moved.json",
        ],
    );
    fido2(
        &py,
        &dir,
        &[
            "authenticate-begin",
            "--credential",
            "credential.hex",
            "--challenge",
            &"03".repeat(32),
            "--uv",
            "required",
            "--out-options",
            "get.json",
            "--out-state",
            "auth-state.json",
        ],
    );
    let asserted = hybridsim(
        &dir,
        &[
            "ceremony",
            "get",
            "--options",
            "get.json",
            "--origin",
            ORIGIN,
            "--state",
            "new.json",
        ],
    );
    std::fs::write(dir.join("assertion.json"), asserted).unwrap();
    fido2(
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
    );
    std::fs::remove_dir_all(dir).unwrap();
}
