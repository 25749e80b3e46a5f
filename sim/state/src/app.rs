//! One phone, one world: the authenticator app as commands see it, with the passkeys of the
//! authenticator's credential store in it.
//!
//! A state file keeps each passkey once, in `credentials` (what `ceremony get` signs with);
//! the app part keeps the other accounts. [`PhoneState::app`] puts the two together, so a
//! migration moves the very credentials the authenticator registered, and
//! [`PhoneState::set_app`] takes them apart again, so a passkey that arrives by a migration is
//! one the new phone's authenticator signs with.

use crate::phone::PhoneState;
use hybridsim_apps::account::PasskeyAccount;
use hybridsim_apps::{AppAccount, AppModel, Phone, Provider};
use hybridsim_ctap::store::StoredCredential;
use hybridsim_ctap::{Flags, Profile};

impl PhoneState {
    /// The provider this phone's passkeys belong to: the one whose profile or AAGUID the
    /// state's authenticator profile has. A profile no listed provider uses (the test
    /// profiles) counts as the provider its backup flags match: iCloud Keychain when its
    /// passkeys sync, Microsoft Authenticator (iOS) when they are device-bound.
    pub fn provider(&self) -> Provider {
        let profile = Profile::from_toml_str(&self.profile_toml).ok();
        let by_name = Provider::ALL
            .into_iter()
            .find(|p| p.profile() == Some(self.profile.as_str()));
        let by_aaguid = profile
            .as_ref()
            .and_then(|p| Provider::from_aaguid(&p.aaguid));
        by_name.or(by_aaguid).unwrap_or_else(|| {
            let synced = profile.is_some_and(|p| p.backup_flags().contains(Flags::BE));
            if synced {
                Provider::IcloudKeychain
            } else {
                Provider::MicrosoftAuthenticatorIos
            }
        })
    }

    /// The app with every passkey of the credential store after its other accounts; `None`
    /// when no migrate command made an app on this phone.
    pub fn app(&self) -> Option<Phone> {
        Some(self.with_passkeys(self.phone.clone()?))
    }

    /// `phone` with every passkey of the credential store after its other accounts.
    fn with_passkeys(&self, mut phone: Phone) -> Phone {
        let provider = self.provider();
        phone
            .accounts
            .extend(self.credentials.credentials.iter().map(|c| {
                AppAccount::Passkey(PasskeyAccount {
                    provider,
                    credential: c.clone(),
                })
            }));
        phone
    }

    /// Keeps `phone`: its passkeys become the credential store (in the app's order), its other
    /// accounts the app part.
    pub fn set_app(&mut self, mut phone: Phone) {
        let mut passkeys: Vec<StoredCredential> = Vec::new();
        phone.accounts.retain(|account| match account {
            AppAccount::Passkey(p) => {
                passkeys.push(p.credential.clone());
                false
            }
            _ => true,
        });
        self.credentials.credentials = passkeys;
        self.phone = Some(phone);
    }

    /// Runs `change` on the app ([`app`](Self::app)), made as `new_app` when the phone has
    /// none yet, and keeps the result ([`set_app`](Self::set_app)).
    pub fn with_app<R>(&mut self, new_app: AppModel, change: impl FnOnce(&mut Phone) -> R) -> R {
        let phone = self.phone.take().unwrap_or_else(|| Phone::new(new_app));
        let mut phone = self.with_passkeys(phone);
        let out = change(&mut phone);
        self.set_app(phone);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_ctap::store::BackupState;

    fn credential(id: u8) -> StoredCredential {
        StoredCredential {
            id: vec![id; 16],
            rp_id: "example.com".into(),
            user_handle: vec![1; 16],
            user_name: Some("alice".into()),
            user_display_name: None,
            private_key: [7; 32],
            sign_count: 0,
            discoverable: true,
            backup: BackupState::DEVICE_BOUND,
            cred_random_uv: [0; 32],
            cred_random_no_uv: [0; 32],
            created_by_profile: "p".into(),
            created_at_step: 0,
        }
    }

    #[test]
    fn passkeys_are_kept_once_in_the_credential_store() {
        let mut state = PhoneState::new("microsoft-authenticator-ios".into(), String::new(), 0);
        state.credentials.insert(credential(1));
        assert!(state.app().is_none(), "no app yet");
        let _ = state.phone_for(None, AppModel::MicrosoftAuthenticator);
        let app = state.app();
        let labels: Vec<String> = app
            .iter()
            .flat_map(|p| &p.accounts)
            .map(|a| a.label())
            .collect();
        assert_eq!(labels, ["example.com (alice)"]);
        // A migration adds a passkey: it lands in the authenticator's store, not in the app part.
        state.with_app(AppModel::Aegis, |phone| {
            phone.accounts.push(AppAccount::Passkey(PasskeyAccount {
                provider: Provider::Bitwarden,
                credential: credential(2),
            }))
        });
        assert_eq!(state.credentials.len(), 2);
        assert!(state.phone.iter().all(|p| p.accounts.is_empty()));
        assert_eq!(state.provider(), Provider::MicrosoftAuthenticatorIos);
    }

    #[test]
    fn a_phone_without_an_app_gets_the_one_asked_for_when_changed() {
        let mut state = PhoneState::new("p".into(), String::new(), 0);
        assert_eq!(
            state.with_app(AppModel::TwoFas, |phone| phone.app),
            AppModel::TwoFas
        );
        assert_eq!(
            state.with_app(AppModel::Aegis, |phone| phone.app),
            AppModel::TwoFas
        );
    }
}
