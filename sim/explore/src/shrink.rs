//! Shrinking a violating schedule: simpler schedules are tried one change at a time (a
//! fault left out, a radio setting back to the quiet room, the plainest flow, desktop and
//! phone), and each change that still breaks the same invariant is kept, until no change
//! does or the budget of tries is spent. The world seed stays: it is part of the run.

use crate::check::{check, observe};
use crate::invariant::{Breach, Invariant};
use crate::scenario::to_scenario;
use crate::schedule::{DesktopChoice, Flow, Radio, Schedule};

/// Whether `schedule` still breaks `invariant`; the breach if so.
pub fn reproduces(schedule: &Schedule, invariant: Invariant) -> Option<Breach> {
    let scenario = to_scenario(schedule).ok()?;
    let breaches = match observe(&scenario) {
        Ok(observation) => check(&observation),
        Err(Ok(panic)) => vec![panic],
        Err(Err(_)) => return None,
    };
    breaches.into_iter().find(|b| b.invariant == invariant)
}

/// The schedules one change simpler than `s`, simplest changes first.
fn simpler(s: &Schedule, plain_phone: &str) -> Vec<Schedule> {
    let mut out = Vec::new();
    for i in 0..s.faults.len() {
        let mut c = s.clone();
        c.faults.remove(i);
        out.push(c);
    }
    if !s.radio.is_default() {
        let mut c = s.clone();
        c.radio = Radio::default();
        out.push(c);
        for clear in [
            |r: &mut Radio| r.latency_ms = None,
            |r: &mut Radio| r.loss = None,
            |r: &mut Radio| r.duplicate = None,
        ] {
            let mut c = s.clone();
            clear(&mut c.radio);
            if c.radio != s.radio {
                out.push(c);
            }
        }
    }
    if s.flow != Flow::Register && !s.faults.iter().any(|f| f.fault.linked_only()) {
        let mut c = s.clone();
        c.flow = Flow::Register;
        out.push(c);
    }
    if s.flow == Flow::Linked && !s.faults.iter().any(|f| f.fault.linked_only()) {
        let mut c = s.clone();
        c.flow = Flow::SignIn;
        out.push(c);
    }
    if s.desktop != DesktopChoice::Chromium {
        let mut c = s.clone();
        c.desktop = DesktopChoice::Chromium;
        out.push(c);
    }
    if s.phone != plain_phone {
        let mut c = s.clone();
        plain_phone.clone_into(&mut c.phone);
        out.push(c);
    }
    out
}

/// `schedule` shrunk while it breaks `breach`'s invariant, trying at most `budget`
/// schedules; returns the smallest found and its breach.
pub fn shrink(
    schedule: &Schedule,
    breach: &Breach,
    plain_phone: &str,
    budget: usize,
) -> (Schedule, Breach) {
    let mut best = (schedule.clone(), breach.clone());
    let mut tries = 0;
    'outer: loop {
        for candidate in simpler(&best.0, plain_phone) {
            if tries >= budget {
                break 'outer;
            }
            tries += 1;
            if let Some(found) = reproduces(&candidate, breach.invariant) {
                best = (candidate, found);
                continue 'outer;
            }
        }
        break;
    }
    best
}
