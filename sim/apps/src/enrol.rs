//! TOTP/HOTP enrolment as a site runs it: the site makes a secret and shows an `otpauth://`
//! QR code as a PNG; the phone's camera reads the picture (so a QR code real scanners cannot
//! read fails here too); the app parses the URI the way it does and stores the account; the
//! site checks the first code before it turns the factor on.
//!
//! Key URI background: `docs/migration.md` §2.

use crate::account::AppAccount;
use crate::context::Cloud;
use crate::phone::{Added, Phone};
use crate::quirk::Quirk;
use crate::site::Site;
use hybridsim_otp::{base32, Algorithm, Finding, Mode, OtpAccount, OtpKind};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand_core::RngCore;

/// Characters left as they are in labels and parameters: RFC 3986 unreserved ones.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// Where the site writes the issuer in its URI (docs/migration.md §2.2: apps disagree on each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerPlacement {
    /// `Issuer:name` label and `issuer=` parameter, as the Key URI wiki recommends.
    #[default]
    Both,
    /// Only as the label prefix.
    LabelOnly,
    /// Only as the `issuer=` parameter.
    ParameterOnly,
}

/// How a site writes its enrolment URI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UriStyle {
    /// Where the issuer goes.
    pub issuer: IssuerPlacement,
    /// Base32 with `=` padding (some generators add it; GA iOS 3.0.0 refused it, M15).
    pub padded_secret: bool,
    /// Base32 in lower case.
    pub lowercase_secret: bool,
}

/// What a site enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOffer {
    /// The site's name, shown as the issuer.
    pub issuer: String,
    /// The user's account name at the site.
    pub user: String,
    /// HMAC hash.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// TOTP with its period, or HOTP with its first counter.
    pub kind: OtpKind,
    /// Secret length in bytes (20 is RFC 4226's recommendation; 10 is the 80-bit kind).
    pub secret_len: usize,
    /// How the URI is written.
    pub style: UriStyle,
    /// Pixels per QR module in the PNG.
    pub module_px: u32,
}

impl SiteOffer {
    /// A typical site: SHA-1, 6 digits, 30 s, 20-byte secret, URI as the wiki recommends.
    pub fn totp(issuer: &str, user: &str) -> SiteOffer {
        SiteOffer {
            issuer: issuer.into(),
            user: user.into(),
            algorithm: Algorithm::Sha1,
            digits: 6,
            kind: OtpKind::Totp { period: 30 },
            secret_len: 20,
            style: UriStyle::default(),
            module_px: 4,
        }
    }
}

/// Everything an enrolment produced, for traces and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The URI the site put in the QR code.
    pub uri: String,
    /// The QR code as the site showed it.
    pub png: Vec<u8>,
    /// What the phone's camera read from the picture.
    pub scanned: String,
    /// What the app's parser tolerated.
    pub findings: Vec<Finding>,
    /// The account as the site holds it.
    pub site_account: OtpAccount,
    /// The site, after the first code was checked.
    pub site: Site,
    /// How the app took the account.
    pub added: Added,
    /// The first code: `Ok` with what the site accepted, `Err` with why it refused.
    pub confirmation: Result<String, String>,
}

/// Why an enrolment stopped before the site could check a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolError {
    /// The site's offer cannot produce codes (e.g. 5 digits).
    #[error("the site cannot enrol this: {0}")]
    Offer(String),
    /// The QR code could not be drawn.
    #[error("the site cannot draw the QR code: {0}")]
    Render(String),
    /// The phone's camera found no readable QR code in the picture.
    #[error("the phone cannot read the QR code: {0}")]
    Scan(String),
    /// The app refused the URI.
    #[error("the app refused the QR code: {0}")]
    Refused(String),
}

/// Runs one enrolment at true time `at`; the phone uses its own clock for the first code.
pub fn enrol(
    phone: &mut Phone,
    offer: &SiteOffer,
    at: u64,
    rng: &mut dyn RngCore,
) -> Result<Enrolment, EnrolError> {
    let mut secret = vec![0u8; offer.secret_len];
    rng.fill_bytes(&mut secret);
    let site_account = OtpAccount {
        issuer: offer.issuer.clone(),
        name: offer.user.clone(),
        secret,
        algorithm: offer.algorithm,
        digits: offer.digits,
        kind: offer.kind,
    };
    let mut site =
        Site::for_otp(site_account.clone()).map_err(|e| EnrolError::Offer(e.to_string()))?;
    let uri = enrolment_uri(&site_account, &offer.style);
    let png = hybridsim_optical::render_png(&uri, offer.module_px)
        .map_err(|e| EnrolError::Render(e.to_string()))?;
    let scanned = hybridsim_optical::read_image(&png)
        .map_err(|e| EnrolError::Scan(e.to_string()))?
        .into_iter()
        .next()
        .ok_or_else(|| EnrolError::Scan("no QR code in the picture".into()))?;
    let parsed = hybridsim_otp::parse(&scanned, Mode::Lenient)
        .map_err(|e| EnrolError::Refused(e.to_string()))?;
    if phone.quirks.has(Quirk::RejectBase32Padding)
        && parsed.findings.contains(&Finding::SecretPadding)
    {
        return Err(EnrolError::Refused(format!(
            "\"Invalid barcode\": the secret has `=` padding ({})",
            Quirk::RejectBase32Padding.cite()
        )));
    }
    let added = phone.add(AppAccount::Otp(parsed.account.clone()), true);
    let stored = phone
        .accounts
        .iter()
        .rev()
        .find(|a| a.otp().is_some_and(|o| o.secret == parsed.account.secret))
        .cloned()
        .unwrap_or(AppAccount::Otp(parsed.account.clone()));
    let confirmation = site.sign_in(phone, &stored, at, &Cloud::default());
    phone.press(&parsed.account.secret);
    Ok(Enrolment {
        uri,
        png,
        scanned,
        findings: parsed.findings,
        site_account,
        site,
        added,
        confirmation,
    })
}

/// The Key URI for `account`, written in `style`.
pub fn enrolment_uri(account: &OtpAccount, style: &UriStyle) -> String {
    let (kind, extra) = match account.kind {
        OtpKind::Totp { period } => ("totp", format!("&period={period}")),
        OtpKind::Hotp { counter } => ("hotp", format!("&counter={counter}")),
    };
    let issuer = utf8_percent_encode(&account.issuer, COMPONENT).to_string();
    let name = utf8_percent_encode(&account.name, COMPONENT).to_string();
    let label = match style.issuer {
        IssuerPlacement::Both | IssuerPlacement::LabelOnly if !account.issuer.is_empty() => {
            format!("{issuer}:{name}")
        }
        _ => name,
    };
    let mut secret = base32::encode(&account.secret);
    if style.padded_secret {
        while !secret.len().is_multiple_of(8) {
            secret.push('=');
        }
    }
    if style.lowercase_secret {
        secret = secret.to_lowercase();
    }
    let issuer_param = match style.issuer {
        IssuerPlacement::Both | IssuerPlacement::ParameterOnly if !account.issuer.is_empty() => {
            format!("&issuer={issuer}")
        }
        _ => String::new(),
    };
    format!(
        "otpauth://{kind}/{label}?secret={secret}{issuer_param}&algorithm={}&digits={}{extra}",
        account.algorithm.name(),
        account.digits
    )
}
