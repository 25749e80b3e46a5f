//! `hybridsim migrate …`: authenticator-app accounts and moving them to a new phone
//! (hybridsim-apps and hybridsim-export; docs/migration.md §3–§5).
//!
//! The phone lives in the same state file as `hybridsim authenticator` (its `phone` field),
//! so one file is one phone: its passkeys and its authenticator app. Each subcommand of
//! [`MigrateCommand`] is a module of its own (`add` and `list` share `accounts`).

mod accounts;
mod decode;
mod export;
mod import;
mod quirks;
mod run;

use crate::failure::Failure;
use crate::phone_state;
use clap::{Args, Subcommand};
use hybridsim_apps::files;
use hybridsim_apps::{AppModel, Quirks};
use hybridsim_state::{open, Locked, PhoneState};
use std::path::{Path, PathBuf};

/// Exit-code rules shared by the subcommands' help.
const EXIT_CODES: &str = "Exit codes: 0 done; 1 the input is well-formed but something did not \
    come through (see each command); 2 bad input (unreadable file, wrong password, corrupt \
    state: one line on stderr, nothing written); 3 environment problem.";

/// `hybridsim migrate …`
#[derive(Debug, Subcommand)]
#[command(after_help = EXIT_CODES)]
pub enum MigrateCommand {
    /// List what an export holds: an otpauth-migration:// URI, PNG pictures of Google
    /// Authenticator transfer QR codes (several files: one batch), an Aegis vault or a 2FAS
    /// backup. The format is recognised from the content, never from the file name.
    /// Exit 1 when a Google batch is incomplete (the accounts received are still listed).
    Decode(decode::DecodeArgs),
    /// Add an otpauth:// account to the phone in a state file (lenient parse; every deviation
    /// it tolerated is printed).
    Add(accounts::AddArgs),
    /// List the phone's accounts with the codes it shows at a given time.
    List(accounts::ListArgs),
    /// Write the phone's OTP accounts as Google transfer URIs and QR pictures, an Aegis vault
    /// or a 2FAS backup.
    Export(export::ExportArgs),
    /// Read exports into the phone in a state file, the way the chosen app imports them
    /// (accounts are added, never silently overwritten; the app's duplicate rules apply).
    Import(import::ImportArgs),
    /// Move the accounts of one state file's phone to another's by a mechanism and print the
    /// report. Exit 0 if every account arrived unchanged and signs in, 1 otherwise.
    Run(run::RunArgs),
    /// List the bug switches --quirk accepts: name, bug id, stage, what it does.
    Quirks(quirks::QuirksArgs),
}

/// Runs one `migrate` command.
pub fn run(command: MigrateCommand) -> crate::failure::Outcome {
    match command {
        MigrateCommand::Decode(args) => decode::run(&args),
        MigrateCommand::Add(args) => accounts::add(&args),
        MigrateCommand::List(args) => accounts::list(&args),
        MigrateCommand::Export(args) => export::export(&args),
        MigrateCommand::Import(args) => import::import(&args),
        MigrateCommand::Run(args) => run::run(&args),
        MigrateCommand::Quirks(args) => quirks::run(&args),
    }
}

/// The export formats, as --format names them.
pub use hybridsim_apps::files::FormatName as Format;
/// The authenticator apps modelled, as --app names them.
pub use hybridsim_apps::AppModel as App;

/// What add, list, export and import share: the state file and, for a new one, what it holds.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// The state file holding the phone (the same file `hybridsim authenticator` uses; created
    /// when missing, refused and left untouched when corrupt).
    #[arg(long, value_name = "STATE.json")]
    pub state: PathBuf,
}

/// For commands that may create the state file or its phone.
#[derive(Debug, Args)]
pub struct NewPhoneArgs {
    /// The app on the phone, when the state file has no app yet (default
    /// google-authenticator); refused if it already holds another app.
    #[arg(long, value_enum, value_name = "APP")]
    pub app: Option<App>,
    /// The passkey profile of a new state file, as `authenticator create --profile`
    /// (default google-password-manager); must match an existing file's profile if given.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
}

/// The passkey profile a state file gets when a migrate command creates it.
const DEFAULT_PROFILE: &str = "google-password-manager";

/// What to run first when a state file is missing.
const ADD_FIRST: &str = "add accounts first (`hybridsim migrate add`)";

/// The state at `path`, read without a lock (for commands that only read it), refused if
/// missing.
fn read_existing(path: &Path) -> Result<PhoneState, Failure> {
    Ok(phone_state::read_existing(path, ADD_FIRST)?)
}

/// The state in the locked file (or a new one) with a phone of the asked app.
fn load_or_create(
    lock: &Locked,
    new: &NewPhoneArgs,
    default_app: AppModel,
) -> Result<PhoneState, Failure> {
    let path = lock.path();
    let new_file = (!path.exists()).then_some(DEFAULT_PROFILE);
    let state = phone_state::load_or_start(lock, new.profile.as_deref().or(new_file), 0)?;
    Ok(open::with_app_phone(state, path, new.app, default_app)?)
}

/// The app of a loaded state with its passkeys, refused if it has none.
fn phone_of(state: &PhoneState, path: &Path) -> Result<hybridsim_apps::Phone, Failure> {
    Ok(open::app_of(state, path, ADD_FIRST)?)
}

/// Quirks by name; an unknown name is bad input naming where to find the list.
fn parse_quirks(names: &[String]) -> Result<Quirks, Failure> {
    files::quirks_named(names).map_err(|name| {
        Failure::bad_input(format!(
            "no quirk {}: `hybridsim migrate quirks` lists them",
            hybridsim_proto::echo::shown(&name)
        ))
    })
}
