//! Migration entries to accounts and back (docs/migration.md §3, "Aegis parse rules").
//!
//! Defaults follow Aegis' documented reading; each defaulted or unusual value is reported as a
//! named [`Finding`], each thing an entry cannot carry as a named [`Loss`]. The rules are plain
//! options so importer and exporter models can switch to the buggy readings in docs/migration-bugs.md.

use super::payload::{algorithm, digits, otp_type, Entry};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};

/// What an importer does with fields the entry leaves open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRules {
    /// What `type` UNSPECIFIED becomes: TOTP for Aegis, HOTP for extract_otp_secrets.
    pub unspecified_type: UnspecifiedType,
    /// When to split `Issuer:` off the name.
    pub split_issuer: SplitIssuer,
}

impl Default for ImportRules {
    /// Aegis' rules.
    fn default() -> Self {
        Self {
            unspecified_type: UnspecifiedType::Totp,
            split_issuer: SplitIssuer::WhenIssuerEmpty,
        }
    }
}

/// The reading of `type` UNSPECIFIED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnspecifiedType {
    /// TOTP with period 30 (Aegis).
    Totp,
    /// HOTP (extract_otp_secrets maps every type ≠ TOTP to HOTP).
    Hotp,
}

/// When an `Issuer:` prefix in the name is moved to the issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitIssuer {
    /// Keep the name as is.
    Never,
    /// Only when `issuer` is empty (Aegis; leaves `Amazon:me@…` alone when issuer is set, M07).
    WhenIssuerEmpty,
    /// Whenever the name has exactly one colon and the prefix equals the issuer or the issuer
    /// is empty.
    WhenConsistent,
}

/// A value that was defaulted or looks unusual; the account is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// `algorithm` was UNSPECIFIED (0) and was read as SHA1.
    AlgorithmUnspecified,
    /// `digits` was UNSPECIFIED (0) and was read as 6.
    DigitsUnspecified,
    /// `type` was UNSPECIFIED (0) and was read per [`UnspecifiedType`].
    TypeUnspecified {
        /// What it became.
        read_as: UnspecifiedType,
    },
    /// TOTP: the format has no period field, so 30 s was assumed.
    PeriodAssumed,
    /// A TOTP entry carries a non-zero counter, which is ignored.
    CounterOnTotp {
        /// The counter on the wire.
        counter: u64,
    },
    /// The name still carries an `Issuer:` prefix while `issuer` is set (M07).
    NameHasIssuerPrefix {
        /// The text before the colon.
        prefix: String,
    },
    /// The issuer was taken from the name's `Issuer:` prefix.
    IssuerFromName {
        /// The issuer found.
        issuer: String,
    },
    /// The secret is shorter than RFC 4226's 128-bit minimum.
    ShortSecret {
        /// Its length in bytes.
        bytes: usize,
    },
}

/// Why an entry cannot become an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// MD5 (mOTP) cannot be an HOTP/TOTP account.
    #[error("algorithm MD5 is not supported")]
    Md5Unsupported,
    /// An algorithm number outside the enum.
    #[error("unknown algorithm value {0}")]
    UnknownAlgorithm(i32),
    /// A DigitCount number outside the enum.
    #[error("unknown digits value {0}")]
    UnknownDigits(i32),
    /// A type number outside the enum.
    #[error("unknown type value {0}")]
    UnknownType(i32),
    /// No secret bytes.
    #[error("the secret is empty")]
    EmptySecret,
}

/// Something an account has that a migration entry cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loss {
    /// TOTP period other than 30: importers will run the account at 30 s.
    Period {
        /// The account's period.
        period: u32,
    },
    /// Digits other than 6 or 8: written as UNSPECIFIED, so importers read 6.
    Digits {
        /// The account's digit count.
        digits: u8,
    },
}

impl Entry {
    /// Reads the entry as an account under `rules`, reporting every defaulted value.
    pub fn to_account(
        &self,
        rules: &ImportRules,
    ) -> Result<(OtpAccount, Vec<Finding>), EntryError> {
        let mut findings = Vec::new();
        let algorithm = match self.algorithm {
            algorithm::UNSPECIFIED => {
                findings.push(Finding::AlgorithmUnspecified);
                Algorithm::Sha1
            }
            algorithm::SHA1 => Algorithm::Sha1,
            algorithm::SHA256 => Algorithm::Sha256,
            algorithm::SHA512 => Algorithm::Sha512,
            algorithm::MD5 => return Err(EntryError::Md5Unsupported),
            other => return Err(EntryError::UnknownAlgorithm(other)),
        };
        let digit_count = match self.digits {
            digits::UNSPECIFIED => {
                findings.push(Finding::DigitsUnspecified);
                6
            }
            digits::SIX => 6,
            digits::EIGHT => 8,
            other => return Err(EntryError::UnknownDigits(other)),
        };
        let hotp = match self.otp_type {
            otp_type::UNSPECIFIED => {
                findings.push(Finding::TypeUnspecified {
                    read_as: rules.unspecified_type,
                });
                rules.unspecified_type == UnspecifiedType::Hotp
            }
            otp_type::HOTP => true,
            otp_type::TOTP => false,
            other => return Err(EntryError::UnknownType(other)),
        };
        let kind = if hotp {
            OtpKind::Hotp {
                counter: self.counter,
            }
        } else {
            findings.push(Finding::PeriodAssumed);
            if self.counter != 0 {
                findings.push(Finding::CounterOnTotp {
                    counter: self.counter,
                });
            }
            OtpKind::Totp { period: 30 }
        };
        if self.secret.is_empty() {
            return Err(EntryError::EmptySecret);
        }
        if self.secret.len() < 16 {
            findings.push(Finding::ShortSecret {
                bytes: self.secret.len(),
            });
        }
        let (issuer, name) = self.split_name(rules.split_issuer, &mut findings);
        Ok((
            OtpAccount {
                issuer,
                name,
                secret: self.secret.clone(),
                algorithm,
                digits: digit_count,
                kind,
            },
            findings,
        ))
    }

    fn split_name(&self, rule: SplitIssuer, findings: &mut Vec<Finding>) -> (String, String) {
        let single_colon = self.name.matches(':').count() == 1;
        let parts = self
            .name
            .split_once(':')
            .filter(|_| single_colon)
            .map(|(p, a)| (p.to_owned(), a.trim_start().to_owned()));
        let split = match (&parts, rule) {
            (None, _) | (_, SplitIssuer::Never) => false,
            (Some(_), SplitIssuer::WhenIssuerEmpty) => self.issuer.is_empty(),
            (Some((prefix, _)), SplitIssuer::WhenConsistent) => {
                self.issuer.is_empty() || *prefix == self.issuer
            }
        };
        match parts {
            Some((prefix, account)) if split => {
                if self.issuer.is_empty() {
                    findings.push(Finding::IssuerFromName {
                        issuer: prefix.clone(),
                    });
                    (prefix, account)
                } else {
                    (self.issuer.clone(), account)
                }
            }
            Some((prefix, _)) => {
                if !self.issuer.is_empty() {
                    findings.push(Finding::NameHasIssuerPrefix { prefix });
                }
                (self.issuer.clone(), self.name.clone())
            }
            None => (self.issuer.clone(), self.name.clone()),
        }
    }

    /// The entry an exporter writes for `account`, and what it could not carry.
    /// `name_with_issuer_prefix` writes `Issuer:name` into the name, as GA does (M07).
    pub fn from_account(account: &OtpAccount, name_with_issuer_prefix: bool) -> (Entry, Vec<Loss>) {
        let mut losses = Vec::new();
        let digits = match account.digits {
            6 => digits::SIX,
            8 => digits::EIGHT,
            other => {
                losses.push(Loss::Digits { digits: other });
                digits::UNSPECIFIED
            }
        };
        let (otp_type, counter) = match account.kind {
            OtpKind::Totp { period } => {
                if period != 30 {
                    losses.push(Loss::Period { period });
                }
                (otp_type::TOTP, 0)
            }
            OtpKind::Hotp { counter } => (otp_type::HOTP, counter),
        };
        let name = if name_with_issuer_prefix && !account.issuer.is_empty() {
            format!("{}:{}", account.issuer, account.name)
        } else {
            account.name.clone()
        };
        let entry = Entry {
            secret: account.secret.clone(),
            name,
            issuer: account.issuer.clone(),
            algorithm: match account.algorithm {
                Algorithm::Sha1 => algorithm::SHA1,
                Algorithm::Sha256 => algorithm::SHA256,
                Algorithm::Sha512 => algorithm::SHA512,
            },
            digits,
            otp_type,
            counter,
            unique_id: None,
        };
        (entry, losses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            secret: vec![7; 20],
            name: "Example:alice@google.com".into(),
            issuer: "Example".into(),
            otp_type: otp_type::TOTP,
            ..Entry::default()
        }
    }

    #[test]
    fn unspecified_values_default_with_findings() {
        let (account, findings) = entry().to_account(&ImportRules::default()).unwrap();
        assert_eq!(account.algorithm, Algorithm::Sha1);
        assert_eq!(account.digits, 6);
        assert_eq!(account.kind, OtpKind::Totp { period: 30 });
        assert_eq!(account.name, "Example:alice@google.com");
        assert_eq!(
            findings,
            [
                Finding::AlgorithmUnspecified,
                Finding::DigitsUnspecified,
                Finding::PeriodAssumed,
                Finding::NameHasIssuerPrefix {
                    prefix: "Example".into()
                }
            ]
        );
    }

    #[test]
    fn import_rules_model_other_readers() {
        let mut e = entry();
        e.otp_type = otp_type::UNSPECIFIED;
        e.counter = 3;
        let rules = ImportRules {
            unspecified_type: UnspecifiedType::Hotp,
            split_issuer: SplitIssuer::WhenConsistent,
        };
        let (account, _) = e.to_account(&rules).unwrap();
        assert_eq!(account.kind, OtpKind::Hotp { counter: 3 });
        assert_eq!(account.name, "alice@google.com");
        e.issuer.clear();
        let (account, findings) = e.to_account(&ImportRules::default()).unwrap();
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Example", "alice@google.com")
        );
        assert!(findings.contains(&Finding::IssuerFromName {
            issuer: "Example".into()
        }));
    }

    #[test]
    fn unsupported_values_are_errors() {
        for (alg, err) in [
            (4, EntryError::Md5Unsupported),
            (9, EntryError::UnknownAlgorithm(9)),
        ] {
            let e = Entry {
                algorithm: alg,
                ..entry()
            };
            assert_eq!(e.to_account(&ImportRules::default()).unwrap_err(), err);
        }
        let e = Entry {
            digits: 3,
            ..entry()
        };
        assert_eq!(
            e.to_account(&ImportRules::default()).unwrap_err(),
            EntryError::UnknownDigits(3)
        );
    }

    #[test]
    fn export_reports_losses() {
        let account = OtpAccount {
            issuer: "X".into(),
            name: "y".into(),
            secret: vec![1; 10],
            algorithm: Algorithm::Sha256,
            digits: 7,
            kind: OtpKind::Totp { period: 60 },
        };
        let (entry, losses) = Entry::from_account(&account, true);
        assert_eq!(entry.name, "X:y");
        assert_eq!(entry.digits, digits::UNSPECIFIED);
        assert_eq!(
            losses,
            [Loss::Digits { digits: 7 }, Loss::Period { period: 60 }]
        );
    }
}
