//! `hybridsim authenticator …`: a browser with a phone's passkey authenticator behind it.
//!
//! The options JSON goes through the WebAuthn client (what a browser checks and sends), the
//! CTAP request through the profile's authenticator as bytes, and the answer back through
//! the client into the response JSON. Credentials live in the state file between calls.

use crate::args::{
    AuthenticatorCommand, AuthenticatorCommon, AuthenticatorCreate, AuthenticatorGet, Profiles,
};
use crate::browser::{self, Pending};
use crate::failure::{Failure, Outcome};
use crate::{builtin, json, state_file};
use hybridsim_ctap::store::CredentialStore;
use hybridsim_ctap::user::{ScriptedUser, Verification};
use hybridsim_ctap::{Authenticator, Profile};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Identifies hybridsim authenticator state files.
const STATE_FORMAT: &str = "hybridsim-authenticator-state";
/// The state layout this build reads and writes.
const STATE_VERSION: u32 = 1;

/// What the state file holds: the profile (its whole text, so `get` needs no profile
/// argument and a later edit of the profile cannot change an existing authenticator), the
/// seed, how many operations ran (each draws fresh randomness) and the credentials.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    format: String,
    version: u32,
    profile: String,
    profile_toml: String,
    seed: u64,
    operations: u64,
    credentials: CredentialStore,
    /// The phone's authenticator app and its accounts (`hybridsim migrate …`). Absent in files
    /// made before the app existed and in files no migrate command touched, which keeps them
    /// byte-for-byte readable by builds without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) phone: Option<hybridsim_apps::Phone>,
}

/// Runs one authenticator command.
pub fn run(command: AuthenticatorCommand) -> Outcome {
    match command {
        AuthenticatorCommand::Profiles(args) => profiles(&args),
        AuthenticatorCommand::Create(args) => create(&args),
        AuthenticatorCommand::Get(args) => get(&args),
    }
}

fn profiles(args: &Profiles) -> Outcome {
    let mut rows = Vec::new();
    for (name, text) in builtin::PROFILES {
        let profile = Profile::from_toml_str(text)
            .map_err(|e| Failure::bad_input(format!("built-in profile {name}: {e}")))?;
        let summary = profile
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(json!({
            "name": name,
            "aaguid": hybridsim_ctap::profile::format_aaguid(&profile.aaguid),
            "backup": serde_json::to_value(profile.backup).unwrap_or_default(),
            "attestation": serde_json::to_value(profile.attestation).unwrap_or_default(),
            "description": summary,
        }));
    }
    if args.json {
        json::print(&json!({ "profiles": rows }));
        return Ok(());
    }
    for row in &rows {
        let field = |k: &str| row[k].as_str().unwrap_or_default().to_owned();
        say!(
            "{:<32} {}  backup={} attestation={}",
            field("name"),
            field("aaguid"),
            field("backup"),
            field("attestation")
        );
    }
    Ok(())
}

fn create(args: &AuthenticatorCreate) -> Outcome {
    let common = &args.common;
    let mut state = load_or_start(&common.state, args.profile.as_deref(), args.seed)?;
    let pending = Pending::create(&common.options, &common.origin)?;
    answer(common, &mut state, None, &pending)
}

fn get(args: &AuthenticatorGet) -> Outcome {
    let common = &args.common;
    let mut state = state_file::load::<State>(&common.state)?.ok_or_else(|| {
        Failure::bad_input(format!(
            "{} does not exist: run `hybridsim authenticator create` with it first",
            common.state.display()
        ))
    })?;
    check_format(&state, &common.state)?;
    let pending = Pending::get(&common.options, &common.origin)?;
    answer(common, &mut state, args.account, &pending)
}

/// Hands the browser's request to the state's authenticator, saves the state and prints
/// the response JSON.
fn answer(
    common: &AuthenticatorCommon,
    state: &mut State,
    account: Option<usize>,
    pending: &Pending,
) -> Outcome {
    let mut authenticator = build(state, user(common, account))?;
    let (command, params) = pending.ctap_request();
    let reply = authenticator.handle(command, &params);
    let transports = authenticator.get_info().transports.unwrap_or_default();
    let json = pending.response_json(&reply, &transports)?;
    finish(&common.state, state, &authenticator)?;
    say!("{json}");
    Ok(())
}

/// The state in the file, or a new one for `profile`; a profile different from the one the
/// file was made with is refused rather than silently switched.
pub(crate) fn load_or_start(
    path: &Path,
    profile: Option<&str>,
    seed: u64,
) -> Result<State, Failure> {
    match state_file::load::<State>(path)? {
        Some(state) => {
            check_format(&state, path)?;
            if let Some(asked) = profile {
                let (name, _) = profile_text(asked)?;
                if name != state.profile {
                    return Err(Failure::bad_input(format!(
                        "{} belongs to profile {}, not {name}: use another state file",
                        path.display(),
                        state.profile
                    )));
                }
            }
            Ok(state)
        }
        None => {
            let asked = profile.ok_or_else(|| {
                Failure::bad_input(format!("{} is new: give --profile", path.display()))
            })?;
            let (name, text) = profile_text(asked)?;
            Ok(State {
                format: STATE_FORMAT.to_owned(),
                version: STATE_VERSION,
                profile: name,
                profile_toml: text,
                seed,
                operations: 0,
                credentials: CredentialStore::new(),
                phone: None,
            })
        }
    }
}

pub(crate) fn check_format(state: &State, path: &Path) -> Result<(), Failure> {
    if state.format != STATE_FORMAT || state.version != STATE_VERSION {
        return Err(Failure::bad_input(format!(
            "{} is a {} v{} file; this build reads {STATE_FORMAT} v{STATE_VERSION} (left untouched)",
            path.display(),
            state.format,
            state.version
        )));
    }
    Ok(())
}

/// A built-in profile by name, or a TOML file by path: (name, text).
fn profile_text(asked: &str) -> Result<(String, String), Failure> {
    if let Some(text) = builtin::profile(asked) {
        return Ok((asked.to_owned(), text.to_owned()));
    }
    let path = Path::new(asked);
    if !path.exists() {
        let names: Vec<&str> = builtin::PROFILES.iter().map(|(n, _)| *n).collect();
        return Err(Failure::bad_input(format!(
            "no profile {asked:?}: give a file or one of {}",
            names.join(", ")
        )));
    }
    let text = browser::read(path)?;
    let profile =
        Profile::from_toml_str(&text).map_err(|e| Failure::bad_input(format!("{asked}: {e}")))?;
    Ok((profile.name, text))
}

pub(crate) fn user(common: &AuthenticatorCommon, account: Option<usize>) -> ScriptedUser {
    scripted_user(common.user_absent, common.uv_fails, account)
}

/// The user's scripted answers: refuse presence, fail verification, pick an account.
pub(crate) fn scripted_user(
    user_absent: bool,
    uv_fails: bool,
    account: Option<usize>,
) -> ScriptedUser {
    let mut user = ScriptedUser::approving();
    if user_absent {
        user = user.then_presence(false);
    }
    if uv_fails {
        user = user.then_verification(Verification::Failed);
    }
    if let Some(index) = account {
        user = user.then_account(Some(index));
    }
    user
}

/// The authenticator the state describes, with randomness fresh for this operation but fixed
/// by (seed, operation number).
pub(crate) fn build(state: &State, user: ScriptedUser) -> Result<Authenticator, Failure> {
    let profile = Profile::from_toml_str(&state.profile_toml).map_err(|e| {
        Failure::bad_input(format!("profile {} in the state file: {e}", state.profile))
    })?;
    let attester = profile
        .attester(builtin::attestation_file)
        .map_err(|e| Failure::bad_input(format!("profile {}: {e}", state.profile)))?;
    let mut hash = Sha256::new();
    hash.update(b"hybridsim authenticator seed");
    hash.update(state.seed.to_le_bytes());
    hash.update(state.operations.to_le_bytes());
    let seed: [u8; 32] = hash.finalize().into();
    Ok(Authenticator::new(profile, attester, seed, user).with_store(state.credentials.clone()))
}

pub(crate) fn finish(path: &Path, state: &mut State, authenticator: &Authenticator) -> Outcome {
    state.credentials = authenticator.store().clone();
    state.operations += 1;
    state_file::save(path, state)
}
