//! `hybridsim explore` as a command: what it was asked ([`ExploreOptions`], which under the
//! `clap` feature doubles as the command's arguments) and the run that reports and writes
//! files. The wall clock is handed in by the binary: this crate never reads one.

use crate::{report, Explorer, Options, Pool};
use std::path::PathBuf;

/// What `hybridsim explore` was asked to do; under the `clap` feature, also its arguments (each
/// field's doc is its flag's help). [`Default`] is the command without flags.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ExploreOptions {
    /// Explore for this many seconds (default 10 without --runs).
    #[cfg_attr(feature = "clap", arg(long, value_name = "S", conflicts_with = "runs"))]
    pub seconds: Option<f64>,
    /// Explore exactly this many runs (deterministic: the same seed gives the same runs).
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub runs: Option<u64>,
    /// The exploration's seed.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N", default_value_t = DEFAULT_SEED))]
    pub seed: u64,
    /// Desktops to draw from: shipped desktop profiles (chrome-stable, chrome-150-linux,
    /// safari-macos, windows-11, libwebauthn, webauthn-rs) or knobs on hybridsim's own desktop
    /// (chromium, lenient, detect); default all of them.
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "NAME", value_delimiter = ',')
    )]
    pub desktop: Vec<String>,
    /// Phone profiles to draw from (default every conformant shipped profile).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "NAME", value_delimiter = ',')
    )]
    pub phone: Vec<String>,
    /// At most this many faults per run.
    #[cfg_attr(feature = "clap", arg(long, value_name = "K", default_value_t = DEFAULT_MAX_FAULTS))]
    pub max_faults: usize,
    /// Write the JSON report here.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub json: Option<PathBuf>,
    /// Write a scenario file reproducing each violation into DIR.
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR"))]
    pub out: Option<PathBuf>,
}

/// Default for [`ExploreOptions::seed`].
pub const DEFAULT_SEED: u64 = 1;
/// Default for [`ExploreOptions::max_faults`].
pub const DEFAULT_MAX_FAULTS: usize = 3;

impl Default for ExploreOptions {
    fn default() -> ExploreOptions {
        ExploreOptions {
            seconds: None,
            runs: None,
            seed: DEFAULT_SEED,
            desktop: Vec::new(),
            phone: Vec::new(),
            max_faults: DEFAULT_MAX_FAULTS,
            json: None,
            out: None,
        }
    }
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

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::ExploreOptions;
    use clap::Parser;

    /// `hybridsim explore` with its options flattened, as the binary has it.
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        options: ExploreOptions,
    }

    #[test]
    fn no_flags_give_the_default_options() -> Result<(), clap::Error> {
        let parsed = Wrapper::try_parse_from(["explore"])?;
        assert_eq!(parsed.options, ExploreOptions::default());
        Ok(())
    }

    #[test]
    fn seconds_and_runs_conflict() {
        let parsed = Wrapper::try_parse_from(["explore", "--seconds", "1", "--runs", "2"]);
        assert!(parsed.is_err());
    }
}
