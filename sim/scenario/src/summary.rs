//! What `hybridsim run` prints about a suite for a person: one progress line per scenario
//! (or a bar on a terminal), then a table with one row per folder (scenarios, passed,
//! failed, steps, virtual and CPU time), a total row with the wall time, and every failed
//! scenario's problems. The lines are returned, not printed, so the caller decides where
//! they go.

use crate::suite::ScenarioResult;
use std::collections::BTreeMap;
use std::time::Duration;

/// The width of the progress bar, in characters.
const BAR_WIDTH: usize = 30;

/// The line for one finished scenario when progress is not drawn as a bar:
/// `ok   faults/ws-split (3 steps, 12 ms)`.
pub fn progress_line(result: &ScenarioResult) -> String {
    format!(
        "{} {} ({} steps, {} ms)",
        verdict(result),
        result.id,
        result.steps.len(),
        result.wall.as_millis()
    )
}

/// The bar after `done` of `total` scenarios have finished, naming the last one:
/// `[###---…] 3/10 faults/ws-split`.
pub fn progress_bar(done: usize, total: usize, id: &str) -> String {
    let filled = (done * BAR_WIDTH / total.max(1)).min(BAR_WIDTH);
    let bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled));
    format!("[{bar}] {done}/{total} {id}")
}

/// `ok  ` or `FAIL`, the same width either way.
fn verdict(result: &ScenarioResult) -> &'static str {
    if result.passed() {
        "ok  "
    } else {
        "FAIL"
    }
}

/// The folder part of an id (`faults/ws-split` → `faults`).
fn group(id: &str) -> &str {
    id.rsplit_once('/').map_or(".", |(folder, _)| folder)
}

/// One row of the table: the scenarios of one folder added up.
#[derive(Debug, Default, PartialEq)]
struct Row {
    scenarios: usize,
    passed: usize,
    steps: usize,
    virtual_ms: u64,
    wall: Duration,
}

impl Row {
    fn add(&mut self, other: &Row) {
        self.scenarios += other.scenarios;
        self.passed += other.passed;
        self.steps += other.steps;
        self.virtual_ms += other.virtual_ms;
    }
}

/// The rows by folder, in folder order.
fn rows(results: &[ScenarioResult]) -> BTreeMap<&str, Row> {
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for result in results {
        let row = rows.entry(group(&result.id)).or_default();
        row.scenarios += 1;
        row.passed += usize::from(result.passed());
        row.steps += result.steps.len();
        row.virtual_ms += result.steps.iter().map(|s| s.virtual_ms).sum::<u64>();
        row.wall += result.wall;
    }
    rows
}

/// The summary's lines: a blank line, the table, the failures (if any), a blank line.
/// `wall` is the whole run's wall-clock time, shown on the total row.
pub fn table(results: &[ScenarioResult], wall: Duration) -> Vec<String> {
    let rows = rows(results);
    let width = rows.keys().map(|k| k.len()).max().unwrap_or(5).max(5);
    let mut out = vec![
        String::new(),
        format!(
            "{:<width$}  {:>9}  {:>6}  {:>6}  {:>5}  {:>12}  {:>9}",
            "group", "scenarios", "passed", "failed", "steps", "virtual time", "cpu time"
        ),
    ];
    let mut total = Row::default();
    for (name, row) in &rows {
        out.push(format!(
            "{name:<width$}  {:>9}  {:>6}  {:>6}  {:>5}  {:>11.1}s  {:>8.2}s",
            row.scenarios,
            row.passed,
            row.scenarios - row.passed,
            row.steps,
            row.virtual_ms as f64 / 1000.0,
            row.wall.as_secs_f64()
        ));
        total.add(row);
    }
    out.push(format!(
        "{:<width$}  {:>9}  {:>6}  {:>6}  {:>5}  {:>11.1}s  {:>8.2}s wall",
        "total",
        total.scenarios,
        total.passed,
        total.scenarios - total.passed,
        total.steps,
        total.virtual_ms as f64 / 1000.0,
        wall.as_secs_f64()
    ));
    failures(results, &mut out);
    out.push(String::new());
    out
}

/// A blank line, then each failed scenario with its problems indented under it.
fn failures(results: &[ScenarioResult], out: &mut Vec<String>) {
    let failed: Vec<&ScenarioResult> = results.iter().filter(|r| !r.passed()).collect();
    if failed.is_empty() {
        return;
    }
    out.push(String::new());
    for result in failed {
        out.push(format!("FAIL {} ({})", result.id, result.path.display()));
        for problem in result.problems() {
            for line in problem.lines() {
                out.push(format!("     {line}"));
            }
        }
    }
}

/// Why a suite run does not exit 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SuiteFailure {
    /// Scenario files that did not load (bad input: exit 2).
    #[error("{0} scenario file(s) could not be used (see above)")]
    Unloadable(usize),
    /// Scenarios whose expectations or approved traces did not hold (exit 1).
    #[error("{0} scenario(s) failed")]
    Failed(usize),
}

/// `N passed, M failed`, and whether the run passed: files that did not load come first.
pub fn suite_verdict(results: &[ScenarioResult]) -> (String, Result<(), SuiteFailure>) {
    let failed = results.iter().filter(|r| !r.passed()).count();
    let unloadable = results.iter().filter(|r| r.error.is_some()).count();
    let line = format!("{} passed, {failed} failed", results.len() - failed);
    let verdict = match (unloadable, failed) {
        (0, 0) => Ok(()),
        (0, failed) => Err(SuiteFailure::Failed(failed)),
        (unloadable, _) => Err(SuiteFailure::Unloadable(unloadable)),
    };
    (line, verdict)
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
