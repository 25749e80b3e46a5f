//! Checking a ceremony's [`Outcome`] against a step's [`CeremonyExpect`]: each expectation
//! that does not hold becomes one line saying what was expected and what happened.

use crate::model::{
    CeremonyExpect, ExpectedOutcome, FailureExpect, PartyExpect, PartyResult, RpVerdict,
};
use hybridsim_peers::{Millis, PeerError, Vocabulary};
use hybridsim_world::ceremony::{Outcome, PartyFailure};

/// What the relying party made of the response JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Verified.
    Accepted,
    /// Refused, with the reason.
    Rejected(String),
}

/// The result of checking one ceremony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Expectations that did not hold.
    pub failures: Vec<String>,
    /// What happened, one line.
    pub summary: String,
    /// The trace record nearest the first failure (the failing party's last record).
    pub failure_record: Option<usize>,
}

/// How a party ended, in words.
fn describe(result: &Result<(), PeerError>, at: Option<Millis>) -> String {
    let when = at.map_or_else(|| "never finished".to_owned(), |t| format!("at {} ms", t.0));
    match result {
        Ok(()) => format!("ok {when}"),
        Err(e) => format!(
            "failed {when} [{}] {} ({})",
            e.layer.name(),
            e.reason,
            e.kind().name()
        ),
    }
}

fn check_party(
    who: &str,
    expect: &PartyExpect,
    result: &Result<(), PeerError>,
    at: Option<Millis>,
    failures: &mut Vec<String>,
) {
    let actual = describe(result, at);
    let mut fail = |what: String| failures.push(format!("{who}: expected {what}; it {actual}"));
    let finished = at.is_some();
    match (expect.result, result, finished) {
        (PartyResult::Ok, Ok(()), _) => {}
        (PartyResult::Failed, Err(_), true) => {}
        (PartyResult::Unfinished, Err(_), false) => {}
        (wanted, _, _) => {
            let word = match wanted {
                PartyResult::Ok => "ok",
                PartyResult::Failed => "failed",
                PartyResult::Unfinished => "unfinished",
            };
            fail(format!("result {word}"));
            return;
        }
    }
    if let Err(error) = result {
        if let Some(layer) = expect.layer.filter(|l| l.0 != error.layer) {
            fail(format!("layer {layer}"));
        }
        if let Some(reason) = expect.reason.filter(|r| r.0 != error.kind()) {
            fail(format!("reason {reason}"));
        }
        if let Some(text) = &expect.error {
            if !error.reason.to_string().contains(text.as_str()) {
                fail(format!("an error containing {text:?}"));
            }
        }
    }
    let t = at.map(|t| t.0);
    if let Some(want) = expect.at_ms {
        if t != Some(want) {
            fail(format!("to end at {want} ms"));
        }
    }
    if let Some(low) = expect.not_before_ms {
        if t.is_none_or(|t| t < low) {
            fail(format!("to end at or after {low} ms"));
        }
    }
    if let Some(high) = expect.not_after_ms {
        if t.is_none_or(|t| t > high) {
            fail(format!("to end at or before {high} ms"));
        }
    }
}

/// Checks every expectation of a ceremony step.
pub fn check_ceremony(
    expect: &CeremonyExpect,
    outcome: &Outcome,
    verdict: Option<&Verdict>,
) -> Checked {
    let mut failures = Vec::new();
    check_outcome(expect, outcome, verdict, &mut failures);
    check_first_failure(expect, outcome, &mut failures);
    check_parties(expect, outcome, &mut failures);
    check_relying_party(expect, outcome, verdict, &mut failures);
    check_link(expect, outcome, &mut failures);
    check_trace(expect, outcome, &mut failures);
    Checked {
        failure_record: failure_record(outcome),
        summary: summary(outcome, verdict),
        failures,
    }
}

/// What happened, one line.
fn summary(outcome: &Outcome, verdict: Option<&Verdict>) -> String {
    let rp_words = match verdict {
        None => "no response JSON for the relying party".to_owned(),
        Some(Verdict::Accepted) => "the relying party accepted the response".to_owned(),
        Some(Verdict::Rejected(e)) => format!("the relying party rejected the response: {e}"),
    };
    format!(
        "desktop {}; phone {}; {rp_words}",
        describe(&outcome.desktop, outcome.desktop_at),
        describe(&outcome.phone, outcome.phone_at)
    )
}

/// `outcome = "success"` or `"failure"`.
fn check_outcome(
    expect: &CeremonyExpect,
    outcome: &Outcome,
    verdict: Option<&Verdict>,
    failures: &mut Vec<String>,
) {
    let accepted = matches!(verdict, Some(Verdict::Accepted));
    let succeeded = outcome.succeeded() && accepted;
    match (expect.outcome, succeeded) {
        (ExpectedOutcome::Success, false) => {
            let why = match (outcome.first_failure(), verdict, &outcome.response_error) {
                (Some(f), _, _) => f.error.blamed().to_string(),
                (None, Some(Verdict::Rejected(e)), _) => {
                    format!("the relying party rejected the response: {e}")
                }
                (None, _, Some(e)) => e.to_string(),
                (None, _, None) => "no response JSON".to_owned(),
            };
            failures.push(format!("expected success; {why}"));
        }
        (ExpectedOutcome::Failure, true) => {
            failures.push("expected a failure; the ceremony succeeded".to_owned())
        }
        _ => {}
    }
}

/// `first_failure`: which party failed first, where, why and when.
fn check_first_failure(expect: &CeremonyExpect, outcome: &Outcome, failures: &mut Vec<String>) {
    if let Some(want) = &expect.first_failure {
        match outcome.first_failure() {
            None => failures.push(format!(
                "expected the {} to fail first at the {} layer; no party failed",
                want.party, want.layer
            )),
            Some(got) => {
                let wrong = first_failure_mismatches(want, &got);
                if !wrong.is_empty() {
                    failures.push(format!(
                        "first failure: expected {}; the {} failed first, {} at the {} layer: {} ({})",
                        wrong.join(", "),
                        got.party,
                        got.at.map_or_else(
                            || "without finishing".to_owned(),
                            |t| format!("at {} ms", t.0)
                        ),
                        got.error.layer.name(),
                        got.error.reason,
                        got.error.kind().name()
                    ));
                }
            }
        }
    }
}

/// `desktop`, `phone` and the other actors' results.
fn check_parties(expect: &CeremonyExpect, outcome: &Outcome, failures: &mut Vec<String>) {
    if let Some(want) = &expect.desktop {
        check_party(
            "desktop",
            want,
            &outcome.desktop,
            outcome.desktop_at,
            failures,
        );
    }
    if let Some(want) = &expect.phone {
        check_party("phone", want, &outcome.phone, outcome.phone_at, failures);
    }
    for (name, want) in &expect.others {
        match outcome.others.iter().find(|(n, _)| n == name) {
            // Extra actors' finishing times are not reported: only their result counts.
            Some((_, result)) => {
                let relaxed = PartyExpect {
                    at_ms: None,
                    not_before_ms: None,
                    not_after_ms: None,
                    ..want.clone()
                };
                let unfinished = result.as_ref().is_err_and(PeerError::is_unfinished);
                let at = (!unfinished).then_some(Millis(0));
                check_party(name, &relaxed, result, at, failures);
            }
            None => failures.push(format!("{name}: expected such an actor; there is none")),
        }
    }
}

/// The relying party's verdict and the browser's reason for having no response.
fn check_relying_party(
    expect: &CeremonyExpect,
    outcome: &Outcome,
    verdict: Option<&Verdict>,
    failures: &mut Vec<String>,
) {
    let want_rp = expect.rp.or(match expect.outcome {
        ExpectedOutcome::Success => Some(RpVerdict::Accepted),
        ExpectedOutcome::Failure => None,
    });
    match (want_rp, verdict) {
        (Some(RpVerdict::Accepted), Some(Verdict::Rejected(e))) => failures.push(format!(
            "expected the relying party to accept; it rejected: {e}"
        )),
        (Some(RpVerdict::Rejected), Some(Verdict::Accepted)) => {
            failures.push("expected the relying party to reject; it accepted".to_owned())
        }
        (Some(_), None) if expect.rp.is_some() => failures.push(
            "expected a relying-party verdict; the browser produced no response JSON".to_owned(),
        ),
        _ => {}
    }
    if let Some(text) = &expect.rp_error {
        match verdict {
            Some(Verdict::Rejected(e)) if e.contains(text.as_str()) => {}
            other => failures.push(format!(
                "expected the relying party to reject with {text:?}; {}",
                match other {
                    Some(Verdict::Rejected(e)) => format!("it rejected: {e}"),
                    Some(Verdict::Accepted) => "it accepted".to_owned(),
                    None => "there was no response JSON".to_owned(),
                }
            )),
        }
    }
    if let Some(want) = &expect.response_error {
        match &outcome.response_error {
            Some(got) if want.matches(got) => {}
            other => failures.push(format!(
                "expected the browser to have no response because {want}; {}",
                other
                    .as_ref()
                    .map_or("it gave no such reason".to_owned(), |e| format!(
                        "it said {e} (kind {})",
                        e.kind()
                    ))
            )),
        }
    }
}

/// `linked` and `forget_link`.
fn check_link(expect: &CeremonyExpect, outcome: &Outcome, failures: &mut Vec<String>) {
    if let Some(want) = expect.linked {
        let got = outcome.linked_device.is_some();
        if got != want {
            failures.push(format!(
                "expected linked = {want}; the desktop {} a link",
                if got { "has" } else { "has no" }
            ));
        }
    }
    if let Some(want) = expect.forget_link {
        if outcome.forget_link != want {
            failures.push(format!(
                "expected forget_link = {want}; it was {}",
                outcome.forget_link
            ));
        }
    }
}

/// The trace's records and the run's virtual time.
fn check_trace(expect: &CeremonyExpect, outcome: &Outcome, failures: &mut Vec<String>) {
    let records = outcome.trace.records();
    for text in &expect.trace.contains {
        if !records.iter().any(|r| r.what.contains(text.as_str())) {
            failures.push(format!(
                "expected a trace record containing {text:?}; none does"
            ));
        }
    }
    for text in &expect.trace.lacks {
        if let Some((i, r)) = records
            .iter()
            .enumerate()
            .find(|(_, r)| r.what.contains(text.as_str()))
        {
            failures.push(format!(
                "expected no trace record containing {text:?}; record {i} at {} ms ({} {}) does: {}",
                r.t_ms,
                r.actor,
                r.layer.name(),
                r.what
            ));
        }
    }
    if let Some(max) = expect.trace.max_virtual_ms {
        if outcome.virtual_time.0 > max {
            failures.push(format!(
                "expected the run to end by {max} ms of virtual time; it ended at {} ms",
                outcome.virtual_time.0
            ));
        }
    }
}

/// What a first failure got wrong: party, layer, reason kind, message text, time.
fn first_failure_mismatches(want: &FailureExpect, got: &PartyFailure) -> Vec<String> {
    let mut wrong = Vec::new();
    if got.party != want.party.0 {
        wrong.push(format!("party {}", want.party));
    }
    if got.error.layer != want.layer.0 {
        wrong.push(format!("layer {}", want.layer));
    }
    if let Some(reason) = want.reason.filter(|r| r.0 != got.error.kind()) {
        wrong.push(format!("reason {reason}"));
    }
    if let Some(text) = &want.error {
        if !got.error.reason.to_string().contains(text.as_str()) {
            wrong.push(format!("an error containing {text:?}"));
        }
    }
    if let Some(at) = want.at_ms {
        if got.at.map(|t| t.0) != Some(at) {
            wrong.push(format!("at {at} ms"));
        }
    }
    wrong
}

/// The last record of the first party to fail, at or before the time it failed.
fn failure_record(outcome: &Outcome) -> Option<usize> {
    let failure = outcome.first_failure()?;
    let until = failure.at.map_or(u64::MAX, |t| t.0);
    outcome
        .trace
        .records()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.actor == failure.party.name() && r.t_ms <= until)
        .map(|(i, _)| i)
        .next_back()
}
