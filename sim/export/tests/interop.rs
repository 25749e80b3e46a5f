//! Our writers against independent readers (tests/interop/export_check.py):
//!
//! - Python `protobuf`, with a descriptor built at run time from the field numbers, parses our
//!   GA migration payloads; every field, and the presence of `batch_index`, must match.
//! - Python `cryptography` (scrypt, PBKDF2-HMAC-SHA256, AES-GCM) decrypts our encrypted Aegis
//!   vault and 2FAS backup to the content we meant to write.
//!
//! `bash tests/run` installs them into a virtualenv and points HYBRIDSIM_PYTHON_EXPORT at its
//! interpreter. Without it the tests are skipped, except in CI, where that is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_export::google::{self, GoogleExportOptions, Payload};
use hybridsim_export::{aegis, twofas};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn python() -> Option<String> {
    const VAR: &str = "HYBRIDSIM_PYTHON_EXPORT";
    match std::env::var(VAR) {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") => {
            panic!("{VAR} is not set: run bash tests/run, which installs the interop tools")
        }
        _ => {
            eprintln!("skipped: {VAR} not set (bash tests/run sets it)");
            None
        }
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/export_check.py")
}

fn check(py: &str, args: &[&str], stdin: &str) -> Value {
    let mut child = Command::new(py)
        .arg(script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "export_check.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn scratch(name: &str, content: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("hybridsim-export-{}-{name}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path
}

fn accounts() -> Vec<OtpAccount> {
    let mut out = Vec::new();
    for i in 0..7u8 {
        out.push(OtpAccount {
            issuer: if i % 3 == 0 {
                String::new()
            } else {
                format!("Issuer {i} ü")
            },
            name: format!("user{i}@example.com"),
            secret: (0..20 + i)
                .map(|b| b.wrapping_mul(37).wrapping_add(i))
                .collect(),
            algorithm: [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][usize::from(i % 3)],
            digits: if i % 2 == 0 { 6 } else { 8 },
            kind: if i % 4 == 1 {
                OtpKind::Hotp {
                    counter: u64::from(i) << 40,
                }
            } else {
                OtpKind::Totp { period: 30 }
            },
        });
    }
    out
}

/// The fields of one payload in the shape export_check.py prints.
fn as_python(p: &Payload) -> Value {
    let opt = |v: Option<i32>| v.map_or(Value::Null, |v| json!(v));
    let nonzero = |v: i32| if v == 0 { Value::Null } else { json!(v) };
    let entries: Vec<Value> = p
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": if e.name.is_empty() { Value::Null } else { json!(e.name) },
                "issuer": if e.issuer.is_empty() { Value::Null } else { json!(e.issuer) },
                "algorithm": nonzero(e.algorithm),
                "digits": nonzero(e.digits),
                "type": nonzero(e.otp_type),
                "counter": if e.counter == 0 { Value::Null } else { json!(e.counter) },
                "unique_id": e.unique_id,
                "secret": hex::encode(&e.secret),
            })
        })
        .collect();
    json!({
        "version": opt(p.version),
        "batch_size": opt(p.batch_size),
        "batch_index": opt(p.batch_index),
        "batch_id": opt(p.batch_id),
        "otp_parameters": entries,
    })
}

#[test]
fn google_export_payloads_parse_with_python_protobuf() {
    let Some(py) = python() else { return };
    for write_zero_batch_index in [true, false] {
        let options = GoogleExportOptions {
            accounts_per_qr: 3,
            batch_id: -1_320_898_453,
            write_zero_batch_index,
            ..GoogleExportOptions::default()
        };
        let out = google::export(&accounts(), &options).unwrap();
        assert_eq!(out.uris.len(), 3);
        let parsed = check(&py, &["google"], &out.uris.join("\n"));
        let mut expected: Vec<Value> = out.payloads.iter().map(as_python).collect();
        if !write_zero_batch_index {
            // M01: proto3 without `optional` leaves index 0 off the wire.
            expected[0]["batch_index"] = Value::Null;
        }
        assert_eq!(
            parsed,
            Value::Array(expected),
            "write_zero_batch_index = {write_zero_batch_index}"
        );
        assert_eq!(
            parsed[0]["batch_index"],
            if write_zero_batch_index {
                json!(0)
            } else {
                Value::Null
            }
        );
    }
}

#[test]
fn encrypted_aegis_vault_opens_with_python_cryptography() {
    let Some(py) = python() else { return };
    let random = aegis::AegisRandom {
        master_key: [0x11; 32],
        slot_uuid: [0x22; 16],
        salt: [0x33; 32],
        key_nonce: [0x44; 12],
        db_nonce: [0x55; 12],
        entry_uuid_seed: [0x66; 32],
    };
    let cost = aegis::ScryptCost {
        log_n: 10,
        r: 8,
        p: 1,
    };
    let vault =
        aegis::encode_encrypted(&accounts(), "pässword".as_bytes(), &random, &cost).unwrap();
    let path = scratch("vault.json", &vault);
    let content = check(&py, &["aegis", path.to_str().unwrap(), "pässword"], "");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        content,
        aegis::content_json(&accounts(), &random.entry_uuid_seed)
    );
    assert_eq!(content["entries"][1]["info"]["counter"], json!(1u64 << 40));
}

#[test]
fn encrypted_twofas_backup_opens_with_python_cryptography() {
    let Some(py) = python() else { return };
    let random = twofas::TwofasRandom {
        salt: (0..=255).collect(),
        services_iv: [7; 12],
        reference_iv: [8; 12],
    };
    let options = twofas::TwofasEncodeOptions {
        updated_at_ms: 1_702_934_782_660,
        ..twofas::TwofasEncodeOptions::default()
    };
    let backup = twofas::encode_encrypted(&accounts(), b"test", &random, &options);
    let path = scratch("backup.2fas", &backup);
    let opened = check(&py, &["twofas", path.to_str().unwrap(), "test"], "");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(opened["reference"], twofas::REFERENCE);
    assert_eq!(
        opened["services"],
        twofas::services_json(&accounts(), options.updated_at_ms)
    );
    // M08: 2FAS' `name` is the service.
    assert_eq!(opened["services"][1]["name"], "Issuer 1 ü");
    assert_eq!(opened["services"][1]["otp"]["account"], "user1@example.com");
}
