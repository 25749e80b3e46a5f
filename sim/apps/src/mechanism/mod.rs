//! The ways accounts move from phone A to phone B, each an export or backup on A and an
//! import or restore on B (docs/migration.md §3 and §4).
//!
//! | mechanism | module | carries |
//! |---|---|---|
//! | cloud backup (Microsoft style) | [`cloud`] | OTP secrets and names; names only for push and work/school accounts; no passkeys |
//! | platform keychain sync | [`keychain`] | TOTP secrets, all names, synced passkeys |
//! | Google Authenticator transfer QR codes | [`google`] | OTP accounts without their period |
//! | Aegis vault, plain or encrypted | [`aegis`] | OTP accounts |
//! | 2FAS backup, plain or encrypted | [`twofas`] | OTP accounts |
//! | Credential Exchange (CXF 1.0) | [`cxf`] | exportable passkeys (counter 0), TOTP secrets |

pub mod admit;
pub mod aegis;
pub mod cloud;
pub mod cxf;
pub mod google;
pub mod keychain;
pub mod twofas;

use crate::context::Context;
use crate::phone::Phone;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};

/// A file one phone exported (an Aegis vault, a `.2fas` backup, a CXF document) and which
/// old-phone account each of its entries came from, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// The file's JSON.
    pub json: String,
    /// Old-phone index of each entry, in file order.
    pub carried: Vec<usize>,
}

/// One way to move accounts, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mechanism", rename_all = "kebab-case")]
pub enum Mechanism {
    /// Microsoft-style cloud backup to a recovery account, then restore on the new phone.
    CloudBackup {
        /// The recovery account (a personal Microsoft account).
        recovery: String,
        /// Whether the user passes the strong sign-in backup and restore ask for.
        #[serde(default = "yes")]
        strong_auth: bool,
    },
    /// iCloud Keychain-style sync.
    KeychainSync {
        /// The platform account both phones are signed in to.
        platform_account: String,
    },
    /// Google Authenticator transfer QR codes, scanned by the new phone's camera.
    GoogleTransfer(google::Transfer),
    /// An Aegis vault file.
    AegisVault {
        /// The vault password; `None` for a plain vault.
        password: Option<String>,
    },
    /// A 2FAS backup file.
    TwoFas {
        /// The backup password; `None` for a plain file.
        password: Option<String>,
    },
    /// Credential Exchange: a CXF document from the old phone's provider to the new one's.
    Cxf {
        /// The provider exporting (its name goes into the document).
        exporter: Provider,
        /// The provider importing: its flags go on the imported passkeys.
        importer: Provider,
        /// Unix time written into the document.
        #[serde(default)]
        at: u64,
    },
}

fn yes() -> bool {
    true
}

/// Why a mechanism stopped as a whole (what happened to single accounts is in the trail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationFailure {
    /// The app or service refused, and told the user.
    #[error("refused: {0}")]
    Refused(String),
    /// The file or QR codes could not be read.
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// Something the model cannot go on from (damaged state).
    #[error("broken: {0}")]
    Broken(String),
}

impl Mechanism {
    /// The mechanism's name in scenario files and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CloudBackup { .. } => "cloud-backup",
            Self::KeychainSync { .. } => "keychain-sync",
            Self::GoogleTransfer(_) => "google-transfer",
            Self::AegisVault { .. } => "aegis-vault",
            Self::TwoFas { .. } => "2fas",
            Self::Cxf { .. } => "cxf",
        }
    }

    /// Moves `old`'s accounts to `new`.
    pub fn run(
        &self,
        old: &Phone,
        new: &mut Phone,
        ctx: &mut Context<'_>,
    ) -> Result<(), MigrationFailure> {
        match self {
            Self::CloudBackup {
                recovery,
                strong_auth,
            } => {
                let carried = cloud::backup(old, recovery, *strong_auth, ctx)?;
                cloud::restore(new, recovery, *strong_auth, &carried, ctx)
            }
            Self::KeychainSync { platform_account } => {
                keychain::sync(old, new, platform_account, ctx);
                Ok(())
            }
            Self::GoogleTransfer(transfer) => transfer.run(old, new, ctx),
            Self::AegisVault { password } => {
                let file = aegis::export(old, password.as_deref(), ctx)?;
                aegis::import(new, &file, password.as_deref(), ctx)
            }
            Self::TwoFas { password } => {
                let file = twofas::export(old, password.as_deref(), ctx)?;
                twofas::import(new, &file, password.as_deref(), ctx)
            }
            Self::Cxf {
                exporter,
                importer,
                at,
            } => {
                let file = cxf::export(old, *exporter, *at, ctx);
                cxf::import(new, file.json.as_bytes(), *importer, &file.carried, ctx)
            }
        }
    }
}

/// The OTP accounts of `phone` and their indices; other kinds are noted as not carried by
/// `format`.
fn otp_accounts_of(
    phone: &Phone,
    format: &str,
    ctx: &mut Context<'_>,
) -> (Vec<hybridsim_otp::OtpAccount>, Vec<usize>) {
    let mut accounts = Vec::new();
    let mut carried = Vec::new();
    for (index, account) in phone.accounts.iter().enumerate() {
        match account.otp() {
            Some(otp) if matches!(account, crate::account::AppAccount::Otp(_)) => {
                accounts.push(otp.clone());
                carried.push(index);
            }
            _ => ctx
                .trail
                .account(index, format!("{format} carries OTP accounts only")),
        }
    }
    (accounts, carried)
}
