//! What `hybridsim matrix` does: select, run every cell (on every core), compare with the
//! expectations, write the reports. Under the `clap` feature [`MatrixOptions`] doubles as the
//! command's arguments: the CLI parses them, sets the worker count and prints
//! [`MatrixRun::text`].

use crate::cell::{run_cell, Cell};
use crate::expect::{Expectations, Mismatch};
use crate::spec::{Flow, MatrixSpec, SpecError};
use crate::{html, report};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The command's options; under the `clap` feature, also `hybridsim matrix`'s arguments (each
/// field's doc is its flag's help).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct MatrixOptions {
    /// Desktop profiles, comma-separated (default: every shipped one).
    #[cfg_attr(feature = "clap", arg(long = "desktop", value_name = "A,B…"))]
    pub desktops: Option<String>,
    /// Phone profiles, comma-separated (default: every shipped one).
    #[cfg_attr(feature = "clap", arg(long = "phone", value_name = "X,Y…"))]
    pub phones: Option<String>,
    /// Flows, comma-separated: register, sign-in, linked (default: all).
    #[cfg_attr(feature = "clap", arg(long = "flow", value_name = "FLOWS"))]
    pub flows: Option<String>,
    /// Write {"cells": [...]} here.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub json: Option<PathBuf>,
    /// Write the HTML grid to DIR/index.html, red cells linked to their sequence diagrams.
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR"))]
    pub html: Option<PathBuf>,
    /// Write JUnit XML here.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub junit: Option<PathBuf>,
    /// The expectations file (scenarios/interop/matrix-expectations.toml): exit 0 when every
    /// cell matches it, 1 otherwise. Without it: exit 1 when any cell failed.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub expect: Option<PathBuf>,
    /// Worker threads (at least 1; 0 runs on one). Not a flag: the binary sets it to the
    /// machine's cores.
    #[cfg_attr(feature = "clap", arg(skip))]
    pub jobs: usize,
}

/// Why the command could not run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// A bad selection.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// The expectations file does not read or parse.
    #[error("expectations {path}: {error}")]
    Expectations {
        /// The file.
        path: String,
        /// Why.
        error: String,
    },
    /// A report could not be written.
    #[error("cannot write {path}: {error}")]
    Write {
        /// The file or folder.
        path: String,
        /// Why.
        error: std::io::Error,
    },
}

/// A finished run.
#[derive(Debug)]
pub struct MatrixRun {
    /// The cells, in grid order.
    pub cells: Vec<Cell>,
    /// Cells that do not match the expectations (empty without an expectations file).
    pub mismatches: Vec<Mismatch>,
    /// The terminal text: the grids, then the mismatches or failures.
    pub text: String,
}

impl MatrixRun {
    /// Exit 0 when every cell matches the expectations (without them: every cell passed).
    pub fn ok(&self, with_expectations: bool) -> bool {
        if with_expectations {
            self.mismatches.is_empty()
        } else {
            self.cells.iter().all(Cell::passed)
        }
    }
}

/// Runs the cells of `spec` on `jobs` threads, in grid order.
pub fn run_cells(spec: &MatrixSpec, jobs: usize) -> Vec<Cell> {
    let work: Vec<(usize, usize, Flow)> = (0..spec.desktops.len())
        .flat_map(|d| (0..spec.phones.len()).map(move |p| (d, p)))
        .flat_map(|(d, p)| spec.flows.iter().map(move |f| (d, p, *f)))
        .collect();
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(work.len()));
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((d, p, flow)) = work.get(i).copied() else {
                    break;
                };
                let (Some(desktop), Some(phone)) = (spec.desktops.get(d), spec.phones.get(p))
                else {
                    break;
                };
                let cell = run_cell(desktop, phone, flow);
                if let Ok(mut done) = done.lock() {
                    done.push((i, cell));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, c)| c).collect()
}

/// The whole command.
pub fn run_command(options: &MatrixOptions) -> Result<MatrixRun, MatrixError> {
    let spec = MatrixSpec::select(
        options.desktops.as_deref(),
        options.phones.as_deref(),
        options.flows.as_deref(),
    )?;
    let expectations = options
        .expect
        .as_deref()
        .map(load_expectations)
        .transpose()?;
    let cells = run_cells(&spec, options.jobs);
    let mismatches = expectations
        .as_ref()
        .map(|e| e.check(&cells))
        .unwrap_or_default();
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|error| MatrixError::Write {
            path: path.display().to_string(),
            error,
        })
    };
    if let Some(path) = &options.json {
        write(path, format!("{:#}\n", report::to_json(&cells)))?;
    }
    if let Some(path) = &options.junit {
        write(
            path,
            report::junit(&cells, expectations.as_ref(), &mismatches),
        )?;
    }
    if let Some(dir) = &options.html {
        html::write(dir, &spec, &cells, expectations.as_ref()).map_err(|error| {
            MatrixError::Write {
                path: dir.display().to_string(),
                error,
            }
        })?;
    }
    let text = summary(&spec, &cells, expectations.is_some(), &mismatches);
    Ok(MatrixRun {
        cells,
        mismatches,
        text,
    })
}

/// The expectations file, read bounded like every named input.
fn load_expectations(path: &Path) -> Result<Expectations, MatrixError> {
    let error = |error: String| MatrixError::Expectations {
        path: hybridsim_files::shown(path),
        error,
    };
    let text = hybridsim_files::read_text(path, hybridsim_files::MAX_INPUT_BYTES)
        .map_err(|e| error(e.problem.to_string()))?;
    Expectations::from_toml_str(&text).map_err(|e| error(e.to_string()))
}

fn summary(spec: &MatrixSpec, cells: &[Cell], expected: bool, mismatches: &[Mismatch]) -> String {
    let mut text = report::grid(spec, cells);
    let failed = cells.iter().filter(|c| !c.passed()).count();
    text.push_str(&format!("{} cells, {failed} failed", cells.len()));
    if expected {
        text.push_str(&format!(", {} not as expected\n", mismatches.len()));
        for m in mismatches {
            text.push_str(&format!("  {}: {}\n", m.cell, m.what));
        }
    } else {
        text.push('\n');
        for cell in cells {
            if let crate::Verdict::Fail {
                party,
                layer,
                error,
            } = &cell.verdict
            {
                text.push_str(&format!(
                    "  {} × {} × {}: {party}/{layer}: {error}\n",
                    cell.desktop, cell.phone, cell.flow
                ));
            }
        }
    }
    text
}
