//! What a migration runs in: the quirks switched on, the random source, the cloud services
//! (backup storage, key escrow, keychain) and the trail of what happened to each account.

use crate::quirk::Quirks;
use hybridsim_otp::OtpAccount;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bytes that crossed from one phone to the other, with what they were.
pub type Sent = (String, Vec<u8>);

/// A note about one account of the old phone (by its index) or about the whole migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trail {
    /// Notes per old-phone account index.
    pub accounts: BTreeMap<usize, Vec<String>>,
    /// Notes about the migration as a whole.
    pub general: Vec<String>,
    /// What crossed from one phone to the other, in order: (what, bytes), e.g. each transfer
    /// QR code's text or the export file. Traces show these so their bytes can be approved.
    pub wire: Vec<Sent>,
}

impl Trail {
    /// Records what happened to the old phone's account `index`.
    pub fn account(&mut self, index: usize, note: impl Into<String>) {
        self.accounts.entry(index).or_default().push(note.into());
    }

    /// Records bytes that left the old phone.
    pub fn sent(&mut self, what: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.wire.push((what.into(), bytes.into()));
    }

    /// Records something about the whole migration.
    pub fn general(&mut self, note: impl Into<String>) {
        self.general.push(note.into());
    }

    /// Records what happened to an entry of an export: against the old phone's account when
    /// the entry is known to come from one, otherwise (a file from elsewhere) as a general
    /// note naming the entry.
    pub fn entry(&mut self, source: Option<usize>, entry: &str, note: impl Into<String>) {
        match source {
            Some(index) => self.account(index, note),
            None => self.general(format!("{entry}: {}", note.into())),
        }
    }

    /// Every note: the general ones, then each account's in account order.
    pub fn all_notes(self) -> Vec<String> {
        let mut notes = self.general;
        notes.extend(self.accounts.into_values().flatten());
        notes
    }

    /// The notes recorded for account `index`.
    pub fn notes(&self, index: usize) -> &[String] {
        self.accounts.get(&index).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The vendor's cloud: the backup service, the identity provider's key escrow and device
/// registrations, and the platform keychain. Plain data, so a scenario can keep it between
/// steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cloud {
    /// Encrypted app backups by recovery account (one per account: a new one replaces it).
    pub backups: BTreeMap<String, StoredBackup>,
    /// Backup keys held by the identity provider, by recovery account (hex).
    pub escrow: BTreeMap<String, String>,
    /// Per-device OTP credentials of personal Microsoft accounts, by user: every device that
    /// registered one. The identity provider accepts codes from any of them.
    pub device_credentials: BTreeMap<String, Vec<OtpAccount>>,
    /// The platform keychain by platform account: what syncs to the user's other devices.
    pub keychain: BTreeMap<String, Vec<crate::account::AppAccount>>,
}

/// One backup blob as the backup service stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBackup {
    /// AES-256-GCM nonce, hex.
    pub nonce: String,
    /// Ciphertext with its tag, hex.
    pub ciphertext: String,
    /// How many accounts it holds (the service can see the count, not the contents).
    pub accounts: usize,
}

/// Everything a mechanism may use.
pub struct Context<'a> {
    /// The quirks switched on.
    pub quirks: &'a Quirks,
    /// Where keys, nonces, salts and batch ids come from.
    pub rng: &'a mut dyn RngCore,
    /// The vendor's cloud.
    pub cloud: &'a mut Cloud,
    /// What happened, for the report.
    pub trail: Trail,
}

impl<'a> Context<'a> {
    /// A context with an empty trail.
    pub fn new(quirks: &'a Quirks, rng: &'a mut dyn RngCore, cloud: &'a mut Cloud) -> Self {
        Self {
            quirks,
            rng,
            cloud,
            trail: Trail::default(),
        }
    }

    /// `N` random bytes.
    pub fn random<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.rng.fill_bytes(&mut bytes);
        bytes
    }
}
