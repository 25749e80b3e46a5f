use super::*;
use crate::approve::TraceApproval;
use crate::run::StepResult;
use std::path::PathBuf;

fn step(virtual_ms: u64, failure: Option<&str>) -> StepResult {
    StepResult {
        failures: failure.map(str::to_owned).into_iter().collect(),
        virtual_ms,
        ..StepResult::new(1, "register", "register".to_owned(), String::new())
    }
}

fn result(id: &str, steps: Vec<StepResult>, wall_ms: u64) -> ScenarioResult {
    ScenarioResult {
        id: id.to_owned(),
        path: PathBuf::from(format!("scenarios/{id}.toml")),
        about: String::new(),
        seed: 0,
        steps,
        error: None,
        trace: TraceApproval::Matches,
        wall: Duration::from_millis(wall_ms),
    }
}

#[test]
fn progress_lines_name_the_verdict_steps_and_time() {
    let ok = result("faults/split", vec![step(10, None), step(5, None)], 12);
    assert_eq!(progress_line(&ok), "ok   faults/split (2 steps, 12 ms)");
    let failed = result("basic", vec![step(10, Some("no"))], 3);
    assert_eq!(progress_line(&failed), "FAIL basic (1 steps, 3 ms)");
}

#[test]
fn the_bar_fills_in_proportion() {
    assert_eq!(
        progress_bar(1, 3, "a"),
        format!("[{}{}] 1/3 a", "#".repeat(10), "-".repeat(20))
    );
    assert_eq!(
        progress_bar(0, 0, "a"),
        format!("[{}] 0/0 a", "-".repeat(30))
    );
    assert_eq!(
        progress_bar(3, 3, "b"),
        format!("[{}] 3/3 b", "#".repeat(30))
    );
}

#[test]
fn the_table_adds_up_each_folder_and_the_total() {
    let results = [
        result("faults/a", vec![step(1500, None)], 100),
        result("faults/b", vec![step(500, Some("no reply"))], 50),
        result("basic", vec![step(250, None), step(250, None)], 20),
    ];
    let lines = table(&results, Duration::from_millis(2000));
    let expected = [
        "",
        "group   scenarios  passed  failed  steps  virtual time   cpu time",
        ".               1       1       0      2          0.5s      0.02s",
        "faults          2       1       1      2          2.0s      0.15s",
        "total           3       2       1      4          2.5s      2.00s wall",
        "",
        "FAIL faults/b (scenarios/faults/b.toml)",
        "     step 1 (register): no reply",
        "",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn a_clean_run_has_no_failure_section() {
    let lines = table(&[result("x", Vec::new(), 0)], Duration::ZERO);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines.last().map(String::as_str), Some(""));
}

#[test]
fn a_suite_passes_only_when_every_scenario_loaded_and_held() {
    let passed = result("a/ok", vec![step(1, None)], 1);
    let failed = result("a/bad", vec![step(1, Some("boom"))], 1);
    let mut unloadable = result("a/broken", Vec::new(), 1);
    unloadable.error = Some("no such key".to_owned());
    let all = [passed.clone(), failed.clone(), unloadable];
    assert_eq!(
        suite_verdict(std::slice::from_ref(&passed)),
        ("1 passed, 0 failed".to_owned(), Ok(()))
    );
    let (line, verdict) = suite_verdict(&[passed, failed]);
    assert_eq!(
        (line.as_str(), verdict),
        ("1 passed, 1 failed", Err(SuiteFailure::Failed(1)))
    );
    let (line, verdict) = suite_verdict(&all);
    assert_eq!(
        (line.as_str(), verdict),
        ("1 passed, 2 failed", Err(SuiteFailure::Unloadable(1)))
    );
}
