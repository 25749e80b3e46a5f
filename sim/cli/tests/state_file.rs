//! The phone state file under concurrent and hostile use, through the binary: parallel
//! writers keep every update, files are private, read-only files are refused, symlinked
//! state paths stay symlinks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, scratch, ORIGIN};
use serde_json::Value;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Child, Output, Stdio};

const PARALLEL: usize = 20;

fn spawn(dir: &Path, args: &[String]) -> Child {
    hybridsim()
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts every command before waiting for any, then checks each exited 0.
fn all_at_once(dir: &Path, commands: Vec<Vec<String>>) {
    let children: Vec<Child> = commands.iter().map(|args| spawn(dir, args)).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn state_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn create_args(state: &str) -> Vec<String> {
    create_args_with(state, "create.json")
}

fn create_args_with(state: &str, options: &str) -> Vec<String> {
    [
        "authenticator",
        "create",
        "--options",
        options,
        "--origin",
        ORIGIN,
        "--state",
        state,
        "--profile",
        "microsoft-authenticator-ios",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn create(dir: &Path, state: &str) -> Output {
    hybridsim()
        .args(create_args(state))
        .current_dir(dir)
        .output()
        .unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn parallel_authenticator_creates_keep_every_credential() {
    let dir = scratch("state", "parallel-create");
    // One user each: a discoverable credential for the same user would replace the last.
    let template = state_json(&dir.join("create.json"));
    let commands = (0..PARALLEL)
        .map(|n| {
            let mut options = template.clone();
            options["user"]["id"] = Value::from(format!("dXNlci{n:02}"));
            let name = format!("create-{n}.json");
            std::fs::write(dir.join(&name), options.to_string()).unwrap();
            create_args_with("s.json", &name)
        })
        .collect();
    all_at_once(&dir, commands);
    let state = state_json(&dir.join("s.json"));
    assert_eq!(state["operations"], PARALLEL);
    let text = state["credentials"].to_string();
    let credentials = state["credentials"]["credentials"]
        .as_array()
        .unwrap_or_else(|| panic!("credentials list in {text}"));
    assert_eq!(credentials.len(), PARALLEL);
}

#[test]
fn parallel_migrate_adds_keep_every_account() {
    let dir = scratch("state", "parallel-add");
    let commands = (0..PARALLEL)
        .map(|n| {
            let uri = format!(
                "otpauth://totp/Site{n}:user{n}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Site{n}"
            );
            ["migrate", "add", "--state", "s.json", "--uri", &uri]
                .map(str::to_owned)
                .to_vec()
        })
        .collect();
    all_at_once(&dir, commands);
    let state = state_json(&dir.join("s.json"));
    assert_eq!(
        state["phone"]["accounts"].as_array().unwrap().len(),
        PARALLEL
    );
}

#[test]
fn state_and_credential_files_are_written_private() {
    let dir = scratch("state", "modes");
    let out = create(&dir, "s.json");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&dir.join("s.json")), 0o600);
    std::fs::write(dir.join("registration.json"), &out.stdout).unwrap();
    let out = hybridsim()
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
        ])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/attestation/ca.pem"
        ))
        .args(["--credential-out", "cred.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&dir.join("cred.json")), 0o600);
}

#[test]
fn a_read_only_state_file_is_refused_and_left_as_it_was() {
    let dir = scratch("state", "read-only");
    assert!(create(&dir, "s.json").status.success());
    let path = dir.join("s.json");
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let out = create(&dir, "s.json");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("read-only"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "no registration printed for an unsaved credential"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(mode(&path), 0o400);
}

#[test]
fn a_symlinked_state_path_stays_a_symlink() {
    let dir = scratch("state", "symlink");
    std::fs::create_dir(dir.join("keep")).unwrap();
    symlink("keep/phone.json", dir.join("s.json")).unwrap();
    assert!(create(&dir, "s.json").status.success());
    assert!(create(&dir, "s.json").status.success());
    let link = std::fs::symlink_metadata(dir.join("s.json")).unwrap();
    assert!(link.file_type().is_symlink());
    let state = state_json(&dir.join("keep/phone.json"));
    assert_eq!(state["operations"], 2);
}

#[test]
fn a_missing_state_file_is_refused_without_leaving_a_lock_file() {
    let dir = scratch("state", "missing");
    let out = hybridsim()
        .args([
            "authenticator",
            "get",
            "--options",
            "get.json",
            "--origin",
            ORIGIN,
        ])
        .args(["--state", "s.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("s.json").exists());
    assert!(!dir.join("s.json.lock").exists());
}
