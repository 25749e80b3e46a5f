//! A passkey registered through a ceremony is the account a migration moves, and the moved
//! passkey is what the new phone's authenticator signs with: one state file, one world.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{hybridsim, scratch, ORIGIN};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;

const AT: &str = "1795392000";

fn run(dir: &Path, args: &[&str]) -> Output {
    hybridsim().args(args).current_dir(dir).output().unwrap()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write(dir: &Path, name: &str, value: &Value) {
    std::fs::write(dir.join(name), value.to_string()).unwrap();
}

/// Registers a discoverable passkey on `state` (made with `profile`), keeps the response
/// and the relying party's credential, and adds an OTP account so the phone has an app.
fn registered_phone(dir: &Path, state: &str, profile: &str) -> Value {
    write(
        dir,
        "create.json",
        &json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"}
        }),
    );
    let out = ok(run(
        dir,
        &[
            "authenticator",
            "create",
            "--options",
            "create.json",
            "--origin",
            ORIGIN,
            "--state",
            state,
            "--profile",
            profile,
        ],
    ));
    std::fs::write(dir.join("created.json"), &out.stdout).unwrap();
    ok(run(
        dir,
        &[
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--response",
            "created.json",
            "--origin",
            ORIGIN,
            "--credential-out",
            "rp-credential.json",
            "--now",
            AT,
        ],
    ));
    ok(run(
        dir,
        &[
            "migrate",
            "add",
            "--state",
            state,
            "--uri",
            "otpauth://totp/GitHub:kim?secret=M5UXI2DVMIWXGZLDOJSXILJSGBRHS5DF&issuer=GitHub",
        ],
    ));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `ceremony get` on `state` without an allow list: a whole simulated hybrid ceremony (QR,
/// BLE advert, tunnel, Noise, CTAP) with the state's authenticator as the phone.
fn sign_in(dir: &Path, state: &str) -> Output {
    write(
        dir,
        "get.json",
        &json!({
            "rpId": "login.example",
            "challenge": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8",
            "userVerification": "required"
        }),
    );
    run(
        dir,
        &[
            "authenticator",
            "get",
            "--options",
            "get.json",
            "--origin",
            ORIGIN,
            "--state",
            state,
        ],
    )
}

#[test]
fn a_synced_passkey_moved_by_keychain_sync_signs_in_on_the_new_phone() {
    let dir = scratch("passkey-move", "synced");
    let created = registered_phone(&dir, "old.json", "ios16");
    let out = run(
        &dir,
        &[
            "migrate",
            "run",
            "--from",
            "old.json",
            "--to",
            "new.json",
            "--mechanism",
            "keychain-sync",
            "--profile",
            "ios16",
            "--at",
            AT,
            "--json",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    let passkey = rows
        .iter()
        .find(|r| r["account"] == "login.example (kim)")
        .unwrap_or_else(|| panic!("no passkey row in {report}"));
    assert_eq!(passkey["arrival"]["state"], "moved", "{passkey}");

    new_phone_signs_in_as_registered(&dir, &created);
}

#[test]
fn a_device_bound_passkey_stays_behind_and_the_new_phone_cannot_sign_in() {
    let dir = scratch("passkey-move", "bound");
    registered_phone(&dir, "old.json", "microsoft-authenticator-ios");
    ok(sign_in(&dir, "old.json"));
    let out = run(
        &dir,
        &[
            "migrate",
            "run",
            "--from",
            "old.json",
            "--to",
            "new.json",
            "--mechanism",
            "cloud-backup",
            "--profile",
            "microsoft-authenticator-ios",
            "--at",
            AT,
            "--json",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == "login.example (kim)")
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["arrival"]["state"], "missing", "{report}");
    let refused = sign_in(&dir, "new.json");
    assert!(!refused.status.success(), "no passkey on the new phone");
}

#[test]
fn key_restrictions_on_rp_verify_refuse_each_with_its_own_reason() {
    let dir = scratch("passkey-move", "restrictions");
    registered_phone(&dir, "old.json", "ios16");
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "rp",
            "verify-registration",
            "--options",
            "create.json",
            "--response",
            "created.json",
            "--origin",
            ORIGIN,
            "--now",
            AT,
        ];
        args.extend_from_slice(extra);
        run(&dir, &args)
    };
    let refused = verify(&["--enforce-attestation"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("enforces attestation"));
    let refused = verify(&["--allow-aaguid", "90a3ccdf-635c-4729-a248-9b709135078f"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        err.contains("AAGUID 00000000-0000-0000-0000-000000000000 is not allowed"),
        "{err}"
    );
    ok(verify(&[
        "--allow-aaguid",
        "00000000-0000-0000-0000-000000000000",
    ]));
    let bad = verify(&["--allow-aaguid", "not-a-uuid"]);
    assert_eq!(bad.status.code(), Some(2));

    // At sign-in the list is checked against the AAGUID stored at registration.
    ok(sign_in(&dir, "old.json"));
    let got = sign_in(&dir, "old.json");
    std::fs::write(dir.join("got.json"), &got.stdout).unwrap();
    let refused = run(
        &dir,
        &[
            "rp",
            "verify-authentication",
            "--options",
            "get.json",
            "--response",
            "got.json",
            "--origin",
            ORIGIN,
            "--credential",
            "rp-credential.json",
            "--allow-aaguid",
            "90a3ccdf-635c-4729-a248-9b709135078f",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("credential's AAGUID"));
}

#[test]
fn a_passkey_moved_by_cxf_signs_in_from_the_new_provider() {
    let dir = scratch("passkey-move", "cxf");
    let created = registered_phone(&dir, "old.json", "ios16");
    ok(run(
        &dir,
        &[
            "migrate",
            "export",
            "--state",
            "old.json",
            "--format",
            "cxf",
            "--out",
            "moved.cxf.json",
        ],
    ));
    let decoded = ok(run(
        &dir,
        &["migrate", "decode", "moved.cxf.json", "--json"],
    ));
    let listing: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    let types: Vec<&str> = listing["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["totp", "passkey"], "{listing}");
    ok(run(
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
            "moved.cxf.json",
        ],
    ));
    let state: Value =
        serde_json::from_slice(&std::fs::read(dir.join("new.json")).unwrap()).unwrap();
    let moved = &state["credentials"]["credentials"][0];
    assert_eq!(moved["sign_count"], 0);
    assert_eq!(moved["backup"]["eligible"], true);

    new_phone_signs_in_as_registered(&dir, &created);
}

/// The new phone (`new.json`) signs in with the credential `created` made on the old one, and
/// the relying party that registered it there accepts the assertion.
fn new_phone_signs_in_as_registered(dir: &Path, created: &Value) {
    let got = ok(sign_in(dir, "new.json"));
    std::fs::write(dir.join("got.json"), &got.stdout).unwrap();
    let assertion: Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(assertion["rawId"], created["rawId"], "the same credential");
    ok(run(
        dir,
        &[
            "rp",
            "verify-authentication",
            "--options",
            "get.json",
            "--response",
            "got.json",
            "--origin",
            ORIGIN,
            "--credential",
            "rp-credential.json",
        ],
    ));
}

#[test]
fn a_cxf_export_leaves_device_bound_passkeys_behind_and_says_so() {
    let dir = scratch("passkey-move", "cxf-bound");
    registered_phone(&dir, "old.json", "microsoft-authenticator-ios");
    let out = ok(run(
        &dir,
        &[
            "migrate", "export", "--state", "old.json", "--format", "cxf", "--out", "x.json",
        ],
    ));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains("login.example (kim): device-bound passkey"),
        "{said}"
    );
    let decoded = ok(run(&dir, &["migrate", "decode", "x.json"]));
    assert!(!String::from_utf8_lossy(&decoded.stdout).contains("passkey"));
    std::fs::write(
        dir.join("bad.json"),
        b"{\"exporterRpId\": \"x\", \"accounts\": [], \"version\": 1}",
    )
    .unwrap();
    let bad = run(&dir, &["migrate", "decode", "bad.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CXF version"));
}
