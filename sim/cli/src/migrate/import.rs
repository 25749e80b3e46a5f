//! `hybridsim migrate import`: the other half of a migration, through files, with the same
//! importers `migrate run` uses (hybridsim-apps' mechanisms).

use super::{load_or_create, parse_quirks};
use super::{Format, NewPhoneArgs, StateArgs};
use crate::failure::{Failure, OrFail, Outcome};
use crate::{json, phone_state};
use clap::Args;
use hybridsim_apps::files;
use hybridsim_apps::shown_listing;
use std::path::PathBuf;

/// `hybridsim migrate import`
#[derive(Debug, Args)]
#[command(
    after_help = "Quirk names: `hybridsim migrate quirks`. Exit 0 when the input was \
    read (look at the notes for what did not come through), 1 when a Google import brought \
    in no account at all (every QR code refused or unreadable), 2 when it \
    cannot be read. Files are read up to 16 MiB."
)]
pub struct ImportArgs {
    /// The state file whose phone imports (created when missing).
    #[command(flatten)]
    pub state: StateArgs,
    /// The format of the inputs.
    #[arg(long, value_enum)]
    pub format: Format,
    /// The export files: for google, PNG pictures of the QR codes and/or text files with one
    /// otpauth-migration:// URI per line (each URI is shown as a QR code and scanned), in the
    /// order the user scans them; for aegis and 2fas, one file.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The password of an encrypted Aegis vault or 2FAS backup.
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// The app and, for a new file, its profile.
    #[command(flatten)]
    pub new: NewPhoneArgs,
    /// Switch on a bug of the importer or the app (repeatable); app quirks apply for this
    /// import only and are not saved.
    #[arg(long, value_name = "NAME")]
    pub quirk: Vec<String>,
    /// Print one JSON object ({"added", "removed", "notes"}) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Imports export files into the phone.
pub fn import(args: &ImportArgs) -> Outcome {
    let path = &args.state.state;
    let quirks = parse_quirks(&args.quirk)?;
    let lock = phone_state::lock(path)?;
    let mut state = load_or_create(&lock, &args.new, args.format.app())?;
    let format = args.format.of(state.provider());
    let mut inputs = Vec::new();
    for input in &args.inputs {
        let bytes = crate::input::read_bytes(input)?;
        inputs.push((input.display().to_string(), bytes));
    }
    let password = args.password.as_deref();
    let imported = state
        .with_app(args.format.app(), |phone| {
            files::import(phone, format, &inputs, password, &quirks)
        })
        .or_bad_input()?;
    lock.save(&state)?;
    let place = path.display().to_string();
    match args.json {
        true => json::print(&shown_listing::imported_json(&imported)),
        false => crate::output::lines(shown_listing::imported_lines(&place, &imported)),
    }
    if imported.refused {
        return Err(Failure::no_match(
            "no account came through: every QR code was refused or unreadable (see the notes)",
        ));
    }
    Ok(())
}
