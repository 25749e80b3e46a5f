//! The accounts an authenticator app holds, of every kind that behaves differently when the
//! app moves to a new phone (docs/migration.md §4.5, "Emulation model").

use crate::provider::Provider;
use hybridsim_ctap::store::StoredCredential;
use hybridsim_otp::OtpAccount;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One entry in an authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AppAccount {
    /// A third-party TOTP or HOTP account: a shared secret the site also knows, so it can be
    /// copied to another phone.
    Otp(OtpAccount),
    /// A Microsoft personal account used for codes. Each device has its own credential,
    /// registered with the identity provider: a restored phone gets a new one, so its codes
    /// differ from the old phone's while both stay valid.
    MicrosoftPersonal(DeviceCredential),
    /// A push-approval account (work/school, or a personal account with passwordless sign-in):
    /// the private key lives in the phone's hardware keystore and never leaves it.
    Push(PushAccount),
    /// A passkey, device-bound or synced according to its provider.
    Passkey(PasskeyAccount),
}

/// A per-device OTP credential of a Microsoft personal account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCredential {
    /// The account's user name.
    pub user: String,
    /// This device's OTP account for it. `None` after a restore, until the phone registers a
    /// new credential.
    pub otp: Option<OtpAccount>,
}

/// A push-approval account bound to a key in the phone's hardware keystore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushAccount {
    /// Who issued it: a tenant's organisation name for work/school accounts.
    pub tenant: String,
    /// The user name (often the same in several tenants).
    pub user: String,
    /// The P-256 private key in the keystore, hex. `None` once the account has been restored
    /// without its key: the app shows the name and asks the user to verify again.
    pub device_key: Option<String>,
}

/// A passkey: the authenticator's own credential (the one `ceremony get` signs with) and the
/// provider that holds it. There is no second copy: a state file keeps it in the
/// authenticator's credential store, and a migration moves this very credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyAccount {
    /// Who holds it: decides its AAGUID, BE/BS flags, counter and whether it can move.
    pub provider: Provider,
    /// The credential: ID, RP ID, user handle and names, private key, counter, flags,
    /// hmac-secret randoms.
    pub credential: StoredCredential,
}

impl PasskeyAccount {
    /// A discoverable passkey as `provider`'s authenticator creates it: its flags, counter 0,
    /// hmac-secret randoms derived from the private key (so tests need pass only one secret).
    pub fn created(
        provider: Provider,
        rp_id: &str,
        user: &str,
        id: Vec<u8>,
        user_handle: Vec<u8>,
        private_key: [u8; 32],
    ) -> PasskeyAccount {
        let derive = |label: &[u8]| -> [u8; 32] {
            Sha256::new()
                .chain_update(label)
                .chain_update(private_key)
                .finalize()
                .into()
        };
        PasskeyAccount {
            provider,
            credential: StoredCredential {
                id,
                rp_id: rp_id.to_owned(),
                user_handle,
                user_name: Some(user.to_owned()),
                user_display_name: None,
                private_key,
                sign_count: 0,
                discoverable: true,
                backup: provider.backup(),
                cred_random_uv: derive(b"hmac-secret uv"),
                cred_random_no_uv: derive(b"hmac-secret no uv"),
                created_by_profile: provider.profile().unwrap_or(provider.name()).to_owned(),
                created_at_step: 0,
            },
        }
    }

    /// The user name shown for it (user.name, else the display name, else the handle in hex).
    pub fn user(&self) -> String {
        let c = &self.credential;
        c.user_name
            .clone()
            .or_else(|| c.user_display_name.clone())
            .unwrap_or_else(|| hex::encode(&c.user_handle))
    }

    /// Whether its provider copies it to the user's other devices (BE=1).
    pub fn synced(&self) -> bool {
        self.credential.backup.would_sync()
    }
}

impl AppAccount {
    /// A short kind name for reports: `totp`, `hotp`, `microsoft-personal`, `push`, `passkey`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Otp(otp) => match otp.kind {
                hybridsim_otp::OtpKind::Totp { .. } => "totp",
                hybridsim_otp::OtpKind::Hotp { .. } => "hotp",
            },
            Self::MicrosoftPersonal(_) => "microsoft-personal",
            Self::Push(_) => "push",
            Self::Passkey(_) => "passkey",
        }
    }

    /// How a person would name the entry: `issuer (name)`, `tenant (user)`, `rp (user)`.
    pub fn label(&self) -> String {
        match self {
            Self::Otp(otp) if otp.issuer.is_empty() => otp.name.clone(),
            Self::Otp(otp) => format!("{} ({})", otp.issuer, otp.name),
            Self::MicrosoftPersonal(c) => format!("Microsoft account ({})", c.user),
            Self::Push(p) => format!("{} ({})", p.tenant, p.user),
            Self::Passkey(p) => format!("{} ({})", p.credential.rp_id, p.user()),
        }
    }

    /// The OTP account, if this entry has one (a personal Microsoft account's device
    /// credential counts).
    pub fn otp(&self) -> Option<&OtpAccount> {
        match self {
            Self::Otp(otp) => Some(otp),
            Self::MicrosoftPersonal(c) => c.otp.as_ref(),
            Self::Push(_) | Self::Passkey(_) => None,
        }
    }
}
