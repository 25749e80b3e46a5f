//! `hybrid_sign_in = true` on a `migrate` step: each passkey row of the report is decided by a
//! sign-in over a whole simulated hybrid ceremony (QR, BLE advert, tunnel, Noise, CTAP) with
//! the new phone's passkey in an authenticator of its provider's profile, checked by the
//! strict relying party holding the credential record of the old phone's registration.

use super::{passkey_bridge, seed_bytes, seed_u64, Run};
use crate::builtin;
use hybridsim_apps::account::PasskeyAccount;
use hybridsim_apps::{AppAccount, MigrationReport, Phone};
use hybridsim_webauthn::json::AuthenticationResponseJson;
use hybridsim_webauthn::rp::{AuthenticationRequest, RelyingParty};
use hybridsim_world::ceremony::{Ceremony, PhoneState};

/// The profile a provider's passkeys answer with over hybrid (a synced platform's where the
/// provider has none of its own: third-party providers answer through the platform).
const FALLBACK_PROFILE: &str = "google-password-manager";

impl Run<'_> {
    /// Re-decides the passkey rows of `report` (a migration from app `from` to app `to`).
    pub(super) fn passkeys_over_hybrid(
        &self,
        number: usize,
        from: &str,
        to: &str,
        report: &mut MigrationReport,
    ) {
        let (Some(old), Some(new)) = (self.apps.phones.get(from), self.apps.phones.get(to)) else {
            return;
        };
        for (k, row) in report.rows.iter_mut().enumerate() {
            let Some(passkey) = passkey_labelled(old, &row.account) else {
                continue;
            };
            let Some(arrived) = arrived(new, passkey) else {
                continue;
            };
            let purpose = format!("step {number} hybrid sign-in {k}");
            match self.hybrid_sign_in(passkey, arrived, &purpose) {
                Ok(()) => {
                    row.site_accepts = true;
                    row.why
                        .push("over hybrid: the relying party accepted the sign-in".into());
                }
                Err(why) => {
                    row.site_accepts = false;
                    row.why.push(format!("over hybrid: {why}"));
                }
            }
        }
    }

    /// One sign-in with `arrived`, against the record of `registered`.
    fn hybrid_sign_in(
        &self,
        registered: &PasskeyAccount,
        arrived: &PasskeyAccount,
        purpose: &str,
    ) -> Result<(), String> {
        let rp_id = &registered.credential.rp_id;
        let origin = format!("https://{rp_id}");
        let rp = RelyingParty::new(rp_id, rp_id, &[origin.as_str()]);
        let mut record =
            passkey_bridge::record(registered).ok_or("the registered key is not a P-256 key")?;
        let profile = arrived.provider.profile().unwrap_or(FALLBACK_PROFILE);
        let text = builtin::profile(profile).ok_or("no built-in profile")?;
        let key_seed = seed_bytes(self.seed, &format!("{purpose} authenticator"));
        let mut phone = PhoneState::from_profile(text, builtin::attestation_file, key_seed)
            .map_err(|e| format!("profile {profile}: {e}"))?;
        phone.authenticator.store_mut().credentials = vec![arrived.credential.clone()];
        let challenge = seed_bytes(self.seed, &format!("{purpose} challenge"));
        let (options, state) =
            rp.start_authentication(&[], challenge, &AuthenticationRequest::default());
        let outcome = Ceremony::new(seed_u64(self.seed, purpose))
            .phone(phone)
            .origin(&origin)
            .sign_in(&options.to_json())
            .map_err(|e| format!("the ceremony cannot run: {e}"))?;
        let json = outcome
            .response_json
            .ok_or("the browser got no response from the phone")?;
        let response = AuthenticationResponseJson::from_json(&json).map_err(|e| e.to_string())?;
        rp.finish_authentication(&state, &response, &mut record)
            .map(drop)
            .map_err(|e| format!("the relying party refused: {e}"))
    }
}

fn passkey_labelled<'a>(phone: &'a Phone, label: &str) -> Option<&'a PasskeyAccount> {
    phone.accounts.iter().find_map(|a| match a {
        AppAccount::Passkey(p) if a.label() == label => Some(p),
        _ => None,
    })
}

fn arrived<'a>(phone: &'a Phone, old: &PasskeyAccount) -> Option<&'a PasskeyAccount> {
    phone.accounts.iter().find_map(|a| match a {
        AppAccount::Passkey(p) if p.credential.id == old.credential.id => Some(p),
        _ => None,
    })
}
