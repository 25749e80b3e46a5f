//! Unit tests of the vault decoder and encoders.

use super::*;
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use serde_json::{json, Value};

fn account() -> OtpAccount {
    OtpAccount {
        issuer: "Deno".into(),
        name: "Mason".into(),
        secret: vec![9; 16],
        algorithm: Algorithm::Sha256,
        digits: 7,
        kind: OtpKind::Totp { period: 20 },
    }
}

fn random() -> AegisRandom {
    AegisRandom {
        master_key: [1; 32],
        slot_uuid: [2; 16],
        salt: [3; 32],
        key_nonce: [4; 12],
        db_nonce: [5; 12],
        entry_uuid_seed: [6; 32],
    }
}

const CHEAP: ScryptCost = ScryptCost {
    log_n: 4,
    r: 8,
    p: 1,
};

#[test]
fn encrypted_round_trip_and_wrong_password() {
    let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
    let vault = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap();
    assert_eq!(vault.opened_by, Some(0));
    assert_eq!(vault.content_version, 3);
    assert_eq!(
        vault.entries[0].imported,
        Imported::Account(account(), vec![])
    );
    assert_eq!(
        decode(
            text.as_bytes(),
            Some(b"nope"),
            &AegisDecodeOptions::default()
        ),
        Err(AegisError::WrongPassword)
    );
    assert_eq!(
        decode(text.as_bytes(), None, &AegisDecodeOptions::default()),
        Err(AegisError::PasswordRequired)
    );
}

#[test]
fn json_errors_carry_the_path() {
    let mut v: Value = serde_json::from_str(&encode_plain(&[account()], &[0; 32])).unwrap();
    v["db"]["entries"][0]["info"]["digits"] = json!("seven");
    let err = decode(
        v.to_string().as_bytes(),
        None,
        &AegisDecodeOptions::default(),
    )
    .unwrap_err();
    let AegisError::Json { path, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "db.entries[0].info.digits");
    v["db"]["entries"][0]["info"]["digits"] = json!(7);
    v["db"]["entries"][0]["info"]["secret"] = json!("AB1");
    let err = decode(
        v.to_string().as_bytes(),
        None,
        &AegisDecodeOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, AegisError::Secret { ref path, .. } if path == "db.entries[0].info.secret"),
        "{err:?}"
    );
}

#[test]
fn expensive_scrypt_is_refused_before_running() {
    let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
    let text = text.replace("\"n\":16", "\"n\":4294967296");
    let err = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap_err();
    assert!(matches!(err, AegisError::ScryptParams { .. }), "{err:?}");
}

/// A vault whose header holds `slots`: copies of its one password slot with their scrypt
/// parameters replaced.
fn with_slots(slots: &[(u64, u32, u32)]) -> String {
    let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let one = v["header"]["slots"][0].clone();
    let slots: Vec<Value> = slots
        .iter()
        .map(|&(n, r, p)| {
            let mut slot = one.clone();
            slot["n"] = json!(n);
            slot["r"] = json!(r);
            slot["p"] = json!(p);
            slot
        })
        .collect();
    v["header"]["slots"] = json!(slots);
    v.to_string()
}

#[test]
fn the_scrypt_work_of_a_file_is_budgeted_before_any_runs() {
    // Three slots at the 256 MiB per-slot memory limit with p = 16: 27 s of scrypt before the
    // budget.
    let maximal = (1 << 20, 2, 16);
    let text = with_slots(&[maximal; 3]);
    let err = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap_err();
    assert_eq!(
        err,
        AegisError::ScryptBudget {
            path: "header.slots[0]".into(),
            work: 4 << 30,
            limit: DEFAULT_MAX_SCRYPT_WORK
        }
    );
    // The budget is per file: slots that pass alone do not pass together. Cheap options
    // keep the test fast; the arithmetic is the same.
    let options = AegisDecodeOptions {
        max_scrypt_work: 3 * 128 * 8 * 16,
        ..AegisDecodeOptions::default()
    };
    let text = with_slots(&[(16, 8, 1); 4]);
    let err = decode(text.as_bytes(), Some(b"wrong"), &options);
    assert!(
        matches!(err, Err(AegisError::ScryptBudget { ref path, .. }) if path == "header.slots[3]"),
        "{err:?}"
    );
}

#[test]
fn slot_counts_are_capped() {
    let text = with_slots(&[(16, 8, 1); DEFAULT_MAX_PASSWORD_SLOTS + 1]);
    assert_eq!(
        decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()),
        Err(AegisError::TooManySlots {
            kind: "password slots",
            found: DEFAULT_MAX_PASSWORD_SLOTS + 1,
            limit: DEFAULT_MAX_PASSWORD_SLOTS
        })
    );
    let mut v: Value = serde_json::from_str(&with_slots(&[(16, 8, 1)])).unwrap();
    let mut raw = v["header"]["slots"][0].clone();
    raw["type"] = json!(0);
    let mut slots = vec![raw; DEFAULT_MAX_SLOTS];
    slots.push(v["header"]["slots"][0].clone());
    v["header"]["slots"] = json!(slots);
    assert!(matches!(
        decode(
            v.to_string().as_bytes(),
            Some(b"pw"),
            &AegisDecodeOptions::default()
        ),
        Err(AegisError::TooManySlots { kind: "slots", .. })
    ));
    // At the limits the vault opens.
    let text = with_slots(&[(16, 8, 1); DEFAULT_MAX_PASSWORD_SLOTS]);
    let vault = decode(text.as_bytes(), Some(b"pw"), &AegisDecodeOptions::default()).unwrap();
    assert_eq!(vault.opened_by, Some(0));
}

#[test]
fn raw_and_biometric_slots_are_skipped_with_a_note() {
    let text = encode_encrypted(&[account()], b"pw", &random(), &CHEAP).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let mut raw = v["header"]["slots"][0].clone();
    raw["type"] = json!(0);
    let mut bio = raw.clone();
    bio["type"] = json!(2);
    let password_slot = v["header"]["slots"][0].clone();
    v["header"]["slots"] = json!([raw, bio, password_slot]);
    let vault = decode(
        v.to_string().as_bytes(),
        Some(b"pw"),
        &AegisDecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(vault.opened_by, Some(2));
    assert_eq!(
        vault.notes,
        [
            VaultNote::SlotSkipped {
                index: 0,
                slot_type: 0
            },
            VaultNote::SlotSkipped {
                index: 1,
                slot_type: 2
            }
        ]
    );
    v["header"]["slots"] = json!([v["header"]["slots"][0].clone()]);
    assert_eq!(
        decode(
            v.to_string().as_bytes(),
            Some(b"pw"),
            &AegisDecodeOptions::default()
        ),
        Err(AegisError::NoPasswordSlot)
    );
}

#[test]
fn other_entry_types_are_kept_as_unsupported() {
    let mut v: Value = serde_json::from_str(&encode_plain(&[account()], &[0; 32])).unwrap();
    v["db"]["entries"][0]["type"] = json!("motp");
    v["db"]["entries"][0]["info"]["algo"] = json!("MD5");
    let vault = decode(
        v.to_string().as_bytes(),
        None,
        &AegisDecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(
        vault.entries[0].imported,
        Imported::Unsupported {
            entry_type: "motp".into()
        }
    );
}
