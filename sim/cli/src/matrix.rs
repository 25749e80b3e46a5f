//! `hybridsim matrix`: every desktop × phone × flow in the simulated world
//! (`hybridsim_matrix` does the work and the reports; this only parses arguments).

use crate::failure::{Failure, OrFail, Outcome};
use clap::Args;
use hybridsim_matrix::{run_command, MatrixOptions};
use std::path::PathBuf;

/// `hybridsim matrix`
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Desktop profiles, comma-separated (default: every shipped one).
    #[arg(long, value_name = "A,B…")]
    pub desktop: Option<String>,
    /// Phone profiles, comma-separated (default: every shipped one).
    #[arg(long, value_name = "X,Y…")]
    pub phone: Option<String>,
    /// Flows, comma-separated: register, sign-in, linked (default: all).
    #[arg(long, value_name = "FLOWS")]
    pub flow: Option<String>,
    /// Write {"cells": [...]} here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the HTML grid to DIR/index.html, red cells linked to their sequence diagrams.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The expectations file (scenarios/interop/matrix-expectations.toml): exit 0 when every
    /// cell matches it, 1 otherwise. Without it: exit 1 when any cell failed.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: MatrixArgs) -> Outcome {
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    let options = MatrixOptions {
        desktops: args.desktop,
        phones: args.phone,
        flows: args.flow,
        json: args.json,
        html: args.html,
        junit: args.junit,
        expect: args.expect,
        jobs,
    };
    let run = run_command(&options).or_bad_input()?;
    print!("{}", run.text);
    if run.ok(options.expect.is_some()) {
        Ok(())
    } else {
        Err(Failure::no_match(
            "the matrix does not match its expectations",
        ))
    }
}
