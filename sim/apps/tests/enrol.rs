//! TOTP/HOTP enrolment through a QR code picture, and later sign-ins at virtual times.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_apps::enrol::{enrol, EnrolError, IssuerPlacement, SiteOffer, UriStyle};
use hybridsim_apps::{AppModel, Cloud, Phone, Quirk, Quirks};
use hybridsim_otp::{Algorithm, Finding, OtpKind};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const AT: u64 = 1_795_392_000;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(9)
}

#[test]
fn a_typical_site_enrols_and_later_sign_ins_follow_virtual_time() {
    let mut phone = Phone::new(AppModel::GoogleAuthenticator);
    let offer = SiteOffer::totp("Example", "alice@example.com");
    let mut enrolment = enrol(&mut phone, &offer, AT, &mut rng()).unwrap();
    assert_eq!(
        enrolment.scanned, enrolment.uri,
        "the camera reads what the site drew"
    );
    assert!(enrolment.findings.is_empty(), "{:?}", enrolment.findings);
    assert!(
        enrolment.confirmation.is_ok(),
        "{:?}",
        enrolment.confirmation
    );
    assert!(enrolment
        .uri
        .starts_with("otpauth://totp/Example:alice@example.com?secret="));
    let account = phone.accounts[0].clone();
    // Same step again: the site refuses the replay. Next step: accepted.
    let replay = enrolment
        .site
        .sign_in(&phone, &account, AT, &Cloud::default());
    assert!(replay.unwrap_err().contains("already used"));
    assert!(enrolment
        .site
        .sign_in(&phone, &account, AT + 30, &Cloud::default())
        .is_ok());
    assert!(enrolment
        .site
        .sign_in(&phone, &account, AT + 3600, &Cloud::default())
        .is_ok());
}

#[test]
fn enrolment_variants_are_reported_as_findings_and_still_work() {
    let cases = [
        (
            UriStyle {
                issuer: IssuerPlacement::LabelOnly,
                ..UriStyle::default()
            },
            Finding::IssuerOnlyInLabel,
        ),
        (
            UriStyle {
                issuer: IssuerPlacement::ParameterOnly,
                ..UriStyle::default()
            },
            Finding::IssuerOnlyInParameter,
        ),
        (
            UriStyle {
                lowercase_secret: true,
                ..UriStyle::default()
            },
            Finding::SecretLowercase,
        ),
        (
            UriStyle {
                padded_secret: true,
                ..UriStyle::default()
            },
            Finding::SecretPadding,
        ),
    ];
    for (style, finding) in cases {
        let mut phone = Phone::new(AppModel::Aegis);
        let offer = SiteOffer {
            style: style.clone(),
            secret_len: 16,
            ..SiteOffer::totp("Example", "bob")
        };
        let enrolment = enrol(&mut phone, &offer, AT, &mut rng()).unwrap();
        assert!(
            enrolment.findings.contains(&finding),
            "{style:?}: {:?}",
            enrolment.findings
        );
        assert!(enrolment.confirmation.is_ok(), "{style:?}");
        assert_eq!(phone.otp_accounts().next().unwrap().issuer, "Example");
    }
}

#[test]
fn m15_padded_secret_refused_by_an_app_that_rejects_padding() {
    let offer = SiteOffer {
        style: UriStyle {
            padded_secret: true,
            ..UriStyle::default()
        },
        secret_len: 16,
        ..SiteOffer::totp("Example", "carol")
    };
    let mut phone = Phone::new(AppModel::GoogleAuthenticator);
    phone.quirks = Quirks::of([Quirk::RejectBase32Padding]);
    let refused = enrol(&mut phone, &offer, AT, &mut rng()).unwrap_err();
    assert!(
        matches!(&refused, EnrolError::Refused(text) if text.contains(&Quirk::RejectBase32Padding.cite())),
        "{refused}"
    );
    assert!(phone.accounts.is_empty());
    // The same QR code with a secret whose Base32 needs no padding (20 bytes) enrols fine.
    let unpadded = SiteOffer {
        secret_len: 20,
        ..offer
    };
    assert!(enrol(&mut phone, &unpadded, AT, &mut rng())
        .unwrap()
        .confirmation
        .is_ok());
}

#[test]
fn m11_app_ignoring_parameters_fails_the_first_code_check() {
    let offer = SiteOffer {
        algorithm: Algorithm::Sha256,
        digits: 8,
        kind: OtpKind::Totp { period: 60 },
        ..SiteOffer::totp("Bank", "dave")
    };
    let mut phone = Phone::new(AppModel::MicrosoftAuthenticator);
    assert!(enrol(&mut phone, &offer, AT, &mut rng())
        .unwrap()
        .confirmation
        .is_ok());
    let mut ignoring = Phone::new(AppModel::MicrosoftAuthenticator);
    ignoring.quirks = Quirks::of([Quirk::AppIgnoresOtpParameters]);
    let enrolment = enrol(&mut ignoring, &offer, AT, &mut rng()).unwrap();
    assert!(
        enrolment.confirmation.is_err(),
        "an 8-digit SHA-256 site cannot accept a 6-digit SHA-1 code"
    );
}

#[test]
fn hotp_enrolment_confirms_at_the_counter() {
    let offer = SiteOffer {
        kind: OtpKind::Hotp { counter: 0 },
        ..SiteOffer::totp("VPN", "erin")
    };
    let mut phone = Phone::new(AppModel::Aegis);
    let enrolment = enrol(&mut phone, &offer, AT, &mut rng()).unwrap();
    assert!(enrolment.uri.contains("&counter=0"));
    assert!(
        enrolment.confirmation.is_ok(),
        "{:?}",
        enrolment.confirmation
    );
}

/// zbar, an independent QR reader, reads the site's picture to the same URI.
#[test]
fn zbar_reads_the_enrolment_qr_code() {
    let Ok(output) = std::process::Command::new("zbarimg")
        .arg("--version")
        .output()
    else {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
            panic!("zbarimg is missing (bash tests/run installs zbar-tools)");
        }
        eprintln!("skipped: zbarimg not installed");
        return;
    };
    assert!(output.status.success());
    let mut phone = Phone::new(AppModel::Aegis);
    let enrolment = enrol(
        &mut phone,
        &SiteOffer::totp("Example Co", "frank@example.com"),
        AT,
        &mut rng(),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("hybridsim-enrol-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("enrol.png");
    std::fs::write(&png, &enrolment.png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        enrolment.uri
    );
}
