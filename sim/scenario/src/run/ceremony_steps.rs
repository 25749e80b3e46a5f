//! The ceremony steps: a registration, a sign-in or a linked sign-in through
//! `hybridsim_world::ceremony` (or a real tunnel server), the relying party's verdict on
//! the response, and the step's expectations checked against the outcome.

use super::real_tunnel::{register_over, sign_in_over};
use super::{failed, seed_bytes, seed_u64, Parties, Run, StepResult};
use crate::expect::{self, Verdict};
use crate::model::{
    AllowSpec, CeremonyExpect, DesktopCrypter, DesktopSpec, LinkedSignInStep, RegisterStep,
    ResidentKeySpec, SignInStep, Step, UpdatePolicySpec,
};
use hybridsim_peers::desktop::{CrypterPolicy, DesktopProfile, UpdatePolicy};
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AuthenticationRequest, AuthenticationState, RegisteredCredential, RegistrationRequest,
    ResidentKey,
};
use hybridsim_world::ceremony::{Ceremony, Outcome};
use hybridsim_world::faults::FaultAt;
use hybridsim_world::radio::RadioConfig;
use std::time::Duration;

/// The desktop's profile, then the update policy and crypter `[desktop]` names on top.
fn with_desktop(
    mut ceremony: Ceremony,
    desktop: &DesktopSpec,
    profile: Option<&DesktopProfile>,
) -> Ceremony {
    if let Some(profile) = profile {
        ceremony = ceremony.desktop_profile(profile.clone());
    }
    if let Some(policy) = desktop.update_policy {
        ceremony = ceremony.update_policy(match policy {
            UpdatePolicySpec::Chromium => UpdatePolicy::Chromium,
            UpdatePolicySpec::Lenient => UpdatePolicy::Lenient,
        });
    }
    if let Some(crypter) = desktop.crypter {
        ceremony = ceremony.desktop_crypter(match crypter {
            DesktopCrypter::New => CrypterPolicy::New,
            DesktopCrypter::Old => CrypterPolicy::Old,
            DesktopCrypter::Detect => CrypterPolicy::Detect,
        });
    }
    ceremony
}

impl Run<'_> {
    /// A ceremony with everything the scenario says about the world, the desktop and the
    /// phone, and the step's faults; takes the phone's state out of its slot.
    fn ceremony(
        &mut self,
        number: usize,
        phone: &str,
        faults: &[String],
        offer_linking: bool,
    ) -> Result<Ceremony, String> {
        if self.tunnel.is_some() {
            let named = faults
                .first()
                .cloned()
                .or_else(|| self.armed_faults.first().map(|f| f.fault.to_string()));
            if let Some(fault) = named {
                self.armed_faults.clear();
                return Err(format!(
                    "fault {fault} needs the simulated world; it cannot be injected over a real tunnel server"
                ));
            }
        }
        let world = &self.scenario.world;
        let desktop = &self.scenario.desktop;
        let slot = self
            .phones
            .get_mut(phone)
            .ok_or_else(|| format!("no phone {phone}"))?;
        let mut state = slot
            .state
            .take()
            .ok_or_else(|| format!("phone {phone} was lost by an earlier step"))?;
        super::passkey_bridge::load_from(&mut state, &self.apps, self.scenario.phone.get(phone));
        let mut armed: Vec<FaultAt> = std::mem::take(&mut self.armed_faults);
        armed.extend(faults.iter().filter_map(|f| f.parse::<FaultAt>().ok()));
        let defaults = RadioConfig::default();
        let radio = RadioConfig {
            latency_ms: world.radio.latency_ms.unwrap_or(defaults.latency_ms),
            interval_ms: world.radio.interval_ms.unwrap_or(defaults.interval_ms),
            loss: world.radio.loss.unwrap_or(defaults.loss),
            duplicate: world.radio.duplicate.unwrap_or(defaults.duplicate),
            rssi: world.radio.rssi.unwrap_or(defaults.rssi),
        };
        // The desktop's QR timestamp follows the scenario clock; shifting (not setting)
        // keeps what faults such as qr-stale did to it.
        let shift = i128::from(self.unix_time) - i128::from(crate::model::DEFAULT_UNIX_TIME);
        // Over a real server every scenario's QR secrets must differ (the server refuses a
        // tunnel id already in use), so the scenario's own text joins the seed there.
        let purpose = match self.tunnel {
            None => format!("step {number}"),
            Some(_) => format!("step {number} of {}", self.scenario.about),
        };
        let mut ceremony = Ceremony::new(seed_u64(self.seed, &purpose))
            .phone(state)
            .origin(&desktop.origin)
            .faults(armed)
            .offer_linking(offer_linking)
            .reveal_secrets(world.reveal_secrets)
            .record_session(self.record_sessions)
            .radio(radio)
            .configure_desktop(move |config| {
                let epoch = i128::from(config.unix_epoch) + shift;
                config.unix_epoch = u64::try_from(epoch.max(0)).unwrap_or(u64::MAX);
            });
        if slot.revision0 {
            ceremony = ceremony.revision0();
        }
        if slot.old_crypter {
            ceremony = ceremony.old_crypter();
        }
        Ok(with_desktop(
            ceremony,
            desktop,
            self.desktop_profile.as_ref(),
        ))
    }

    /// Puts the phone back and keeps its link.
    fn keep_phone(&mut self, phone: &str, outcome: &mut Outcome) {
        if let Some(slot) = self.phones.get_mut(phone) {
            slot.state = outcome.phone_state.take();
            if let Some(link) = outcome.linked_device.clone() {
                slot.link = Some(link);
            }
            if outcome.forget_link {
                slot.link = None;
            }
        }
    }

    pub(super) fn register(&mut self, number: usize, step: &Step, s: &RegisterStep) -> StepResult {
        let phone = self.phone_name(&s.phone);
        let rp_name = self.rp_name(&s.rp);
        let Some(slot) = self.rps.get(&rp_name) else {
            return failed(number, step, format!("no relying party {rp_name}"));
        };
        let user = UserEntity {
            id: Base64Url(s.user.id.as_bytes().to_vec()),
            name: s.user.name.clone(),
            display_name: s.user.display_name.clone(),
        };
        let mut request = if s.exclude_registered {
            RegistrationRequest::excluding(&slot.credentials)
        } else {
            RegistrationRequest::default()
        };
        request.resident_key = match s.resident_key {
            ResidentKeySpec::Required => ResidentKey::Required,
            ResidentKeySpec::Preferred => ResidentKey::Preferred,
            ResidentKeySpec::Discouraged => ResidentKey::Discouraged,
        };
        let challenge = seed_bytes(self.seed, &format!("challenge {number}"));
        let (options, state) = slot.rp.start_registration(user, challenge, &request);
        let ceremony = match self.ceremony(number, &phone, &s.faults, s.offer_linking) {
            Ok(c) => c,
            Err(e) => return failed(number, step, e),
        };
        let ran = register_over(self.tunnel.as_ref(), ceremony, &options.to_json());
        let mut outcome = match ran {
            Ok(o) => o,
            Err(e) => return failed(number, step, format!("the ceremony cannot run: {e}")),
        };
        self.keep_phone(&phone, &mut outcome);
        let now = self.unix_time;
        let verdict = outcome.response_json.as_deref().map(|json| {
            let slot = self.rps.get_mut(&rp_name)?;
            let checked = RegistrationResponseJson::from_json(json)
                .map_err(|e| e.to_string())
                .and_then(|response| {
                    slot.rp
                        .finish_registration(&state, &response, now)
                        .map_err(|e| e.to_string())
                });
            Some(match checked {
                Ok(credential) => {
                    slot.credentials.push(credential);
                    Verdict::Accepted
                }
                Err(e) => Verdict::Rejected(e),
            })
        });
        finish(
            number,
            step,
            &s.expect,
            &outcome,
            verdict.flatten(),
            options.to_json(),
        )
    }

    pub(super) fn sign_in(&mut self, number: usize, step: &Step, s: &SignInStep) -> StepResult {
        self.get(
            number,
            step,
            &s.phone,
            &s.rp,
            s.allow,
            &s.faults,
            s.offer_linking,
            &s.expect,
            false,
        )
    }

    pub(super) fn linked_sign_in(
        &mut self,
        number: usize,
        step: &Step,
        s: &LinkedSignInStep,
    ) -> StepResult {
        self.get(
            number, step, &s.phone, &s.rp, s.allow, &s.faults, false, &s.expect, true,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn get(
        &mut self,
        number: usize,
        step: &Step,
        phone: &Option<String>,
        rp: &Option<String>,
        allow: AllowSpec,
        faults: &[String],
        offer_linking: bool,
        expect: &CeremonyExpect,
        linked: bool,
    ) -> StepResult {
        let phone = self.phone_name(phone);
        let rp_name = self.rp_name(rp);
        let Some(slot) = self.rps.get(&rp_name) else {
            return failed(number, step, format!("no relying party {rp_name}"));
        };
        let allowed: &[RegisteredCredential] = match allow {
            AllowSpec::Discoverable => &[],
            AllowSpec::Registered => &slot.credentials,
        };
        let challenge = seed_bytes(self.seed, &format!("challenge {number}"));
        let (options, state) =
            slot.rp
                .start_authentication(allowed, challenge, &AuthenticationRequest::default());
        let link = if linked {
            match self.phones.get(&phone).and_then(|p| p.link.clone()) {
                Some(link) => Some(link),
                None => {
                    return failed(
                        number,
                        step,
                        format!("phone {phone} is not linked: an earlier step needs offer_linking = true and a phone that links"),
                    )
                }
            }
        } else {
            None
        };
        let ceremony = match self.ceremony(number, &phone, faults, offer_linking) {
            Ok(c) => c,
            Err(e) => return failed(number, step, e),
        };
        let json = options.to_json();
        let ran = sign_in_over(self.tunnel.as_ref(), ceremony, &json, link.as_ref());
        let mut outcome = match ran {
            Ok(o) => o,
            Err(e) => return failed(number, step, format!("the ceremony cannot run: {e}")),
        };
        self.keep_phone(&phone, &mut outcome);
        let verdict = outcome
            .response_json
            .as_deref()
            .map(|response| self.verify_authentication(&rp_name, &state, response));
        finish(number, step, expect, &outcome, verdict, json)
    }

    /// The relying party's verdict on an `AuthenticationResponseJSON`.
    fn verify_authentication(
        &mut self,
        rp_name: &str,
        state: &AuthenticationState,
        json: &str,
    ) -> Verdict {
        let checked = AuthenticationResponseJson::from_json(json)
            .map_err(|e| e.to_string())
            .and_then(|response| {
                let slot = self
                    .rps
                    .get_mut(rp_name)
                    .ok_or_else(|| format!("no relying party {rp_name}"))?;
                let credential = slot
                    .credentials
                    .iter_mut()
                    .find(|c| c.id == response.raw_id)
                    .ok_or_else(|| {
                        "the response names a credential the relying party never registered"
                            .to_owned()
                    })?;
                slot.rp
                    .finish_authentication(state, &response, credential)
                    .map(drop)
                    .map_err(|e| e.to_string())
            });
        match checked {
            Ok(()) => Verdict::Accepted,
            Err(e) => Verdict::Rejected(e),
        }
    }
}

/// Checks a ceremony's outcome against the step's expectations.
fn finish(
    number: usize,
    step: &Step,
    expect: &CeremonyExpect,
    outcome: &Outcome,
    verdict: Option<Verdict>,
    options_json: String,
) -> StepResult {
    let checked = expect::check_ceremony(expect, outcome, verdict.as_ref());
    let rp_accepted = matches!(verdict, Some(Verdict::Accepted));
    StepResult {
        number,
        kind: step.kind(),
        name: step.label().unwrap_or(step.kind()).to_owned(),
        failures: checked.failures,
        summary: checked.summary,
        trace: outcome.trace.records().to_vec(),
        virtual_ms: outcome.virtual_time.as_millis(),
        failure_record: checked.failure_record,
        wall: Duration::ZERO,
        options_json: Some(options_json),
        response_json: outcome.response_json.clone(),
        rp_verdict: verdict.map(|v| match v {
            Verdict::Accepted => "accepted".to_owned(),
            Verdict::Rejected(e) => format!("rejected: {e}"),
        }),
        migration: None,
        first_failure: outcome.first_failure(),
        session: outcome.session.clone().map(|mut record| {
            let label = step.label().unwrap_or(step.kind());
            record.name = format!("step {number} ({label}): {}", record.name);
            record
        }),
        parties: Some(Parties {
            desktop: outcome.desktop.clone(),
            desktop_at: outcome.desktop_at,
            phone: outcome.phone.clone(),
            phone_at: outcome.phone_at,
            phone_requests_served: outcome.phone_requests_served,
            rp_accepted,
            world_error: outcome.world_error.clone(),
            response_error: outcome.response_error.clone(),
        }),
    }
}
