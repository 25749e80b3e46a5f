//! The authenticator's credential store: every credential it created, with its private key.
//!
//! The store is plain data (serde, byte strings as hex) so the caller can save and reload a
//! phone between runs; this crate never reads or writes files.
//!
//! # Device-bound and synced credentials
//!
//! Each credential records its [`BackupState`], which is what the BE and BS flags of its
//! authenticator data report:
//!
//! - **device-bound** (BE=0, BS=0): the private key can never leave this authenticator.
//!   Moving the account to another phone means registering a new credential there.
//! - **would sync** (BE=1): the provider may copy the private key to the user's other devices
//!   (Google Password Manager, iCloud Keychain). BS says whether that has happened yet
//!   (BE=1 BS=0: eligible but not backed up, e.g. sync switched off).
//!
//! Migration scenarios depend on this distinction: a synced passkey appears on the user's new
//! phone, a device-bound one does not.

use crate::auth_data::Flags;
use crate::entities::{CredentialDescriptor, PUBLIC_KEY};
use serde::{Deserialize, Serialize};

/// Backup eligibility (BE) and state (BS) of one credential. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupState {
    /// BE: the credential may be copied off this device by its provider.
    pub eligible: bool,
    /// BS: the credential is currently backed up / synced. Never true without `eligible`.
    pub synced: bool,
}

impl BackupState {
    /// BE=0 BS=0.
    pub const DEVICE_BOUND: Self = Self {
        eligible: false,
        synced: false,
    };

    /// Whether the private key can leave this device (BE=1): the provider syncs it to the
    /// user's other devices, now (BS=1) or once sync is on (BS=0).
    pub fn would_sync(self) -> bool {
        self.eligible
    }

    /// Whether the private key can never leave this device (BE=0).
    pub fn is_device_bound(self) -> bool {
        !self.eligible
    }

    /// The BE/BS bits of authenticator data.
    pub fn flags(self) -> Flags {
        Flags::empty()
            .with(Flags::BE, self.eligible)
            .with(Flags::BS, self.synced)
    }

    /// The state a profile's backup flags describe.
    pub fn from_flags(flags: Flags) -> Self {
        Self {
            eligible: flags.contains(Flags::BE),
            synced: flags.contains(Flags::BS),
        }
    }
}

/// One credential and everything the authenticator keeps about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    /// Credential ID.
    #[serde(with = "hex_bytes")]
    pub id: Vec<u8>,
    /// The RP ID it is bound to.
    pub rp_id: String,
    /// The user handle (user.id).
    #[serde(with = "hex_bytes")]
    pub user_handle: Vec<u8>,
    /// user.name at creation, if given.
    pub user_name: Option<String>,
    /// user.displayName at creation, if given.
    pub user_display_name: Option<String>,
    /// The P-256 private scalar.
    #[serde(with = "hex_array")]
    pub private_key: [u8; 32],
    /// This credential's signature counter (per-credential policy).
    pub sign_count: u32,
    /// Found by getAssertion without an allowList.
    pub discoverable: bool,
    /// BE/BS of this credential.
    pub backup: BackupState,
    /// hmac-secret CredRandomWithUV.
    #[serde(with = "hex_array")]
    pub cred_random_uv: [u8; 32],
    /// hmac-secret CredRandomWithoutUV.
    #[serde(with = "hex_array")]
    pub cred_random_no_uv: [u8; 32],
    /// Name of the profile that created it.
    pub created_by_profile: String,
    /// The authenticator's command counter when it was created (there is no clock); orders
    /// credentials most recent first.
    pub created_at_step: u64,
}

impl StoredCredential {
    /// Its descriptor, as in an allowList or a getAssertion response.
    pub fn descriptor(&self) -> CredentialDescriptor {
        CredentialDescriptor::public_key(self.id.clone())
    }

    /// The private key as a p256 secret key (`None` if the stored scalar is invalid, which only
    /// a hand-edited store can produce).
    pub fn secret_key(&self) -> Option<p256::SecretKey> {
        p256::SecretKey::from_slice(&self.private_key).ok()
    }
}

/// An account as shown to the user when several credentials match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Credential ID.
    pub credential_id: Vec<u8>,
    /// User handle.
    pub user_handle: Vec<u8>,
    /// user.name.
    pub user_name: Option<String>,
    /// user.displayName.
    pub user_display_name: Option<String>,
}

/// All credentials of one authenticator, plus its global signature counter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CredentialStore {
    /// The credentials, in creation order.
    pub credentials: Vec<StoredCredential>,
    /// The authenticator-wide counter (global-incrementing policy).
    pub global_sign_count: u32,
}

impl CredentialStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of credentials.
    pub fn len(&self) -> usize {
        self.credentials.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }

    /// Number of discoverable credentials.
    pub fn discoverable_count(&self) -> usize {
        self.credentials.iter().filter(|c| c.discoverable).count()
    }

    /// Adds a credential. A discoverable credential replaces an existing discoverable one for
    /// the same RP ID and user handle (CTAP 2.1 §6.1.2 step 17: "overwrite that credential").
    /// Returns the credential it replaced, if any.
    pub fn insert(&mut self, credential: StoredCredential) -> Option<StoredCredential> {
        let replaced = if credential.discoverable {
            let same = self.credentials.iter().position(|c| {
                c.discoverable
                    && c.rp_id == credential.rp_id
                    && c.user_handle == credential.user_handle
            });
            same.map(|i| self.credentials.remove(i))
        } else {
            None
        };
        self.credentials.push(credential);
        replaced
    }

    /// The credential with this ID, whatever its RP.
    pub fn get(&self, id: &[u8]) -> Option<&StoredCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The credential with this ID, mutable.
    pub fn get_mut(&mut self, id: &[u8]) -> Option<&mut StoredCredential> {
        self.credentials.iter_mut().find(|c| c.id == id)
    }

    /// The credential with this ID if it is bound to `rp_id`.
    pub fn find(&self, rp_id: &str, id: &[u8]) -> Option<&StoredCredential> {
        self.get(id).filter(|c| c.rp_id == rp_id)
    }

    /// Every credential bound to `rp_id`, most recent first.
    pub fn by_rp(&self, rp_id: &str) -> Vec<&StoredCredential> {
        let mut found: Vec<&StoredCredential> = self
            .credentials
            .iter()
            .filter(|c| c.rp_id == rp_id)
            .collect();
        found.sort_by_key(|c| std::cmp::Reverse(c.created_at_step));
        found
    }

    /// The discoverable credentials of `rp_id`, most recent first (getAssertion without an
    /// allowList).
    pub fn discoverable_for(&self, rp_id: &str) -> Vec<&StoredCredential> {
        let mut found = self.by_rp(rp_id);
        found.retain(|c| c.discoverable);
        found
    }

    /// The first credential of `list` (type "public-key") bound to `rp_id`: an excludeList hit
    /// for makeCredential, the credential to use for getAssertion with an allowList.
    pub fn first_listed(
        &self,
        rp_id: &str,
        list: &[CredentialDescriptor],
    ) -> Option<&StoredCredential> {
        list.iter()
            .filter(|d| d.cred_type == PUBLIC_KEY)
            .find_map(|d| self.find(rp_id, &d.id))
    }

    /// The accounts of `rp_id` a user could pick from (discoverable credentials, most recent
    /// first).
    pub fn accounts(&self, rp_id: &str) -> Vec<Account> {
        self.discoverable_for(rp_id)
            .into_iter()
            .map(|c| Account {
                credential_id: c.id.clone(),
                user_handle: c.user_handle.clone(),
                user_name: c.user_name.clone(),
                user_display_name: c.user_display_name.clone(),
            })
            .collect()
    }

    /// Removes the credential with this ID.
    pub fn remove(&mut self, id: &[u8]) -> Option<StoredCredential> {
        let index = self.credentials.iter().position(|c| c.id == id)?;
        Some(self.credentials.remove(index))
    }

    /// The store as TOML (any serde format works; this is the one the CLI writes).
    pub fn to_toml_string(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// Reads a store written by [`to_toml_string`](Self::to_toml_string).
    pub fn from_toml_str(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

mod hex_array {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        super::hex_bytes::serialize(bytes, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let bytes = super::hex_bytes::deserialize(d)?;
        let len = bytes.len();
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom(format!("expected 32 bytes of hex, found {len}")))
    }
}

#[cfg(test)]
mod tests;
