//! Trace approval: each scenario's trace is kept beside it (`foo.toml` → `foo.trace.jsonl`),
//! and a run fails when the bytes on the wire drift from it; `--accept` rewrites the file
//! and shows the diff.
//!
//! The kept form is a digest with a summary, so that it stays small enough to review while
//! still pinning every byte. Per step, one header line with the number of records and the
//! SHA-256 of the step's complete JSON-lines trace (the form `hybridsim ceremony --trace`
//! writes); then one line per record with its time, actor, layer, direction, what, length
//! and the first 16 hex digits of the SHA-256 of its bytes. Consecutive records that differ
//! only in time and bytes (a phone's adverts while the desktop waits out a timeout) are one
//! line with `repeat`, the last time and the digest of all their bytes. Any changed byte
//! changes a record's digest and the step's; any changed timing or message order changes a
//! summary line, so the diff says where the drift is.

use crate::run::StepResult;
use hybridsim_peers::Vocabulary;
use hybridsim_world::trace::TraceRecord;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The result of comparing a scenario's trace with its approved file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceApproval {
    /// Not compared (the scenario did not run, or ran with another seed).
    NotChecked,
    /// Equal to the approved file.
    Matches,
    /// There is no approved file (run with `--accept` to write one).
    Missing,
    /// Different: the diff (expected → actual).
    Differs(String),
    /// Written with `--accept`: the diff from what was there (everything, for a new file).
    Written(String),
    /// The approved file could not be read or written.
    Error(String),
}

impl TraceApproval {
    /// Whether this does not fail the scenario.
    pub fn passed(&self) -> bool {
        matches!(
            self,
            TraceApproval::NotChecked | TraceApproval::Matches | TraceApproval::Written(_)
        )
    }

    /// One line for summaries when it fails.
    pub fn problem(&self) -> Option<String> {
        match self {
            TraceApproval::Missing => Some(
                "no approved trace beside it: review the run and write one with --accept"
                    .to_owned(),
            ),
            TraceApproval::Differs(diff) => Some(format!(
                "the trace differs from the approved one (accept it with --accept if intended):\n{diff}"
            )),
            TraceApproval::Error(e) => Some(e.clone()),
            _ => None,
        }
    }
}

/// The largest approved trace read. The shipped ones are a few kilobytes (one line per
/// record, repeats folded); a long soak scenario may write megabytes. Above the 16 MiB of a
/// scenario file, as a trace grows with the run's length and not with its file's, and small
/// enough that a file, its rewrite and their diff stay well inside memory.
pub const MAX_APPROVED_BYTES: u64 = 64 << 20;

/// Where a scenario's approved trace is kept.
pub fn approved_path(scenario: &Path) -> PathBuf {
    scenario.with_extension("trace.jsonl")
}

#[derive(Serialize)]
struct StepLine<'a> {
    step: usize,
    kind: &'a str,
    records: usize,
    sha256: String,
}

#[derive(Serialize)]
struct RecordLine<'a> {
    t_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    t_last_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycle: Option<usize>,
    actor: &'a str,
    layer: &'a str,
    dir: &'a str,
    what: &'a str,
    len: usize,
    sha256: String,
}

/// The longest run of records that repeats as a group (an advert received, then ignored).
const MAX_CYCLE: usize = 4;

fn short_digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize()).chars().take(16).collect()
}

/// Whether two records differ only in time and bytes.
pub fn same_kind(a: &TraceRecord, b: &TraceRecord) -> bool {
    a.actor == b.actor && a.layer == b.layer && a.dir == b.dir && a.what == b.what && a.len == b.len
}

fn dir_name(record: &TraceRecord) -> String {
    serde_json::to_value(record.dir)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The longest cycle to fold at the start of `records`: (cycle length, repetitions), with
/// cycles of up to `MAX_CYCLE` records of the same kinds; (1, 1) when nothing repeats.
pub fn longest_cycle(records: &[TraceRecord]) -> (usize, usize) {
    let mut best = (1, 1);
    for cycle in 1..=MAX_CYCLE {
        let Some(pattern) = records.get(..cycle) else {
            break;
        };
        let mut reps = 1;
        while let Some(next) = records.get(cycle * reps..cycle * (reps + 1)) {
            if !next.iter().zip(pattern).all(|(a, b)| same_kind(a, b)) {
                break;
            }
            reps += 1;
        }
        if reps > 1 && cycle * reps > best.0 * best.1 {
            best = (cycle, reps);
        }
    }
    best
}

/// The approved form of a run's steps.
pub fn approved_form(steps: &[StepResult]) -> String {
    let mut out = String::new();
    let mut push = |line: Result<String, serde_json::Error>| {
        out.push_str(&line.unwrap_or_default());
        out.push('\n');
    };
    for step in steps.iter().filter(|s| !s.trace.is_empty()) {
        let full: String = step
            .trace
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
            .collect();
        push(serde_json::to_string(&StepLine {
            step: step.number,
            kind: step.kind,
            records: step.trace.len(),
            sha256: hex::encode(Sha256::digest(full.as_bytes())),
        }));
        let mut i = 0;
        while i < step.trace.len() {
            let rest = step.trace.get(i..).unwrap_or_default();
            let (cycle, reps) = longest_cycle(rest);
            for position in 0..cycle {
                let occurrences: Vec<&TraceRecord> = rest
                    .iter()
                    .skip(position)
                    .step_by(cycle)
                    .take(reps)
                    .collect();
                let Some(first) = occurrences.first() else {
                    continue;
                };
                let last = occurrences.last().map_or(first.t_ms, |r| r.t_ms);
                let bytes: Vec<&str> = occurrences.iter().map(|r| r.hex.as_str()).collect();
                let dir = dir_name(first);
                push(serde_json::to_string(&RecordLine {
                    t_ms: first.t_ms,
                    t_last_ms: (reps > 1).then_some(last),
                    repeat: (reps > 1).then_some(reps),
                    cycle: (reps > 1 && cycle > 1).then_some(cycle),
                    actor: &first.actor,
                    layer: first.layer.name(),
                    dir: &dir,
                    what: &first.what,
                    len: first.len,
                    sha256: short_digest(&bytes),
                }));
            }
            i += (cycle * reps).max(1);
        }
    }
    out
}

/// Lines one side has and the other lacks (counted as multisets) beyond which no line diff is
/// computed: Myers' diff costs lines × differences, so two unrelated traces of a million lines
/// would take hours. The largest shipped approved trace has a few hundred lines.
pub const MAX_DIFF_LINES: usize = 4_000;

/// A unified line diff, expected → actual, with a little context; past [`MAX_DIFF_LINES`]
/// differing lines, one line saying where the two part instead.
pub fn diff(expected: &str, actual: &str) -> String {
    let differing = differing_lines(expected, actual);
    if differing > MAX_DIFF_LINES {
        let same_head = expected
            .lines()
            .zip(actual.lines())
            .take_while(|(a, b)| a == b)
            .count();
        return format!(
            "--- approved\n+++ this run\n{differing} lines differ, from line {} on ({} lines \
             approved, {} in this run): too many to show, compare the files\n",
            same_head + 1,
            expected.lines().count(),
            actual.lines().count()
        );
    }
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header("approved", "this run")
        .to_string()
}

/// How many lines one text has that the other lacks, counting repeated lines: a lower bound
/// of the edit distance, found in linear time.
fn differing_lines(expected: &str, actual: &str) -> usize {
    let mut balance: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for line in expected.lines() {
        *balance.entry(line).or_default() += 1;
    }
    for line in actual.lines() {
        *balance.entry(line).or_default() -= 1;
    }
    let total: u64 = balance.values().map(|n| n.unsigned_abs()).sum();
    usize::try_from(total).unwrap_or(usize::MAX)
}

/// Compares the steps' trace with the scenario's approved file; with `accept`, writes it.
pub fn check(scenario: &Path, steps: &[StepResult], accept: bool) -> TraceApproval {
    let path = approved_path(scenario);
    let actual = approved_form(steps);
    let expected = match hybridsim_files::read_text_if_exists(&path, MAX_APPROVED_BYTES) {
        Ok(text) => text,
        // Named in full as the scenario file is: the path was found, not typed.
        Err(e) => return TraceApproval::Error(format!("{}: {}", path.display(), e.problem)),
    };
    if expected.as_deref() == Some(actual.as_str()) {
        return TraceApproval::Matches;
    }
    let shown = diff(expected.as_deref().unwrap_or(""), &actual);
    if !accept {
        return match expected {
            None => TraceApproval::Missing,
            Some(_) => TraceApproval::Differs(shown),
        };
    }
    match std::fs::write(&path, &actual) {
        Ok(()) => TraceApproval::Written(shown),
        Err(e) => TraceApproval::Error(format!("cannot write {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(prefix: &str, count: usize) -> String {
        (0..count).map(|i| format!("{prefix} {i}\n")).collect()
    }

    #[test]
    fn a_change_in_a_long_trace_is_diffed_and_unrelated_long_traces_are_summarised() {
        let approved = lines("step", 50_000);
        let mut changed = approved.replacen("step 25000\n", "step twenty-five thousand\n", 1);
        let shown = diff(&approved, &changed);
        assert!(
            shown.contains("-step 25000\n+step twenty-five thousand\n"),
            "{shown}"
        );
        changed.push_str("one more\n");
        assert!(diff(&approved, &changed).contains("+one more\n"));
        let unrelated = lines("other", 50_000);
        assert_eq!(
            diff(&approved, &unrelated),
            "--- approved\n+++ this run\n100000 lines differ, from line 1 on (50000 lines \
             approved, 50000 in this run): too many to show, compare the files\n"
        );
        let at_bound = lines("other", MAX_DIFF_LINES / 2);
        assert!(diff(&lines("step", MAX_DIFF_LINES / 2), &at_bound)
            .starts_with("--- approved\n+++ this run\n@@"));
    }
}
