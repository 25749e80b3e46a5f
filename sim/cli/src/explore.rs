//! `hybridsim explore`: `hybridsim_explore::command` does the work; the wall clock is here.
use crate::failure::{Failure, Outcome};
use hybridsim_explore::command::{run as explore, CommandError as E, ExploreArgs};
/// Runs `hybridsim explore`: exit 1 on an invariant violation.
pub fn run(args: &ExploreArgs) -> Outcome {
    let started = std::time::Instant::now();
    explore(args, || started.elapsed().as_secs_f64(), |l| say!("{l}")).map_err(|e| match e {
        E::Violations(_) => Failure::no_match(e.to_string()),
        E::BadInput(_) => Failure::bad_input(e.to_string()),
        E::Environment(_) => Failure::environment(e.to_string()),
    })
}
