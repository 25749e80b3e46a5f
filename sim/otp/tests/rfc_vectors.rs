//! Every known answer from RFC 4226 Appendix D and RFC 6238 Appendix B, read from
//! `fixtures/otp/` (copied unchanged from the background material).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_otp::hotp::{dynamic_truncate, hmac_digest};
use hybridsim_otp::{hotp, totp, Algorithm, OtpAccount, OtpKind};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/otp")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn algorithm(name: &str) -> Algorithm {
    match name {
        "SHA1" => Algorithm::Sha1,
        "SHA256" => Algorithm::Sha256,
        "SHA512" => Algorithm::Sha512,
        other => panic!("unknown algorithm {other}"),
    }
}

#[test]
fn rfc4226_appendix_d_hmac_truncation_and_codes() {
    let data = fixture("rfc4226_hotp.json");
    let secret = hex::decode(data["secret_hex"].as_str().unwrap()).unwrap();
    assert_eq!(secret, data["secret_ascii"].as_str().unwrap().as_bytes());
    let rows = data["vectors"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    for row in rows {
        let counter = row["counter"].as_u64().unwrap();
        let digest = hmac_digest(&secret, counter, Algorithm::Sha1);
        assert_eq!(hex::encode(&digest), row["hmac_sha1_hex"].as_str().unwrap());
        assert_eq!(
            u64::from(dynamic_truncate(&digest)),
            row["truncated_decimal"].as_u64().unwrap(),
            "counter {counter}"
        );
        assert_eq!(
            hotp(&secret, counter, Algorithm::Sha1, 6).unwrap(),
            row["hotp_6"].as_str().unwrap(),
            "counter {counter}"
        );
    }
}

#[test]
fn rfc6238_appendix_b_all_algorithms() {
    let data = fixture("rfc6238_totp.json");
    let period = u32::try_from(data["time_step_seconds"].as_u64().unwrap()).unwrap();
    let t0 = data["T0"].as_u64().unwrap();
    let digits = u8::try_from(data["digits"].as_u64().unwrap()).unwrap();
    let rows = data["vectors"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let mut checked = 0;
    for row in rows {
        let time = row["unix_time"].as_u64().unwrap();
        let t = u64::from_str_radix(row["T_hex"].as_str().unwrap(), 16).unwrap();
        assert_eq!(hybridsim_otp::totp::step(time, period, t0).unwrap(), t);
        for (name, expected) in row["totp_8"].as_object().unwrap() {
            let seed = hex::decode(data["seeds"][name]["hex"].as_str().unwrap()).unwrap();
            let alg = algorithm(name);
            assert_eq!(
                totp(&seed, time, alg, digits, period, t0).unwrap(),
                expected.as_str().unwrap(),
                "{name} at {time}"
            );
            let account = OtpAccount {
                issuer: "RFC".into(),
                name: "6238".into(),
                secret: seed,
                algorithm: alg,
                digits,
                kind: OtpKind::Totp { period },
            };
            assert_eq!(account.code_at(time).unwrap(), expected.as_str().unwrap());
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

#[test]
fn the_sha1_seed_with_sha256_gives_the_other_code_errata_trap() {
    // docs/migration.md §1.2: using the 20-byte seed for SHA-256 at t = 59 gives 32247374.
    let seed = b"12345678901234567890";
    assert_eq!(
        totp(seed, 59, Algorithm::Sha256, 8, 30, 0).unwrap(),
        "32247374"
    );
}
