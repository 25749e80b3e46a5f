//! A phone's authenticator app: which app it models, the accounts it holds, and its clock.
//!
//! How an app adds an account decides the duplicate and collision bugs of docs/migration-bugs.md (M13, M19):
//! by default an account identical to one already there is not added twice and different
//! accounts always coexist; the app quirks change that the way real apps did.

use crate::account::AppAccount;
use crate::quirk::{Quirk, Quirks};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use serde::{Deserialize, Serialize};

/// The authenticator apps modelled, each with the way it moves accounts to a new phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum AppModel {
    /// Google Authenticator: `otpauth-migration://` transfer QR codes (docs/migration.md §3).
    GoogleAuthenticator,
    /// Microsoft Authenticator: cloud backup to a recovery account, or the iCloud Keychain
    /// backup on iOS (§4.5).
    MicrosoftAuthenticator,
    /// Aegis: vault files, plain or encrypted (§4.1).
    Aegis,
    /// 2FAS: `.2fas` files, plain or encrypted (§4.2).
    #[cfg_attr(feature = "clap", value(name = "2fas"))]
    TwoFas,
}

impl AppModel {
    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::GoogleAuthenticator => "google-authenticator",
            Self::MicrosoftAuthenticator => "microsoft-authenticator",
            Self::Aegis => "aegis",
            Self::TwoFas => "2fas",
        }
    }
}

/// What happened when the app was given an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// It is now in the list.
    Added,
    /// An identical account was already there; nothing changed.
    AlreadyPresent,
    /// It took the place of an account the app considered the same (quirk
    /// `keyed-on-issuer-and-name`); the label is the one overwritten.
    Replaced(String),
    /// The app folded it into an existing account with the same secret (quirk
    /// `dedupe-on-secret`); the label is the one kept.
    MergedInto(String),
}

/// One phone's authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The app modelled.
    pub app: AppModel,
    /// The accounts, in the order the app lists them.
    pub accounts: Vec<AppAccount>,
    /// How far the phone's clock is from true time, in seconds (positive: ahead). Bug M17.
    #[serde(default)]
    pub clock_offset: i64,
    /// App-stage quirks this phone's app has.
    #[serde(default)]
    pub quirks: Quirks,
}

impl Phone {
    /// An empty app of this model with a correct clock and no quirks.
    pub fn new(app: AppModel) -> Phone {
        Phone {
            app,
            accounts: Vec::new(),
            clock_offset: 0,
            quirks: Quirks::none(),
        }
    }

    /// The phone's idea of the time when the true time is `true_unix`.
    pub fn clock(&self, true_unix: u64) -> u64 {
        true_unix.saturating_add_signed(self.clock_offset)
    }

    /// Adds an account the way this app does. With `dedupe` off (importer quirk
    /// `import-no-dedupe`) an identical account is added again.
    pub fn add(&mut self, account: AppAccount, dedupe: bool) -> Added {
        let account = self.as_app_stores(account);
        if dedupe && self.accounts.contains(&account) {
            return Added::AlreadyPresent;
        }
        if let AppAccount::Otp(new) = &account {
            if self.quirks.has(Quirk::DedupeOnSecret) {
                if let Some(kept) = self.otp_accounts().find(|old| old.secret == new.secret) {
                    return Added::MergedInto(AppAccount::Otp(kept.clone()).label());
                }
            }
            if self.quirks.has(Quirk::KeyedOnIssuerAndName) {
                let same_key = self.accounts.iter().position(|old| match old {
                    AppAccount::Otp(old) => old.issuer == new.issuer && old.name == new.name,
                    _ => false,
                });
                if let Some(index) = same_key {
                    if let Some(slot) = self.accounts.get_mut(index) {
                        let previous = std::mem::replace(slot, account);
                        return Added::Replaced(previous.label());
                    }
                }
            }
        }
        self.accounts.push(account);
        Added::Added
    }

    /// The user pressed for a new code of the HOTP account with this secret: its counter moves
    /// on, whether or not the site then accepts the code (RFC 4226 §7.4).
    pub fn press(&mut self, secret: &[u8]) {
        for account in &mut self.accounts {
            if let AppAccount::Otp(OtpAccount {
                secret: s,
                kind: OtpKind::Hotp { counter },
                ..
            }) = account
            {
                if s.as_slice() == secret {
                    *counter = counter.saturating_add(1);
                    return;
                }
            }
        }
    }

    /// The OTP accounts (third-party TOTP and HOTP) in list order.
    pub fn otp_accounts(&self) -> impl Iterator<Item = &OtpAccount> {
        self.accounts.iter().filter_map(|a| match a {
            AppAccount::Otp(otp) => Some(otp),
            _ => None,
        })
    }

    /// What the app actually keeps of an account: with `app-ignores-otp-parameters` (M11)
    /// every OTP account is run as SHA-1, 6 digits, 30 s.
    fn as_app_stores(&self, account: AppAccount) -> AppAccount {
        match account {
            AppAccount::Otp(otp) if self.quirks.has(Quirk::AppIgnoresOtpParameters) => {
                AppAccount::Otp(ignoring_parameters(otp))
            }
            other => other,
        }
    }
}

/// The account as an app that knows only the defaults runs it.
pub fn ignoring_parameters(otp: OtpAccount) -> OtpAccount {
    OtpAccount {
        algorithm: Algorithm::Sha1,
        digits: 6,
        kind: match otp.kind {
            OtpKind::Totp { .. } => OtpKind::Totp { period: 30 },
            hotp @ OtpKind::Hotp { .. } => hotp,
        },
        ..otp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totp(issuer: &str, name: &str, secret: &[u8]) -> AppAccount {
        AppAccount::Otp(OtpAccount {
            issuer: issuer.into(),
            name: name.into(),
            secret: secret.to_vec(),
            algorithm: Algorithm::Sha256,
            digits: 8,
            kind: OtpKind::Totp { period: 60 },
        })
    }

    #[test]
    fn identical_accounts_are_added_once_unless_dedupe_is_off() {
        let mut phone = Phone::new(AppModel::Aegis);
        assert_eq!(phone.add(totp("A", "u", b"k1"), true), Added::Added);
        assert_eq!(
            phone.add(totp("A", "u", b"k1"), true),
            Added::AlreadyPresent
        );
        assert_eq!(phone.accounts.len(), 1);
        assert_eq!(phone.add(totp("A", "u", b"k1"), false), Added::Added);
        assert_eq!(phone.accounts.len(), 2);
    }

    #[test]
    fn issuer_and_name_keying_overwrites_a_different_account() {
        let mut phone = Phone::new(AppModel::MicrosoftAuthenticator);
        phone.add(totp("Microsoft", "kim@contoso.com", b"tenant-1"), true);
        assert_eq!(
            phone.add(totp("Microsoft", "kim@contoso.com", b"tenant-2"), true),
            Added::Added
        );
        phone.quirks = Quirks::of([Quirk::KeyedOnIssuerAndName]);
        assert!(matches!(
            phone.add(totp("Microsoft", "kim@contoso.com", b"tenant-3"), true),
            Added::Replaced(_)
        ));
        assert_eq!(phone.accounts.len(), 2);
        assert_eq!(phone.otp_accounts().next().unwrap().secret, b"tenant-3");
    }

    #[test]
    fn secret_dedupe_merges_distinct_accounts() {
        let mut phone = Phone::new(AppModel::TwoFas);
        phone.quirks = Quirks::of([Quirk::DedupeOnSecret]);
        phone.add(totp("A", "u", b"shared"), true);
        assert!(matches!(
            phone.add(totp("B", "v", b"shared"), true),
            Added::MergedInto(_)
        ));
        assert_eq!(phone.accounts.len(), 1);
    }

    #[test]
    fn ignoring_parameters_keeps_secret_and_counter() {
        let mut phone = Phone::new(AppModel::GoogleAuthenticator);
        phone.quirks = Quirks::of([Quirk::AppIgnoresOtpParameters]);
        phone.add(totp("A", "u", b"k"), true);
        let stored = phone.otp_accounts().next().unwrap();
        assert_eq!(stored.algorithm, Algorithm::Sha1);
        assert_eq!(stored.digits, 6);
        assert_eq!(stored.kind, OtpKind::Totp { period: 30 });
        assert_eq!(stored.secret, b"k");
    }

    #[test]
    fn clock_offset_moves_the_phone_time_both_ways() {
        let mut phone = Phone::new(AppModel::Aegis);
        phone.clock_offset = -90;
        assert_eq!(phone.clock(1_000), 910);
        phone.clock_offset = 5;
        assert_eq!(phone.clock(1_000), 1_005);
    }
}
