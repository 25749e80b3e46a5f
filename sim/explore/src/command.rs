//! `hybridsim explore` as a command: what it was asked ([`ExploreOptions`], which the binary
//! fills from its arguments) and the run that reports and writes files. The wall clock is
//! handed in by the binary: this crate never reads one.

use crate::{report, Explorer, Options, Pool};
use std::path::PathBuf;

/// What `hybridsim explore` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ExploreOptions {
    /// Explore for this many seconds (default 10 without `runs`).
    pub seconds: Option<f64>,
    /// Explore exactly this many runs (deterministic: the same seed gives the same runs).
    pub runs: Option<u64>,
    /// The exploration's seed.
    pub seed: u64,
    /// Desktops to draw from (shipped desktop profiles or knobs on hybridsim's own desktop);
    /// empty: all of them.
    pub desktop: Vec<String>,
    /// Phone profiles to draw from; empty: every conformant shipped profile.
    pub phone: Vec<String>,
    /// At most this many faults per run.
    pub max_faults: usize,
    /// Write the JSON report here.
    pub json: Option<PathBuf>,
    /// Write a scenario file reproducing each violation into this folder.
    pub out: Option<PathBuf>,
}

/// How the command failed: violations found, or it could not do its work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Invariants were violated this many times (exit 1).
    #[error("{0} invariant violation(s)")]
    Violations(usize),
    /// Arguments or a schedule that cannot be used (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// A report or scenario file that cannot be written (exit 3).
    #[error("{0}")]
    Environment(String),
}

/// Runs the exploration `args` asks for. `clock` gives the seconds since the command
/// started (read between batches for `--seconds`, and for the rates); `say` prints a line.
/// Violations are an error too: [`CommandError::Violations`].
pub fn run(
    args: &ExploreOptions,
    clock: impl Fn() -> f64,
    mut say: impl FnMut(&str),
) -> Result<(), CommandError> {
    let seconds = args.seconds.unwrap_or(10.0);
    if !(seconds.is_finite() && seconds > 0.0) {
        let message = format!("--seconds {seconds}: give a positive number");
        return Err(CommandError::BadInput(message));
    }
    let pool = Pool::named(&args.phone, &args.desktop, args.max_faults)
        .map_err(|e| CommandError::BadInput(e.to_string()))?;
    let mut explorer = Explorer::new(Options {
        pool,
        ..Options::new(args.seed)
    });
    explorer
        .run_until(args.runs, || clock() < seconds)
        .map_err(|e| CommandError::BadInput(e.to_string()))?;
    let report = report::finish(&explorer, clock(), args.out.as_deref())
        .map_err(|e| CommandError::Environment(e.to_string()))?;
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json() + "\n").map_err(|e| {
            CommandError::Environment(format!("cannot write {}: {e}", path.display()))
        })?;
    }
    for line in report.lines() {
        say(&line);
    }
    match report.violations.len() {
        0 => Ok(()),
        n => Err(CommandError::Violations(n)),
    }
}
