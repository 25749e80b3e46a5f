//! `hybridsim explore`: its arguments; `hybridsim_explore::command` does the work, and the
//! wall clock it is handed is read here.

use crate::failure::{Failure, Outcome};
use clap::Args;
use hybridsim_explore::command::{run as explore, CommandError as E, ExploreOptions};
use std::path::PathBuf;

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
    /// Desktops to draw from: shipped desktop profiles (chrome-stable, chrome-150-linux,
    /// safari-macos, windows-11, libwebauthn, webauthn-rs) or knobs on hybridsim's own desktop
    /// (chromium, lenient, detect); default all of them.
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

/// Runs `hybridsim explore`: exit 1 on an invariant violation.
pub fn run(args: ExploreArgs) -> Outcome {
    let options = ExploreOptions {
        seconds: args.seconds,
        runs: args.runs,
        seed: args.seed,
        desktop: args.desktop,
        phone: args.phone,
        max_faults: args.max_faults,
        json: args.json,
        out: args.out,
    };
    let started = std::time::Instant::now();
    let clock = || started.elapsed().as_secs_f64();
    explore(&options, clock, |l| say!("{l}")).map_err(|e| match e {
        E::Violations(_) => Failure::no_match(e.to_string()),
        E::BadInput(_) => Failure::bad_input(e.to_string()),
        E::Environment(_) => Failure::environment(e.to_string()),
    })
}
