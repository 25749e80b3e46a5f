//! A schedule as a scenario file: the text the explorer runs (through the scenario loader,
//! so every run is a file `hybridsim run` accepts) and writes for a violation.
//!
//! The faulted ceremony is the last step; a sign-in or a linked sign-in is preceded by a
//! clean registration (which links, for a linked sign-in). Written files expect what the
//! violating run did, so that they pass as they are and fail once a fix changes it.

use crate::schedule::{DesktopChoice, Flow, Schedule};
use hybridsim_peers::Vocabulary;
use hybridsim_scenario::run::StepResult;
use hybridsim_scenario::{Scenario, ScenarioError};
use std::fmt::Write as _;
use std::path::Path;

/// A TOML basic string: the names written here are plain ASCII, but quote anyway.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `expect` table of a step: what it did in `observed`, or success when unknown.
fn expect_of(observed: Option<&StepResult>) -> String {
    let Some(step) = observed else {
        return "{ outcome = \"success\" }".to_owned();
    };
    let success = step
        .parties
        .as_ref()
        .is_some_and(|p| p.desktop.is_ok() && p.rp_accepted && step.response_json.is_some());
    if success {
        return "{ outcome = \"success\" }".to_owned();
    }
    match &step.first_failure {
        Some(failure) => format!(
            "{{ outcome = \"failure\", first_failure = {{ party = {}, layer = {}, reason = {} }} }}",
            quoted(failure.party.name()),
            quoted(failure.error.layer.name()),
            quoted(failure.error.kind().name()),
        ),
        None => "{ outcome = \"failure\" }".to_owned(),
    }
}

/// The scenario text of `schedule`. `about` is its one line; `observed` (the steps of a run
/// of it) turns each step's expectation into what that run did.
pub fn to_toml(schedule: &Schedule, about: &str, observed: Option<&[StepResult]>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Found by `hybridsim explore`: {schedule}");
    let _ = writeln!(out, "about = {}", quoted(about));
    out.push_str("\n[world]\n");
    let _ = writeln!(out, "seed = {}", schedule.seed);
    if schedule.reveal_secrets {
        out.push_str("reveal_secrets = true\n");
    }
    if !schedule.radio.is_default() {
        out.push_str("\n[world.radio]\n");
        if let Some(ms) = schedule.radio.latency_ms {
            let _ = writeln!(out, "latency_ms = {ms}");
        }
        if let Some(p) = schedule.radio.loss {
            let _ = writeln!(out, "loss = {p:?}");
        }
        if let Some(p) = schedule.radio.duplicate {
            let _ = writeln!(out, "duplicate = {p:?}");
        }
    }
    match schedule.desktop {
        DesktopChoice::Chromium => {}
        DesktopChoice::Lenient => out.push_str("\n[desktop]\nupdate_policy = \"lenient\"\n"),
        DesktopChoice::Detect => out.push_str("\n[desktop]\ncrypter = \"detect\"\n"),
        DesktopChoice::Profile(name) => {
            let _ = writeln!(out, "\n[desktop]\nprofile = {}", quoted(name));
        }
    }
    let _ = writeln!(
        out,
        "\n[phone.phone]\nprofile = {}",
        quoted(&schedule.phone)
    );
    let faults: Vec<String> = schedule
        .faults
        .iter()
        .map(|f| quoted(&f.to_string()))
        .collect();
    let faults = format!("[{}]", faults.join(", "));
    let step = |i: usize| observed.and_then(|steps| steps.get(i));
    match schedule.flow {
        Flow::Register => {
            let _ = writeln!(out, "\n[[step]]\nkind = \"register\"\nfaults = {faults}");
            let _ = writeln!(out, "expect = {}", expect_of(step(0)));
        }
        Flow::SignIn | Flow::Linked => {
            let linked = schedule.flow == Flow::Linked;
            out.push_str("\n[[step]]\nkind = \"register\"\n");
            if linked {
                out.push_str("offer_linking = true\n");
            }
            let _ = writeln!(out, "expect = {}", expect_of(step(0)));
            let kind = if linked { "linked-sign-in" } else { "sign-in" };
            let _ = writeln!(out, "\n[[step]]\nkind = \"{kind}\"\nfaults = {faults}");
            let _ = writeln!(out, "expect = {}", expect_of(step(1)));
        }
    }
    out
}

/// `schedule` through the scenario loader, as `hybridsim run` would read its file.
pub fn to_scenario(schedule: &Schedule) -> Result<Scenario, ScenarioError> {
    let text = to_toml(schedule, "explore run", None);
    hybridsim_scenario::parse(Path::new("explore.toml"), &text)
}
