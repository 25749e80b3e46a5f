//! Credential Exchange between providers: what a CXF export carries and leaves behind, the
//! spec's counter rules, and the importer switches of the bug catalogue (M21, M22, M25, M26).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{run, totp};
use hybridsim_apps::account::PasskeyAccount;
use hybridsim_apps::mechanism::cxf;
use hybridsim_apps::{
    AppAccount, AppModel, Cloud, Context, Mechanism, Phone, Provider, Quirk, Quirks,
};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn passkey(provider: Provider, rp: &str, id: u8, sign_count: u32) -> AppAccount {
    let mut key = [id; 32];
    key[0] = 1;
    let mut p = PasskeyAccount::created(provider, rp, "kim", vec![id; 16], vec![id, 0xaa], key);
    p.credential.sign_count = sign_count;
    AppAccount::Passkey(p)
}

fn old_phone() -> Phone {
    let mut phone = Phone::new(AppModel::MicrosoftAuthenticator);
    phone.accounts = vec![
        passkey(Provider::IcloudKeychain, "github.com", 2, 0),
        passkey(
            Provider::MicrosoftAuthenticatorIos,
            "login.contoso.com",
            3,
            0,
        ),
        passkey(Provider::Bitwarden, "bank.example", 4, 5),
        totp("GitHub", "kim@example.com", b"github-secret-20byte"),
    ];
    phone
}

fn cxf_to(importer: Provider) -> Mechanism {
    Mechanism::Cxf {
        exporter: Provider::IcloudKeychain,
        importer,
        at: common::AT,
    }
}

fn imported_passkey(phone: &Phone, rp: &str) -> PasskeyAccount {
    phone
        .accounts
        .iter()
        .find_map(|a| match a {
            AppAccount::Passkey(p) if p.credential.rp_id == rp => Some(p.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {rp} passkey on {phone:?}"))
}

#[test]
fn cxf_moves_exportable_passkeys_and_says_why_the_others_stay() {
    let (new, report) = run(
        &old_phone(),
        AppModel::MicrosoftAuthenticator,
        &cxf_to(Provider::OnePassword),
        &[],
    );
    let row = |label: &str| report.row(label).unwrap().clone();
    let moved = row("github.com (kim)");
    assert!(moved.site_accepts, "{moved:?}");
    assert_ne!(moved.arrival.word(), "missing");
    let bound = row("login.contoso.com (kim)");
    assert_eq!(bound.arrival.word(), "missing");
    assert!(bound.why.join(" ").contains("device-bound"), "{bound:?}");
    let counted = row("bank.example (kim)");
    assert_eq!(counted.arrival.word(), "missing");
    assert!(
        counted.why.join(" ").contains("counter is 5"),
        "{counted:?}"
    );
    assert!(row("GitHub (kim@example.com)").site_accepts);

    // The spec's rules on the importer: counter 0, the importer's flags, the same key and
    // hmac-secret randoms (fido2Extensions.hmacCredentials).
    let before = match &old_phone().accounts[0] {
        AppAccount::Passkey(p) => p.clone(),
        _ => unreachable!(),
    };
    let after = imported_passkey(&new, "github.com");
    assert_eq!(after.provider, Provider::OnePassword);
    assert_eq!(after.credential.sign_count, 0);
    assert_eq!(after.credential.backup, Provider::OnePassword.backup());
    assert_eq!(after.credential.private_key, before.credential.private_key);
    assert_eq!(after.credential.user_handle, before.credential.user_handle);
    assert_eq!(
        after.credential.cred_random_uv,
        before.credential.cred_random_uv
    );
}

#[test]
fn importer_switches_reproduce_m21_m22_m25_m26() {
    let mech = cxf_to(Provider::Keepassxc);
    let (new, report) = run(
        &old_phone(),
        AppModel::MicrosoftAuthenticator,
        &mech,
        &[Quirk::CxfImportsNothing],
    );
    assert!(new.accounts.is_empty());
    assert!(report
        .row("github.com (kim)")
        .unwrap()
        .why
        .join(" ")
        .contains("M21"));

    let (_, report) = run(
        &old_phone(),
        AppModel::MicrosoftAuthenticator,
        &mech,
        &[Quirk::CxfOmitsCountedPasskeysSilently],
    );
    let counted = report.row("bank.example (kim)").unwrap();
    assert_eq!(counted.arrival.word(), "missing");
    assert!(
        !counted.why.join(" ").contains("counter is 5"),
        "silent: {counted:?}"
    );

    let (new, _) = run(
        &old_phone(),
        AppModel::MicrosoftAuthenticator,
        &mech,
        &[Quirk::CxfImportDropsFido2Extensions],
    );
    let original = match &old_phone().accounts[0] {
        AppAccount::Passkey(p) => p.credential.cred_random_uv,
        _ => unreachable!(),
    };
    assert_ne!(
        imported_passkey(&new, "github.com")
            .credential
            .cred_random_uv,
        original
    );

    let (new, _) = run(
        &old_phone(),
        AppModel::MicrosoftAuthenticator,
        &mech,
        &[Quirk::CxfImportRewritesUserHandle],
    );
    assert_eq!(
        imported_passkey(&new, "github.com").credential.user_handle,
        b"kim"
    );
}

#[test]
fn the_public_vector_imports_its_passkey_and_totp_and_names_the_rest() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/cxf/public-test-vector.json"
    ))
    .unwrap();
    let quirks = Quirks::none();
    let mut random = ChaCha20Rng::seed_from_u64(0);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(&quirks, &mut random, &mut cloud);
    let mut phone = Phone::new(AppModel::MicrosoftAuthenticator);
    cxf::import(&mut phone, &bytes, Provider::Bitwarden, &[], &mut ctx).unwrap();
    let labels: Vec<String> = phone.accounts.iter().map(AppAccount::label).collect();
    assert_eq!(
        labels,
        ["GitHub (jane.smith@example.com)", "webauthn.io (johndoe)"]
    );
    let notes = ctx.trail.all_notes().join("\n");
    for kind in ["basic-auth", "wifi", "note", "file", "generated-password"] {
        assert!(
            notes.contains(&format!("a {kind} credential")),
            "{kind}: {notes}"
        );
    }
}
