//! Passkey providers: who holds a passkey on a phone, what a relying party sees of it (AAGUID,
//! BE/BS flags, signature counter) and whether it can leave the phone.
//!
//! Each value is sourced or marked *inferred* in [`Provider::source`]. AAGUIDs are the ones in
//! the community list `passkeydeveloper/passkey-authenticator-aaguids` (`aaguid.json`,
//! `combined_aaguid.json`) and, for Microsoft Authenticator, in Microsoft Entra's passkey
//! documentation; iCloud Keychain writes an all-zero AAGUID into new credentials, as the
//! iOS 16 capture behind `fixtures/profiles/ios16.toml` shows (the list also names
//! `fbfc3007-…` for it).

use hybridsim_ctap::store::BackupState;
use serde::{Deserialize, Serialize};

/// The passkey providers modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Apple's iCloud Keychain (Passwords): synced, counter 0.
    IcloudKeychain,
    /// Google Password Manager: synced, counter 0.
    GooglePasswordManager,
    /// Microsoft Authenticator on iOS: device-bound Entra work passkeys, never exported.
    MicrosoftAuthenticatorIos,
    /// Microsoft Authenticator on Android: as on iOS, with its own AAGUID.
    MicrosoftAuthenticatorAndroid,
    /// Bitwarden: synced in its vault, counter 0, CXF exporter and importer.
    Bitwarden,
    /// 1Password: synced in its vault, counter 0, CXF exporter and importer.
    #[serde(rename = "1password")]
    OnePassword,
    /// An importer modelled on KeePassXC / Strongbox: a local database file the user copies
    /// (BE=1 BS=0), counter 0.
    Keepassxc,
}

/// How a provider's signature counter moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CounterBehaviour {
    /// Always 0: a synced passkey cannot keep one counter across devices.
    AlwaysZero,
    /// Counts each assertion (only hardware-bound keys do this reliably).
    Increments,
}

impl Provider {
    /// Every provider, in the order listings show them.
    pub const ALL: [Provider; 7] = [
        Provider::IcloudKeychain,
        Provider::GooglePasswordManager,
        Provider::MicrosoftAuthenticatorIos,
        Provider::MicrosoftAuthenticatorAndroid,
        Provider::Bitwarden,
        Provider::OnePassword,
        Provider::Keepassxc,
    ];

    /// The name used in scenario files, on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::IcloudKeychain => "icloud-keychain",
            Self::GooglePasswordManager => "google-password-manager",
            Self::MicrosoftAuthenticatorIos => "microsoft-authenticator-ios",
            Self::MicrosoftAuthenticatorAndroid => "microsoft-authenticator-android",
            Self::Bitwarden => "bitwarden",
            Self::OnePassword => "1password",
            Self::Keepassxc => "keepassxc",
        }
    }

    /// The provider called `name` ([`Provider::name`]).
    pub fn from_name(name: &str) -> Option<Provider> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The AAGUID it writes into the attested credential data of new passkeys.
    pub fn aaguid(self) -> [u8; 16] {
        let text = match self {
            Self::IcloudKeychain => "00000000000000000000000000000000",
            Self::GooglePasswordManager => "ea9b8d664d011d213ce4b6b48cb575d4",
            Self::MicrosoftAuthenticatorIos => "90a3ccdf635c4729a2489b709135078f",
            Self::MicrosoftAuthenticatorAndroid => "de1e552ddb1d4423a619566b625cdc84",
            Self::Bitwarden => "d548826e79b4db40a3d811116f7e8349",
            Self::OnePassword => "bada5566a7aa401fbd9645619a55120d",
            Self::Keepassxc => "fdb141b25d84443e8a354698c205a502",
        };
        let mut out = [0u8; 16];
        // The literals above are 32 hex digits; a failure would leave zeros, which tests catch.
        let _ = hex::decode_to_slice(text, &mut out);
        out
    }

    /// The provider whose passkeys carry `aaguid` (iCloud Keychain for the all-zero one).
    pub fn from_aaguid(aaguid: &[u8; 16]) -> Option<Provider> {
        Self::ALL.into_iter().find(|p| p.aaguid() == *aaguid)
    }

    /// The BE/BS flags of its passkeys.
    pub fn backup(self) -> BackupState {
        match self {
            Self::MicrosoftAuthenticatorIos | Self::MicrosoftAuthenticatorAndroid => {
                BackupState::DEVICE_BOUND
            }
            Self::Keepassxc => BackupState {
                eligible: true,
                synced: false,
            },
            _ => BackupState {
                eligible: true,
                synced: true,
            },
        }
    }

    /// How its signature counter moves.
    pub fn counter(self) -> CounterBehaviour {
        CounterBehaviour::AlwaysZero
    }

    /// Whether its passkeys can leave the phone at all (by sync or by an export).
    pub fn exports_passkeys(self) -> bool {
        !self.backup().is_device_bound()
    }

    /// The hybridsim authenticator profile (`fixtures/profiles/`) that answers for it over
    /// hybrid, where one exists.
    pub fn profile(self) -> Option<&'static str> {
        match self {
            Self::IcloudKeychain => Some("ios16"),
            Self::GooglePasswordManager => Some("google-password-manager"),
            Self::MicrosoftAuthenticatorIos => Some("microsoft-authenticator-ios"),
            Self::MicrosoftAuthenticatorAndroid => Some("microsoft-authenticator-android"),
            Self::Bitwarden | Self::OnePassword | Self::Keepassxc => None,
        }
    }

    /// Where the AAGUID, flags, counter and export behaviour come from.
    pub fn source(self) -> &'static str {
        match self {
            Self::IcloudKeychain => "iOS 16 capture (fixtures/profiles/ios16.toml): zero AAGUID, BE=1 BS=1, counter 0; CXF export via ASCredentialExportManager (Apple developer documentation, iOS 26)",
            Self::GooglePasswordManager => "Android capture (fixtures/profiles/google-password-manager.toml): AAGUID ea9b8d66-…, BE=1 BS=1, counter 0; CXF via Credential Manager transfer APIs (developer.android.com/identity/sign-in/credential-transfer)",
            Self::MicrosoftAuthenticatorIos | Self::MicrosoftAuthenticatorAndroid => "AAGUIDs from Microsoft Entra passkey documentation and passkeydeveloper/passkey-authenticator-aaguids; device-bound, not in any backup (issue 17, Microsoft Q&A on restore); zero counter inferred",
            Self::Bitwarden => "AAGUID from passkeydeveloper/passkey-authenticator-aaguids; CXP/CXF on iOS 26 and 'passkeys with a signature counter are not transferable' (bitwarden.com blog, 2025-09-15); BE=1 BS=1 and zero counter inferred",
            Self::OnePassword => "AAGUID from passkeydeveloper/passkey-authenticator-aaguids; CXF export (support.1password.com/export); BE=1 BS=1 and zero counter inferred",
            Self::Keepassxc => "AAGUID from passkeydeveloper/passkey-authenticator-aaguids; CXF import in keepassxreboot/keepassxc#13343, Strongbox#867; BE=1 BS=0 and zero counter inferred (a local database file, not a sync service)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aaguids_round_trip() {
        for p in Provider::ALL {
            assert_eq!(Provider::from_name(p.name()), Some(p));
            assert_eq!(Provider::from_aaguid(&p.aaguid()), Some(p));
        }
        assert_eq!(
            hex::encode(Provider::GooglePasswordManager.aaguid()),
            "ea9b8d664d011d213ce4b6b48cb575d4"
        );
    }

    #[test]
    fn microsoft_authenticator_passkeys_are_device_bound() {
        assert!(!Provider::MicrosoftAuthenticatorIos.exports_passkeys());
        assert!(!Provider::MicrosoftAuthenticatorAndroid.exports_passkeys());
        assert!(Provider::Bitwarden.exports_passkeys());
    }
}
