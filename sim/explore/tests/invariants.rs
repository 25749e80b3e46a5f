//! The invariant checks can fail: each one is shown a run that breaks it (a doctored
//! observation of a real run, a deliberately broken schedule, a panicking closure) and
//! must name it; a clean run and every catalogued fault alone break none.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_explore::check::{check, desktop_deadline, guarded, observe, Observation};
use hybridsim_explore::scenario::to_scenario;
use hybridsim_explore::schedule::Radio;
use hybridsim_explore::{DesktopChoice, Flow, Invariant, Schedule};
use hybridsim_peers::Millis;
use hybridsim_world::faults::{Fault, FaultAt};
use hybridsim_world::WorldError;

fn schedule(flow: Flow, faults: &[&str]) -> Schedule {
    Schedule {
        seed: 7,
        flow,
        phone: "microsoft-authenticator-android".to_owned(),
        desktop: DesktopChoice::Chromium,
        radio: Radio::default(),
        faults: faults.iter().map(|f| f.parse().unwrap()).collect(),
        reveal_secrets: false,
    }
}

fn observed(s: &Schedule) -> Observation {
    observe(&to_scenario(s).unwrap()).unwrap()
}

fn broken(observation: &Observation) -> Vec<Invariant> {
    check(observation)
        .into_iter()
        .map(|b| b.invariant)
        .collect()
}

#[test]
fn a_clean_registration_breaks_nothing() {
    let o = observed(&schedule(Flow::Register, &[]));
    assert_eq!(check(&o), vec![]);
    assert!(o.default[0].parties.as_ref().unwrap().rp_accepted);
}

#[test]
fn a_late_desktop_breaks_the_deadline() {
    let mut o = observed(&schedule(Flow::Register, &[]));
    let parties = o.default[0].parties.as_mut().unwrap();
    parties.desktop_at = Some(Millis(
        desktop_deadline(&o.desktop_timeouts).as_millis() + 1,
    ));
    o.replay = o.default.clone();
    assert_eq!(broken(&o), vec![Invariant::Deadline]);
}

#[test]
fn a_livelock_or_an_unfinished_phone_breaks_the_deadline() {
    let clean = observed(&schedule(Flow::Register, &[]));
    let mut o = clean.clone();
    o.default[0].parties.as_mut().unwrap().world_error = Some(WorldError::Livelock {
        steps: 9,
        running: vec!["phone".to_owned()],
    });
    o.replay = o.default.clone();
    assert_eq!(broken(&o), vec![Invariant::Deadline]);
    let mut o = clean;
    o.default[0].parties.as_mut().unwrap().phone_at = None;
    o.replay = o.default.clone();
    assert_eq!(broken(&o), vec![Invariant::Deadline]);
}

#[test]
fn a_desktop_success_the_phone_did_not_serve_breaks_agreement() {
    let mut o = observed(&schedule(Flow::Register, &[]));
    o.default[0].parties.as_mut().unwrap().phone_requests_served = 2;
    o.replay = o.default.clone();
    assert_eq!(broken(&o), vec![Invariant::Agreement]);
}

#[test]
fn a_failure_without_a_party_breaks_blame() {
    let mut o = observed(&schedule(Flow::Register, &["ws-split"]));
    assert_eq!(check(&o), vec![]);
    o.default[0].first_failure = None;
    assert_eq!(broken(&o), vec![Invariant::Blame]);
}

/// The non-canonical phone fails no party: the browser's typed reason (an undecodable
/// answer) is the blame, so no breach; without that reason the same run is a breach.
#[test]
fn a_refused_answer_is_blamed_on_the_browsers_reason() {
    let mut s = schedule(Flow::Register, &[]);
    s.phone = "buggy-non-canonical".to_owned();
    let mut o = observed(&s);
    let step = &o.default[0];
    assert!(step.first_failure.is_none(), "{:?}", step.first_failure);
    assert!(step.response_json.is_none());
    assert_eq!(check(&o), vec![]);
    o.default[0].parties.as_mut().unwrap().response_error = None;
    o.replay = o.default.clone();
    assert_eq!(broken(&o), vec![Invariant::Blame]);
}

#[test]
fn a_default_trace_with_secrets_breaks_secrecy() {
    let mut s = schedule(Flow::Register, &[]);
    s.reveal_secrets = true;
    assert_eq!(broken(&observed(&s)), vec![Invariant::Secrets]);
}

#[test]
fn a_trace_that_changes_on_replay_breaks_replay() {
    let mut o = observed(&schedule(Flow::SignIn, &[]));
    assert_eq!(check(&o), vec![]);
    let record = o.replay[1].trace.last_mut().unwrap();
    record.t_ms += 1;
    assert_eq!(broken(&o), vec![Invariant::Replay]);
}

#[test]
fn a_panic_is_caught_and_named() {
    let breach = guarded(|| -> u8 { panic!("boom") }).unwrap_err();
    assert_eq!(breach.invariant, Invariant::NoPanic);
    assert!(breach.detail.contains("boom"), "{breach}");
}

/// Every catalogued fault at its default step, alone, in the flow it applies to.
#[test]
fn every_catalogued_fault_alone_keeps_every_invariant() {
    for fault in Fault::ALL {
        let flow = if fault.linked_only() {
            Flow::Linked
        } else {
            Flow::Register
        };
        let mut s = schedule(flow, &[]);
        s.faults = vec![FaultAt::from(*fault)];
        let breaches = check(&observed(&s));
        assert_eq!(breaches, vec![], "{fault}");
    }
}

/// Found by exploring: a linked sign-in given `tunnel-duplicate-new` added a second phone
/// waiting for a QR code that a linked ceremony never shows, so the world ran until its
/// livelock bound (2,000,000 deliveries). The ceremony now refuses the fault.
#[test]
fn a_linked_ceremony_refuses_a_second_scanning_phone() {
    let mut s = schedule(Flow::Linked, &["tunnel-duplicate-new", "phone-silent@1"]);
    let o = observed(&s);
    assert_eq!(check(&o), vec![]);
    assert!(
        o.default[1]
            .failures
            .iter()
            .any(|f| f.contains("applies to QR ceremonies only")),
        "{:?}",
        o.default[1].failures
    );
    s.flow = Flow::SignIn;
    assert_eq!(check(&observed(&s)), vec![]);
}
