use super::*;
use hybridsim_otp::{parse, Mode};

fn phone_with(app: AppModel, uris: &[&str]) -> Phone {
    let mut phone = Phone::new(app);
    for uri in uris {
        match parse(uri, Mode::Lenient) {
            Ok(p) => {
                phone.add(AppAccount::Otp(p.account), true);
            }
            Err(e) => unreachable!("test URI does not parse: {e}"),
        }
    }
    phone
}

const ALICE: &str = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
const BOB: &str = "otpauth://totp/Other:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Other";

#[test]
fn unknown_quirk_name_is_returned() {
    let names = vec![Quirk::ALL[0].name().to_owned(), "no-such-quirk".to_owned()];
    assert_eq!(quirks_named(&names), Err("no-such-quirk".to_owned()));
    let ok = quirks_named(&names[..1]).ok().map(|q| q.0.len());
    assert_eq!(ok, Some(1));
}

#[test]
fn app_stage_keeps_only_app_quirks() {
    let all = Quirks::of(Quirk::ALL.iter().copied());
    let app = app_stage(&all);
    assert!(!app.0.is_empty() && app.0.len() < all.0.len());
    assert!(app.0.iter().all(|q| q.stage() == Stage::App));
}

#[test]
fn encrypted_aegis_export_imports_back_into_a_new_phone() {
    let old = phone_with(AppModel::Aegis, &[ALICE, BOB]);
    let none = Quirks::none();
    let exported = export(&old, FileFormat::Aegis, Some("pw"), 10, &none, 7);
    let Ok(exported) = exported else {
        unreachable!("export failed: {exported:?}")
    };
    assert!(exported.pictures.is_empty());
    let again = export(&old, FileFormat::Aegis, Some("pw"), 10, &none, 7);
    assert_eq!(again.ok().map(|e| e.text), Some(exported.text.clone()));
    let mut new = Phone::new(AppModel::Aegis);
    let inputs = vec![("vault.json".to_owned(), exported.text.into_bytes())];
    let wrong = import(&mut new, FileFormat::Aegis, &inputs, Some("no"), &none);
    assert!(matches!(wrong, Err(ImportError::File { ref input, .. }) if input == "vault.json"));
    let imported = import(&mut new, FileFormat::Aegis, &inputs, Some("pw"), &none);
    let Ok(imported) = imported else {
        unreachable!("import failed: {imported:?}")
    };
    assert_eq!(imported.added.len(), 2);
    assert!(imported.removed.is_empty());
    assert!(!imported.refused);
    assert_eq!(new.accounts, old.accounts);
}

#[test]
fn google_uris_as_text_are_drawn_scanned_and_imported() {
    let old = phone_with(AppModel::GoogleAuthenticator, &[ALICE, BOB]);
    let none = Quirks::none();
    let exported = export(&old, FileFormat::Google, None, 1, &none, 1);
    let Ok(exported) = exported else {
        unreachable!("export failed: {exported:?}")
    };
    assert_eq!(exported.pictures.len(), 2);
    assert_eq!(exported.text.lines().count(), 2);
    let mut new = Phone::new(AppModel::GoogleAuthenticator);
    let inputs = vec![("uris.txt".to_owned(), exported.text.into_bytes())];
    let imported = import(&mut new, FileFormat::Google, &inputs, None, &none);
    assert_eq!(imported.map(|i| (i.added.len(), i.refused)), Ok((2, false)));
    // The same batch again adds nothing, and is not "refused": its accounts are there.
    let again = import(&mut new, FileFormat::Google, &inputs, None, &none);
    assert_eq!(again.map(|i| (i.added.len(), i.refused)), Ok((0, false)));
}

#[test]
fn inputs_that_are_not_exports_are_named() {
    let mut phone = Phone::new(AppModel::Aegis);
    let none = Quirks::none();
    let two = vec![("a".to_owned(), Vec::new()), ("b".to_owned(), Vec::new())];
    assert_eq!(
        import(&mut phone, FileFormat::Aegis, &two, None, &none),
        Err(ImportError::NotOneFile)
    );
    let binary = vec![("x.bin".to_owned(), vec![0xff, 0xfe])];
    let err = import(&mut phone, FileFormat::Google, &binary, None, &none);
    assert_eq!(err, Err(ImportError::NotPictureOrText("x.bin".to_owned())));
    let err = import(&mut phone, FileFormat::TwoFas, &binary, None, &none);
    assert!(matches!(err, Err(ImportError::NotText { ref input, .. }) if input == "x.bin"));
}

#[test]
fn difference_counts_copies() {
    let two = phone_with(AppModel::Aegis, &[ALICE]).accounts;
    let mut doubled = two.clone();
    doubled.extend(two.clone());
    assert_eq!(difference(&doubled, &two).len(), 1);
    assert!(difference(&two, &doubled).is_empty());
}

#[test]
fn a_lossless_run_damages_nothing() {
    let old = phone_with(AppModel::Aegis, &[ALICE, BOB]);
    let mut new = Phone::new(AppModel::Aegis);
    let mechanism = Mechanism::AegisVault { password: None };
    let report = run(
        &old,
        &mut new,
        &mechanism,
        &Quirks::none(),
        1_700_000_000,
        0,
    );
    assert!(report.lossless());
    let json = report.to_json().unwrap();
    assert_eq!(json["lossless"], true);
    assert_eq!(
        json["rows"].as_array().map(Vec::len),
        Some(report.rows.len())
    );
    assert_eq!(damaged(&report), 0);
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.shortfall(), None);
}
