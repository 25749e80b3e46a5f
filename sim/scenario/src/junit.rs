//! JUnit XML, the form CI systems (GitLab, Jenkins, GitHub test reporters) read: one
//! `<testsuite>` per scenario, one `<testcase>` per step plus one for the trace approval;
//! a failed expectation is a `<failure>` whose text has the trace records around it. The
//! document itself is written by `hybridsim-junit`, the one JUnit writer of the workspace.

use crate::approve::TraceApproval;
use crate::run::StepResult;
use crate::suite::ScenarioResult;
use hybridsim_junit::{Case, Outcome, Suite};
use hybridsim_world::trace::TraceRecord;
use std::fmt::Write;
use std::time::Duration;

/// How many records either side of the failure the excerpt shows.
const EXCERPT_RADIUS: usize = 4;

pub use hybridsim_junit::xml_escape as escape;

/// The trace records around `at`, one JSON line each, bytes cut to 64 hex digits.
pub fn excerpt(trace: &[TraceRecord], at: Option<usize>) -> String {
    let Some(at) = at.or(trace.len().checked_sub(1)) else {
        return String::new();
    };
    let from = at.saturating_sub(EXCERPT_RADIUS);
    let to = (at + EXCERPT_RADIUS + 1).min(trace.len());
    let mut out = String::new();
    for (i, record) in trace.iter().enumerate().take(to).skip(from) {
        let mut shown = record.clone();
        if shown.hex.len() > 64 {
            shown.hex = format!("{}… ({} bytes)", &shown.hex[..64], shown.len);
        }
        shown.cbor = None;
        let marker = if i == at { ">>" } else { "  " };
        let _ = writeln!(
            out,
            "{marker} #{i} {}",
            serde_json::to_string(&shown).unwrap_or_default()
        );
    }
    out
}

/// The JUnit XML of a suite run.
pub fn render(results: &[ScenarioResult]) -> String {
    let suites: Vec<Suite> = results.iter().map(suite).collect();
    hybridsim_junit::render("hybridsim", &suites)
}

/// One scenario: its properties, a load error, one case per step and one for the trace
/// approval.
fn suite(result: &ScenarioResult) -> Suite {
    let class = result.id.replace('/', ".");
    let mut cases = Vec::new();
    if let Some(error) = &result.error {
        cases.push(Case::new(
            "load",
            class.as_str(),
            Outcome::Errored {
                message: error.lines().next().unwrap_or_default().to_owned(),
                detail: Some(error.clone()),
            },
        ));
    }
    cases.extend(result.steps.iter().map(|step| step_case(step, &class)));
    cases.extend(trace_case(&result.trace, &class));
    Suite {
        name: result.id.clone(),
        properties: vec![
            ("about".to_owned(), result.about.clone()),
            ("file".to_owned(), result.path.display().to_string()),
            ("seed".to_owned(), result.seed.to_string()),
        ],
        cases,
        time: result.wall,
    }
}

/// A step as a case: passed, or failed with its expectations, summary and trace excerpt.
fn step_case(step: &StepResult, class: &str) -> Case {
    let outcome = if step.passed() {
        Outcome::Passed
    } else {
        Outcome::Failed {
            message: step.failures.first().cloned().unwrap_or_default(),
            detail: Some(format!(
                "{}\n\n{}\n\ntrace around the failure:\n{}",
                step.failures.join("\n"),
                step.summary,
                excerpt(&step.trace, step.failure_record)
            )),
        }
    };
    Case {
        time: step.wall,
        ..Case::new(
            format!("step {} {}", step.number, step.name),
            class,
            outcome,
        )
    }
}

/// The trace approval as a case, when it was checked or written.
fn trace_case(trace: &TraceApproval, class: &str) -> Option<Case> {
    let outcome = match (trace, trace.problem()) {
        (_, Some(problem)) => Outcome::Failed {
            message: problem.lines().next().unwrap_or_default().to_owned(),
            detail: Some(problem),
        },
        (TraceApproval::Matches | TraceApproval::Written(_), None) => Outcome::Passed,
        _ => return None,
    };
    Some(Case {
        time: Duration::ZERO,
        ..Case::new("trace approval", class, outcome)
    })
}
