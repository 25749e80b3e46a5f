//! `hybridsim ceremony create|get`: `authenticator create|get` with every byte going through
//! the simulated hybrid path: the QR code, the BLE radio, the tunnel server, the Noise
//! handshake, the transport and CTAP, in the deterministic world of `hybridsim-world`.
//!
//! Same options JSON in, same response JSON out, same state file as `authenticator`. The
//! state is saved after every run (a phone keeps a credential it made even when the desktop
//! later failed). With `--trace` the JSON-lines trace is written, also when the ceremony
//! fails. Exit 1, with one line naming the party, the layer and the error, when a party
//! failed (the response JSON is still printed if the browser got one) or the authenticator
//! refused; exit 2 for unusable input, including an unknown fault.

use crate::args::{AuthenticatorCommon, CeremonyCommand, CeremonyCreate, CeremonyGet, CeremonyRun};
use crate::authenticator::{self, State};
use crate::browser::{read, Pending};
use crate::failure::{Failure, Outcome as CommandOutcome};
use crate::{ceremony_tunnel, state_file};
use hybridsim_ctap::Authenticator;
use hybridsim_peers::Vocabulary;
use hybridsim_world::ceremony::{Ceremony, CeremonyError, Outcome};
use hybridsim_world::faults::FaultAt;
use std::path::Path;

/// Runs one ceremony command.
pub fn run(command: CeremonyCommand) -> CommandOutcome {
    match command {
        CeremonyCommand::Create(args) => create(&args),
        CeremonyCommand::Get(args) => get(&args),
    }
}

fn create(args: &CeremonyCreate) -> CommandOutcome {
    let common = &args.common;
    let mut state =
        authenticator::load_or_start(&common.state, args.profile.as_deref(), args.run.seed)?;
    if let Some(tunnel) = &args.run.tunnel {
        let pending = Pending::create(&common.options, &common.origin)?;
        return ceremony_tunnel::run(tunnel, &args.run, common, &mut state, None, &pending);
    }
    let options = read(&common.options)?;
    let ceremony = ceremony(&args.run, common, &state, None)?;
    let outcome = ceremony.register(&options).map_err(refused)?;
    finish(&args.run, common, &mut state, outcome)
}

fn get(args: &CeremonyGet) -> CommandOutcome {
    let common = &args.common;
    let mut state = state_file::load::<State>(&common.state)?.ok_or_else(|| {
        Failure::bad_input(format!(
            "{} does not exist: run `hybridsim ceremony create` with it first",
            common.state.display()
        ))
    })?;
    authenticator::check_format(&state, &common.state)?;
    if let Some(tunnel) = &args.run.tunnel {
        let pending = Pending::get(&common.options, &common.origin)?;
        return ceremony_tunnel::run(
            tunnel,
            &args.run,
            common,
            &mut state,
            args.account,
            &pending,
        );
    }
    let options = read(&common.options)?;
    let ceremony = ceremony(&args.run, common, &state, args.account)?;
    let outcome = ceremony.sign_in(&options).map_err(refused)?;
    finish(&args.run, common, &mut state, outcome)
}

/// The ceremony the arguments describe, with the state's authenticator as the phone.
fn ceremony(
    run: &CeremonyRun,
    common: &AuthenticatorCommon,
    state: &State,
    account: Option<usize>,
) -> Result<Ceremony, Failure> {
    let faults = run
        .fault
        .iter()
        .map(|text| {
            text.parse::<FaultAt>()
                .map_err(|e| Failure::bad_input(format!("--fault {text}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let phone: Authenticator = authenticator::build(state, authenticator::user(common, account))?;
    Ok(Ceremony::new(run.seed)
        .phone(phone)
        .origin(&common.origin)
        .reveal_secrets(run.reveal_secrets)
        .faults(faults))
}

/// Input the ceremony could not start with: exit 2.
fn refused(error: CeremonyError) -> Failure {
    Failure::bad_input(error.to_string())
}

/// Writes the trace and the state, prints the response, and says how it went.
fn finish(
    run: &CeremonyRun,
    common: &AuthenticatorCommon,
    state: &mut State,
    outcome: Outcome,
) -> CommandOutcome {
    if let Some(path) = &run.trace {
        write_trace(path, &outcome)?;
    }
    if let Some(phone) = &outcome.phone_state {
        authenticator::finish(&common.state, state, &phone.authenticator)?;
    }
    if let Some(json) = &outcome.response_json {
        say!("{json}");
    }
    if let Some(failure) = outcome.first_failure() {
        let when = failure.at.map_or_else(
            || "without finishing".to_owned(),
            |at| format!("after {at}"),
        );
        return Err(Failure::no_match(format!(
            "ceremony failed: the {} failed at the {} layer {when}: {}",
            failure.party,
            failure.error.layer.name(),
            failure.error.reason
        )));
    }
    match (&outcome.response_json, &outcome.response_error) {
        (Some(_), _) => Ok(()),
        (None, Some(error)) => Err(Failure::no_match(error.clone())),
        (None, None) => Err(Failure::no_match(
            "ceremony failed: the desktop received no CTAP response",
        )),
    }
}

fn write_trace(path: &Path, outcome: &Outcome) -> CommandOutcome {
    std::fs::write(path, outcome.trace.to_json_lines()).map_err(|e| {
        Failure::bad_input(format!("cannot write the trace to {}: {e}", path.display()))
    })
}
