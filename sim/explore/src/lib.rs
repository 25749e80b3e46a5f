//! `hybridsim explore`: random fault schedules over the simulated world, in the manner of
//! deterministic-simulation testing. Each run draws a schedule from its seed (a flow, a
//! phone profile, a desktop, radio conditions, any combination of catalogued faults at
//! random steps, clock offsets and silent parties among them), runs it as a scenario file
//! through the scenario runner, and checks the invariants of [`Invariant`] on it. A
//! violation is shrunk to a minimal schedule and can be written as a scenario file that
//! `hybridsim run` accepts and that reproduces it.
//!
//! No wall clock inside: [`Explorer::run_batch`] runs the next runs, and the caller decides
//! when to stop (after a number of runs, or, in the CLI, after a number of seconds checked
//! between batches). The same seed and pool give the same runs, whatever the thread count.
//!
//! - [`schedule`]: what a run is made of, and drawing one from a seed.
//! - [`scenario`]: a schedule as scenario text.
//! - [`check`](mod@check): executing a run and checking the invariants ([`invariant`]).
//! - [`shrink`]: making a violating schedule minimal.
//! - [`report`]: the JSON report and the lines for a terminal.
//! - [`command`]: `hybridsim explore`'s options and run.

pub mod check;
pub mod command;
pub mod invariant;
pub mod report;
pub mod scenario;
pub mod schedule;
pub mod shrink;

pub use check::CannotRun;
pub use invariant::{Breach, Invariant};
pub use schedule::{DesktopChoice, Flow, Pool, Schedule};

use check::{check, observe, Observation};
use std::num::NonZeroUsize;

/// Runs per batch: [`Explorer::run_until`] asks for more time between batches.
pub const BATCH: u64 = 64;

/// How to explore.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The exploration's seed: run `i` draws its schedule from `run_seed(seed, i)`.
    pub seed: u64,
    /// What schedules are drawn from.
    pub pool: Pool,
    /// Threads running schedules side by side.
    pub threads: NonZeroUsize,
    /// Schedules a shrink may try per violation.
    pub shrink_budget: usize,
}

impl Options {
    /// Seed `seed`, the default pool, one thread per core, 200 shrinking tries.
    pub fn new(seed: u64) -> Options {
        Options {
            seed,
            pool: Pool::default(),
            threads: std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
            shrink_budget: 200,
        }
    }
}

/// A violation found, shrunk.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The seed of the run that found it (the schedule it drew is `original`).
    pub run_seed: u64,
    /// The schedule as drawn.
    pub original: Schedule,
    /// The smallest schedule found that still breaks the same invariant.
    pub schedule: Schedule,
    /// The breach the shrunk schedule shows.
    pub breach: Breach,
    /// A scenario file reproducing it, ready to commit.
    pub scenario: String,
}

/// An exploration in progress.
#[derive(Debug)]
pub struct Explorer {
    options: Options,
    next: u64,
    ceremonies: u64,
    violations: Vec<Violation>,
}

/// What one run came to.
struct RunResult {
    ceremonies: u64,
    found: Option<Violation>,
}

impl Explorer {
    /// An exploration that has not run yet.
    pub fn new(options: Options) -> Explorer {
        Explorer {
            options,
            next: 0,
            ceremonies: 0,
            violations: Vec::new(),
        }
    }

    /// Runs so far.
    pub fn runs(&self) -> u64 {
        self.next
    }

    /// Ceremonies executed so far (every execution of every ceremony step: a run executes
    /// its scenario three times, see [`check`](mod@check)).
    pub fn ceremonies(&self) -> u64 {
        self.ceremonies
    }

    /// The violations found so far, in run order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Runs until `runs` runs are made (when given) or `more_time` says no (asked between
    /// batches of [`BATCH`] runs; the CLI's wall-clock budget).
    pub fn run_until(
        &mut self,
        runs: Option<u64>,
        mut more_time: impl FnMut() -> bool,
    ) -> Result<(), CannotRun> {
        loop {
            let batch = match runs {
                Some(n) => n.saturating_sub(self.next).min(BATCH),
                None if more_time() => BATCH,
                None => 0,
            };
            if batch == 0 {
                return Ok(());
            }
            self.run_batch(batch)?;
        }
    }

    /// Runs the next `count` runs, spread over the threads; results are kept in run order.
    pub fn run_batch(&mut self, count: u64) -> Result<(), CannotRun> {
        let first = self.next;
        let threads = u64::try_from(self.options.threads.get())
            .unwrap_or(1)
            .max(1);
        let options = &self.options;
        let mut results: Vec<(u64, Result<RunResult, CannotRun>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        (first + t..first + count)
                            .step_by(usize::try_from(threads).unwrap_or(1))
                            .map(|i| (i, one_run(options, i)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        results.sort_by_key(|(i, _)| *i);
        if u64::try_from(results.len()).unwrap_or(0) != count {
            return Err(CannotRun("a worker thread died".to_owned()));
        }
        for (_, result) in results {
            let result = result?;
            self.ceremonies += result.ceremonies;
            self.violations.extend(result.found);
        }
        self.next = first + count;
        Ok(())
    }
}

/// Ceremony steps executed in an observation.
fn ceremonies_in(observation: &Observation) -> u64 {
    let count = |steps: &[hybridsim_scenario::run::StepResult]| {
        steps.iter().filter(|s| s.parties.is_some()).count()
    };
    // The third execution is the revealing one, or the hiding one for a scenario that
    // reveals: either way as many ceremonies as the first.
    let n = count(&observation.default) + count(&observation.replay) + count(&observation.revealed);
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Run `index`: draw, execute, check, and shrink what breaks.
fn one_run(options: &Options, index: u64) -> Result<RunResult, CannotRun> {
    let run_seed = schedule::run_seed(options.seed, index);
    let drawn = options.pool.draw(run_seed);
    let scenario = scenario::to_scenario(&drawn).map_err(|e| CannotRun(e.to_string()))?;
    let (ceremonies, breaches) = match observe(&scenario) {
        Ok(observation) => (ceremonies_in(&observation), check(&observation)),
        Err(Ok(panic)) => (0, vec![panic]),
        Err(Err(cannot)) => return Err(cannot),
    };
    let Some(first) = breaches.into_iter().next() else {
        return Ok(RunResult {
            ceremonies,
            found: None,
        });
    };
    let plain = options.pool.phones.first().map_or("ios16", String::as_str);
    let (schedule, breach) = shrink::shrink(&drawn, &first, plain, options.shrink_budget);
    let scenario = scenario_file(&schedule, &breach);
    Ok(RunResult {
        ceremonies,
        found: Some(Violation {
            run_seed,
            original: drawn,
            schedule,
            breach,
            scenario,
        }),
    })
}

/// The scenario file of a (shrunk) violation: its breach as the `about` line, each step
/// expecting what the violating run did.
pub fn scenario_file(schedule: &Schedule, breach: &Breach) -> String {
    let about = format!("explore: {breach}");
    let observed = scenario::to_scenario(schedule)
        .ok()
        .and_then(|s| check::observe(&s).ok())
        .map(|o| o.default);
    scenario::to_toml(schedule, &about, observed.as_deref())
}
