//! Running one scenario: the actors are built from the file, each step is run by its kind's
//! function, and each step's result says which expectations failed.
//!
//! Ceremony steps run through `hybridsim_world::ceremony::Ceremony`; the phone's state (its
//! credentials, its identity, its link) carries over from step to step, and every response
//! JSON goes to a strict relying party (`hybridsim_webauthn::rp`) which keeps the
//! credentials it registered.

use crate::builtin;
use crate::expect::{self, Verdict};
use crate::model::{
    AdvanceClockStep, AllowSpec, AttestationSpec, CeremonyExpect, DesktopCrypter, LinkedSignInStep,
    PhoneCrypter, RegisterStep, ResidentKeySpec, Scenario, SignInStep, Step, UpdatePolicySpec,
    UserVerificationSpec,
};
use hybridsim_peers::desktop::{CrypterPolicy, UpdatePolicy};
use hybridsim_peers::LinkedDevice;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AttestationConveyance, AuthenticationRequest, RegisteredCredential, RegistrationRequest,
    RelyingParty, ResidentKey, UserVerification,
};
use hybridsim_webauthn::x509::pem_to_der;
use hybridsim_world::ceremony::{Ceremony, Outcome, PhoneState};
use hybridsim_world::faults::FaultAt;
use hybridsim_world::radio::RadioConfig;
use hybridsim_world::trace::TraceRecord;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The result of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// 1-based position in the file.
    pub number: usize,
    /// The step's kind.
    pub kind: &'static str,
    /// The name for reports: the file's `name`, or the kind.
    pub name: String,
    /// The expectations that did not hold (empty: the step passed).
    pub failures: Vec<String>,
    /// What happened, one line.
    pub summary: String,
    /// The step's trace (empty for steps without a ceremony).
    pub trace: Vec<TraceRecord>,
    /// Virtual time when the step's world stopped (ms).
    pub virtual_ms: u64,
    /// The trace record nearest the first failure, for reports to point at.
    pub failure_record: Option<usize>,
    /// Wall time the step took.
    pub wall: Duration,
    /// The options JSON the relying party issued (ceremony steps).
    pub options_json: Option<String>,
    /// The response JSON the browser produced, if any.
    pub response_json: Option<String>,
    /// What the relying party made of it, one line.
    pub rp_verdict: Option<String>,
    /// The migration report of a `migrate` step.
    pub migration: Option<hybridsim_apps::MigrationReport>,
}

impl StepResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    fn plain(number: usize, step: &Step, summary: String) -> StepResult {
        StepResult {
            number,
            kind: step.kind(),
            name: step.label().unwrap_or(step.kind()).to_owned(),
            failures: Vec::new(),
            summary,
            trace: Vec::new(),
            virtual_ms: 0,
            failure_record: None,
            wall: Duration::ZERO,
            options_json: None,
            response_json: None,
            rp_verdict: None,
            migration: None,
        }
    }
}

/// A phone between steps.
struct PhoneSlot {
    /// `None` once a ceremony lost it (cannot happen with the simulated world).
    state: Option<PhoneState>,
    link: Option<LinkedDevice>,
    revision0: bool,
    old_crypter: bool,
}

/// A relying party and what it has registered.
struct RpSlot {
    rp: RelyingParty,
    credentials: Vec<RegisteredCredential>,
}

/// The running scenario.
struct Run<'a> {
    scenario: &'a Scenario,
    seed: u64,
    unix_time: u64,
    phones: BTreeMap<String, PhoneSlot>,
    rps: BTreeMap<String, RpSlot>,
    armed_faults: Vec<FaultAt>,
    /// The authenticator apps, their sites and the vendor's cloud.
    apps: hybridsim_apps::AppWorld,
    /// The real tunnel server ceremonies run over, when not the simulated one.
    tunnel: Option<real_tunnel::RealTunnel<'a>>,
}

mod app_steps;
mod real_tunnel;

pub use real_tunnel::TunnelDriver;

/// Whether a `migrate` step names a known mechanism (for the loader's checks).
pub(crate) fn check_mechanism(step: &crate::model::MigrateStep) -> Result<(), String> {
    app_steps::mechanism(step).map(drop)
}

/// Whether every quirk name is known (for the loader's checks).
pub(crate) fn check_quirks(names: &[String]) -> Result<(), String> {
    app_steps::quirks(names).map(drop)
}

/// Runs a scenario; `dir` is the scenario file's folder (profile paths are relative to it),
/// `seed` the seed in force. `Err` when the actors cannot be built (a profile that does
/// not load).
pub fn run_scenario(scenario: &Scenario, dir: &Path, seed: u64) -> Result<Vec<StepResult>, String> {
    run_scenario_over(scenario, dir, seed, None, None)
}

/// [`run_scenario`] with ceremonies over the real tunnel server `tunnel` (`ws://HOST:PORT`
/// or `wss://…`) instead of the scenario's own choice, reached through `driver` (a scenario
/// that names a real server needs one).
pub fn run_scenario_over<'a>(
    scenario: &'a Scenario,
    dir: &Path,
    seed: u64,
    tunnel: Option<&str>,
    driver: Option<&'a dyn TunnelDriver>,
) -> Result<Vec<StepResult>, String> {
    let mut run = Run::new(scenario, dir, seed)?;
    if let Some(url) = tunnel.or(scenario.tunnel.real()) {
        run.tunnel = Some(real_tunnel::RealTunnel::new(url, driver)?);
    }
    let mut results = Vec::new();
    for (i, step) in scenario.step.iter().enumerate() {
        let started = Instant::now();
        let mut result = run.step(i + 1, step);
        result.wall = started.elapsed();
        results.push(result);
    }
    Ok(results)
}

/// A 32-byte seed from the scenario seed and a purpose.
fn seed_bytes(seed: u64, purpose: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"hybridsim scenario");
    hash.update(seed.to_le_bytes());
    hash.update(purpose.as_bytes());
    hash.finalize().into()
}

fn seed_u64(seed: u64, purpose: &str) -> u64 {
    let bytes = seed_bytes(seed, purpose);
    let mut first = [0u8; 8];
    first.copy_from_slice(bytes.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(first)
}

impl<'a> Run<'a> {
    fn new(scenario: &'a Scenario, dir: &Path, seed: u64) -> Result<Run<'a>, String> {
        let mut phones = BTreeMap::new();
        for (name, spec) in &scenario.phone {
            let text = match builtin::profile(&spec.profile) {
                Some(text) => text.to_owned(),
                None => std::fs::read_to_string(dir.join(&spec.profile))
                    .map_err(|e| format!("phone {name}: cannot read {}: {e}", spec.profile))?,
            };
            let key_seed = match spec.key_seed {
                Some(s) => seed_bytes(s, "authenticator"),
                None => seed_bytes(seed, &format!("authenticator {name}")),
            };
            let state = PhoneState::from_profile(&text, builtin::attestation_file, key_seed)
                .map_err(|e| format!("phone {name}: {e}"))?;
            phones.insert(
                name.clone(),
                PhoneSlot {
                    state: Some(state),
                    link: None,
                    revision0: spec.revision == 0,
                    old_crypter: spec.crypter == PhoneCrypter::Old,
                },
            );
        }
        let mut rps = BTreeMap::new();
        let declared: Vec<(String, crate::model::RpSpec)> = if scenario.rp.is_empty() {
            vec![(crate::model::DEFAULT_RP.to_owned(), Default::default())]
        } else {
            scenario.rp.clone().into_iter().collect()
        };
        for (name, spec) in declared {
            let origins: Vec<&str> = if spec.origins.is_empty() {
                vec![scenario.desktop.origin.as_str()]
            } else {
                spec.origins.iter().map(String::as_str).collect()
            };
            let mut rp = RelyingParty::new(&spec.id, &spec.name, &origins);
            if spec.trust_test_ca {
                let der = pem_to_der(builtin::TEST_CA_PEM)
                    .map_err(|e| format!("the shipped test CA does not load: {e}"))?;
                rp.trusted_roots = vec![der];
            }
            rp.user_verification = match spec.user_verification {
                UserVerificationSpec::Required => UserVerification::Required,
                UserVerificationSpec::Preferred => UserVerification::Preferred,
                UserVerificationSpec::Discouraged => UserVerification::Discouraged,
            };
            rp.attestation = match spec.attestation {
                AttestationSpec::None => AttestationConveyance::None,
                AttestationSpec::Indirect => AttestationConveyance::Indirect,
                AttestationSpec::Direct => AttestationConveyance::Direct,
                AttestationSpec::Enterprise => AttestationConveyance::Enterprise,
            };
            rps.insert(
                name,
                RpSlot {
                    rp,
                    credentials: Vec::new(),
                },
            );
        }
        let apps = app_steps::build(scenario, seed)?;
        Ok(Run {
            scenario,
            seed,
            unix_time: scenario.world.unix_time,
            phones,
            rps,
            armed_faults: Vec::new(),
            apps,
            tunnel: None,
        })
    }

    /// Runs one step by its kind's function. A new kind of step gets a variant in
    /// [`Step`] and an arm here.
    fn step(&mut self, number: usize, step: &Step) -> StepResult {
        match step {
            Step::Register(s) => self.register(number, step, s),
            Step::SignIn(s) => self.sign_in(number, step, s),
            Step::LinkedSignIn(s) => self.linked_sign_in(number, step, s),
            Step::AdvanceClock(s) => self.advance_clock(number, step, s),
            Step::EnrolTotp(s) => self.enrol_totp(number, step, s),
            Step::OtpSignIn(s) => self.otp_sign_in(number, step, s),
            Step::Migrate(s) => self.migrate(number, step, s),
            Step::Backup(s) => self.backup(number, step, s),
            Step::Restore(s) => self.restore(number, step, s),
            Step::InjectFault(s) => {
                self.armed_faults
                    .extend(s.faults.iter().filter_map(|f| f.parse::<FaultAt>().ok()));
                StepResult::plain(
                    number,
                    step,
                    format!("armed for the next ceremony: {}", s.faults.join(", ")),
                )
            }
        }
    }

    fn advance_clock(&mut self, number: usize, step: &Step, s: &AdvanceClockStep) -> StepResult {
        self.unix_time = self.unix_time.saturating_add(s.seconds);
        StepResult::plain(
            number,
            step,
            format!(
                "clock moved {} s forward, to UNIX time {}",
                s.seconds, self.unix_time
            ),
        )
    }

    fn phone_name(&self, named: &Option<String>) -> String {
        named
            .clone()
            .or_else(|| self.scenario.phone.keys().next().cloned())
            .unwrap_or_default()
    }

    fn rp_name(&self, named: &Option<String>) -> String {
        named
            .clone()
            .or_else(|| self.rps.keys().next().cloned())
            .unwrap_or_default()
    }

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
        let state = slot
            .state
            .take()
            .ok_or_else(|| format!("phone {phone} was lost by an earlier step"))?;
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
            .update_policy(match desktop.update_policy {
                UpdatePolicySpec::Chromium => UpdatePolicy::Chromium,
                UpdatePolicySpec::Lenient => UpdatePolicy::Lenient,
            })
            .reveal_secrets(world.reveal_secrets)
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
        if let Some(crypter) = desktop.crypter {
            ceremony = ceremony.desktop_crypter(match crypter {
                DesktopCrypter::New => CrypterPolicy::New,
                DesktopCrypter::Old => CrypterPolicy::Old,
                DesktopCrypter::Detect => CrypterPolicy::Detect,
            });
        }
        Ok(ceremony)
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

    fn register(&mut self, number: usize, step: &Step, s: &RegisterStep) -> StepResult {
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
        let ran = match &self.tunnel {
            None => ceremony.register(&options.to_json()),
            Some(tunnel) => tunnel
                .route(ceremony)
                .register_with(&options.to_json(), |d, p| tunnel.drive(d, p)),
        };
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

    fn sign_in(&mut self, number: usize, step: &Step, s: &SignInStep) -> StepResult {
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

    fn linked_sign_in(&mut self, number: usize, step: &Step, s: &LinkedSignInStep) -> StepResult {
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
        let ran = match (&self.tunnel, &link) {
            (None, Some(link)) => ceremony.sign_in_linked(link, &json),
            (None, None) => ceremony.sign_in(&json),
            (Some(tunnel), link) => {
                tunnel
                    .route(ceremony)
                    .sign_in_with(&json, link.as_ref(), |d, p| tunnel.drive(d, p))
            }
        };
        let mut outcome = match ran {
            Ok(o) => o,
            Err(e) => return failed(number, step, format!("the ceremony cannot run: {e}")),
        };
        self.keep_phone(&phone, &mut outcome);
        let verdict = outcome.response_json.as_deref().map(|json| {
            let checked = AuthenticationResponseJson::from_json(json)
                .map_err(|e| e.to_string())
                .and_then(|response| {
                    let slot = self
                        .rps
                        .get_mut(&rp_name)
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
                        .finish_authentication(&state, &response, credential)
                        .map(drop)
                        .map_err(|e| e.to_string())
                });
            match checked {
                Ok(()) => Verdict::Accepted,
                Err(e) => Verdict::Rejected(e),
            }
        });
        finish(number, step, expect, &outcome, verdict, json)
    }
}

/// A step that could not run: one failure saying why.
fn failed(number: usize, step: &Step, why: String) -> StepResult {
    let mut result = StepResult::plain(number, step, why.clone());
    result.failures.push(why);
    result
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
    }
}
