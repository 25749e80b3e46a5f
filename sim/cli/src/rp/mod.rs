//! `hybridsim rp …`: a strict relying party on the command line.
//!
//! The options file the RP issued carries what the checks need (RP ID, challenge, user,
//! UV requirement, algorithms, excluded and allowed credentials), so no RP session is kept.
//! A response that fails a check exits 1 naming the check; unreadable input exits 2.

pub mod args;

use crate::failure::{Failure, Outcome};
use crate::input::parsed;
use crate::json;
use args::{VerifyAuthentication, VerifyCommand, VerifyRegistration};
use hybridsim_webauthn::json::{
    AuthenticationResponseJson, CreationOptionsJson, RegistrationResponseJson, RequestOptionsJson,
};
use hybridsim_webauthn::rp::{AuthenticationState, RegisteredCredential, RegistrationState};
use hybridsim_webauthn::verify::{
    self, relying_party, OriginError, AUTHENTICATION_CHECKS, REGISTRATION_CHECKS,
};
use hybridsim_webauthn::x509::pem_to_der;

/// Runs one `rp verify-…` command (`rp serve` and `rp check` are dispatched by `main`, so
/// that they and this module do not import each other).
pub fn run(command: VerifyCommand) -> Outcome {
    match command {
        VerifyCommand::VerifyRegistration(args) => verify_registration(&args),
        VerifyCommand::VerifyAuthentication(args) => verify_authentication(&args),
    }
}

fn verify_registration(args: &VerifyRegistration) -> Outcome {
    let options = parsed(&args.options, CreationOptionsJson::from_json)?;
    let response = parsed(&args.response, RegistrationResponseJson::from_json)?;
    let state = RegistrationState::from_options(&options, &origin_host(&args.origin)?);
    let roots = trusted_roots(&args.trust)?;
    let mut rp = relying_party(&state.rp_id, &args.origin, roots, args.require_attestation);
    rp.key_restrictions = args.restrictions.key_restrictions();
    if let Some(path) = &args.credential_out {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(Failure::bad_input(format!(
                "{} exists: refusing to overwrite a stored credential",
                path.display()
            )));
        }
    }
    let credential = rp
        .finish_registration(&state, &response, crate::clock::at_or_now(args.now)?)
        .map_err(|e| Failure::no_match(format!("registration rejected: {e}")))?;
    if let Some(path) = &args.credential_out {
        hybridsim_state::write_new(path, &hybridsim_state::file::to_json(path, &credential)?)?;
    }
    report(
        verify::accepted_json("credential", &credential, REGISTRATION_CHECKS),
        args.json,
    );
    Ok(())
}

fn verify_authentication(args: &VerifyAuthentication) -> Outcome {
    let options = parsed(&args.options, RequestOptionsJson::from_json)?;
    let response = parsed(&args.response, AuthenticationResponseJson::from_json)?;
    let missing = || Failure::bad_input(format!("{} does not exist", args.credential.display()));
    if std::fs::symlink_metadata(&args.credential).is_err() {
        return Err(missing());
    }
    let lock = hybridsim_state::Locked::acquire(&args.credential)?;
    let mut credential: RegisteredCredential = lock.load()?.ok_or_else(missing)?;
    let state = AuthenticationState::from_options(&options, &origin_host(&args.origin)?);
    let mut rp = relying_party(&state.rp_id, &args.origin, Vec::new(), false);
    rp.key_restrictions = args.restrictions.key_restrictions();
    let result = rp
        .finish_authentication(&state, &response, &mut credential)
        .map_err(|e| Failure::no_match(format!("authentication rejected: {e}")))?;
    lock.save(&credential)?;
    report(
        verify::accepted_json("result", &result, AUTHENTICATION_CHECKS),
        args.json,
    );
    Ok(())
}

fn report(value: serde_json::Value, as_json: bool) {
    match as_json {
        true => json::print(&value),
        false => crate::output::lines(verify::accepted_lines(&value)),
    }
}

/// The DER of each `--trust` root, read from its PEM file (`verify-registration`, `serve`).
pub fn trusted_roots(paths: &[std::path::PathBuf]) -> Result<Vec<Vec<u8>>, Failure> {
    paths.iter().map(|path| parsed(path, pem_to_der)).collect()
}

/// The first origin's host: the RP ID when the options name none, as in browsers.
fn origin_host(origins: &[String]) -> Result<String, Failure> {
    verify::origin_host(origins).map_err(|e| match e {
        OriginError::NotHttp(origin) => Failure::bad_input(format!(
            "--origin {} is not an http(s) origin",
            hybridsim_proto::echo::shown(&origin)
        )),
        e => Failure::bad_input(format!("--origin: {e}")),
    })
}
