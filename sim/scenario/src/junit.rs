//! JUnit XML, the form CI systems (GitLab, Jenkins, GitHub test reporters) read: one
//! `<testsuite>` per scenario, one `<testcase>` per step plus one for the trace approval;
//! a failed expectation is a `<failure>` whose text has the trace records around it.

use crate::suite::ScenarioResult;
use hybridsim_world::trace::TraceRecord;
use std::fmt::Write;

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

fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The JUnit XML of a suite run.
pub fn render(results: &[ScenarioResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let cases = |r: &ScenarioResult| {
        r.steps.len().max(1)
            + usize::from(
                r.trace.problem().is_some()
                    || matches!(
                        r.trace,
                        crate::approve::TraceApproval::Matches
                            | crate::approve::TraceApproval::Written(_)
                    ),
            )
    };
    let total: usize = results.iter().map(cases).sum();
    let failed: usize = results
        .iter()
        .map(|r| {
            r.steps.iter().filter(|s| !s.passed()).count()
                + usize::from(r.trace.problem().is_some())
        })
        .sum();
    let errors = results.iter().filter(|r| r.error.is_some()).count();
    let wall: std::time::Duration = results.iter().map(|r| r.wall).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"hybridsim\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\" time=\"{}\">",
        seconds(wall)
    );
    for result in results {
        write_suite(&mut out, result, cases(result));
    }
    out.push_str("</testsuites>\n");
    out
}

/// One scenario as a `<testsuite>`: its properties, a load error, one case per step and
/// one for trace approval.
fn write_suite(out: &mut String, result: &ScenarioResult, cases: usize) {
    let class = escape(&result.id.replace('/', "."));
    let suite_failures = result.steps.iter().filter(|s| !s.passed()).count()
        + usize::from(result.trace.problem().is_some());
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"{}\" skipped=\"0\" time=\"{}\">",
        escape(&result.id),
        cases,
        usize::from(result.error.is_some()),
        seconds(result.wall)
    );
    let _ = writeln!(
        out,
        "    <properties>\n      <property name=\"about\" value=\"{}\"/>\n      <property name=\"file\" value=\"{}\"/>\n      <property name=\"seed\" value=\"{}\"/>\n    </properties>",
        escape(&result.about),
        escape(&result.path.display().to_string()),
        result.seed
    );
    if let Some(error) = &result.error {
        let _ = writeln!(
            out,
            "    <testcase name=\"load\" classname=\"{class}\" time=\"0.000\">\n      <error message=\"{}\" type=\"scenario\">{}</error>\n    </testcase>",
            escape(error.lines().next().unwrap_or_default()),
            escape(error)
        );
    }
    for step in &result.steps {
        let name = escape(&format!("step {} {}", step.number, step.name));
        if step.passed() {
            let _ = writeln!(
                out,
                "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{}\"/>",
                seconds(step.wall)
            );
            continue;
        }
        let text = format!(
            "{}\n\n{}\n\ntrace around the failure:\n{}",
            step.failures.join("\n"),
            step.summary,
            excerpt(&step.trace, step.failure_record)
        );
        let _ = writeln!(
            out,
            "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{}\">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>",
            seconds(step.wall),
            escape(step.failures.first().map_or("", String::as_str)),
            escape(&text)
        );
    }
    match (&result.trace, result.trace.problem()) {
        (_, Some(problem)) => {
            let _ = writeln!(
                out,
                "    <testcase name=\"trace approval\" classname=\"{class}\" time=\"0.000\">\n      <failure message=\"{}\" type=\"trace\">{}</failure>\n    </testcase>",
                escape(problem.lines().next().unwrap_or_default()),
                escape(&problem)
            );
        }
        (
            crate::approve::TraceApproval::Matches | crate::approve::TraceApproval::Written(_),
            None,
        ) => {
            let _ = writeln!(
                out,
                "    <testcase name=\"trace approval\" classname=\"{class}\" time=\"0.000\"/>"
            );
        }
        _ => {}
    }
    out.push_str("  </testsuite>\n");
}
