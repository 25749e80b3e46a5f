//! Running one scenario: the actors are built from the file, each step is run by its kind's
//! function, and each step's result says which expectations failed.
//!
//! Ceremony steps run through `hybridsim_world::ceremony::Ceremony`; the phone's state (its
//! credentials, its identity, its link) carries over from step to step, and every response
//! JSON goes to a strict relying party (`hybridsim_webauthn::rp`) which keeps the
//! credentials it registered.

use crate::builtin;
use crate::model::{
    AdvanceClockStep, AttestationSpec, PhoneCrypter, Scenario, Step, UserVerificationSpec,
};
use hybridsim_pcapng::record::SessionRecord;
use hybridsim_peers::desktop::DesktopProfile;
use hybridsim_peers::{LinkedDevice, Millis, PeerError};
use hybridsim_webauthn::rp::{
    AttestationConveyance, RegisteredCredential, RelyingParty, UserVerification,
};
use hybridsim_webauthn::x509::pem_to_der;
use hybridsim_world::ceremony::{AnswerError, PartyFailure, PhoneState};
use hybridsim_world::faults::FaultAt;
use hybridsim_world::trace::TraceRecord;
use hybridsim_world::WorldError;
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
    /// The party that failed first in a ceremony step: party, layer, reason, time.
    pub first_failure: Option<PartyFailure>,
    /// The ceremony's secrets, adverts and messages, when the run recorded sessions
    /// (`hybridsim run --keylog/--pcapng`; see [`crate::capture`]).
    pub session: Option<SessionRecord>,
    /// How each party of a ceremony step ended (`None` for other steps and for ceremonies
    /// that could not run), for checkers that compare the parties' views.
    pub parties: Option<Parties>,
}

/// How the parties of one ceremony step ended, as typed values.
#[derive(Debug, Clone, PartialEq)]
pub struct Parties {
    /// How the desktop ended (an error saying so when it never finished).
    pub desktop: Result<(), PeerError>,
    /// When it ended (virtual time); `None` if it never did.
    pub desktop_at: Option<Millis>,
    /// How the phone ended.
    pub phone: Result<(), PeerError>,
    /// When it ended; `None` if it never did.
    pub phone_at: Option<Millis>,
    /// makeCredential / getAssertion requests the phone's authenticator answered.
    pub phone_requests_served: u32,
    /// Whether the relying party accepted the response JSON (`false` without one).
    pub rp_accepted: bool,
    /// Set when the world ended with parties still waiting (a livelock or a stall).
    pub world_error: Option<WorldError>,
    /// Why the browser has no response JSON although a CTAP response arrived
    /// (`Outcome::response_error`).
    pub response_error: Option<AnswerError>,
}

impl StepResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// A passed step numbered `number` that says `summary` and has nothing else to show (no
    /// trace, no ceremony), for other fields to be filled in over.
    pub fn new(number: usize, kind: &'static str, name: String, summary: String) -> StepResult {
        StepResult {
            number,
            kind,
            name,
            failures: Vec::new(),
            first_failure: None,
            parties: None,
            summary,
            trace: Vec::new(),
            virtual_ms: 0,
            failure_record: None,
            wall: Duration::ZERO,
            options_json: None,
            response_json: None,
            rp_verdict: None,
            migration: None,
            session: None,
        }
    }

    fn plain(number: usize, step: &Step, summary: String) -> StepResult {
        let name = step.label().unwrap_or(step.kind()).to_owned();
        StepResult::new(number, step.kind(), name, summary)
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
    tunnel: Option<RealTunnel<'a>>,
    /// Whether ceremonies record their sessions for key logs and captures.
    record_sessions: bool,
    /// The desktop's profile, when `[desktop] profile` names one.
    desktop_profile: Option<DesktopProfile>,
}

mod app_steps;
mod ceremony_steps;
mod hybrid_rows;
mod passkey_bridge;
mod real_tunnel;

pub use real_tunnel::{register_over, sign_in_over, Keep, RealTunnel, TunnelDriver};

/// Whether a `migrate` step names a known mechanism (for the loader's checks).
pub(crate) fn check_mechanism(step: &crate::model::MigrateStep) -> Result<(), String> {
    app_steps::mechanism(step).map(drop)
}

/// Whether every quirk name is known (for the loader's checks).
pub(crate) fn check_quirks(names: &[String]) -> Result<(), String> {
    app_steps::quirks(names).map(drop)
}

/// The desktop profile `[desktop] profile` names: a built-in one, or a file relative to
/// the scenario's folder (an absolute path stays as it is).
fn desktop_profile(scenario: &Scenario, dir: &Path) -> Result<Option<DesktopProfile>, String> {
    scenario
        .desktop
        .profile
        .as_deref()
        .map(|name| builtin::load_desktop(name, dir))
        .transpose()
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
    run_scenario_with(scenario, dir, seed, (tunnel, driver), false)
}

/// [`run_scenario_over`], each ceremony recording its session in
/// [`StepResult::session`] when `record_sessions` is set.
pub fn run_scenario_with<'a>(
    scenario: &'a Scenario,
    dir: &Path,
    seed: u64,
    (tunnel, driver): (Option<&str>, Option<&'a dyn TunnelDriver>),
    record_sessions: bool,
) -> Result<Vec<StepResult>, String> {
    let mut run = Run::new(scenario, dir, seed)?;
    run.record_sessions = record_sessions;
    if let Some(url) = tunnel.or(scenario.tunnel.real()) {
        let keep = Keep {
            secret_bytes: scenario.world.reveal_secrets,
            wire: record_sessions,
        };
        let driver = driver.ok_or_else(|| {
            format!("tunnel server {url}: this runner has no socket driver for real tunnel servers")
        })?;
        run.tunnel = Some(RealTunnel::new(url, driver, keep)?);
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
            let text = builtin::load_phone(&spec.profile, dir)
                .map_err(|e| format!("phone {name}: {e}"))?
                .toml;
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
        let apps = app_steps::build(scenario, seed)?;
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
            rp.key_restrictions = passkey_bridge::key_restrictions(&name, &spec)?;
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
            let from = spec.registered_from.as_deref();
            let credentials = passkey_bridge::registered_from(&apps, &name, from)?;
            rps.insert(name, RpSlot { rp, credentials });
        }
        Ok(Run {
            scenario,
            seed,
            unix_time: scenario.world.unix_time,
            phones,
            rps,
            armed_faults: Vec::new(),
            apps,
            tunnel: None,
            record_sessions: false,
            desktop_profile: desktop_profile(scenario, dir)?,
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
}

/// A step that could not run: one failure saying why.
fn failed(number: usize, step: &Step, why: String) -> StepResult {
    let mut result = StepResult::plain(number, step, why.clone());
    result.failures.push(why);
    result
}
