//! Scenario files for hybridsim: a declarative description of a world, its actors and the
//! steps they take, with expectations per step; the runner that executes a suite of them in
//! parallel; trace approval; and reports for people (HTML) and for CI (JUnit XML, JSON).
//!
//! A map of the code:
//!
//! - [`model`]: the format's types (`Scenario`, `Step`, the expectation types).
//! - [`load`](mod@load): TOML in, errors with file, line and key out.
//! - [`schema`]: the JSON Schema generated from [`model`].
//! - [`run`]: one scenario, step by step, through `hybridsim_world::ceremony`.
//! - [`expect`]: expectations against outcomes, compared as typed values ([`term`]).
//! - [`approve`]: the approved-trace files beside each scenario.
//! - [`suite`]: finding, filtering, sharding and running many scenarios in parallel.
//! - [`capture`]: the sessions ceremonies recorded, as a key log and captures per scenario.
//! - [`summary`]: the progress lines and the summary table `hybridsim run` prints.
//! - [`junit`], [`json_report`], [`html`]: reports.
//! - [`flow`]: the three ceremony flows the interop matrix and the explorer run.
//! - [`profile_listing`]: the shipped profiles as `authenticator profiles` lists them.
//! - [`harness`]: `cargo test` integration, one trial per scenario.
//!
//! # Adding a step kind
//!
//! 1. A struct for its keys in [`model`] (`#[serde(deny_unknown_fields)]`, doc comments on
//!    every field: they become the schema's descriptions), with its own expectation type if
//!    it needs one.
//! 2. A variant of [`model::Step`], and its name in `Step::kind`, `Step::label`,
//!    `Step::KINDS` and `Step::check_keys`.
//! 3. A runner function in [`run`] (`Run::step` dispatches to it) returning a
//!    [`run::StepResult`] whose `failures` list the expectations that did not hold.
//! 4. Cross-references (named actors) in `load::validate`.
//! 5. Regenerate the schema: `cargo run -q -p hybridsim-cli -- run --print-schema >
//!    scenarios/scenario.schema.json` (a test compares the two).

pub mod approve;
pub mod builtin;
pub mod capture;
pub mod expect;
pub mod flow;
pub mod harness;
pub mod html;
pub mod json_report;
pub mod junit;
pub mod load;
pub mod model;
pub mod profile_listing;
pub mod reports;
pub mod run;
pub mod schema;
pub mod suite;
pub mod summary;
pub mod term;

pub use load::{load, parse, ScenarioError};
pub use model::Scenario;
pub use suite::{discover, run_suite, ScenarioResult, SuiteOptions};
