//! Passkeys of the authenticator apps in the ceremony world: a relying party that registered
//! an app's passkeys before the scenario starts (`[rp.NAME] registered_from`), and a phone
//! whose authenticator holds an app's passkeys when a ceremony starts (`[phone.NAME]
//! passkeys_from`), so a passkey that a migration step moved signs in over a whole simulated
//! hybrid ceremony and the strict relying party says whether it accepts it.

use hybridsim_apps::{AppAccount, Phone};
use hybridsim_ctap::cose::CoseKey;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{AttestationType, RegisteredCredential};
use hybridsim_world::ceremony::PhoneState;

/// What a relying party stored when `app`'s passkeys were registered by their providers
/// (none attestation, the provider's AAGUID and flags, the counter they have now).
pub(super) fn registered(app: &Phone) -> Vec<RegisteredCredential> {
    app.accounts
        .iter()
        .filter_map(|account| match account {
            AppAccount::Passkey(p) => Some(p),
            _ => None,
        })
        .filter_map(|p| {
            let c = &p.credential;
            let public = c.secret_key()?.public_key();
            Some(RegisteredCredential {
                id: Base64Url(c.id.clone()),
                user: UserEntity {
                    id: Base64Url(c.user_handle.clone()),
                    name: c.user_name.clone().unwrap_or_default(),
                    display_name: c.user_display_name.clone().unwrap_or_default(),
                },
                public_key: Base64Url(CoseKey::es256(&public).to_bytes()),
                algorithm: -7,
                sign_count: c.sign_count,
                backup_eligible: c.backup.eligible,
                backup_state: c.backup.synced,
                user_verified: true,
                transports: vec!["hybrid".into(), "internal".into()],
                aaguid: p.provider.aaguid(),
                attestation_format: "none".into(),
                attestation: AttestationType::None,
                discoverable: Some(true),
            })
        })
        .collect()
}

/// Puts `app`'s passkeys into the phone's authenticator, in place of what it held.
pub(super) fn load(state: &mut PhoneState, app: &Phone) {
    let store = state.authenticator.store_mut();
    store.credentials = app
        .accounts
        .iter()
        .filter_map(|account| match account {
            AppAccount::Passkey(p) => Some(p.credential.clone()),
            _ => None,
        })
        .collect();
}
