//! `hybridsim authenticator …`: a browser with a phone's passkey authenticator behind it.
//!
//! The options JSON goes through the WebAuthn client (what a browser checks and sends), the
//! CTAP request through the profile's authenticator as bytes, and the answer back through
//! the client into the response JSON. Credentials live in the state file between calls.

pub mod args;

use crate::browser::Pending;
use crate::failure::{Failure, Outcome};
use crate::json;
use crate::phone_state::{self, build};
use args::{
    AuthenticatorCommand, AuthenticatorCommon, AuthenticatorCreate, AuthenticatorGet, Profiles,
};
use hybridsim_scenario::profile_listing;
use hybridsim_state::{Locked, PhoneState};
use serde_json::json;

/// Runs one authenticator command.
pub fn run(command: AuthenticatorCommand) -> Outcome {
    match command {
        AuthenticatorCommand::Profiles(args) => profiles(&args),
        AuthenticatorCommand::Create(args) => create(&args),
        AuthenticatorCommand::Get(args) => get(&args),
    }
}

fn profiles(args: &Profiles) -> Outcome {
    let rows = profile_listing::rows().map_err(Failure::bad_input)?;
    match args.json {
        true => json::print(&json!({ "profiles": rows })),
        false => rows
            .iter()
            .for_each(|r| say!("{}", profile_listing::line(r))),
    }
    Ok(())
}

fn create(args: &AuthenticatorCreate) -> Outcome {
    let common = &args.common;
    let lock = phone_state::lock(&common.state)?;
    let mut state = phone_state::load_or_start(&lock, args.profile.as_deref(), args.seed)?;
    let pending = Pending::create(&common.options, &common.origin)?;
    answer(common, &lock, &mut state, None, &pending)
}

fn get(args: &AuthenticatorGet) -> Outcome {
    let common = &args.common;
    let (lock, mut state) = phone_state::lock_existing(
        &common.state,
        "run `hybridsim authenticator create` with it first",
    )?;
    let pending = Pending::get(&common.options, &common.origin)?;
    answer(common, &lock, &mut state, args.account, &pending)
}

/// Hands the browser's request to the state's authenticator, saves the state and prints
/// the response JSON.
fn answer(
    common: &AuthenticatorCommon,
    lock: &Locked,
    state: &mut PhoneState,
    account: Option<usize>,
    pending: &Pending,
) -> Outcome {
    let mut authenticator = build(state, common.user.scripted(account))?;
    let (command, params) = pending.ctap_request();
    let reply = authenticator.handle(command, &params);
    let transports = authenticator.get_info().transports.unwrap_or_default();
    let json = pending.response_json(&reply, &transports)?;
    phone_state::finish(lock, state, &authenticator)?;
    say!("{json}");
    Ok(())
}
