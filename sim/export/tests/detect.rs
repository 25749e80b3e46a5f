//! Recognising export formats from their bytes and decoding them with named findings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_export::detect::{self, DetectError, Kind};
use hybridsim_export::google::UriMode;
use serde_json::Value;

fn first_vector_url() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/migration/otpauth_migration.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "eos-example-1")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn formats_are_recognised_from_content_not_names() {
    assert_eq!(
        detect::classify("a", b"\x89PNG\r\n\x1a\nrest").unwrap(),
        Kind::Png
    );
    assert_eq!(
        detect::classify("a", br#"{"version": 1, "header": {}, "db": {}}"#).unwrap(),
        Kind::Aegis
    );
    assert_eq!(
        detect::classify("a", br#"{"schemaVersion": 4, "services": []}"#).unwrap(),
        Kind::TwoFas
    );
    let text = b"\notpauth-migration://offline?data=AA\n\nOTPAUTH-MIGRATION://offline?data=BB\n";
    assert_eq!(
        detect::classify("a", text).unwrap(),
        Kind::MigrationLines(vec![
            (2, "otpauth-migration://offline?data=AA".to_owned()),
            (4, "OTPAUTH-MIGRATION://offline?data=BB".to_owned()),
        ])
    );
    assert!(matches!(
        detect::classify("x.json", br#"{"entries": []}"#),
        Err(DetectError::UnknownJson { .. })
    ));
    let err = detect::classify("notes.txt", b"hello").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("notes.txt: not a known export format"),
        "{err}"
    );
    assert!(detect::classify("bin", &[0xff, 0xfe]).is_err());
}

#[test]
fn raw_base64_decodes_leniently_with_a_repair_and_escaped_text_has_none() {
    let escaped = first_vector_url();
    let raw = escaped
        .replace("%2F", "/")
        .replace("%2B", "+")
        .replace("%3D", "=");
    let clean = detect::decode_google(&[("a".into(), escaped.clone())], UriMode::Lenient).unwrap();
    assert_eq!(clean.repairs().count(), 0);
    assert!(!clean.accounts.is_empty());
    let batch = clean.batch.as_ref().unwrap();
    assert!(batch.complete && batch.missing.is_empty());

    let repaired = detect::decode_google(&[("a".into(), raw.clone())], UriMode::Lenient).unwrap();
    assert_eq!(repaired.accounts, clean.accounts);
    let codes: Vec<&str> = repaired.repairs().map(|(_, n)| n.code).collect();
    assert_eq!(codes, ["unencoded-reserved"]);
    assert!(matches!(
        detect::decode_google(&[("a".into(), raw)], UriMode::Strict),
        Err(DetectError::Uri { .. })
    ));
}

#[test]
fn a_duplicate_code_is_a_finding_not_a_repair() {
    let url = first_vector_url();
    let texts = [("one".to_owned(), url.clone()), ("two".to_owned(), url)];
    let decoded = detect::decode_google(&texts, UriMode::Lenient).unwrap();
    assert_eq!(decoded.notes.len(), 1);
    assert_eq!(decoded.notes[0].code, "duplicate-qr");
    assert!(!decoded.notes[0].repair);
    assert_eq!(decoded.repairs().count(), 0);
}
