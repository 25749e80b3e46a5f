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
