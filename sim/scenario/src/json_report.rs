//! The JSON report: every scenario, every step, every failure, for scripts and dashboards.

use crate::approve::TraceApproval;
use crate::suite::ScenarioResult;
use hybridsim_peers::Vocabulary;
use hybridsim_world::ceremony::PartyFailure;
use serde_json::{json, Value};

fn approval(trace: &TraceApproval) -> Value {
    match trace {
        TraceApproval::NotChecked => json!({"status": "not-checked"}),
        TraceApproval::Matches => json!({"status": "matches"}),
        TraceApproval::Missing => json!({"status": "missing"}),
        TraceApproval::Differs(diff) => json!({"status": "differs", "diff": diff}),
        TraceApproval::Written(diff) => json!({"status": "written", "diff": diff}),
        TraceApproval::Error(e) => json!({"status": "error", "error": e}),
    }
}

/// The party that failed first, by the vocabulary's names.
fn first_failure(failure: &PartyFailure) -> Value {
    json!({
        "party": failure.party.name(),
        "layer": failure.error.layer.name(),
        "reason": failure.error.kind().name(),
        "message": failure.error.reason.to_string(),
        "at_ms": failure.at.map(|t| t.as_millis()),
    })
}

/// The report as a JSON value.
pub fn report(results: &[ScenarioResult]) -> Value {
    let passed = results.iter().filter(|r| r.passed()).count();
    let scenarios: Vec<Value> = results
        .iter()
        .map(|r| {
            let steps: Vec<Value> = r
                .steps
                .iter()
                .map(|s| {
                    json!({
                        "number": s.number,
                        "kind": s.kind,
                        "name": s.name,
                        "passed": s.passed(),
                        "failures": s.failures,
                        "summary": s.summary,
                        "virtual_ms": s.virtual_ms,
                        "trace_records": s.trace.len(),
                        "wall_ms": s.wall.as_secs_f64() * 1000.0,
                        "migration": s.migration,
                        "first_failure": s.first_failure.as_ref().map(first_failure),
                    })
                })
                .collect();
            json!({
                "id": r.id,
                "file": r.path.display().to_string(),
                "about": r.about,
                "seed": r.seed,
                "passed": r.passed(),
                "error": r.error,
                "trace_approval": approval(&r.trace),
                "wall_ms": r.wall.as_secs_f64() * 1000.0,
                "steps": steps,
            })
        })
        .collect();
    json!({
        "summary": {
            "scenarios": results.len(),
            "passed": passed,
            "failed": results.len() - passed,
        },
        "scenarios": scenarios,
    })
}

/// The report as pretty-printed text.
pub fn render(results: &[ScenarioResult]) -> String {
    let mut text = serde_json::to_string_pretty(&report(results)).unwrap_or_default();
    text.push('\n');
    text
}
