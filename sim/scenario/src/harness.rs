//! `cargo test` integration: one libtest trial per scenario file, so that `cargo test` and
//! `cargo nextest` list, filter and report scenarios like any other test.
//!
//! A crate runs a folder of scenarios with a test target that has `harness = false` and a
//! `main` that calls [`main`] with the folder, e.g.
//! `hybridsim_scenario::harness::main(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))`
//! (see `sim/scenario/tests/scenarios.rs`).

use crate::suite::{discover, run_one, SuiteOptions};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;

/// The trials for every scenario under `dir`, named by their ids.
pub fn trials(dir: &str) -> Vec<Trial> {
    let files = match discover(&[PathBuf::from(dir)]) {
        Ok(files) => files,
        Err(e) => {
            let message = e.to_string();
            return vec![Trial::test("discover scenarios", move || {
                Err(Failed::from(message))
            })];
        }
    };
    files
        .into_iter()
        .map(|file| {
            let name = file.id.clone();
            Trial::test(name, move || {
                let options = SuiteOptions {
                    jobs: 1,
                    ..SuiteOptions::default()
                };
                let result = run_one(&file, &options);
                if result.passed() {
                    Ok(())
                } else {
                    Err(Failed::from(result.problems().join("\n")))
                }
            })
        })
        .collect()
}

/// Parses libtest's arguments, runs the scenarios under `dir` as trials and exits.
pub fn main(dir: &str) -> ! {
    let arguments = Arguments::from_args();
    libtest_mimic::run(&arguments, trials(dir)).exit()
}
