//! Passkeys of the authenticator apps in the ceremony world: a relying party that registered
//! an app's passkeys before the scenario starts (`[rp.NAME] registered_from`), and a phone
//! whose authenticator holds an app's passkeys when a ceremony starts (`[phone.NAME]
//! passkeys_from`), so a passkey that a migration step moved signs in over a whole simulated
//! hybrid ceremony and the strict relying party says whether it accepts it; and the key
//! restrictions of a relying party.

use crate::model::{PhoneSpec, RpSpec};
use hybridsim_apps::account::PasskeyAccount;
use hybridsim_apps::{AppAccount, AppWorld, Phone};
use hybridsim_ctap::cose::CoseKey;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{AttestationType, KeyRestrictions, RegisteredCredential};
use hybridsim_world::ceremony::PhoneState;

/// The key restrictions of `[rp.NAME]` (`allowed_aaguids`, `enforce_attestation`).
pub(super) fn key_restrictions(name: &str, spec: &RpSpec) -> Result<KeyRestrictions, String> {
    let mut allowed_aaguids = Vec::new();
    for (i, text) in spec.allowed_aaguids.iter().enumerate() {
        let aaguid = hybridsim_ctap::profile::parse_aaguid(text)
            .map_err(|e| format!("rp.{name}.allowed_aaguids[{i}]: {e}"))?;
        allowed_aaguids.push(aaguid);
    }
    Ok(KeyRestrictions {
        allowed_aaguids,
        enforce_attestation: spec.enforce_attestation,
    })
}

/// The credentials `[rp.NAME]` starts with: those of the app `from` names, else none.
pub(super) fn registered_from(
    apps: &AppWorld,
    rp: &str,
    from: Option<&str>,
) -> Result<Vec<RegisteredCredential>, String> {
    let Some(app) = from else {
        return Ok(Vec::new());
    };
    apps.phones
        .get(app)
        .map(registered)
        .ok_or_else(|| format!("rp.{rp}.registered_from: no app {app}"))
}

/// What a relying party stored when `app`'s passkeys were registered by their providers
/// (none attestation, the provider's AAGUID and flags, the counter they have now).
fn registered(app: &Phone) -> Vec<RegisteredCredential> {
    app.accounts
        .iter()
        .filter_map(|account| match account {
            AppAccount::Passkey(p) => record(p),
            _ => None,
        })
        .collect()
}

/// The credential record of one passkey as its provider registered it.
pub(super) fn record(p: &PasskeyAccount) -> Option<RegisteredCredential> {
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
}

/// Puts the passkeys of the app the phone's `passkeys_from` names (if any) into its
/// authenticator, in place of what it held.
pub(super) fn load_from(state: &mut PhoneState, apps: &AppWorld, spec: Option<&PhoneSpec>) {
    let from = spec.and_then(|s| s.passkeys_from.as_ref());
    if let Some(app) = from.and_then(|app| apps.phones.get(app)) {
        load(state, app);
    }
}

/// Puts `app`'s passkeys into the phone's authenticator, in place of what it held.
fn load(state: &mut PhoneState, app: &Phone) {
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
