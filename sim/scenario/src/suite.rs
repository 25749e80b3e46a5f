//! A suite: the scenario files under some paths, filtered and sharded, run in parallel on
//! the cores available, each with its trace approval.
//!
//! Sharding is by position in the sorted list of scenario ids (`faults/ws-split`): shard K
//! of N takes the ids at positions K-1, K-1+N, … Every machine of a CI matrix that has the
//! same checkout computes the same list, so N shards run each scenario exactly once and
//! differ in size by at most one.

use crate::approve::{self, TraceApproval};
use crate::load;
use crate::run::{self, StepResult, TunnelDriver};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A scenario file and its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScenarioFile {
    /// The path relative to the folder it was found in, without `.toml`, with `/`
    /// separators (`faults/ws-split`); for a file given directly, its path without `.toml`.
    pub id: String,
    /// Where it is.
    pub path: PathBuf,
}

/// How to run a suite. Under the `clap` feature the fields a user sets are also `hybridsim
/// run`'s flags (their docs are its help); the command fills in the others.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SuiteOptions {
    /// Only scenarios whose id (path under the folder, without .toml) contains TEXT.
    #[cfg_attr(feature = "clap", arg(long, value_name = "TEXT"))]
    pub filter: Option<String>,
    /// Run every scenario with this seed instead of its own (approved traces are then not
    /// compared: other seeds give other bytes).
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub seed: Option<u64>,
    /// Run only shard K of N (1-based): shards split the sorted scenario list so that N CI
    /// machines with --shard 1/N … N/N run every scenario exactly once.
    #[cfg_attr(feature = "clap", arg(long, value_name = "K/N", value_parser = shard_arg))]
    pub shard: Option<(usize, usize)>,
    /// Rewrite each scenario's approved trace (NAME.trace.jsonl) with this run's, printing
    /// the diff, instead of failing when they differ.
    #[cfg_attr(feature = "clap", arg(long))]
    pub accept: bool,
    /// How many scenarios run at once.
    #[cfg_attr(feature = "clap", arg(skip = default_jobs()))]
    pub jobs: usize,
    /// Run every ceremony over this real tunnel server (ws://HOST:PORT or wss://HOST[:PORT],
    /// e.g. `hybridsim tunnel serve` or a deployment) instead of the simulated one. Faults
    /// need the simulated world and fail such steps; approved traces are not compared.
    #[cfg_attr(feature = "clap", arg(long, value_name = "URL"))]
    // The doc is also `--help` text: `[:PORT]` is an optional part, not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    pub tunnel: Option<String>,
    /// The socket driver that runs ceremonies over real tunnel servers (`tunnel`, or a
    /// scenario's own `[tunnel] server`); without one such scenarios fail to run.
    #[cfg_attr(feature = "clap", arg(skip))]
    pub driver: Option<Arc<dyn TunnelDriver>>,
    /// Record every ceremony's session ([`crate::run::StepResult::session`]) for key logs
    /// and captures ([`crate::capture`]).
    #[cfg_attr(feature = "clap", arg(skip))]
    pub record_sessions: bool,
    /// Run every scenario with this desktop profile (a built-in name or an absolute path)
    /// instead of its own `[desktop] profile`; approved traces are then not compared.
    #[cfg_attr(feature = "clap", arg(skip))]
    pub desktop_profile: Option<String>,
}

/// The cores available: how many scenarios run at once unless told otherwise.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for SuiteOptions {
    fn default() -> Self {
        SuiteOptions {
            filter: None,
            seed: None,
            shard: None,
            accept: false,
            jobs: default_jobs(),
            tunnel: None,
            desktop_profile: None,
            driver: None,
            record_sessions: false,
        }
    }
}

/// The result of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    /// Its id.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// The file's `about` line (empty when it did not load).
    pub about: String,
    /// The seed it ran with.
    pub seed: u64,
    /// The steps' results.
    pub steps: Vec<StepResult>,
    /// Why it could not run at all (a file that does not load, a profile that does not).
    pub error: Option<String>,
    /// The trace approval.
    pub trace: TraceApproval,
    /// Wall time it took.
    pub wall: Duration,
}

impl ScenarioResult {
    /// Whether it loaded, every step passed and the trace is the approved one.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.steps.iter().all(StepResult::passed) && self.trace.passed()
    }

    /// Every problem, one line each, for summaries.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self.error.iter().cloned().collect();
        for step in &self.steps {
            for failure in &step.failures {
                out.push(format!("step {} ({}): {failure}", step.number, step.name));
            }
        }
        if let Some(problem) = self.trace.problem() {
            out.push(problem);
        }
        out
    }
}

/// Why paths cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DiscoverError(pub String);

/// Every `*.toml` file under `paths` (files or folders, recursively), sorted by id.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<ScenarioFile>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, path, &mut files, &mut BTreeSet::new())?;
        } else if path.is_file() {
            let text = path.to_string_lossy().replace('\\', "/");
            let id = text.trim_start_matches("./").trim_end_matches(".toml");
            files.push(ScenarioFile {
                id: id.to_owned(),
                path: path.clone(),
            });
        } else {
            return Err(DiscoverError(format!(
                "{}: no such file or folder",
                path.display()
            )));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Collects the `*.toml` files under `dir`. Folders are followed through symbolic links,
/// each (by its canonical path) once: a link back up the tree is not a loop. Not scenarios,
/// so skipped: folders named `profiles` (phone and desktop profiles scenarios name by path)
/// and `*-expectations.toml` files (the interop matrix's expectations).
fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<ScenarioFile>,
    visited: &mut BTreeSet<PathBuf>,
) -> Result<(), DiscoverError> {
    let canonical = std::fs::canonicalize(dir)
        .map_err(|e| DiscoverError(format!("cannot read {}: {e}", dir.display())))?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| DiscoverError(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| DiscoverError(format!("cannot read {}: {e}", dir.display())))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "profiles" {
                walk(root, &path, out, visited)?;
            }
        } else if path.extension().is_some_and(|e| e == "toml")
            && !name.ends_with("-expectations.toml")
        {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let id = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(ScenarioFile { id, path });
        }
    }
    Ok(())
}

/// Why a `K/N` shard text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// No `/` between K and N.
    #[error("expected K/N, e.g. 2/4")]
    NoSlash,
    /// K or N is not a number.
    #[error("K and N must be numbers")]
    NotANumber,
    /// Not 1 <= K <= N.
    #[error("expected 1 <= K <= N")]
    OutOfRange,
}

/// `--shard K/N`: [`parse_shard`], the text echoed in the error.
#[cfg(feature = "clap")]
fn shard_arg(text: &str) -> Result<(usize, usize), String> {
    parse_shard(text).map_err(|e| format!("{}: {e}", hybridsim_proto::echo::shown(text)))
}

/// Reads a `K/N` shard (1-based: shards 1/N … N/N together run every scenario once).
pub fn parse_shard(text: &str) -> Result<(usize, usize), ShardError> {
    let (k, n) = text.split_once('/').ok_or(ShardError::NoSlash)?;
    let number = |t: &str| t.parse::<usize>().map_err(|_| ShardError::NotANumber);
    let (k, n) = (number(k)?, number(n)?);
    if n == 0 || k == 0 || k > n {
        return Err(ShardError::OutOfRange);
    }
    Ok((k, n))
}

/// Shard `k` of `n` (1-based) of a sorted list.
pub fn shard(files: &[ScenarioFile], k: usize, n: usize) -> Vec<ScenarioFile> {
    files
        .iter()
        .enumerate()
        .filter(|(i, _)| n > 0 && i % n == k.wrapping_sub(1))
        .map(|(_, f)| f.clone())
        .collect()
}

/// The files the options select: the shard, then the filter.
pub fn select(files: &[ScenarioFile], options: &SuiteOptions) -> Vec<ScenarioFile> {
    let sharded = match options.shard {
        Some((k, n)) => shard(files, k, n),
        None => files.to_vec(),
    };
    sharded
        .into_iter()
        .filter(|f| {
            options
                .filter
                .as_ref()
                .is_none_or(|text| f.id.contains(text.as_str()))
        })
        .collect()
}

/// Why a suite has nothing to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A path cannot be read.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// Scenario files were found but the shard and the filter left none of them.
    #[error("no scenario to run: {found} file(s) found under {paths}, none selected")]
    NoneSelected {
        /// How many files were found.
        found: usize,
        /// The paths searched, comma-separated.
        paths: String,
    },
}

/// The scenario files under `paths` that `options` select ([`discover`], then [`select`]);
/// an error when none is left, so that a mistyped filter or shard does not pass as a run.
pub fn discover_selected(
    paths: &[PathBuf],
    options: &SuiteOptions,
) -> Result<Vec<ScenarioFile>, SelectError> {
    let files = discover(paths)?;
    let selected = select(&files, options);
    if selected.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let (found, paths) = (files.len(), shown.join(", "));
        return Err(SelectError::NoneSelected { found, paths });
    }
    Ok(selected)
}

/// Runs one scenario file.
pub fn run_one(file: &ScenarioFile, options: &SuiteOptions) -> ScenarioResult {
    let started = Instant::now();
    let mut result = ScenarioResult {
        id: file.id.clone(),
        path: file.path.clone(),
        about: String::new(),
        seed: options.seed.unwrap_or(0),
        steps: Vec::new(),
        error: None,
        trace: TraceApproval::NotChecked,
        wall: Duration::ZERO,
    };
    match load::load(&file.path) {
        Err(e) => result.error = Some(e.to_string()),
        Ok(mut scenario) => {
            if let Some(profile) = &options.desktop_profile {
                scenario.desktop.profile = Some(profile.clone());
            }
            result.about = scenario.about.clone();
            let seed = options.seed.unwrap_or(scenario.world.seed);
            result.seed = seed;
            let dir = file.path.parent().unwrap_or(Path::new("."));
            let real = (options.tunnel.as_deref(), options.driver.as_deref());
            match run::run_scenario_with(&scenario, dir, seed, real, options.record_sessions) {
                Err(e) => result.error = Some(format!("{}: {e}", file.path.display())),
                Ok(steps) => {
                    result.steps = steps;
                    // Other seeds give other bytes, and real sockets other timings.
                    let real = options.tunnel.is_some() || scenario.tunnel.real().is_some();
                    let overridden = options.seed.is_some() || options.desktop_profile.is_some();
                    if !overridden && !real {
                        result.trace = approve::check(&file.path, &result.steps, options.accept);
                    }
                }
            }
        }
    }
    result.wall = started.elapsed();
    result
}

/// Runs the files on `options.jobs` threads. `on_done` sees each result as it finishes
/// (with how many are done so far); the returned list is in the files' order.
pub fn run_suite(
    files: &[ScenarioFile],
    options: &SuiteOptions,
    mut on_done: impl FnMut(&ScenarioResult, usize),
) -> Vec<ScenarioResult> {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, ScenarioResult)>();
    let workers = options.jobs.clamp(1, files.len().max(1));
    let mut results: Vec<Option<ScenarioResult>> = vec![None; files.len()];
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else {
                    break;
                };
                if sender.send((i, run_one(file, options))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut done = 0;
        for (i, result) in receiver {
            done += 1;
            on_done(&result, done);
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(n: usize) -> Vec<ScenarioFile> {
        let mut files: Vec<ScenarioFile> = (0..n)
            .map(|i| ScenarioFile {
                id: format!("group-{}/scenario-{i:02}", i % 3),
                path: PathBuf::from(format!("{i}.toml")),
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn shards_partition_the_suite_exactly() {
        for total in [0, 1, 5, 44, 45] {
            let all = files(total);
            for n in 1..=6 {
                let mut seen: Vec<ScenarioFile> = Vec::new();
                for k in 1..=n {
                    let part = shard(&all, k, n);
                    assert!(part.len() <= total / n + 1, "shard {k}/{n} of {total}");
                    assert!(part.len() + 1 >= total / n, "shard {k}/{n} of {total}");
                    seen.extend(part);
                }
                seen.sort();
                assert_eq!(seen, all, "{n} shards of {total}");
            }
        }
    }

    #[test]
    fn the_shipped_suite_shards_exactly() {
        let dir = PathBuf::from(format!("{}/../../scenarios", env!("CARGO_MANIFEST_DIR")));
        let all = discover(&[dir]).unwrap();
        assert!(all.len() >= 40, "{}", all.len());
        for n in [2, 3, 7] {
            let mut ids: Vec<String> = (1..=n)
                .flat_map(|k| shard(&all, k, n))
                .map(|f| f.id)
                .collect();
            let before = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(before, ids.len(), "a scenario in two shards");
            assert_eq!(ids, all.iter().map(|f| f.id.clone()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn out_of_range_shards_are_empty() {
        assert!(shard(&files(10), 0, 3).is_empty());
        assert!(shard(&files(10), 4, 3).is_empty());
        assert!(shard(&files(10), 1, 0).is_empty());
    }

    #[test]
    fn the_filter_applies_after_the_shard() {
        let all = files(9);
        let options = SuiteOptions {
            filter: Some("group-1".into()),
            shard: Some((1, 2)),
            ..SuiteOptions::default()
        };
        let picked = select(&all, &options);
        assert!(picked.iter().all(|f| f.id.contains("group-1")));
        assert!(picked.iter().all(|f| shard(&all, 1, 2).contains(f)));
    }
}
