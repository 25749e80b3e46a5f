//! Running a scenario the ways the invariants need, and checking them on what was seen.
//!
//! A run is executed three times: as written (the default trace), again with the same
//! seed (the replay), and with secrets revealed (to learn which bytes are secret). A
//! scenario that itself reveals secrets runs a fourth time with them hidden, so that its
//! "default" trace can be held against the secrets a hiding run keeps back. The checks are
//! plain functions of an [`Observation`], so tests can feed them doctored observations and
//! watch each invariant fail.

use crate::invariant::{Breach, Invariant};
use hybridsim_peers::desktop::{Timeouts, DEFAULT_LINGER};
use hybridsim_peers::phone::DEFAULT_PHONE_TIMEOUT;
use hybridsim_peers::trace::HIDDEN;
use hybridsim_peers::{Millis, ReasonKind};
use hybridsim_proto::qr::QrPayload;
use hybridsim_scenario::run::{run_scenario, Parties, StepResult};
use hybridsim_scenario::{builtin, Scenario};
use hybridsim_world::trace::TraceRecord;
use hybridsim_world::WorldError;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

/// The actor name the scenario runner gives the phone of a ceremony.
const PHONE: &str = "phone";

/// The executions of one run that the invariants are checked on.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The steps as written.
    pub default: Vec<StepResult>,
    /// The same scenario and seed again.
    pub replay: Vec<StepResult>,
    /// With secrets revealed.
    pub revealed: Vec<StepResult>,
    /// With secrets hidden (the default run, unless the scenario reveals them).
    pub hidden: Vec<StepResult>,
    /// The desktop's own timers: its profile's, or hybridsim's defaults.
    pub desktop_timeouts: Timeouts,
}

/// Why a run could not be executed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scenario cannot run: {0}")]
pub struct CannotRun(pub String);

/// `f`, with a panic turned into a [`Invariant::NoPanic`] breach naming its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Breach> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Breach {
            invariant: Invariant::NoPanic,
            step: 0,
            detail: format!("panicked: {message}"),
        }
    })
}

/// Runs `scenario` once with `reveal` for its trace secrecy.
fn execute_once(
    scenario: &Scenario,
    reveal: bool,
) -> Result<Result<Vec<StepResult>, CannotRun>, Breach> {
    let mut copy;
    let scenario = if scenario.world.reveal_secrets == reveal {
        scenario
    } else {
        copy = scenario.clone();
        copy.world.reveal_secrets = reveal;
        &copy
    };
    guarded(|| run_scenario(scenario, Path::new("."), scenario.world.seed).map_err(CannotRun))
}

/// Executes `scenario` as [`Observation`] describes. `Err(Ok(breach))`: a panic;
/// `Err(Err(_))`: the scenario cannot run (a profile that does not load).
pub fn observe(scenario: &Scenario) -> Result<Observation, Result<Breach, CannotRun>> {
    let as_written = scenario.world.reveal_secrets;
    let run = |reveal: bool| match execute_once(scenario, reveal) {
        Ok(Ok(steps)) => Ok(steps),
        Ok(Err(cannot)) => Err(Err(cannot)),
        Err(breach) => Err(Ok(breach)),
    };
    let default = run(as_written)?;
    let replay = run(as_written)?;
    let revealed = if as_written {
        default.clone()
    } else {
        run(true)?
    };
    let hidden = if as_written {
        run(false)?
    } else {
        default.clone()
    };
    Ok(Observation {
        default,
        replay,
        revealed,
        hidden,
        desktop_timeouts: desktop_timeouts(scenario).map_err(Err)?,
    })
}

/// The timers of the scenario's desktop: its profile's (a profile shortens them, as
/// webauthn-rs' 30 s for the response), else hybridsim's defaults.
fn desktop_timeouts(scenario: &Scenario) -> Result<Timeouts, CannotRun> {
    let Some(name) = scenario.desktop.profile.as_deref() else {
        return Ok(Timeouts::default());
    };
    let profile = builtin::load_desktop(name, Path::new(".")).map_err(CannotRun)?;
    let t = &profile.timeouts;
    Ok(Timeouts {
        advert: Duration::from_secs(t.advert_s),
        handshake: Duration::from_secs(t.handshake_s),
        ctap_response: Duration::from_secs(t.ctap_response_s),
    })
}

/// Every invariant broken by `observation` (at most one breach per invariant and step).
pub fn check(observation: &Observation) -> Vec<Breach> {
    let mut breaches = Vec::new();
    for step in &observation.default {
        if let Some(parties) = &step.parties {
            breaches.extend(deadline(step, parties, &observation.desktop_timeouts));
            breaches.extend(agreement(step, parties));
            breaches.extend(blame(step, parties));
        }
    }
    breaches.extend(secrets(observation));
    breaches.extend(replay(observation));
    breaches
}

fn breach(invariant: Invariant, step: &StepResult, detail: String) -> Breach {
    Breach {
        invariant,
        step: step.number,
        detail,
    }
}

/// The latest a desktop with timers `t` can finish: each of its stages at its own timer,
/// one after the other, then its linger.
pub fn desktop_deadline(t: &Timeouts) -> Millis {
    let total = t.advert + t.handshake + t.ctap_response + DEFAULT_LINGER;
    Millis(u64::try_from(total.as_millis()).unwrap_or(u64::MAX))
}

/// When the step's phone started (its first trace record), if it did.
fn phone_started(step: &StepResult) -> Option<Millis> {
    step.trace
        .iter()
        .find(|r| r.actor == PHONE)
        .map(|r| Millis(r.t_ms))
}

fn deadline(step: &StepResult, parties: &Parties, timeouts: &Timeouts) -> Option<Breach> {
    if let Some(WorldError::Livelock { steps, running }) = &parties.world_error {
        let detail = format!("livelock after {steps} deliveries; still running: {running:?}");
        return Some(breach(Invariant::Deadline, step, detail));
    }
    let exempt = |result: &Result<(), hybridsim_peers::PeerError>| matches!(result, Err(e) if e.kind() == ReasonKind::WentSilent);
    let limit = desktop_deadline(timeouts);
    if !exempt(&parties.desktop) && parties.desktop_at.is_none_or(|at| at > limit) {
        let detail = format!(
            "the desktop ended at {:?} ({:?}), its deadline is {} ms",
            parties.desktop_at,
            parties.desktop,
            limit.as_millis()
        );
        return Some(breach(Invariant::Deadline, step, detail));
    }
    let started = phone_started(step);
    if exempt(&parties.phone) || started.is_none() {
        return None;
    }
    let timeout = u64::try_from(DEFAULT_PHONE_TIMEOUT.as_millis()).unwrap_or(u64::MAX);
    let limit = Millis(started.map_or(0, |s| s.as_millis()).saturating_add(timeout));
    if parties.phone_at.is_some_and(|at| at <= limit) {
        return None;
    }
    let detail = format!(
        "the phone started at {started:?} and ended at {:?} ({:?}), its deadline is {} ms",
        parties.phone_at,
        parties.phone,
        limit.as_millis()
    );
    Some(breach(Invariant::Deadline, step, detail))
}

/// Whether the browser resolved the request with a credential.
fn desktop_success(step: &StepResult, parties: &Parties) -> bool {
    parties.desktop.is_ok() && step.response_json.is_some()
}

fn agreement(step: &StepResult, parties: &Parties) -> Option<Breach> {
    let desktop = desktop_success(step, parties);
    let served = parties.phone_requests_served;
    let others = served == 1 && parties.rp_accepted;
    (desktop != others).then(|| {
        let detail = format!(
            "the desktop {} but the phone served {served} request(s) and the relying party {}",
            if desktop {
                "succeeded"
            } else {
                "did not succeed"
            },
            step.rp_verdict
                .as_deref()
                .unwrap_or("had no response to judge"),
        );
        breach(Invariant::Agreement, step, detail)
    })
}

/// A ceremony that failed must be someone's doing: a party that failed with a reason of its
/// own, or, when no party failed, the browser's typed reason for having no response JSON (an
/// error status, an answer that does not decode, one its checks refuse).
fn blame(step: &StepResult, parties: &Parties) -> Option<Breach> {
    if desktop_success(step, parties) {
        return None;
    }
    let detail = match &step.first_failure {
        None if parties.response_error.is_some() => return None,
        None => format!(
            "the ceremony failed but no party did, and the browser has no reason ({})",
            step.summary
        ),
        Some(f) if f.error.party != f.party => format!(
            "the failure of the {} carries an error of the {}",
            f.party, f.error.party
        ),
        Some(f)
            if matches!(
                f.error.kind(),
                ReasonKind::NeverFinished | ReasonKind::Abandoned | ReasonKind::DidNotFinish
            ) =>
        {
            format!(
                "the first failure has no reason of its own: {} at {:?}: {}",
                f.party, f.error.layer, f.error.reason
            )
        }
        Some(_) => return None,
    };
    Some(breach(Invariant::Blame, step, detail))
}

/// The QR secrets of the `FIDO:/` texts in a record's bytes.
fn qr_secrets_in(record: &TraceRecord) -> Vec<String> {
    // ":/" in hex: a cheap test that spares decoding the bytes of every other record.
    if !record.hex.contains("3a2f") {
        return Vec::new();
    }
    let Ok(bytes) = hex::decode(&record.hex) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
    text.match_indices("FIDO:/")
        .filter_map(|(at, _)| {
            let digits: String = text
                .get(at + 6..)
                .unwrap_or_default()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            QrPayload::parse(&format!("FIDO:/{digits}")).ok()
        })
        .map(|payload| hex::encode(payload.secret))
        .collect()
}

fn records(steps: &[StepResult]) -> impl Iterator<Item = &TraceRecord> {
    steps.iter().flat_map(|s| s.trace.iter())
}

fn secrets(observation: &Observation) -> Option<Breach> {
    let hidden: Vec<&TraceRecord> = records(&observation.hidden).collect();
    let revealed: Vec<&TraceRecord> = records(&observation.revealed).collect();
    if hidden.len() != revealed.len() {
        let detail = format!(
            "revealing secrets changed the run: {} records hidden, {} revealed",
            hidden.len(),
            revealed.len()
        );
        return Some(Breach {
            invariant: Invariant::Secrets,
            step: 0,
            detail,
        });
    }
    let secrets: BTreeSet<String> = hidden
        .iter()
        .zip(&revealed)
        .filter(|(h, r)| h.hex == HIDDEN && r.hex != HIDDEN && r.len >= 8)
        .map(|(_, r)| r.hex.to_ascii_lowercase())
        .collect();
    let qr_secrets: BTreeSet<String> = revealed.iter().flat_map(|r| qr_secrets_in(r)).collect();
    for record in records(&observation.default) {
        // Only these fields carry bytes or text from the run; the rest is fixed vocabulary.
        let fields = [
            record.hex.to_ascii_lowercase(),
            record.what.to_ascii_lowercase(),
            record
                .cbor
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase(),
        ];
        let leaked = secrets
            .iter()
            .find(|s| fields.iter().any(|f| f.contains(s.as_str())));
        if let Some(secret) = leaked {
            let detail = format!(
                "{} bytes of secret {}… in the default trace: {} {:?} at {} ms",
                secret.len() / 2,
                secret.get(..8).unwrap_or_default(),
                record.actor,
                record.what,
                record.t_ms
            );
            return Some(Breach {
                invariant: Invariant::Secrets,
                step: 0,
                detail,
            });
        }
        if qr_secrets_in(record).iter().any(|s| qr_secrets.contains(s)) {
            let detail = format!(
                "the QR secret follows from the default trace: {} {:?} at {} ms",
                record.actor, record.what, record.t_ms
            );
            return Some(Breach {
                invariant: Invariant::Secrets,
                step: 0,
                detail,
            });
        }
    }
    None
}

fn replay(observation: &Observation) -> Option<Breach> {
    let (first, second) = (&observation.default, &observation.replay);
    if first.len() != second.len() {
        let detail = format!("{} steps, then {} on replay", first.len(), second.len());
        return Some(Breach {
            invariant: Invariant::Replay,
            step: 0,
            detail,
        });
    }
    for (a, b) in first.iter().zip(second) {
        // Equal records serialise to equal JSON lines (fixed field order): comparing the
        // records is comparing the trace files byte for byte, without writing them.
        if a.trace != b.trace {
            let at = a
                .trace
                .iter()
                .zip(&b.trace)
                .position(|(x, y)| x != y)
                .unwrap_or(a.trace.len().min(b.trace.len()));
            let detail = format!(
                "the trace differs on replay from record {} ({} records, then {})",
                at + 1,
                a.trace.len(),
                b.trace.len()
            );
            return Some(breach(Invariant::Replay, a, detail));
        }
        if a.parties != b.parties || a.response_json != b.response_json {
            let detail = "the same trace ended differently on replay".to_owned();
            return Some(breach(Invariant::Replay, a, detail));
        }
    }
    None
}
