//! `hybridsim rp check URL`: runs `hybridsim-rp-http`'s checks (full hybrid ceremonies
//! against an RP serving the FIDO2 conformance API), prints the table and writes its JUnit.
//! Exit 1 if a check failed, 3 if the RP cannot be reached.

use crate::args::RpCheck;
use crate::builtin;
use crate::failure::{Failure, OrFail, Outcome};
use hybridsim_rp_http::CheckError;
use hybridsim_world::ceremony::PhoneState;
use hybridsim_world::world::derive_seed;

/// Runs every check against `args.url`.
pub fn check(args: &RpCheck) -> Outcome {
    let profile = builtin::load_phone(&args.profile, std::path::Path::new("."))
        .map_err(Failure::bad_input)?;
    let phone = PhoneState::from_profile(
        &profile.toml,
        builtin::attestation_file,
        derive_seed(args.options.seed, b"rp check authenticator"),
    )
    .or_bad_input()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::environment(format!("cannot start the async runtime: {e}")))?;
    let report = runtime
        .block_on(hybridsim_rp_http::check(&args.url, phone, &args.options))
        .map_err(|e| match e {
            CheckError::Setup(_) => Failure::bad_input(e.to_string()),
            CheckError::Unreachable(_) => Failure::environment(e.to_string()),
        })?;
    crate::output::lines(report.to_lines());
    if let Some(path) = &args.junit {
        crate::output::write_file(path, report.to_junit_xml())?;
    }
    report
        .shortfall()
        .map_or(Ok(()), |s| Err(Failure::no_match(s)))
}
