//! The profiles and attestation files shipped in `fixtures/`, built into the binary so that
//! `--profile NAME` works wherever the binary is run (one copy, kept by the scenario crate).

pub use hybridsim_scenario::builtin::{attestation_file, profile, PROFILES};
