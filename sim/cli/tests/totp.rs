//! `hybridsim totp code|check` as scripts use them: exit codes, plain and JSON output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::process::{Command, Output};

/// The RFC 6238 SHA-1 seed "12345678901234567890" in Base32.
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn hybridsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .output()
        .expect("run hybridsim")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap()
}

#[test]
fn code_reproduces_rfc6238_at_59_and_past_2038() {
    let uri = format!("otpauth://totp/RFC:6238?secret={SEED}&issuer=RFC&digits=8");
    for (at, code) in [("59", "94287082"), ("20000000000", "65353130")] {
        let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", at]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out), format!("{code}\n"));
    }
    let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", "59", "--json"]);
    let v = json(&out);
    assert_eq!(v["code"], "94287082");
    assert_eq!(v["step"], 1);
    assert_eq!(v["account"]["digits"], 8);
}

#[test]
fn code_for_hotp_uses_the_counter() {
    // RFC 4226 Appendix D: counter 5 → 254676.
    let uri = format!("otpauth://hotp/RFC:4226?secret={SEED}&issuer=RFC&counter=5");
    let out = hybridsim(&["totp", "code", "--uri", &uri]);
    assert_eq!(stdout(&out), "254676\n");
}

#[test]
fn code_reads_a_lowercase_secret_as_apps_do_and_strict_refuses_it() {
    let uri = format!(
        "otpauth://totp/RFC:6238?secret={}&issuer=RFC&digits=8",
        SEED.to_lowercase()
    );
    let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", "59"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "94287082\n", "stdout stays the code alone");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("finding secret-lowercase"), "{err}");
    let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", "59", "--json"]);
    let v = json(&out);
    assert_eq!(v["code"], "94287082");
    assert_eq!(v["findings"][0]["name"], "secret-lowercase");
    let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", "59", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("hybridsim: ") && err.contains("secret-lowercase"),
        "{err}"
    );
    // --lenient is a no-op alias kept for old scripts.
    let out = hybridsim(&["totp", "code", "--uri", &uri, "--at", "59", "--lenient"]);
    assert_eq!(stdout(&out), "94287082\n");
    let out = hybridsim(&["totp", "code", "--uri", &uri]);
    assert_eq!(out.status.code(), Some(2), "TOTP needs --at");
}

/// The Key URI Format wiki's own example has an 80-bit secret: apps show its code.
#[test]
fn code_accepts_the_key_uri_wiki_example() {
    let uri = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    // Codes computed with Python's hmac over the Base32-decoded secret (RFC 6238).
    for (at, code) in [("59", "996554"), ("1700000000", "324550")] {
        let out = hybridsim(&["totp", "code", "--uri", uri, "--at", at]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out), format!("{code}\n"));
    }
    let out = hybridsim(&["totp", "code", "--uri", uri, "--at", "59", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn check_exit_codes_follow_strict_lenient_neither() {
    let strict = format!("otpauth://totp/Example:alice?secret={SEED}&issuer=Example");
    let out = hybridsim(&["totp", "check", "--uri", &strict, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["verdict"], "strict");
    assert_eq!(v["lenient"]["findings"], serde_json::json!([]));

    let entra =
        "otpauth://totp/Contoso%3Auser%40contoso.example?secret=jbswy3dpehpk3pxp&issuer=Microsoft";
    let out = hybridsim(&["totp", "check", "--uri", entra, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "lenient-only");
    let names: Vec<&str> = v["lenient"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["secret-lowercase", "secret-short", "issuer-mismatch"]
    );
    assert_eq!(v["account"]["issuer"], "Microsoft");
    assert_eq!(v["label_issuer"], "Contoso");

    let out = hybridsim(&["totp", "check", "--uri", entra]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("  issuer-mismatch: "),
        "{}",
        stdout(&out)
    );

    let out = hybridsim(&["totp", "check", "--uri", "otpauth://totp/X:a?secret=GEZ1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("'1' at position 3"), "{err}");
}
