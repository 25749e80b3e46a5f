//! otpauth:// parsing: what strict refuses, what lenient tolerates and names, and round trips.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_otp::{parse, to_uri, Algorithm, Finding, Mode, OtpAccount, OtpKind, UriError};
use proptest::prelude::*;

/// 160-bit secret "12345678901234567890".
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn names(uri: &str) -> Vec<&'static str> {
    parse(uri, Mode::Lenient)
        .unwrap()
        .findings
        .iter()
        .map(Finding::name)
        .collect()
}

/// Strict refuses with exactly these finding names; lenient accepts and reports them.
fn only_lenient(uri: &str, expected: &[&str]) -> OtpAccount {
    match parse(uri, Mode::Strict) {
        Err(UriError::NotStrict { findings }) => {
            let got: Vec<_> = findings.iter().map(Finding::name).collect();
            assert_eq!(got, expected, "{uri}");
        }
        other => panic!("strict should refuse {uri}: {other:?}"),
    }
    assert_eq!(names(uri), expected, "{uri}");
    parse(uri, Mode::Lenient).unwrap().account
}

#[test]
fn the_wiki_example_is_strict() {
    let uri = format!("otpauth://totp/Example:alice%40google.com?secret={SECRET}&issuer=Example");
    let parsed = parse(&uri, Mode::Strict).unwrap();
    assert_eq!(parsed.account.issuer, "Example");
    assert_eq!(parsed.account.name, "alice@google.com");
    assert_eq!(parsed.account.secret, b"12345678901234567890");
    assert_eq!(parsed.account.algorithm, Algorithm::Sha1);
    assert_eq!(parsed.account.digits, 6);
    assert_eq!(parsed.account.kind, OtpKind::Totp { period: 30 });
    assert!(parsed.findings.is_empty());
    assert_eq!(parsed.label_issuer.as_deref(), Some("Example"));
    assert_eq!(parsed.param_issuer.as_deref(), Some("Example"));
}

#[test]
fn encoded_colon_and_spaces_before_the_account_are_the_wiki_form() {
    let uri = format!(
        "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret={SECRET}&issuer=Big%20Corporation"
    );
    let a = parse(&uri, Mode::Strict).unwrap().account;
    assert_eq!(a.issuer, "Big Corporation");
    assert_eq!(a.name, "alice@bigco.com");
}

#[test]
fn secret_tolerances_are_named() {
    let base = "otpauth://totp/X:a?issuer=X&secret=";
    let lower = SECRET.to_lowercase();
    assert_eq!(
        only_lenient(&format!("{base}{lower}"), &["secret-lowercase"]).secret,
        b"12345678901234567890"
    );
    let spaced = "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ".replace(' ', "%20");
    assert_eq!(
        only_lenient(&format!("{base}{spaced}"), &["secret-whitespace"]).secret,
        b"12345678901234567890"
    );
    only_lenient(
        &format!("{base}GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ"),
        &["secret-dashes"],
    );
    // 16 bytes: 26 characters, padded to 32.
    let sixteen = hybridsim_otp::base32::encode(&[0x5a; 16]);
    only_lenient(
        &format!("{base}{sixteen}%3D%3D%3D%3D%3D%3D"),
        &["secret-padding"],
    );
    only_lenient(&format!("{base}{sixteen}======"), &["secret-padding"]);
    // 80 bits, as many sites still issue.
    let ten = only_lenient(&format!("{base}JBSWY3DPEHPK3PXP"), &["secret-short"]);
    assert_eq!(ten.secret.len(), 10);
    // One character too many: GA drops the leftover bits.
    let odd = only_lenient(&format!("{base}{SECRET}A"), &["secret-trailing-bits"]);
    assert_eq!(odd.secret, b"12345678901234567890");
}

#[test]
fn secret_errors_say_where() {
    let base = "otpauth://totp/X:a?issuer=X&secret=";
    for mode in [Mode::Strict, Mode::Lenient] {
        assert_eq!(
            parse(&format!("{base}GEZDGNBV1Y3T"), mode),
            Err(UriError::SecretCharacter {
                position: 8,
                found: '1'
            })
        );
        assert_eq!(
            parse(&format!("{base}GE==ZD"), mode),
            Err(UriError::SecretCharacter {
                position: 4,
                found: 'Z'
            })
        );
        assert_eq!(parse(&format!("{base}A"), mode), Err(UriError::SecretEmpty));
        assert_eq!(
            parse("otpauth://totp/X:a?issuer=X", mode),
            Err(UriError::MissingParameter {
                parameter: "secret"
            })
        );
    }
}

#[test]
fn issuer_positions() {
    let s = SECRET;
    let a = only_lenient(
        &format!("otpauth://totp/Example:alice?secret={s}"),
        &["issuer-only-in-label"],
    );
    assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Example", "alice"));
    let a = only_lenient(
        &format!("otpauth://totp/alice?secret={s}&issuer=Example"),
        &["issuer-only-in-parameter"],
    );
    assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Example", "alice"));
    let a = only_lenient(
        &format!("otpauth://totp/alice?secret={s}"),
        &["issuer-missing"],
    );
    assert_eq!(a.issuer, "");
}

#[test]
fn entra_style_mismatch_keeps_the_parameter_and_the_label_prefix_is_still_reported() {
    // The organisation in the label, issuer=Microsoft (pyotp #120).
    let uri =
        format!("otpauth://totp/Contoso%3Auser@contoso.example?secret={SECRET}&issuer=Microsoft");
    let a = only_lenient(&uri, &["issuer-mismatch"]);
    assert_eq!(a.issuer, "Microsoft");
    assert_eq!(a.name, "user@contoso.example");
    let parsed = parse(&uri, Mode::Lenient).unwrap();
    assert_eq!(parsed.label_issuer.as_deref(), Some("Contoso"));
    let text = parsed.findings[0].to_string();
    assert!(
        text.contains("keeps the parameter") && text.contains("pyotp"),
        "{text}"
    );
}

#[test]
fn two_colons_keep_the_label_whole() {
    let uri = format!("otpauth://totp/Amazon:Amazon:me@example.com?secret={SECRET}&issuer=Amazon");
    let a = only_lenient(&uri, &["label-extra-colons", "issuer-only-in-parameter"]);
    assert_eq!(a.name, "Amazon:Amazon:me@example.com");
    assert_eq!(a.issuer, "Amazon");
}

#[test]
fn plus_in_query_is_a_space_in_the_query_and_literal_in_the_label() {
    let uri = format!("otpauth://totp/Air+Canada:bob?secret={SECRET}&issuer=Air+Canada");
    let parsed = parse(&uri, Mode::Lenient).unwrap();
    let got: Vec<_> = parsed.findings.iter().map(Finding::name).collect();
    assert_eq!(got, ["plus-in-query", "issuer-mismatch"]);
    assert_eq!(parsed.label_issuer.as_deref(), Some("Air+Canada"));
    assert_eq!(parsed.account.issuer, "Air Canada");
}

#[test]
fn parameter_tolerances() {
    let base = format!("otpauth://totp/X:a?secret={SECRET}&issuer=X");
    let a = only_lenient(
        &format!("{base}&algorithm=sha256"),
        &["algorithm-lowercase"],
    );
    assert_eq!(a.algorithm, Algorithm::Sha256);
    let a = only_lenient(&format!("{base}&digits=10"), &["digits-unusual"]);
    assert_eq!(a.digits, 10);
    only_lenient(
        &format!("{base}&image=https%3A%2F%2Fx"),
        &["unknown-parameter"],
    );
    let a = only_lenient(
        &format!("{base}&digits=8&digits=6"),
        &["duplicate-parameter"],
    );
    assert_eq!(a.digits, 8);
    only_lenient(&format!("{base}&counter=3"), &["parameter-not-for-type"]);
    only_lenient(&format!("{base}&"), &["empty-parameter"]);
    only_lenient(&format!("{base}#x"), &["fragment"]);
    only_lenient(&format!("{base}\n"), &["trailing-whitespace"]);
    only_lenient(
        &format!("otpauth://TOTP/X:a?secret={SECRET}&issuer=X"),
        &["type-case"],
    );
    only_lenient(
        &format!("otpauth://totp/X:alice smith?secret={SECRET}&issuer=X"),
        &["unencoded-character"],
    );
    only_lenient(
        &format!("otpauth://totp/X:?secret={SECRET}&issuer=X"),
        &["label-empty"],
    );
}

#[test]
fn bad_values_are_errors_in_both_modes() {
    let base = format!("otpauth://totp/X:a?secret={SECRET}&issuer=X");
    for mode in [Mode::Strict, Mode::Lenient] {
        for (extra, parameter) in [
            ("&digits=5", "digits"),
            ("&digits=11", "digits"),
            ("&digits=six", "digits"),
            ("&period=0", "period"),
            ("&period=-30", "period"),
            ("&algorithm=MD5", "algorithm"),
        ] {
            match parse(&format!("{base}{extra}"), mode) {
                Err(UriError::BadValue { parameter: p, .. }) => assert_eq!(p, parameter),
                other => panic!("{extra}: {other:?}"),
            }
        }
        assert!(matches!(
            parse("otpauth://motp/X:a?secret=AAAA", mode),
            Err(UriError::UnknownType { position: 10, .. })
        ));
        assert_eq!(
            parse(
                &format!("otpauth://hotp/X:a?secret={SECRET}&issuer=X"),
                mode
            ),
            Err(UriError::MissingParameter {
                parameter: "counter"
            })
        );
        assert_eq!(
            parse("otpauth://totp/X%2:a?secret=AAAA", mode),
            Err(UriError::PercentEncoding { position: 16 })
        );
        assert_eq!(
            parse("https://example.com/", mode),
            Err(UriError::NotOtpauth)
        );
    }
}

#[test]
fn hotp_counter_and_period_defaults() {
    let a = parse(
        &format!("otpauth://hotp/X:a?secret={SECRET}&issuer=X&counter=18446744073709551615"),
        Mode::Strict,
    )
    .unwrap()
    .account;
    assert_eq!(a.kind, OtpKind::Hotp { counter: u64::MAX });
}

#[test]
fn emitted_form() {
    let account = OtpAccount {
        issuer: "Big Corp".into(),
        name: "alice@bigco.com".into(),
        secret: b"12345678901234567890".to_vec(),
        algorithm: Algorithm::Sha256,
        digits: 8,
        kind: OtpKind::Totp { period: 60 },
    };
    assert_eq!(
        to_uri(&account),
        format!("otpauth://totp/Big%20Corp:alice%40bigco.com?secret={SECRET}&issuer=Big%20Corp&algorithm=SHA256&digits=8&period=60")
    );
}

fn text() -> impl Strategy<Value = String> {
    // Anything but a colon; the name must not start with the spaces the wiki lets a parser skip.
    "[^:\u{0}-\u{1f}]{0,12}".prop_map(|s| s)
}

fn valid_account() -> impl Strategy<Value = OtpAccount> {
    (
        text().prop_filter("issuer needed", |s| !s.is_empty()),
        text().prop_filter("name", |s| !s.is_empty() && !s.starts_with(' ')),
        proptest::collection::vec(any::<u8>(), 16..64),
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        6u8..=8,
        prop_oneof![
            (1u32..=u32::MAX).prop_map(|period| OtpKind::Totp { period }),
            any::<u64>().prop_map(|counter| OtpKind::Hotp { counter }),
        ],
    )
        .prop_map(
            |(issuer, name, secret, algorithm, digits, kind)| OtpAccount {
                issuer,
                name,
                secret,
                algorithm,
                digits,
                kind,
            },
        )
}

proptest! {
    #[test]
    fn emit_then_strict_parse_round_trips(account in valid_account()) {
        let uri = to_uri(&account);
        let parsed = parse(&uri, Mode::Strict).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
        prop_assert_eq!(parsed.account, account);
    }

    #[test]
    fn lenient_never_panics_and_agrees_with_strict(text in "\\PC{0,80}") {
        let lenient = parse(&text, Mode::Lenient);
        if let Ok(strict) = parse(&text, Mode::Strict) {
            let lenient = lenient.unwrap();
            prop_assert!(lenient.findings.is_empty());
            prop_assert_eq!(lenient.account, strict.account);
        }
    }
}
