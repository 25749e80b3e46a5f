//! A phone with one account of every kind, and helpers to migrate it.
#![allow(dead_code)]

use hybridsim_apps::account::{DeviceCredential, PasskeyAccount, PushAccount};
use hybridsim_apps::mechanism::cloud::new_device_credential;
use hybridsim_apps::{
    migrate, AppAccount, AppModel, Cloud, Context, Mechanism, MigrationReport, Phone, Provider,
    Quirk, Quirks, Site,
};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// 2026-11-23T00:00:00Z.
pub const AT: u64 = 1_795_392_000;

pub fn otp(
    issuer: &str,
    name: &str,
    secret: &[u8],
    algorithm: Algorithm,
    digits: u8,
    kind: OtpKind,
) -> AppAccount {
    AppAccount::Otp(OtpAccount {
        issuer: issuer.into(),
        name: name.into(),
        secret: secret.to_vec(),
        algorithm,
        digits,
        kind,
    })
}

pub fn totp(issuer: &str, name: &str, secret: &[u8]) -> AppAccount {
    otp(
        issuer,
        name,
        secret,
        Algorithm::Sha1,
        6,
        OtpKind::Totp { period: 30 },
    )
}

fn key(seed: u8) -> String {
    hex::encode(key_bytes(seed))
}

fn key_bytes(seed: u8) -> [u8; 32] {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    bytes
}

/// OTP accounts only: plain SHA-1, SHA-256/8 digits/60 s, HOTP, SHA-512/8.
pub fn otp_phone(app: AppModel) -> Phone {
    let mut phone = Phone::new(app);
    phone.accounts = vec![
        totp("GitHub", "alice@example.com", b"github-secret-20byte"),
        otp(
            "Bank",
            "alice",
            b"bank-secret-0123456789ab",
            Algorithm::Sha256,
            8,
            OtpKind::Totp { period: 60 },
        ),
        otp(
            "VPN",
            "alice",
            b"vpn-secret-0123456789",
            Algorithm::Sha1,
            6,
            OtpKind::Hotp { counter: 5 },
        ),
        otp(
            "AWS",
            "root",
            b"aws-secret-0123456789abcdef",
            Algorithm::Sha512,
            8,
            OtpKind::Totp { period: 30 },
        ),
    ];
    phone
}

/// Every kind: the OTP accounts plus a personal Microsoft account, a work push account and
/// two passkeys (device-bound, synced).
pub fn mixed_phone(cloud: &mut Cloud) -> Phone {
    let mut phone = otp_phone(AppModel::MicrosoftAuthenticator);
    let quirks = Quirks::none();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut ctx = Context::new(&quirks, &mut rng, cloud);
    let credential = new_device_credential("alice@outlook.com", &mut ctx);
    phone
        .accounts
        .push(AppAccount::MicrosoftPersonal(DeviceCredential {
            user: "alice@outlook.com".into(),
            otp: Some(credential),
        }));
    phone.accounts.push(AppAccount::Push(PushAccount {
        tenant: "Contoso".into(),
        user: "alice@contoso.com".into(),
        device_key: Some(key(7)),
    }));
    phone
        .accounts
        .push(AppAccount::Passkey(PasskeyAccount::created(
            Provider::MicrosoftAuthenticatorIos,
            "login.contoso.com",
            "alice",
            vec![0xc0, 0xff, 0xee, 1],
            vec![1; 16],
            key_bytes(8),
        )));
    phone
        .accounts
        .push(AppAccount::Passkey(PasskeyAccount::created(
            Provider::IcloudKeychain,
            "github.com",
            "alice",
            vec![0xc0, 0xff, 0xee, 2],
            vec![2; 16],
            key_bytes(9),
        )));
    phone
}

/// Migrates `old` to a fresh phone of `app` with `quirks`; returns the new phone and report.
pub fn run(
    old: &Phone,
    app: AppModel,
    mechanism: &Mechanism,
    quirks: &[Quirk],
) -> (Phone, MigrationReport) {
    let mut cloud = Cloud::default();
    run_in(old, Phone::new(app), mechanism, quirks, &mut cloud)
}

pub fn run_in(
    old: &Phone,
    mut new: Phone,
    mechanism: &Mechanism,
    quirks: &[Quirk],
    cloud: &mut Cloud,
) -> (Phone, MigrationReport) {
    let quirks = Quirks::of(quirks.iter().copied());
    new.quirks = Quirks::of(
        quirks
            .0
            .iter()
            .copied()
            .filter(|q| q.stage() == hybridsim_apps::quirk::Stage::App),
    );
    let sites: Vec<Site> = old
        .accounts
        .iter()
        .map(|a| Site::enrolled(a).unwrap())
        .collect();
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let mut ctx = Context::new(&quirks, &mut rng, cloud);
    let report = migrate(old, &mut new, mechanism, &sites, AT, &mut ctx);
    (new, report)
}

pub fn aegis(password: Option<&str>) -> Mechanism {
    Mechanism::AegisVault {
        password: password.map(Into::into),
    }
}

pub fn twofas(password: Option<&str>) -> Mechanism {
    Mechanism::TwoFas {
        password: password.map(Into::into),
    }
}

pub fn google() -> Mechanism {
    Mechanism::GoogleTransfer(Default::default())
}

/// The report's `why` lines for `label`, joined, for assertions and failure messages.
pub fn why(report: &MigrationReport, label: &str) -> String {
    report
        .row(label)
        .unwrap_or_else(|| panic!("no row {label} in\n{}", report.to_table()))
        .why
        .join(" | ")
}
