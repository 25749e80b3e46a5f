//! Each mechanism moves a mixed set of accounts, and the report proves what moved.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use hybridsim_apps::{AppModel, Arrival, Cloud, Mechanism};

const GITHUB: &str = "GitHub (alice@example.com)";
const BANK: &str = "Bank (alice)";
const VPN: &str = "VPN (alice)";
const AWS: &str = "AWS (root)";
const MSA: &str = "Microsoft account (alice@outlook.com)";
const PUSH: &str = "Contoso (alice@contoso.com)";
const BOUND: &str = "login.contoso.com (alice)";
const SYNCED: &str = "github.com (alice)";

fn assert_moved(report: &hybridsim_apps::MigrationReport, label: &str) {
    let row = report.row(label).unwrap();
    assert_eq!(
        row.arrival,
        Arrival::Moved,
        "{label}:\n{}",
        report.to_table()
    );
    assert!(row.site_accepts, "{label}:\n{}", report.to_table());
    assert_ne!(
        row.same_code,
        Some(false),
        "{label}:\n{}",
        report.to_table()
    );
}

#[test]
fn cloud_backup_restores_secrets_but_not_device_bound_keys() {
    let mut cloud = Cloud::default();
    let old = mixed_phone(&mut cloud);
    let mechanism = Mechanism::CloudBackup {
        recovery: "alice@outlook.com".into(),
        strong_auth: true,
    };
    let (_, report) = run_in(
        &old,
        hybridsim_apps::Phone::new(AppModel::MicrosoftAuthenticator),
        &mechanism,
        &[],
        &mut cloud,
    );
    for label in [GITHUB, BANK, VPN, AWS] {
        assert_moved(&report, label);
    }
    let msa = report.row(MSA).unwrap();
    assert!(
        matches!(msa.arrival, Arrival::Changed(_)),
        "{}",
        report.to_table()
    );
    assert_eq!(msa.same_code, Some(false));
    assert!(
        msa.site_accepts,
        "both device credentials stay valid:\n{}",
        report.to_table()
    );
    let push = report.row(PUSH).unwrap();
    assert_eq!(push.arrival, Arrival::NameOnly);
    assert!(!push.site_accepts);
    assert!(why(&report, PUSH).contains("scan a QR code from Contoso"));
    for label in [BOUND, SYNCED] {
        assert_eq!(
            report.row(label).unwrap().arrival,
            Arrival::Missing,
            "{}",
            report.to_table()
        );
    }
    assert!(why(&report, BOUND).contains("device-bound passkey"));
}

#[test]
fn cloud_restore_is_refused_onto_a_phone_with_accounts_or_without_strong_auth() {
    let mut cloud = Cloud::default();
    let old = mixed_phone(&mut cloud);
    let mechanism = Mechanism::CloudBackup {
        recovery: "alice@outlook.com".into(),
        strong_auth: true,
    };
    let mut busy = hybridsim_apps::Phone::new(AppModel::MicrosoftAuthenticator);
    busy.accounts
        .push(totp("Other", "x", b"other-secret-123456"));
    let (_, report) = run_in(&old, busy, &mechanism, &[], &mut cloud);
    assert!(
        report.rows.iter().all(|r| r.arrival == Arrival::Missing),
        "{}",
        report.to_table()
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("refused while the app holds accounts")),
        "{:?}",
        report.notes
    );

    let weak = Mechanism::CloudBackup {
        recovery: "alice@outlook.com".into(),
        strong_auth: false,
    };
    let (_, report) = run(&old, AppModel::MicrosoftAuthenticator, &weak, &[]);
    assert!(
        report.notes.iter().any(|n| n.contains("strong sign-in")),
        "{:?}",
        report.notes
    );
    assert!(report.rows.iter().all(|r| r.arrival == Arrival::Missing));
}

#[test]
fn keychain_sync_carries_totp_names_and_synced_passkeys() {
    let mut cloud = Cloud::default();
    let old = mixed_phone(&mut cloud);
    let mechanism = Mechanism::KeychainSync {
        platform_account: "alice@icloud.com".into(),
    };
    let (_, report) = run_in(
        &old,
        hybridsim_apps::Phone::new(AppModel::MicrosoftAuthenticator),
        &mechanism,
        &[],
        &mut cloud,
    );
    for label in [GITHUB, BANK, AWS, SYNCED] {
        assert_moved(&report, label);
    }
    assert_eq!(report.row(VPN).unwrap().arrival, Arrival::Missing);
    assert!(why(&report, VPN).contains("TOTP secrets only"));
    assert_eq!(report.row(MSA).unwrap().arrival, Arrival::NameOnly);
    assert_eq!(report.row(PUSH).unwrap().arrival, Arrival::NameOnly);
    assert_eq!(report.row(BOUND).unwrap().arrival, Arrival::Missing);
}

#[test]
fn google_transfer_moves_what_the_format_can_carry_and_says_what_it_cannot() {
    let old = otp_phone(AppModel::GoogleAuthenticator);
    let (_, report) = run(&old, AppModel::GoogleAuthenticator, &google(), &[]);
    for label in [GITHUB, VPN, AWS] {
        assert_moved(&report, label);
    }
    assert_eq!(report.row(BANK).unwrap().arrival, Arrival::Missing);
    assert!(
        why(&report, BANK).contains("no period field"),
        "{}",
        report.to_table()
    );
}

#[test]
fn google_transfer_over_several_codes_and_a_partial_batch() {
    let old = otp_phone(AppModel::Aegis);
    let all = Mechanism::GoogleTransfer(hybridsim_apps::mechanism::google::Transfer {
        accounts_per_qr: 1,
        ..Default::default()
    });
    let (_, report) = run(&old, AppModel::TwoFas, &all, &[]);
    for label in [GITHUB, VPN, AWS] {
        assert_moved(&report, label);
    }
    let partial = Mechanism::GoogleTransfer(hybridsim_apps::mechanism::google::Transfer {
        accounts_per_qr: 1,
        scan: Some(vec![0, 2]),
        ..Default::default()
    });
    let (_, report) = run(&old, AppModel::TwoFas, &partial, &[]);
    assert_moved(&report, GITHUB);
    assert_moved(&report, AWS);
    assert_eq!(
        report.row(VPN).unwrap().arrival,
        Arrival::Missing,
        "{}",
        report.to_table()
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("incomplete (QR 2 of 3 not scanned)")),
        "{:?}",
        report.notes
    );
}

#[test]
fn vault_files_move_every_otp_account_plain_and_encrypted() {
    for mechanism in [
        aegis(None),
        aegis(Some("correct horse")),
        twofas(None),
        twofas(Some("battery staple")),
    ] {
        let mut cloud = Cloud::default();
        let old = mixed_phone(&mut cloud);
        let (_, report) = run_in(
            &old,
            hybridsim_apps::Phone::new(AppModel::Aegis),
            &mechanism,
            &[],
            &mut cloud,
        );
        for label in [GITHUB, BANK, VPN, AWS] {
            assert_moved(&report, label);
        }
        for label in [MSA, PUSH, BOUND, SYNCED] {
            assert_eq!(
                report.row(label).unwrap().arrival,
                Arrival::Missing,
                "{}",
                report.to_table()
            );
            assert!(why(&report, label).contains("carries OTP accounts only"));
        }
    }
}

#[test]
fn reports_are_deterministic_for_a_seed() {
    let mut cloud = Cloud::default();
    let old = mixed_phone(&mut cloud);
    let (a, ra) = run(&old, AppModel::Aegis, &aegis(Some("pw")), &[]);
    let (b, rb) = run(&old, AppModel::Aegis, &aegis(Some("pw")), &[]);
    assert_eq!(a, b);
    assert_eq!(ra, rb);
}
