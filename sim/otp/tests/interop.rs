//! hybridsim-otp against HOTP/TOTP code it did not write.
//!
//! - `oathtool` (Debian package `oathtool`, OATH Toolkit): TOTP codes for SHA1/256/512, 6/7/8
//!   digits, periods 15/30/60 at times up to past 2^34 seconds, and HOTP codes (SHA-1 only in
//!   oathtool) at counters past 2^32.
//! - PyPI `pyotp` (pinned in tests/interop/requirements-otp.txt): the same codes; its
//!   `parse_uri` reads our `to_uri` output to the same account; our strict parser accepts its
//!   `provisioning_uri` output. One Python process answers the whole batch.
//!
//! `bash tests/run` installs both and sets HYBRIDSIM_PYTHON_OTP. Without them the tests are
//! skipped, except in CI, where a missing tool is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_otp::{base32, parse, to_uri, Algorithm, Mode, OtpAccount, OtpKind};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn skip(what: &str) {
    if in_ci() {
        panic!("{what}: run bash tests/run, which installs the interop tools");
    }
    eprintln!("skipped: {what}");
}

fn python() -> Option<String> {
    match std::env::var("HYBRIDSIM_PYTHON_OTP") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            skip("HYBRIDSIM_PYTHON_OTP not set (bash tests/run sets it)");
            None
        }
    }
}

fn oathtool_present() -> bool {
    let found = Command::new("oathtool").arg("--version").output().is_ok();
    if !found {
        skip("oathtool not installed (bash tests/run installs it)");
    }
    found
}

const ALGORITHMS: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];
const TIMES: [u64; 9] = [
    0,
    59,
    1_111_111_109,
    2_147_483_647, // the last second of signed 32-bit time
    4_294_967_295,
    4_294_967_296, // past 2^32 seconds
    20_000_000_000,
    25_000_000_007,
    17_179_869_184, // 2^34
];

/// Deterministic secrets of several lengths (a fixed-seed xorshift, not a random source).
fn secret(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn secret_len(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::Sha1 => 20,
        Algorithm::Sha256 => 32,
        Algorithm::Sha512 => 64,
    }
}

fn oathtool(args: &[String]) -> Vec<String> {
    let out = Command::new("oathtool").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "oathtool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn totp_codes_agree_with_oathtool() {
    if !oathtool_present() {
        return;
    }
    let mut compared = 0;
    for (a, algorithm) in ALGORITHMS.into_iter().enumerate() {
        let key = secret(secret_len(algorithm) - a * 3, a as u64 + 7);
        for digits in [6u8, 7, 8] {
            for period in [15u32, 30, 60] {
                for time in TIMES {
                    // -w 2: the codes of this step and the next two.
                    let theirs = oathtool(&[
                        format!("--totp={}", algorithm.name().to_lowercase()),
                        format!("--digits={digits}"),
                        format!("--time-step-size={period}s"),
                        format!("--now=@{time}"),
                        "--window=2".into(),
                        hex::encode(&key),
                    ]);
                    assert_eq!(theirs.len(), 3);
                    for (k, theirs) in theirs.iter().enumerate() {
                        let at = time + k as u64 * u64::from(period);
                        let ours =
                            hybridsim_otp::totp(&key, at, algorithm, digits, period, 0).unwrap();
                        assert_eq!(
                            &ours, theirs,
                            "{algorithm:?} {digits} digits {period} s at {at}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 3 * 3 * 3 * TIMES.len() * 3);
}

#[test]
fn hotp_codes_agree_with_oathtool() {
    if !oathtool_present() {
        return;
    }
    for (i, len) in [10usize, 16, 20, 37].into_iter().enumerate() {
        let key = secret(len, 100 + i as u64);
        for digits in [6u8, 7, 8] {
            for counter in [0u64, 1, 255, 4_294_967_295, (1 << 40) + 5] {
                let theirs = oathtool(&[
                    "--hotp".into(),
                    format!("--digits={digits}"),
                    format!("--counter={counter}"),
                    "--window=3".into(),
                    hex::encode(&key),
                ]);
                for (k, theirs) in theirs.iter().enumerate() {
                    let ours =
                        hybridsim_otp::hotp(&key, counter + k as u64, Algorithm::Sha1, digits)
                            .unwrap();
                    assert_eq!(
                        &ours,
                        theirs,
                        "{len}-byte key, counter {}",
                        counter + k as u64
                    );
                }
            }
        }
    }
}

fn pyotp_batch(py: &str, batch: &Value) -> Value {
    let mut child = Command::new(py)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/interop/pyotp_batch.py"
        ))
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(batch.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pyotp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Accounts whose names pyotp's `parse_uri` can read back: it percent-decodes the whole URI
/// before splitting it, so `&`, `#`, `?`, `=`, `%` and `+` in an issuer or name break it
/// whatever the encoding (a pyotp limitation; our own round trip covers those characters).
fn accounts() -> Vec<OtpAccount> {
    let issuers = [
        "Example",
        "Big Corporation",
        "Société Générale",
        "日本.example",
        "a_b-c~d",
    ];
    let names = [
        "alice@example.com",
        "Alice Smith",
        "bob",
        "ünïcode user",
        "x.y/z",
    ];
    let mut out = Vec::new();
    for (i, (issuer, name)) in issuers.iter().zip(names).enumerate() {
        for (j, algorithm) in ALGORITHMS.into_iter().enumerate() {
            let n = i * 3 + j;
            out.push(OtpAccount {
                issuer: (*issuer).into(),
                name: name.into(),
                secret: secret([16, 20, 32, 64][n % 4], n as u64),
                algorithm,
                digits: [6, 7, 8][n % 3],
                kind: if n % 4 == 3 {
                    OtpKind::Hotp {
                        counter: (n as u64) << 33,
                    }
                } else {
                    OtpKind::Totp {
                        period: [15, 30, 60][n % 3],
                    }
                },
            });
        }
    }
    out
}

fn account_json(a: &OtpAccount) -> Value {
    let mut v = json!({
        "secret": base32::encode(&a.secret),
        "name": a.name,
        "issuer": a.issuer,
        "algorithm": a.algorithm.name(),
        "digits": a.digits,
    });
    match a.kind {
        OtpKind::Totp { period } => v["period"] = json!(period),
        OtpKind::Hotp { counter } => v["counter"] = json!(counter),
    }
    v
}

#[test]
fn pyotp_codes_and_uris_agree() {
    let Some(py) = python() else {
        return;
    };
    // Codes: every algorithm, 6/7/8 digits, 15/30/60 s, all times; HOTP counters.
    let mut questions = Vec::new();
    let mut ours = Vec::new();
    for (a, algorithm) in ALGORITHMS.into_iter().enumerate() {
        let key = secret(secret_len(algorithm) + a, a as u64 + 40);
        let b32 = base32::encode(&key);
        for digits in [6u8, 7, 8] {
            for period in [15u32, 30, 60] {
                for time in TIMES {
                    questions.push(json!({"secret": b32, "algorithm": algorithm.name(), "digits": digits, "period": period, "time": time}));
                    ours.push(
                        hybridsim_otp::totp(&key, time, algorithm, digits, period, 0).unwrap(),
                    );
                }
            }
            for counter in [0u64, 9, 4_294_967_296, u64::from(u32::MAX) * 7] {
                questions.push(json!({"secret": b32, "algorithm": algorithm.name(), "digits": digits, "counter": counter}));
                ours.push(hybridsim_otp::hotp(&key, counter, algorithm, digits).unwrap());
            }
        }
    }
    let accounts = accounts();
    let uris: Vec<String> = accounts.iter().map(to_uri).collect();
    let answers = pyotp_batch(
        &py,
        &json!({
            "codes": questions,
            "parse": uris,
            "provision": accounts.iter().map(account_json).collect::<Vec<_>>(),
        }),
    );

    let theirs = answers["codes"].as_array().unwrap();
    assert_eq!(theirs.len(), ours.len());
    for ((q, ours), theirs) in questions.iter().zip(&ours).zip(theirs) {
        assert_eq!(ours, theirs.as_str().unwrap(), "{q}");
    }

    // pyotp reads what we emit as the same account.
    for ((account, uri), read) in accounts
        .iter()
        .zip(&uris)
        .zip(answers["parse"].as_array().unwrap())
    {
        assert!(read.get("error").is_none(), "pyotp refused {uri}: {read}");
        let expected = account_json(account);
        for field in [
            "secret",
            "name",
            "issuer",
            "algorithm",
            "digits",
            "period",
            "counter",
        ] {
            assert_eq!(read.get(field), expected.get(field), "{field} of {uri}");
        }
    }

    // Our strict parser accepts what pyotp emits, as the same account.
    for (account, uri) in accounts
        .iter()
        .zip(answers["provision"].as_array().unwrap())
    {
        let uri = uri.as_str().unwrap();
        let parsed = parse(uri, Mode::Strict).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(&parsed.account, account, "{uri}");
    }
}

#[test]
fn pyotp_refuses_what_our_strict_parser_refuses_for_the_issuer_mismatch() {
    let Some(py) = python() else {
        return;
    };
    // docs/migration.md §2.2: pyotp raises on label prefix ≠ issuer; lenient keeps the parameter.
    let uri = "otpauth://totp/Contoso%3Auser%40contoso.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Microsoft";
    let answers = pyotp_batch(&py, &json!({"parse": [uri]}));
    let error = answers["parse"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("issuer"),
        "pyotp accepted it: {}",
        answers["parse"][0]
    );
    assert!(parse(uri, Mode::Strict).is_err());
    assert_eq!(
        parse(uri, Mode::Lenient).unwrap().account.issuer,
        "Microsoft"
    );
}
