//! `hybridsim run [PATHS…]`: runs scenario files (default `scenarios/`) in parallel, shows
//! progress (a bar on a terminal, one line per scenario otherwise), ends with a summary
//! table and writes the reports asked for. Exit 0 when everything passed, 1 when an
//! expectation or an approved trace did not hold, 2 for a scenario file that does not load
//! or bad arguments.

use crate::failure::{Failure, OrFail, Outcome};
use crate::real_tunnel::SocketDriver;
use clap::Args;
use hybridsim_scenario::reports::ReportPaths;
use hybridsim_scenario::suite::{self, ScenarioResult, SuiteOptions};
use hybridsim_scenario::summary::{self, SuiteFailure};
use hybridsim_scenario::{approve::TraceApproval, capture, schema};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// `hybridsim run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or folders (searched recursively for *.toml).
    #[arg(value_name = "PATHS", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// `--filter`, `--seed`, `--shard`, `--accept`, `--tunnel`.
    #[command(flatten)]
    pub suite: SuiteOptions,
    /// `--junit`, `--json`, `--html`.
    #[command(flatten)]
    pub reports: ReportPaths,
    /// Append every ceremony's secrets to this key log (created with mode 0600), each
    /// session under a `#` line naming its scenario and step.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Write one pcapng capture per scenario into DIR (DIR/<id>.pcapng, `/` as `__`),
    /// each holding the scenario's ceremonies one after the other.
    #[arg(long, value_name = "DIR")]
    pub pcapng: Option<PathBuf>,
    /// Run every scenario with this desktop profile (a built-in name or a TOML file)
    /// instead of its own; approved traces are then not compared.
    #[arg(long, value_name = "NAME|FILE")]
    pub desktop_profile: Option<String>,
    /// How many scenarios run at once (default: the cores available).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print the JSON Schema of the scenario format and exit.
    #[arg(long)]
    pub print_schema: bool,
}

/// Runs the command.
pub fn run(args: RunArgs) -> Outcome {
    if args.print_schema {
        print!("{}", schema::schema_json());
        return Ok(());
    }
    let mut options = args.suite.clone();
    options.driver = Some(Arc::new(SocketDriver));
    options.record_sessions = args.keylog.is_some() || args.pcapng.is_some();
    options.desktop_profile =
        hybridsim_scenario::builtin::desktop_arg(args.desktop_profile.as_deref())
            .map_err(Failure::bad_input)?;
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    let selected = suite::discover_selected(&args.paths, &options).or_bad_input()?;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let total = selected.len();
    let results = suite::run_suite(&selected, &options, |result, done| {
        progress(result, done, total, terminal);
    });
    if terminal {
        eprint!("\r\x1b[2K");
    }
    let wall = started.elapsed();
    for result in &results {
        if let TraceApproval::Written(diff) = &result.trace {
            if !diff.is_empty() {
                say!("accepted the trace of {}:\n{diff}", result.id);
            }
        }
    }
    crate::output::lines(summary::table(&results, wall));
    write_reports(&args, &results)?;
    let (counts, verdict) = summary::suite_verdict(&results);
    say!("{counts}");
    verdict.map_err(|e| match e {
        SuiteFailure::Unloadable(_) => Failure::bad_input(e.to_string()),
        SuiteFailure::Failed(_) => Failure::no_match(e.to_string()),
    })
}

fn progress(result: &ScenarioResult, done: usize, total: usize, terminal: bool) {
    if !terminal {
        say!("{}", summary::progress_line(result));
        return;
    }
    let mut err = std::io::stderr().lock();
    if !result.passed() {
        let _ = write!(err, "\r\x1b[2KFAIL {}\n", result.id);
    }
    let bar = summary::progress_bar(done, total, &result.id);
    let _ = write!(err, "\r\x1b[2K{bar}");
    let _ = err.flush();
}

fn write_reports(args: &RunArgs, results: &[ScenarioResult]) -> Outcome {
    for (kind, path) in args.reports.write(results).or_environment()? {
        say!("{kind}: {}", path.display());
    }
    let (keylog, pcapng) = (args.keylog.as_deref(), args.pcapng.as_deref());
    capture::write(results, keylog, pcapng)?;
    Ok(())
}
