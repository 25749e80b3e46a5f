//! `hybridsim explore`: random fault schedules over the simulated world until a number of
//! runs or seconds is reached (`hybridsim_explore` does the work; the wall-clock budget is
//! checked here, between batches). Exit 1 when an invariant was violated.

use crate::failure::{Failure, Outcome};
use clap::Args;
use hybridsim_explore::{report, Explorer, Options, Pool};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `hybridsim explore`
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Explore for this many seconds (default 10 without --runs).
    #[arg(long, value_name = "S", conflicts_with = "runs")]
    pub seconds: Option<f64>,
    /// Explore exactly this many runs (deterministic: the same seed gives the same runs).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// The exploration's seed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Desktops to draw from (chromium, lenient, detect; default all).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub desktop: Vec<String>,
    /// Phone profiles to draw from (default every conformant shipped profile).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub phone: Vec<String>,
    /// At most this many faults per run.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub max_faults: usize,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a scenario file reproducing each violation into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `hybridsim explore`.
pub fn run(args: &ExploreArgs) -> Outcome {
    let seconds = args.seconds.unwrap_or(10.0);
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(Failure::bad_input(format!(
            "--seconds {seconds}: give a positive number"
        )));
    }
    let pool = Pool::named(&args.phone, &args.desktop, args.max_faults)
        .map_err(|e| Failure::bad_input(e.to_string()))?;
    let mut explorer = Explorer::new(Options {
        pool,
        ..Options::new(args.seed)
    });
    let started = Instant::now();
    let budget = Duration::from_secs_f64(seconds.min(1e9));
    explorer
        .run_until(args.runs, || started.elapsed() < budget)
        .map_err(|e| Failure::bad_input(e.to_string()))?;
    let report = report::finish(
        &explorer,
        started.elapsed().as_secs_f64(),
        args.out.as_deref(),
    )
    .map_err(|e| Failure::environment(e.to_string()))?;
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json() + "\n")
            .map_err(|e| Failure::environment(format!("cannot write {}: {e}", path.display())))?;
    }
    for line in report.lines() {
        say!("{line}");
    }
    match report.violations.len() {
        0 => Ok(()),
        n => Err(Failure::no_match(format!("{n} invariant violation(s)"))),
    }
}
