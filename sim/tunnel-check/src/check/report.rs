//! The report of a check: one row per case, shown as an aligned table.

use super::case::Outcome;
use core::fmt;
use hybridsim_sockets::text::format_duration;
use std::time::Duration;

/// One row of a [`CheckReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name, e.g. `relay/boundaries`.
    pub name: String,
    /// Pass, fail, skip or info.
    pub outcome: Outcome,
    /// What was observed, one line.
    pub observed: String,
    /// How long the case took.
    pub duration: Duration,
}

/// What [`check`](super::check()) found: one row per case, in the order run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The target as given.
    pub target: String,
    /// Every case, in order.
    pub cases: Vec<CaseResult>,
    /// The whole run.
    pub duration: Duration,
}

impl CheckReport {
    /// No case failed (skips are fine). The CLI turns this into its exit status.
    pub fn passed(&self) -> bool {
        !self.cases.iter().any(|c| c.outcome == Outcome::Fail)
    }

    /// How many cases ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The row of case `name`, if it ran.
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }
}

impl fmt::Display for CheckReport {
    /// An aligned table (outcome, case, duration, observation) and a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tunnel server conformance: {}", self.target)?;
        let width = self
            .cases
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        for case in &self.cases {
            writeln!(
                f,
                "  {}  {:<width$}  {:>8}  {}",
                case.outcome,
                case.name,
                format_duration(case.duration),
                case.observed,
            )?;
        }
        write!(
            f,
            "{} cases: {} passed, {} failed, {} skipped",
            self.cases.len(),
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Skip),
        )?;
        match self.count(Outcome::Info) {
            0 => {}
            n => write!(f, ", {n} informational")?,
        }
        write!(f, " in {}", format_duration(self.duration))
    }
}
