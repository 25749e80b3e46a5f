//! `hybridsim matrix`: every desktop × phone × flow in the simulated world
//! (`hybridsim_matrix` does the work and the reports, and its `MatrixOptions` are the
//! arguments; this sets the worker count and prints).

use crate::failure::{Failure, OrFail, Outcome};
use hybridsim_matrix::{run_command, MatrixOptions};

/// Runs the command on every core.
pub fn run(mut options: MatrixOptions) -> Outcome {
    options.jobs = std::thread::available_parallelism().map_or(1, usize::from);
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
