//! Every bug switch reproduces its bug, and the report line names it. Each test also runs the
//! same migration without the switch, so it cannot pass by accident.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use hybridsim_apps::mechanism::google::Transfer;
use hybridsim_apps::{AppModel, Arrival, Cloud, Mechanism, Phone, Quirk};
use hybridsim_otp::OtpKind;

const GITHUB: &str = "GitHub (alice@example.com)";
const BANK: &str = "Bank (alice)";
const VPN: &str = "VPN (alice)";
const AWS: &str = "AWS (root)";

fn one_per_qr() -> Mechanism {
    Mechanism::GoogleTransfer(Transfer {
        accounts_per_qr: 1,
        ..Default::default()
    })
}

fn cloud() -> Mechanism {
    Mechanism::CloudBackup {
        recovery: "alice@outlook.com".into(),
        strong_auth: true,
    }
}

fn arrival(report: &hybridsim_apps::MigrationReport, label: &str) -> Arrival {
    report
        .row(label)
        .unwrap_or_else(|| panic!("no row {label}"))
        .arrival
        .clone()
}

fn cites(text: &str, quirk: Quirk) -> bool {
    text.contains(&quirk.cite())
}

#[test]
fn m01_missing_zero_batch_index_stops_ga_after_the_first_code() {
    let old = otp_phone(AppModel::Aegis);
    let (_, good) = run(&old, AppModel::GoogleAuthenticator, &one_per_qr(), &[]);
    assert!(
        good.rows
            .iter()
            .filter(|r| r.account != BANK)
            .all(|r| r.arrival == Arrival::Moved),
        "{}",
        good.to_table()
    );

    let (_, bad) = run(
        &old,
        AppModel::GoogleAuthenticator,
        &one_per_qr(),
        &[Quirk::GaExportOmitsZeroBatchIndex],
    );
    assert_eq!(arrival(&bad, GITHUB), Arrival::Moved);
    assert_eq!(arrival(&bad, VPN), Arrival::Missing);
    assert_eq!(arrival(&bad, AWS), Arrival::Missing);
    let notes = bad.notes.join("\n");
    assert!(
        notes.contains("Make sure QR code 1 of 3 is displayed"),
        "{notes}"
    );
    assert!(cites(&notes, Quirk::GaExportOmitsZeroBatchIndex), "{notes}");
}

#[test]
fn m02_importer_reading_one_code_loses_the_rest() {
    let old = otp_phone(AppModel::GoogleAuthenticator);
    let (_, bad) = run(
        &old,
        AppModel::TwoFas,
        &one_per_qr(),
        &[Quirk::ImportFirstQrOnly],
    );
    assert_eq!(arrival(&bad, GITHUB), Arrival::Moved);
    assert_eq!(arrival(&bad, VPN), Arrival::Missing);
    assert!(cites(&bad.notes.join("\n"), Quirk::ImportFirstQrOnly));
    let (_, good) = run(&old, AppModel::TwoFas, &one_per_qr(), &[]);
    assert_eq!(arrival(&good, VPN), Arrival::Moved);
}

#[test]
fn m03_dense_code_unreadable_from_a_thumbnail_while_a_single_account_code_reads() {
    let mut dense = Phone::new(AppModel::GoogleAuthenticator);
    for i in 0..10 {
        dense.accounts.push(totp(
            "Service",
            &format!("user{i}@example.com"),
            format!("secret-number-{i:02}-abcdefgh").as_bytes(),
        ));
    }
    let (_, bad) = run(
        &dense,
        AppModel::Aegis,
        &google(),
        &[Quirk::ScanDownscaledScreenshot],
    );
    assert!(
        bad.rows.iter().all(|r| r.arrival == Arrival::Missing),
        "{}",
        bad.to_table()
    );
    assert!(
        cites(&bad.notes.join("\n"), Quirk::ScanDownscaledScreenshot),
        "{:?}",
        bad.notes
    );

    let mut single = Phone::new(AppModel::GoogleAuthenticator);
    single.accounts.push(dense.accounts[0].clone());
    let (_, ok) = run(
        &single,
        AppModel::Aegis,
        &google(),
        &[Quirk::ScanDownscaledScreenshot],
    );
    assert_eq!(ok.rows[0].arrival, Arrival::Moved, "{}", ok.to_table());
}

#[test]
fn m04_import_claims_success_and_adds_nothing() {
    let old = otp_phone(AppModel::Aegis);
    let (new, bad) = run(
        &old,
        AppModel::Aegis,
        &aegis(None),
        &[Quirk::ImportReportsSuccessAddsNothing],
    );
    assert!(new.accounts.is_empty());
    assert!(bad.rows.iter().all(|r| r.arrival == Arrival::Missing));
    assert!(why(&bad, GITHUB).contains("said it added 4 accounts"));
    assert!(cites(
        &why(&bad, GITHUB),
        Quirk::ImportReportsSuccessAddsNothing
    ));
}

#[test]
fn m05_restore_drops_hotp_without_a_word() {
    let old = otp_phone(AppModel::MicrosoftAuthenticator);
    let (_, bad) = run(
        &old,
        AppModel::MicrosoftAuthenticator,
        &cloud(),
        &[Quirk::RestoreDropsHotpSilently],
    );
    assert_eq!(arrival(&bad, VPN), Arrival::Missing);
    assert!(cites(&why(&bad, VPN), Quirk::RestoreDropsHotpSilently));
    assert_eq!(arrival(&bad, GITHUB), Arrival::Moved);
    let (_, good) = run(&old, AppModel::MicrosoftAuthenticator, &cloud(), &[]);
    assert_eq!(arrival(&good, VPN), Arrival::Moved);
}

#[test]
fn m06_restore_replaces_accounts_already_on_the_phone() {
    let old = otp_phone(AppModel::Aegis);
    let mut cloud_state = Cloud::default();
    let mut busy = Phone::new(AppModel::Aegis);
    busy.accounts
        .push(totp("Added", "before-restore", b"added-before-restore"));
    let (new, bad) = run_in(
        &old,
        busy.clone(),
        &aegis(None),
        &[Quirk::RestoreReplacesExisting],
        &mut cloud_state,
    );
    assert!(!new.accounts.contains(&busy.accounts[0]));
    assert!(
        cites(&bad.notes.join("\n"), Quirk::RestoreReplacesExisting),
        "{:?}",
        bad.notes
    );
    let (new, _) = run_in(&old, busy.clone(), &aegis(None), &[], &mut cloud_state);
    assert!(new.accounts.contains(&busy.accounts[0]));
}

#[test]
fn m07_issuer_prefix_stays_in_the_name() {
    let old = otp_phone(AppModel::GoogleAuthenticator);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &google(),
        &[Quirk::ImportKeepsIssuerPrefixInName],
    );
    assert_eq!(
        arrival(&bad, GITHUB),
        Arrival::Changed(vec![
            "name \"alice@example.com\" → \"GitHub:alice@example.com\"".into()
        ])
    );
    assert!(cites(
        &why(&bad, GITHUB),
        Quirk::ImportKeepsIssuerPrefixInName
    ));
    let (_, good) = run(&old, AppModel::Aegis, &google(), &[]);
    assert_eq!(arrival(&good, GITHUB), Arrival::Moved);
}

#[test]
fn m08_service_and_account_names_swapped() {
    let old = otp_phone(AppModel::TwoFas);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &twofas(None),
        &[Quirk::ImportSwapsNameAndService],
    );
    let Arrival::Changed(fields) = arrival(&bad, GITHUB) else {
        panic!("{}", bad.to_table())
    };
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("name \"alice@example.com\" → \"GitHub\"")),
        "{fields:?}"
    );
    assert!(cites(&why(&bad, GITHUB), Quirk::ImportSwapsNameAndService));
}

#[test]
fn m09_spaced_secrets_skipped_by_a_strict_importer() {
    let old = otp_phone(AppModel::TwoFas);
    let (_, lenient) = run(
        &old,
        AppModel::Aegis,
        &twofas(None),
        &[Quirk::ExportSpacedSecrets],
    );
    assert!(
        lenient.rows.iter().all(|r| r.arrival == Arrival::Moved),
        "{}",
        lenient.to_table()
    );
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &twofas(None),
        &[Quirk::ExportSpacedSecrets, Quirk::ImportStrictBase32],
    );
    assert!(
        bad.rows.iter().all(|r| r.arrival == Arrival::Missing),
        "{}",
        bad.to_table()
    );
    // Like Aegis before PR #1577: one bad secret and the whole file is refused.
    let notes = bad.notes.join("\n");
    assert!(notes.contains("character ' ' at position 4"), "{notes}");
    assert!(cites(&notes, Quirk::ImportStrictBase32), "{notes}");
}

#[test]
fn m10_algorithm_and_digits_dropped_on_export() {
    let old = otp_phone(AppModel::Aegis);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &google(),
        &[Quirk::ExportDropsAlgorithmAndDigits],
    );
    let row = bad.row(AWS).unwrap();
    assert_eq!(
        row.arrival,
        Arrival::Changed(vec![
            "algorithm SHA512 → SHA1".into(),
            "digits 8 → 6".into()
        ])
    );
    assert_eq!(row.same_code, Some(false));
    assert!(!row.site_accepts);
    assert!(cites(&why(&bad, AWS), Quirk::ExportDropsAlgorithmAndDigits));
    assert_eq!(
        arrival(&bad, GITHUB),
        Arrival::Moved,
        "SHA-1/6 accounts match the defaults"
    );
}

#[test]
fn s3_google_export_that_ignores_the_period_runs_it_at_30_s() {
    let old = otp_phone(AppModel::Aegis);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &google(),
        &[Quirk::GaExportIgnoresPeriod],
    );
    let row = bad.row(BANK).unwrap();
    assert_eq!(
        row.arrival,
        Arrival::Changed(vec!["period 60 s → 30 s".into()])
    );
    assert!(
        !row.site_accepts || row.same_code == Some(false),
        "{}",
        bad.to_table()
    );
    assert!(cites(&why(&bad, BANK), Quirk::GaExportIgnoresPeriod));
}

#[test]
fn m11_app_ignoring_parameters_shows_wrong_codes() {
    let old = otp_phone(AppModel::Aegis);
    let (_, bad) = run(
        &old,
        AppModel::GoogleAuthenticator,
        &aegis(None),
        &[Quirk::AppIgnoresOtpParameters],
    );
    let row = bad.row(BANK).unwrap();
    assert_eq!(
        row.arrival,
        Arrival::Changed(vec![
            "algorithm SHA256 → SHA1".into(),
            "digits 8 → 6".into(),
            "period 60 s → 30 s".into()
        ])
    );
    assert_eq!(row.same_code, Some(false));
    assert!(!row.site_accepts);
    assert_eq!(arrival(&bad, GITHUB), Arrival::Moved);
}

#[test]
fn m12_hotp_made_totp_or_dropped_with_odd_periods() {
    let old = otp_phone(AppModel::Aegis);
    let (_, as_totp) = run(
        &old,
        AppModel::TwoFas,
        &aegis(None),
        &[Quirk::ImportHotpAsTotp],
    );
    let row = as_totp.row(VPN).unwrap();
    assert_eq!(
        row.arrival,
        Arrival::Changed(vec!["type HOTP → TOTP".into()])
    );
    assert!(!row.site_accepts);
    assert!(cites(&why(&as_totp, VPN), Quirk::ImportHotpAsTotp));

    let (_, dropped) = run(
        &old,
        AppModel::TwoFas,
        &aegis(None),
        &[Quirk::ImportDropsHotpAndOddPeriods],
    );
    assert_eq!(arrival(&dropped, VPN), Arrival::Missing);
    assert_eq!(arrival(&dropped, BANK), Arrival::Missing);
    assert_eq!(arrival(&dropped, GITHUB), Arrival::Moved);
    assert!(cites(
        &why(&dropped, BANK),
        Quirk::ImportDropsHotpAndOddPeriods
    ));
}

#[test]
fn m13_reimport_duplicates_and_secret_dedupe_merges() {
    let old = otp_phone(AppModel::GoogleAuthenticator);
    let mut cloud_state = Cloud::default();
    let mut already = Phone::new(AppModel::Aegis);
    already.accounts = old.accounts.clone();
    let (_, good) = run_in(&old, already.clone(), &aegis(None), &[], &mut cloud_state);
    assert!(
        good.rows.iter().all(|r| r.arrival == Arrival::Moved),
        "{}",
        good.to_table()
    );
    let (_, twice) = run_in(
        &old,
        already,
        &aegis(None),
        &[Quirk::ImportNoDedupe],
        &mut cloud_state,
    );
    assert!(
        twice
            .rows
            .iter()
            .all(|r| r.arrival == Arrival::Duplicated(2)),
        "{}",
        twice.to_table()
    );

    let mut shared = Phone::new(AppModel::Aegis);
    shared
        .accounts
        .push(totp("Shop", "alice", b"one-secret-for-both!"));
    shared
        .accounts
        .push(totp("Forum", "alice", b"one-secret-for-both!"));
    let (_, merged) = run(
        &shared,
        AppModel::TwoFas,
        &aegis(None),
        &[Quirk::DedupeOnSecret],
    );
    assert_eq!(arrival(&merged, "Shop (alice)"), Arrival::Moved);
    assert_eq!(arrival(&merged, "Forum (alice)"), Arrival::Missing);
    assert!(cites(&why(&merged, "Forum (alice)"), Quirk::DedupeOnSecret));
    let (_, kept) = run(&shared, AppModel::TwoFas, &aegis(None), &[]);
    assert_eq!(arrival(&kept, "Forum (alice)"), Arrival::Moved);
}

#[test]
fn m14_schema_4_refused() {
    let old = otp_phone(AppModel::TwoFas);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &twofas(None),
        &[Quirk::ImportRefusesSchemaV4],
    );
    assert!(bad.rows.iter().all(|r| r.arrival == Arrival::Missing));
    let notes = bad.notes.join("\n");
    assert!(
        notes.contains("unreadable") && cites(&notes, Quirk::ImportRefusesSchemaV4),
        "{notes}"
    );
}

#[test]
fn m16_form_decoded_plus_breaks_the_transfer_code() {
    let old = otp_phone(AppModel::GoogleAuthenticator);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &google(),
        &[Quirk::TransportFormDecodesPlus],
    );
    assert!(
        bad.rows.iter().all(|r| r.arrival == Arrival::Missing),
        "{}",
        bad.to_table()
    );
    assert!(
        cites(&bad.notes.join("\n"), Quirk::TransportFormDecodesPlus),
        "{:?}",
        bad.notes
    );
}

#[test]
fn m17_clock_skew_on_the_new_phone() {
    let old = otp_phone(AppModel::Aegis);
    let mut cloud_state = Cloud::default();
    let mut skewed = Phone::new(AppModel::Aegis);
    skewed.clock_offset = 95;
    let (_, report) = run_in(&old, skewed, &aegis(None), &[], &mut cloud_state);
    let row = report.row(GITHUB).unwrap();
    assert_eq!(row.arrival, Arrival::Moved);
    assert_eq!(row.same_code, Some(false));
    assert!(!row.site_accepts);
    assert!(
        why(&report, GITHUB).contains("the phone's clock is 95 s off"),
        "{}",
        report.to_table()
    );
    assert!(
        report.row(VPN).unwrap().site_accepts,
        "HOTP does not depend on the clock"
    );
}

#[test]
fn m18_empty_backup_overwrites_the_stored_one() {
    let old = otp_phone(AppModel::MicrosoftAuthenticator);
    let empty = Phone::new(AppModel::MicrosoftAuthenticator);
    for (quirks, lost) in [
        (vec![], false),
        (vec![Quirk::BackupOverwrittenByEmpty], true),
    ] {
        let mut cloud_state = Cloud::default();
        let quirk_set = hybridsim_apps::Quirks::of(quirks.iter().copied());
        let mut rng =
            <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(3);
        let mut ctx = hybridsim_apps::Context::new(&quirk_set, &mut rng, &mut cloud_state);
        hybridsim_apps::mechanism::cloud::backup(&old, "alice@outlook.com", true, &mut ctx)
            .unwrap();
        hybridsim_apps::mechanism::cloud::backup(&empty, "alice@outlook.com", true, &mut ctx)
            .unwrap();
        let mut new = Phone::new(AppModel::MicrosoftAuthenticator);
        let restored = hybridsim_apps::mechanism::cloud::restore(
            &mut new,
            "alice@outlook.com",
            true,
            &[0, 1, 2, 3],
            &mut ctx,
        );
        assert!(restored.is_ok());
        assert_eq!(new.accounts.is_empty(), lost, "quirks {quirks:?}");
        if lost {
            assert!(cites(
                &ctx.trail.general.join("\n"),
                Quirk::BackupOverwrittenByEmpty
            ));
        }
    }
}

#[test]
fn m19_tenant_accounts_with_one_user_name_collapse() {
    let mut old = Phone::new(AppModel::MicrosoftAuthenticator);
    old.accounts.push(totp(
        "Microsoft",
        "kim@contoso.com",
        b"tenant-one-secret-12",
    ));
    old.accounts.push(totp(
        "Microsoft",
        "kim@contoso.com",
        b"tenant-two-secret-34",
    ));
    let (_, bad) = run(
        &old,
        AppModel::MicrosoftAuthenticator,
        &aegis(None),
        &[Quirk::KeyedOnIssuerAndName],
    );
    assert_eq!(bad.rows[0].arrival, Arrival::Missing, "{}", bad.to_table());
    assert_eq!(bad.rows[1].arrival, Arrival::Moved);
    assert!(bad.rows[1]
        .why
        .join(" ")
        .contains(&Quirk::KeyedOnIssuerAndName.cite()));
    let (_, good) = run(&old, AppModel::MicrosoftAuthenticator, &aegis(None), &[]);
    assert!(good.rows.iter().all(|r| r.arrival == Arrival::Moved));
}

#[test]
fn m20_hotp_counter_reset_or_stale_backup_is_behind_the_site() {
    let old = otp_phone(AppModel::Aegis);
    let (_, bad) = run(
        &old,
        AppModel::Aegis,
        &aegis(None),
        &[Quirk::ImportResetsHotpCounter],
    );
    let row = bad.row(VPN).unwrap();
    assert_eq!(row.arrival, Arrival::Changed(vec!["counter 5 → 0".into()]));
    assert!(!row.site_accepts);
    assert!(
        why(&bad, VPN).contains("behind the site's 5"),
        "{}",
        bad.to_table()
    );

    // A backup taken before the last three codes were used: same failure, no quirk.
    let mut stale = old.clone();
    if let hybridsim_apps::AppAccount::Otp(vpn) = &mut stale.accounts[2] {
        vpn.kind = OtpKind::Hotp { counter: 2 };
    }
    let mut new = Phone::new(AppModel::Aegis);
    let mut cloud_state = Cloud::default();
    let quirks = hybridsim_apps::Quirks::none();
    let mut rng =
        <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(5);
    let mut ctx = hybridsim_apps::Context::new(&quirks, &mut rng, &mut cloud_state);
    let sites: Vec<_> = old
        .accounts
        .iter()
        .map(|a| hybridsim_apps::Site::enrolled(a).unwrap())
        .collect();
    let report = hybridsim_apps::migrate(&stale, &mut new, &aegis(None), &sites, AT, &mut ctx);
    let row = report.row(VPN).unwrap();
    assert_eq!(row.arrival, Arrival::Moved);
    assert!(!row.site_accepts);
    assert!(
        why(&report, VPN).contains("counter 2 is behind the site's 5"),
        "{}",
        report.to_table()
    );
}

#[test]
fn every_quirk_has_a_reproduction_here() {
    let source = include_str!("quirks.rs");
    let enrol = include_str!("enrol.rs");
    let cxf = include_str!("cxf.rs");
    for quirk in Quirk::ALL {
        let variant = format!("Quirk::{quirk:?}");
        assert!(
            source.matches(&variant).count()
                + enrol.matches(&variant).count()
                + cxf.matches(&variant).count()
                >= 1,
            "{variant} has no reproduction"
        );
    }
}
