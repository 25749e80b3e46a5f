//! A lossless mechanism never loses or changes an account, over many random account sets.
//!
//! Lossless here means: every account arrives unchanged, shows the same code as on the old
//! phone, and its site accepts a sign-in from the new phone. Each mechanism is tried on the
//! account kinds it is meant to carry in full (docs/migration.md §3–§4.5): vault files, the cloud
//! backup and 2FAS all OTP accounts; the keychain TOTP accounts; Google transfer codes the
//! accounts its protobuf can describe (period 30, 6 or 8 digits).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use hybridsim_apps::{AppAccount, AppModel, Mechanism, Phone};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use proptest::prelude::*;

fn account(google_compatible: bool, totp_only: bool) -> impl Strategy<Value = OtpAccount> {
    let algorithm = prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ];
    let digits = if google_compatible {
        prop_oneof![Just(6u8), Just(8u8)].boxed()
    } else {
        (6u8..=8).boxed()
    };
    let period = if google_compatible {
        Just(30u32).boxed()
    } else {
        prop_oneof![Just(30u32), Just(60), Just(15), 1u32..=300].boxed()
    };
    let kind = if totp_only {
        period.prop_map(|period| OtpKind::Totp { period }).boxed()
    } else {
        prop_oneof![
            period.prop_map(|period| OtpKind::Totp { period }),
            (0u64..1_000_000).prop_map(|counter| OtpKind::Hotp { counter }),
        ]
        .boxed()
    };
    // Names never contain ':' (an `Issuer:` prefix is ambiguous in every format that has one).
    (
        "[A-Za-z0-9 .&é-]{0,12}",
        "[A-Za-z0-9@._+ ü-]{1,20}",
        proptest::collection::vec(any::<u8>(), 10..=64),
        algorithm,
        digits,
        kind,
    )
        .prop_map(
            |(issuer, name, secret, algorithm, digits, kind)| OtpAccount {
                issuer: issuer.trim().to_string(),
                name: name.trim().to_string(),
                secret,
                algorithm,
                digits,
                kind,
            },
        )
        .prop_filter("a name", |a| !a.name.is_empty())
}

fn phone(accounts: Vec<OtpAccount>) -> Phone {
    let mut phone = Phone::new(AppModel::Aegis);
    let mut seen = std::collections::BTreeSet::new();
    for a in accounts {
        if seen.insert(a.secret.clone()) {
            phone.accounts.push(AppAccount::Otp(a));
        }
    }
    phone
}

fn check(old: &Phone, mechanism: &Mechanism) {
    let (new, report) = run(old, AppModel::Aegis, mechanism, &[]);
    assert!(
        report.lossless(),
        "{}\nold: {old:#?}\nnew: {new:#?}",
        report.to_table()
    );
    assert_eq!(new.accounts.len(), old.accounts.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn aegis_vault_and_2fas_file_and_cloud_backup(accounts in proptest::collection::vec(account(false, false), 1..8)) {
        let old = phone(accounts);
        check(&old, &aegis(None));
        check(&old, &twofas(None));
        check(&old, &Mechanism::CloudBackup { recovery: "r@example.com".into(), strong_auth: true });
    }

    #[test]
    fn keychain_sync(accounts in proptest::collection::vec(account(false, true), 1..8)) {
        check(&phone(accounts), &Mechanism::KeychainSync { platform_account: "p@example.com".into() });
    }

    #[test]
    fn google_transfer(accounts in proptest::collection::vec(account(true, false), 1..12), per_qr in 1usize..=10) {
        let transfer = hybridsim_apps::mechanism::google::Transfer { accounts_per_qr: per_qr, ..Default::default() };
        check(&phone(accounts), &Mechanism::GoogleTransfer(transfer));
    }
}

#[test]
fn encrypted_files_are_lossless_too() {
    let old = otp_phone(AppModel::Aegis);
    check(&old, &aegis(Some("pässwörd")));
    check(&old, &twofas(Some("pässwörd")));
}
