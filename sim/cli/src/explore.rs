//! `hybridsim explore`: `hybridsim_explore::command` does the work and its `ExploreOptions`
//! are the arguments; the wall clock it is handed is read here.

use crate::failure::{Failure, Outcome};
use hybridsim_explore::command::{run as explore, CommandError as E, ExploreOptions};

/// Runs `hybridsim explore`: exit 1 on an invariant violation.
pub fn run(options: ExploreOptions) -> Outcome {
    let started = std::time::Instant::now();
    let clock = || started.elapsed().as_secs_f64();
    explore(&options, clock, |l| say!("{l}")).map_err(|e| match e {
        E::Violations(_) => Failure::no_match(e.to_string()),
        E::BadInput(_) => Failure::bad_input(e.to_string()),
        E::Environment(_) => Failure::environment(e.to_string()),
    })
}
