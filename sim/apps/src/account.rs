//! The accounts an authenticator app holds, of every kind that behaves differently when the
//! app moves to a new phone (docs/migration.md §4.5, "Emulation model").

use hybridsim_otp::OtpAccount;
use serde::{Deserialize, Serialize};

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

/// A passkey as the phone's credential provider holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyAccount {
    /// The relying party ID.
    pub rp_id: String,
    /// user.name.
    pub user: String,
    /// Credential ID, hex.
    pub credential_id: String,
    /// The P-256 private key, hex.
    pub private_key: String,
    /// Whether the provider syncs it to the user's other devices (BE=1); a device-bound
    /// passkey (BE=0) never leaves the phone.
    pub synced: bool,
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
            Self::Passkey(p) => format!("{} ({})", p.rp_id, p.user),
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
