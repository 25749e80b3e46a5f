//! `hybridsim migrate …` as scripts use it: decoding the recorded Google vectors and a QR
//! picture made by `qrencode`, export → import round trips through two state files checked
//! with `oathtool`'s codes, quirks, corrupt state, bad input.
//!
//! `qrencode` and `oathtool` (Debian packages of the same names) are installed by
//! `bash tests/run`; without them the tests that need them say "skipped" locally and fail in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2026-11-23T00:00:00Z.
const AT: &str = "1795392000";

/// Accounts every format carries whole: SHA-1/6/30 s, SHA-256/8 digits, HOTP at counter 5.
const URIS: [&str; 3] = [
    "otpauth://totp/GitHub:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub",
    "otpauth://totp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&issuer=Bank&algorithm=SHA256&digits=8",
    "otpauth://hotp/VPN:carol?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=VPN&counter=5",
];

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hybridsim-migrate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hybridsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn ok(out: &Output) -> &Output {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    out
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// Exit 2 and exactly one `hybridsim: …` line on stderr.
fn assert_bad_input(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stdout: {}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("hybridsim: "), "{err:?}");
    err
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn tool(name: &str) -> bool {
    let found = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if !found {
        assert!(!in_ci(), "{name} is missing: bash tests/run installs it");
        eprintln!("skipped: {name} not installed (bash tests/run installs it)");
    }
    found
}

fn vectors() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/migration/otpauth_migration.json");
    let text = std::fs::read_to_string(path).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["vectors"].as_array().unwrap().clone()
}

/// The decoded payload recorded beside a vector, against `decode --json`'s first payload.
fn assert_matches_recorded(decoded: &Value, recorded: &Value, id: &str) {
    let payload = &decoded["payloads"][0];
    for field in ["version", "batch_size", "batch_index", "batch_id"] {
        assert_eq!(payload[field], recorded[field], "{id}: {field}");
    }
    let expected = recorded["otp_parameters"].as_array().unwrap();
    let entries = payload["entries"].as_array().unwrap();
    assert_eq!(entries.len(), expected.len(), "{id}: entry count");
    let accounts = decoded["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), expected.len(), "{id}: account count");
    for (k, (entry, want)) in entries.iter().zip(expected).enumerate() {
        assert_eq!(entry["name"], want["name"], "{id} entry {k}: name");
        assert_eq!(entry["issuer"], want["issuer"], "{id} entry {k}: issuer");
        assert_eq!(entry["secret"], want["secret_base32"], "{id} entry {k}");
        for (ours, theirs) in [
            ("algorithm", "algorithm"),
            ("digits", "digits"),
            ("type", "type"),
        ] {
            // Absent on the wire is the proto3 default 0 (UNSPECIFIED).
            let wire = want[theirs]["wire_value"].as_i64().unwrap_or(0);
            assert_eq!(entry[ours], json!(wire), "{id} entry {k}: {ours}");
        }
        assert_eq!(
            accounts[k]["secret"], want["secret_base32"],
            "{id} account {k}"
        );
        let split = accounts[k]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "issuer-from-name");
        if split {
            // "Issuer: name" with no issuer field: the account takes the prefix as issuer.
            let raw = want["name"].as_str().unwrap();
            let (prefix, rest) = raw.split_once(':').unwrap();
            assert_eq!(accounts[k]["issuer"], prefix, "{id} account {k}");
            assert_eq!(accounts[k]["name"], rest.trim_start(), "{id} account {k}");
        } else {
            assert_eq!(accounts[k]["issuer"], want["issuer"], "{id} account {k}");
        }
    }
}

#[test]
fn decode_reproduces_every_recorded_vector() {
    let dir = scratch("vectors");
    let vectors = vectors();
    assert!(!vectors.is_empty());
    for v in &vectors {
        let id = v["id"].as_str().unwrap();
        let url = v["url"].as_str().unwrap();
        let out = hybridsim(&dir, &["migrate", "decode", url, "--json"]);
        let decoded = json_of(ok(&out));
        assert_eq!(decoded["format"], "google-migration");
        assert_matches_recorded(&decoded, &v["decoded"], id);
    }
    // dim13's example leaves algorithm and digits unspecified: both are reported.
    let dim13 = vectors.iter().find(|v| v["id"] == "dim13-example").unwrap();
    let out = hybridsim(
        &dir,
        &[
            "migrate",
            "decode",
            dim13["url"].as_str().unwrap(),
            "--json",
        ],
    );
    let codes: Vec<String> = json_of(&out)["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    for code in [
        "algorithm-unspecified",
        "digits-unspecified",
        "period-assumed",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
}

#[test]
fn decode_reads_a_qr_picture_made_by_qrencode() {
    if !tool("qrencode") {
        return;
    }
    let dir = scratch("qrencode");
    let v = &vectors()[0];
    let status = Command::new("qrencode")
        .args(["-o", "vector.png", v["url"].as_str().unwrap()])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let out = hybridsim(&dir, &["migrate", "decode", "vector.png", "--json"]);
    let decoded = json_of(ok(&out));
    assert_matches_recorded(&decoded, &v["decoded"], "qrencode picture");
}

/// Makes a state file with the three accounts.
fn phone_with_accounts(dir: &Path, state: &str) {
    let mut args = vec!["migrate", "add", "--state", state];
    for uri in URIS {
        args.extend(["--uri", uri]);
    }
    ok(&hybridsim(dir, &args));
}

/// label → code, from `migrate list --json`.
fn codes(dir: &Path, state: &str) -> Vec<(String, String)> {
    let out = hybridsim(
        dir,
        &["migrate", "list", "--state", state, "--at", AT, "--json"],
    );
    json_of(ok(&out))["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            Some((
                a["label"].as_str()?.to_owned(),
                a["code"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

#[test]
fn list_codes_match_oathtool() {
    if !tool("oathtool") {
        return;
    }
    let dir = scratch("oathtool");
    phone_with_accounts(&dir, "a.json");
    let out = hybridsim(
        &dir,
        &["migrate", "list", "--state", "a.json", "--at", AT, "--json"],
    );
    let listed = json_of(ok(&out));
    let accounts = listed["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    for a in accounts {
        let acc = &a["account"];
        let secret = acc["secret"].as_str().unwrap();
        let digits = acc["digits"].to_string();
        let args: Vec<String> = if acc["type"] == "totp" {
            vec![
                format!("--totp={}", acc["algorithm"].as_str().unwrap()),
                "-b".into(),
                "-d".into(),
                digits,
                "-s".into(),
                format!("{}s", acc["period"]),
                "-N".into(),
                format!("@{AT}"),
                secret.into(),
            ]
        } else {
            vec![
                "-b".into(),
                "-d".into(),
                digits,
                "-c".into(),
                acc["counter"].to_string(),
                secret.into(),
            ]
        };
        let theirs = Command::new("oathtool").args(&args).output().unwrap();
        assert!(theirs.status.success(), "{theirs:?}");
        assert_eq!(
            a["code"].as_str().unwrap(),
            String::from_utf8(theirs.stdout).unwrap().trim(),
            "{}",
            a["label"]
        );
    }
}

#[test]
fn export_then_import_keeps_every_code_in_every_format() {
    let dir = scratch("roundtrip");
    phone_with_accounts(&dir, "a.json");
    let before = codes(&dir, "a.json");
    assert_eq!(before.len(), 3);
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("google", &["--out", "g.txt"], &["g.txt"]),
        ("aegis", &["--out", "v.json"], &["v.json"]),
        ("2fas", &["--out", "b.2fas"], &["b.2fas"]),
        (
            "aegis",
            &["--out", "e.json", "--password", "hunter2"],
            &["e.json", "--password", "hunter2"],
        ),
    ];
    for (n, (format, export, import)) in cases.iter().enumerate() {
        let mut args = vec!["migrate", "export", "--state", "a.json", "--format", format];
        args.extend_from_slice(export);
        ok(&hybridsim(&dir, &args));
        let target = format!("b{n}.json");
        let mut args = vec!["migrate", "import", "--state", &target, "--format", format];
        args.extend_from_slice(import);
        ok(&hybridsim(&dir, &args));
        assert_eq!(codes(&dir, &target), before, "{format} {export:?}");
        // Importing the same export again adds nothing: the app deduplicates.
        ok(&hybridsim(&dir, &args));
        assert_eq!(codes(&dir, &target), before, "{format} imported twice");
    }
    // The Google export through QR pictures, read back by decode and by import.
    ok(&hybridsim(
        &dir,
        &[
            "migrate",
            "export",
            "--state",
            "a.json",
            "--format",
            "google",
            "--png-dir",
            "qr",
            "--per-qr",
            "1",
            "--out",
            "g1.txt",
        ],
    ));
    let mut pictures: Vec<String> = (1..=3).map(|k| format!("qr/qr-{k}-of-3.png")).collect();
    let mut args = vec![
        "migrate", "import", "--state", "png.json", "--format", "google",
    ];
    args.extend(pictures.iter().map(String::as_str));
    ok(&hybridsim(&dir, &args));
    assert_eq!(codes(&dir, "png.json"), before);
    // Two of three pictures: decode lists what it has and exits 1 naming the missing one.
    pictures.remove(1);
    let mut args = vec!["migrate", "decode", "--json"];
    args.extend(pictures.iter().map(String::as_str));
    let out = hybridsim(&dir, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("QR 2 of 3 missing"),
        "{}",
        stderr(&out)
    );
    let partial = json_of(&out);
    assert_eq!(partial["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(partial["batch"]["missing_indices"], json!([1]));
    assert_eq!(partial["batch"]["complete"], json!(false));
}

#[test]
fn encrypted_exports_need_the_right_password() {
    let dir = scratch("password");
    phone_with_accounts(&dir, "a.json");
    for (format, file) in [("aegis", "v.json"), ("2fas", "b.2fas")] {
        ok(&hybridsim(
            &dir,
            &[
                "migrate",
                "export",
                "--state",
                "a.json",
                "--format",
                format,
                "--out",
                file,
                "--password",
                "right",
            ],
        ));
        let out = hybridsim(
            &dir,
            &["migrate", "decode", file, "--password", "right", "--json"],
        );
        assert_eq!(json_of(ok(&out))["accounts"].as_array().unwrap().len(), 3);
        let err = assert_bad_input(&hybridsim(
            &dir,
            &["migrate", "decode", file, "--password", "wrong"],
        ));
        assert!(err.contains("wrong password"), "{err}");
        let err = assert_bad_input(&hybridsim(
            &dir,
            &[
                "migrate",
                "import",
                "--state",
                "b.json",
                "--format",
                format,
                file,
                "--password",
                "wrong",
            ],
        ));
        assert!(err.contains("wrong password"), "{err}");
        assert!(!dir.join("b.json").exists(), "nothing written on failure");
    }
}

#[test]
fn a_quirk_changes_the_outcome_of_a_run() {
    let dir = scratch("quirk");
    phone_with_accounts(&dir, "a.json");
    let clean = hybridsim(
        &dir,
        &[
            "migrate",
            "run",
            "--from",
            "a.json",
            "--to",
            "b.json",
            "--mechanism",
            "2fas",
            "--at",
            AT,
            "--json",
        ],
    );
    let report = json_of(ok(&clean));
    assert_eq!(report["lossless"], json!(true));
    let quirky = hybridsim(
        &dir,
        &[
            "migrate",
            "run",
            "--from",
            "a.json",
            "--to",
            "c.json",
            "--mechanism",
            "2fas",
            "--at",
            AT,
            "--quirk",
            "app-ignores-otp-parameters",
            "--json",
        ],
    );
    assert_eq!(quirky.status.code(), Some(1));
    let report = json_of(&quirky);
    assert_eq!(report["lossless"], json!(false));
    let why = String::from_utf8_lossy(&quirky.stderr);
    assert!(
        why.contains("the migration was not lossless: 1 of "),
        "{why}"
    );
    let bank = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == "Bank (bob)")
        .unwrap();
    assert_eq!(bank["arrival"]["state"], "changed");
    assert_eq!(bank["same_code"], json!(false));
    // The new phone was written with what arrived: the Bank code differs from the old phone's.
    let old = codes(&dir, "a.json");
    let new = codes(&dir, "c.json");
    assert_eq!(new.len(), 3);
    assert_eq!(old[0], new[0]);
    assert_ne!(old[1].1, new[1].1);
    // Import without dedupe adds a second copy; with the app's rules it does not.
    ok(&hybridsim(
        &dir,
        &[
            "migrate", "export", "--state", "a.json", "--format", "aegis", "--out", "v.json",
        ],
    ));
    ok(&hybridsim(
        &dir,
        &[
            "migrate", "import", "--state", "b.json", "--format", "aegis", "v.json",
        ],
    ));
    assert_eq!(codes(&dir, "b.json").len(), 3);
    ok(&hybridsim(
        &dir,
        &[
            "migrate",
            "import",
            "--state",
            "b.json",
            "--format",
            "aegis",
            "v.json",
            "--quirk",
            "import-no-dedupe",
        ],
    ));
    assert_eq!(codes(&dir, "b.json").len(), 6);
    let err = assert_bad_input(&hybridsim(
        &dir,
        &[
            "migrate",
            "run",
            "--from",
            "a.json",
            "--to",
            "d.json",
            "--mechanism",
            "2fas",
            "--quirk",
            "no-such-bug",
        ],
    ));
    assert!(err.contains("migrate quirks"), "{err}");
    let listed = json_of(ok(&hybridsim(&dir, &["migrate", "quirks", "--json"])));
    assert!(listed["quirks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|q| q["name"] == "app-ignores-otp-parameters"
            && q["bug"] == "M11"
            && q["stage"] == "app"));
}

#[test]
fn corrupt_state_is_refused_and_left_byte_identical() {
    let dir = scratch("corrupt");
    phone_with_accounts(&dir, "a.json");
    ok(&hybridsim(
        &dir,
        &[
            "migrate", "export", "--state", "a.json", "--format", "aegis", "--out", "v.json",
        ],
    ));
    let corrupt = b"{\"format\": \"hybridsim-authenticator-state\", \"version\": 1, \"pro";
    std::fs::write(dir.join("b.json"), corrupt).unwrap();
    for args in [
        vec![
            "migrate", "import", "--state", "b.json", "--format", "aegis", "v.json",
        ],
        vec!["migrate", "add", "--state", "b.json", "--uri", URIS[0]],
        vec![
            "migrate",
            "run",
            "--from",
            "a.json",
            "--to",
            "b.json",
            "--mechanism",
            "aegis-vault",
            "--at",
            AT,
        ],
        vec!["migrate", "list", "--state", "b.json", "--at", AT],
    ] {
        let err = assert_bad_input(&hybridsim(&dir, &args));
        assert!(err.contains("left untouched"), "{args:?}: {err}");
        assert_eq!(
            std::fs::read(dir.join("b.json")).unwrap(),
            corrupt,
            "{args:?}"
        );
    }
}

#[test]
fn bad_input_is_one_line_naming_what_was_tried() {
    let dir = scratch("bad");
    std::fs::write(dir.join("notes.txt"), "hello\n").unwrap();
    std::fs::write(dir.join("other.json"), "{\"entries\": []}").unwrap();
    for input in ["notes.txt", "other.json"] {
        let err = assert_bad_input(&hybridsim(&dir, &["migrate", "decode", input]));
        for tried in ["otpauth-migration", "PNG", "Aegis", "2FAS"] {
            assert!(err.contains(tried), "{input}: {err}");
        }
    }
    assert_bad_input(&hybridsim(&dir, &["migrate", "decode", "no-such-file.png"]));
    assert_bad_input(&hybridsim(
        &dir,
        &["migrate", "decode", "otpauth-migration://offline?data=%%%"],
    ));
    let err = assert_bad_input(&hybridsim(
        &dir,
        &[
            "migrate",
            "add",
            "--state",
            "a.json",
            "--uri",
            "https://example.com",
        ],
    ));
    assert!(err.contains("otpauth"), "{err}");
    assert!(!dir.join("a.json").exists());
}

#[test]
fn a_state_file_made_by_authenticator_create_still_loads_and_keeps_its_credentials() {
    let dir = scratch("old-state");
    std::fs::write(
        dir.join("create.json"),
        json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"}
        })
        .to_string(),
    )
    .unwrap();
    ok(&hybridsim(
        &dir,
        &[
            "authenticator",
            "create",
            "--options",
            "create.json",
            "--origin",
            "https://login.example",
            "--state",
            "s.json",
            "--profile",
            "ios16",
        ],
    ));
    let old: Value = serde_json::from_slice(&std::fs::read(dir.join("s.json")).unwrap()).unwrap();
    assert!(
        old.get("phone").is_none(),
        "files without accounts stay as they were"
    );
    phone_with_accounts(&dir, "s.json");
    let new: Value = serde_json::from_slice(&std::fs::read(dir.join("s.json")).unwrap()).unwrap();
    for (key, value) in old.as_object().unwrap() {
        assert_eq!(&new[key], value, "{key} kept");
    }
    assert_eq!(codes(&dir, "s.json").len(), 3);
    // The authenticator's passkey is one of the app's accounts (it has no code).
    let out = hybridsim(
        &dir,
        &["migrate", "list", "--state", "s.json", "--at", AT, "--json"],
    );
    let listed = json_of(ok(&out))["accounts"].to_string();
    assert!(listed.contains("login.example (kim)"), "{listed}");
    // The authenticator still works on the extended file.
    ok(&hybridsim(
        &dir,
        &[
            "authenticator",
            "create",
            "--options",
            "create.json",
            "--origin",
            "https://login.example",
            "--state",
            "s.json",
        ],
    ));
}

/// Real exports reach people with the Base64 of `data` unescaped (raw `/`, `+`, `=`): decode
/// lists the accounts and the repair by default; --strict refuses, naming it.
#[test]
fn decode_accepts_raw_base64_in_data_by_default_and_strict_refuses_it() {
    let dir = scratch("raw-base64");
    let v = vectors()
        .into_iter()
        .find(|v| v["id"] == "eos-example-1")
        .unwrap();
    let escaped = v["url"].as_str().unwrap();
    let raw = escaped
        .replace("%2F", "/")
        .replace("%2B", "+")
        .replace("%3D", "=");
    assert_ne!(
        raw, escaped,
        "the vector has escaped characters to unescape"
    );
    for extra in [&[][..], &["--lenient"][..]] {
        let mut args = vec!["migrate", "decode", &raw, "--json"];
        args.extend_from_slice(extra);
        let decoded = json_of(ok(&hybridsim(&dir, &args)));
        assert_matches_recorded(&decoded, &v["decoded"], "raw Base64");
        let codes: Vec<&str> = decoded["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"unencoded-reserved"), "{codes:?}");
    }
    let err = assert_bad_input(&hybridsim(&dir, &["migrate", "decode", &raw, "--strict"]));
    assert!(
        err.contains("--strict") && err.contains("unencoded-reserved"),
        "{err}"
    );
    // The escaped original has nothing to repair: --strict accepts it.
    ok(&hybridsim(
        &dir,
        &["migrate", "decode", escaped, "--strict"],
    ));
}

/// Inputs are read with a cap and only from regular files.
#[test]
fn decode_refuses_devices_and_oversized_files() {
    let dir = scratch("caps");
    let err = assert_bad_input(&hybridsim(&dir, &["migrate", "decode", "/dev/zero"]));
    assert!(err.contains("not a regular file"), "{err}");
    let big = dir.join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    let err = assert_bad_input(&hybridsim(&dir, &["migrate", "decode", "big.txt"]));
    assert!(err.contains("16 MiB"), "{err}");
}

/// A Google import whose only QR code is refused brings in nothing: exit 1, not success.
#[test]
fn a_google_import_whose_only_code_is_refused_exits_1() {
    let dir = scratch("refused-only");
    // Drawn as a QR code and scanned; the importer refuses the text inside.
    std::fs::write(
        dir.join("broken.txt"),
        "otpauth-migration://offline?data=%%%\n",
    )
    .unwrap();
    let out = hybridsim(
        &dir,
        &[
            "migrate",
            "import",
            "--state",
            "b.json",
            "--format",
            "google",
            "broken.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("refused"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("no account came through"),
        "{}",
        stderr(&out)
    );
}
