//! The site behind each account: what it registered at enrolment and how it decides a
//! sign-in, so a report can say whether the new phone still gets the user in.
//!
//! OTP sites verify as docs/migration.md §1.3 describes (window, replay, HOTP look-ahead) with
//! `hybridsim_otp::verify`. Push and passkey sites hold the public key of a key pair whose
//! private half the phone keeps; they accept a signature over a fresh challenge.

use crate::account::AppAccount;
use crate::context::Cloud;
use crate::passkey_site::PasskeySite;
use crate::phone::Phone;
use hybridsim_otp::{
    HotpPolicy, HotpVerifier, OtpAccount, OtpKind, Outcome, Rejection, TotpPolicy, TotpVerifier,
};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a site keeps about one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Site {
    /// A TOTP site.
    Totp(TotpVerifier),
    /// An HOTP site.
    Hotp(HotpVerifier),
    /// The identity provider of a personal Microsoft account: accepts a code from any device
    /// credential registered for the user (see [`Cloud::device_credentials`]).
    MicrosoftPersonal {
        /// The user.
        user: String,
    },
    /// A passkey's relying party: the credential record of its registration.
    Passkey(PasskeySite),
    /// A push-approval or passkey site: the public key it registered (SEC1 hex).
    KeyBound {
        /// What it is, for messages: `tenant (user)` or `rp (user)`.
        label: String,
        /// The registered public key, SEC1 uncompressed, hex.
        public_key: String,
        /// For passkeys, the credential ID the site asks for (hex).
        credential_id: Option<String>,
    },
}

/// Why a site cannot be set up for an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// The account's OTP parameters cannot produce codes.
    #[error("{0}")]
    Otp(String),
    /// The phone holds no key for a key-bound account.
    #[error("{0} has no key on the phone")]
    NoKey(String),
    /// The stored key is not a P-256 private key.
    #[error("the key of {0} is not a P-256 private key")]
    BadKey(String),
}

impl Site {
    /// The site as it stands right after the account was enrolled with these parameters.
    pub fn enrolled(account: &AppAccount) -> Result<Site, SiteError> {
        match account {
            AppAccount::Otp(otp) => Self::for_otp(otp.clone()),
            AppAccount::MicrosoftPersonal(c) => Ok(Site::MicrosoftPersonal {
                user: c.user.clone(),
            }),
            AppAccount::Push(p) => {
                let key = p
                    .device_key
                    .as_deref()
                    .ok_or_else(|| SiteError::NoKey(account.label()))?;
                Ok(Site::KeyBound {
                    label: account.label(),
                    public_key: public_key_hex(key).ok_or(SiteError::BadKey(account.label()))?,
                    credential_id: None,
                })
            }
            AppAccount::Passkey(p) => PasskeySite::registered(p, account.label())
                .map(Site::Passkey)
                .ok_or(SiteError::BadKey(account.label())),
        }
    }

    /// Whether this site enrolled `account`'s credential (two accounts can share a label).
    pub fn is_for(&self, account: &AppAccount) -> bool {
        match (self, account) {
            (Site::Totp(v), AppAccount::Otp(otp)) => v.account.secret == otp.secret,
            (Site::Hotp(v), AppAccount::Otp(otp)) => v.account.secret == otp.secret,
            (Site::MicrosoftPersonal { user }, AppAccount::MicrosoftPersonal(c)) => *user == c.user,
            (Site::KeyBound { label, .. }, other) => *label == other.label(),
            (Site::Passkey(site), other) => site.label == other.label(),
            _ => false,
        }
    }

    /// A site for an OTP account with the default verification policy.
    pub fn for_otp(otp: OtpAccount) -> Result<Site, SiteError> {
        match otp.kind {
            OtpKind::Totp { .. } => TotpVerifier::new(otp, TotpPolicy::default())
                .map(Site::Totp)
                .map_err(|e| SiteError::Otp(e.to_string())),
            OtpKind::Hotp { .. } => HotpVerifier::new(otp, HotpPolicy::default())
                .map(Site::Hotp)
                .map_err(|e| SiteError::Otp(e.to_string())),
        }
    }

    /// Tries a sign-in from `account` on `phone` at true time `true_unix`. `Ok` says what the
    /// site accepted; `Err` why it refused, in words for a report.
    pub fn sign_in(
        &mut self,
        phone: &Phone,
        account: &AppAccount,
        true_unix: u64,
        cloud: &Cloud,
    ) -> Result<String, String> {
        match self {
            Site::Totp(verifier) => {
                let otp = account
                    .otp()
                    .ok_or("the account on the phone has no OTP secret")?;
                let code = code(otp, phone.clock(true_unix))?;
                match verifier.verify(&code, true_unix) {
                    Ok(outcome) => explain(outcome, &code, verifier.account.kind, phone),
                    Err(e) => Err(format!("the site cannot check codes: {e}")),
                }
            }
            Site::Hotp(verifier) => {
                let otp = account
                    .otp()
                    .ok_or("the account on the phone has no OTP secret")?;
                let code = code(otp, phone.clock(true_unix))?;
                let site_counter = verifier.counter();
                let outcome = verifier.verify(&code);
                explain_hotp(outcome, &code, otp, site_counter)
            }
            Site::MicrosoftPersonal { user } => {
                microsoft_sign_in(user, phone, account, true_unix, cloud)
            }
            Site::Passkey(site) => match account {
                AppAccount::Passkey(p) => site.sign_in(p, true_unix),
                _ => Err(format!("{}: no passkey on the phone", site.label)),
            },
            Site::KeyBound {
                label,
                public_key,
                credential_id,
            } => key_sign_in(
                label,
                public_key,
                credential_id.as_deref(),
                account,
                true_unix,
            ),
        }
    }
}

/// A personal Microsoft account: the phone's own credential, which the identity provider must
/// have registered for this device (each device gets its own, M18).
fn microsoft_sign_in(
    user: &str,
    phone: &Phone,
    account: &AppAccount,
    true_unix: u64,
    cloud: &Cloud,
) -> Result<String, String> {
    let AppAccount::MicrosoftPersonal(credential) = account else {
        return Err("not a Microsoft personal account".into());
    };
    let Some(otp) = &credential.otp else {
        return Err(format!(
            "{user} has no credential on this phone yet: the user must sign in to recover it"
        ));
    };
    let code = code(otp, phone.clock(true_unix))?;
    let registered = cloud.device_credentials.get(user);
    let known = registered.is_some_and(|all| all.iter().any(|c| c == otp));
    if !known {
        return Err("the identity provider never registered this device's credential".into());
    }
    let mut verifier =
        TotpVerifier::new(otp.clone(), TotpPolicy::default()).map_err(|e| e.to_string())?;
    match verifier.verify(&code, true_unix) {
        Ok(outcome) => explain(outcome, &code, otp.kind, phone),
        Err(e) => Err(e.to_string()),
    }
}

/// A push account or a passkey: the phone signs a challenge with the key the site registered.
fn key_sign_in(
    label: &str,
    public_key: &str,
    credential_id: Option<&str>,
    account: &AppAccount,
    true_unix: u64,
) -> Result<String, String> {
    let private = match (account, credential_id) {
        (AppAccount::Push(p), None) => p.device_key.clone().ok_or_else(|| {
            format!(
                "{label}: the private key never left the old phone; re-register by scanning a QR code from {}",
                p.tenant
            )
        })?,
        (AppAccount::Passkey(p), Some(id)) if hex::encode(&p.credential.id) == id => {
            hex::encode(p.credential.private_key)
        }
        _ => return Err(format!("{label}: no matching key on the phone")),
    };
    let challenge = Sha256::digest(format!("{label}|{true_unix}").as_bytes());
    let signature = sign(&private, &challenge)
        .ok_or_else(|| format!("{label}: the phone's key is not usable"))?;
    let verifying = hex::decode(public_key)
        .ok()
        .and_then(|bytes| VerifyingKey::from_sec1_bytes(&bytes).ok())
        .ok_or("the site's public key is damaged")?;
    verifying
        .verify(&challenge, &signature)
        .map(|()| "signature verified".to_string())
        .map_err(|_| format!("{label}: the signature does not match the registered key"))
}

fn code(otp: &OtpAccount, phone_time: u64) -> Result<String, String> {
    otp.code_at(phone_time)
        .map_err(|e| format!("the phone cannot make a code: {e}"))
}

fn explain(outcome: Outcome, code: &str, kind: OtpKind, phone: &Phone) -> Result<String, String> {
    match outcome {
        Outcome::Accepted { step, .. } | Outcome::Resynced { step } => {
            Ok(format!("code {code} accepted (step {step})"))
        }
        Outcome::Rejected(Rejection::ClockSkew { steps }) => {
            let period = match kind {
                OtpKind::Totp { period } => i64::from(period),
                OtpKind::Hotp { .. } => 0,
            };
            Err(format!(
                "code {code} refused: it is {steps} steps (about {} s) from the site's clock; the phone's clock is {} s off",
                steps * period,
                phone.clock_offset
            ))
        }
        Outcome::Rejected(Rejection::Replayed { step }) => {
            Err(format!("code {code} refused: step {step} was already used"))
        }
        Outcome::Rejected(other) => Err(format!("code {code} refused: {}", rejection(&other))),
    }
}

fn explain_hotp(
    outcome: Outcome,
    code: &str,
    otp: &OtpAccount,
    site_counter: u64,
) -> Result<String, String> {
    let phone_counter = match otp.kind {
        OtpKind::Hotp { counter } => counter,
        OtpKind::Totp { .. } => {
            return Err("the phone runs it as TOTP; the site expects HOTP codes".into())
        }
    };
    match outcome {
        Outcome::Accepted { step, .. } | Outcome::Resynced { step } => {
            Ok(format!("code {code} accepted (counter {step})"))
        }
        Outcome::Rejected(Rejection::Replayed { .. }) => Err(format!(
            "code {code} refused: the phone's counter {phone_counter} is behind the site's {site_counter}, so the code was already used"
        )),
        Outcome::Rejected(other) => Err(format!(
            "code {code} refused: {} (phone counter {phone_counter}, site counter {site_counter})",
            rejection(&other)
        )),
    }
}

fn rejection(rejection: &Rejection) -> String {
    match rejection {
        Rejection::Malformed => "not a code of the expected length".into(),
        Rejection::WrongCode => "it matches no code the site expects".into(),
        Rejection::Replayed { step } => format!("step {step} was already used"),
        Rejection::ClockSkew { steps } => format!("{steps} steps off the site's clock"),
        Rejection::ResyncPending { step } => {
            format!("counter {step} is beyond the look-ahead; a second code would resync")
        }
        Rejection::LockedOut => "locked out after too many failures".into(),
    }
}

fn public_key_hex(private_hex: &str) -> Option<String> {
    let bytes = hex::decode(private_hex).ok()?;
    let key = SigningKey::from_slice(&bytes).ok()?;
    Some(hex::encode(
        key.verifying_key().to_encoded_point(false).as_bytes(),
    ))
}

fn sign(private_hex: &str, message: &[u8]) -> Option<Signature> {
    let bytes = hex::decode(private_hex).ok()?;
    let key = SigningKey::from_slice(&bytes).ok()?;
    Some(key.sign(message))
}
