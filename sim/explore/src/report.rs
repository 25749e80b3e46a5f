//! The report of an exploration: the JSON `--json` writes, the lines a terminal shows, and
//! the scenario files `--out` gets.

use crate::{Explorer, Violation};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One violation in the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationJson {
    /// The seed of the run that found it.
    pub seed: u64,
    /// The shrunk schedule.
    pub schedule: crate::Schedule,
    /// The invariant broken.
    pub invariant: crate::Invariant,
    /// What was seen.
    pub detail: String,
    /// The scenario file written for it (`null` without `--out`).
    pub scenario_file: Option<String>,
}

/// The JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Runs made.
    pub runs: u64,
    /// Violations found, in run order.
    pub violations: Vec<ViolationJson>,
    /// Runs per second of wall time.
    pub runs_per_second: f64,
    /// Fault-injected ceremonies executed (each run executes its scenario three times).
    pub ceremonies: u64,
    /// Ceremonies per second of wall time.
    pub ceremonies_per_second: f64,
    /// The exploration's seed.
    pub seed: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Why the scenario files could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The error.
    pub source: std::io::Error,
}

/// The file name of a violation's scenario: invariant and run seed.
pub fn file_name(violation: &Violation) -> String {
    format!(
        "explore-{}-{}.toml",
        violation.breach.invariant.name(),
        violation.run_seed
    )
}

/// Writes each violation's scenario file into `dir` (created if missing), returning the
/// paths in violation order.
pub fn write_scenarios(explorer: &Explorer, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let error = |path: &Path| {
        let path = path.to_owned();
        move |source| WriteError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(error(dir))?;
    let mut paths = Vec::new();
    for violation in explorer.violations() {
        let path = dir.join(file_name(violation));
        std::fs::write(&path, &violation.scenario).map_err(error(&path))?;
        paths.push(path);
    }
    Ok(paths)
}

/// The report of `explorer` after `seconds` of wall time; `files` are the written scenario
/// files (from [`write_scenarios`]), if any.
pub fn report(explorer: &Explorer, seconds: f64, files: &[PathBuf]) -> Report {
    let per_second = |n: u64| {
        // Counts stay far below 2^52: exact as f64.
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        if seconds > 0.0 {
            (n / seconds * 10.0).round() / 10.0
        } else {
            0.0
        }
    };
    Report {
        runs: explorer.runs(),
        violations: explorer
            .violations()
            .iter()
            .enumerate()
            .map(|(i, v)| ViolationJson {
                seed: v.run_seed,
                schedule: v.schedule.clone(),
                invariant: v.breach.invariant,
                detail: v.breach.to_string(),
                scenario_file: files.get(i).map(|p| p.display().to_string()),
            })
            .collect(),
        runs_per_second: per_second(explorer.runs()),
        ceremonies: explorer.ceremonies(),
        ceremonies_per_second: per_second(explorer.ceremonies()),
        seed: explorer.options().seed,
        seconds: (seconds * 100.0).round() / 100.0,
    }
}

/// The report of a finished exploration, with each violation's scenario written into
/// `out` first when given.
pub fn finish(explorer: &Explorer, seconds: f64, out: Option<&Path>) -> Result<Report, WriteError> {
    let files = match out {
        Some(dir) => write_scenarios(explorer, dir)?,
        None => Vec::new(),
    };
    Ok(report(explorer, seconds, &files))
}

impl Report {
    /// The report as JSON text.
    pub fn to_json(&self) -> String {
        // Plain fields and finite numbers: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The lines for a terminal: one per violation (with its schedule and file), then a
    /// summary.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for v in &self.violations {
            lines.push(format!("violation (run seed {}): {}", v.seed, v.detail));
            lines.push(format!("  schedule: {}", v.schedule));
            if let Some(file) = &v.scenario_file {
                lines.push(format!("  scenario: {file}"));
            }
        }
        lines.push(format!(
            "{} runs, {} violations, {} runs/s, {} ceremonies/s (seed {}, {} s)",
            self.runs,
            self.violations.len(),
            self.runs_per_second,
            self.ceremonies_per_second,
            self.seed,
            self.seconds
        ));
        lines
    }
}
