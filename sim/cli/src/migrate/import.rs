//! `hybridsim migrate import`: the other half of a migration, through files, with the same
//! importers `migrate run` uses (hybridsim-apps' mechanisms).

use super::export::trail_lines;
use super::{app_quirks, load_or_create, parse_quirks, rng};
use super::{Format, NewPhoneArgs, StateArgs};
use crate::failure::{Failure, Outcome};
use crate::{json, phone_state};
use clap::Args;
use hybridsim_apps::mechanism::{aegis, google, twofas};
use hybridsim_apps::{AppAccount, AppModel, Cloud, Context, Phone};
use serde_json::json;
use std::path::{Path, PathBuf};

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
    let default_app = match args.format {
        Format::Google => AppModel::GoogleAuthenticator,
        Format::Aegis => AppModel::Aegis,
        Format::TwoFas => AppModel::TwoFas,
    };
    let lock = phone_state::lock(path)?;
    let mut state = load_or_create(&lock, &args.new, default_app)?;
    let Some(phone) = state.phone.as_mut() else {
        return Err(Failure::bad_input("internal: no phone after creating it"));
    };
    let inputs = read_inputs(args)?;
    let before = phone.accounts.clone();
    let stored_quirks = phone.quirks.clone();
    phone.quirks.0.extend(app_quirks(&quirks).0);
    let mut random = rng(0);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(&quirks, &mut random, &mut cloud);
    let pictures = match args.format {
        Format::Google => google_pictures(&inputs)?,
        _ => Vec::new(),
    };
    let outcome = run_importer(args, phone, &inputs, pictures.clone(), &mut ctx);
    phone.quirks = stored_quirks;
    outcome?;
    let added = difference(&phone.accounts, &before);
    let removed = difference(&before, &phone.accounts);
    let notes = trail_lines(&ctx.trail, phone);
    // Nothing new and nothing of the batch already there: every code was refused. The
    // pictures are read again only then, since reading QR codes is the costly part.
    let refused = args.format == Format::Google && added.is_empty() && !batch_on(&pictures, phone);
    lock.save(&state)?;
    print_import(path, &added, &removed, &notes, args.json);
    if refused {
        return Err(Failure::no_match(
            "no account came through: every QR code was refused or unreadable (see the notes)",
        ));
    }
    Ok(())
}

/// The export files, read (bounded); an Aegis or 2FAS import takes exactly one.
fn read_inputs(args: &ImportArgs) -> Result<Vec<(&Path, Vec<u8>)>, Failure> {
    let mut inputs = Vec::new();
    for input in &args.inputs {
        inputs.push((input.as_path(), crate::input::read_bytes(input)?));
    }
    if args.format != Format::Google && inputs.len() != 1 {
        return Err(Failure::bad_input(
            "an Aegis vault or 2FAS backup import takes exactly one INPUT",
        ));
    }
    Ok(inputs)
}

/// Runs the format's importer on the phone.
fn run_importer(
    args: &ImportArgs,
    phone: &mut Phone,
    inputs: &[(&Path, Vec<u8>)],
    pictures: Vec<Vec<u8>>,
    ctx: &mut Context<'_>,
) -> Outcome {
    let password = args.password.as_deref();
    match args.format {
        Format::Google => {
            let shown = google::Shown {
                uris: Vec::new(),
                pictures,
                carried: Vec::new(),
            };
            google::Transfer::default()
                .import(phone, &shown, ctx)
                .map_err(|e| Failure::bad_input(e.to_string()))
        }
        Format::Aegis | Format::TwoFas => {
            let (input, bytes) = inputs
                .first()
                .ok_or_else(|| Failure::bad_input("no INPUT"))?;
            let json = String::from_utf8(bytes.clone()).map_err(|e| {
                Failure::bad_input(format!("{} is not UTF-8 text: {e}", input.display()))
            })?;
            if args.format == Format::Aegis {
                let file = aegis::VaultFile {
                    json,
                    carried: Vec::new(),
                };
                aegis::import(phone, &file, password, ctx)
            } else {
                let file = twofas::TwofasFile {
                    json,
                    carried: Vec::new(),
                };
                twofas::import(phone, &file, password, ctx)
            }
            .map_err(|e| Failure::bad_input(format!("{}: {e}", input.display())))
        }
    }
}

/// What an import changed, as JSON or lines.
fn print_import(
    path: &Path,
    added: &[String],
    removed: &[String],
    notes: &[String],
    as_json: bool,
) {
    if as_json {
        json::print(&json!({
            "added": added,
            "removed": removed,
            "notes": notes,
        }));
        return;
    }
    say!(
        "{}: {} account(s) added, {} removed",
        path.display(),
        added.len(),
        removed.len()
    );
    for label in added {
        say!("added: {label}");
    }
    for label in removed {
        say!("removed: {label}");
    }
    for note in notes {
        say!("note: {note}");
    }
}

/// The QR pictures to scan: PNG files as they are; text files one URI per line, each drawn
/// as the QR code the old phone would show.
fn google_pictures(inputs: &[(&Path, Vec<u8>)]) -> Result<Vec<Vec<u8>>, Failure> {
    let mut pictures = Vec::new();
    for (input, bytes) in inputs {
        if bytes.starts_with(hybridsim_export::detect::PNG_MAGIC) {
            pictures.push(bytes.clone());
            continue;
        }
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Failure::bad_input(format!(
                "{} is neither a PNG picture nor text with otpauth-migration:// URIs",
                input.display()
            ))
        })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let png = hybridsim_optical::render_png(line, 4).map_err(|e| {
                Failure::bad_input(format!(
                    "{} line {}: cannot be shown as a QR code: {e}",
                    input.display(),
                    n + 1
                ))
            })?;
            pictures.push(png);
        }
    }
    Ok(pictures)
}

/// Whether the phone holds an account of the Google pictures (by secret, the codes read as
/// forgivingly as any app reads them).
fn batch_on(pictures: &[Vec<u8>], phone: &Phone) -> bool {
    let secrets = secrets_shown(pictures);
    phone
        .accounts
        .iter()
        .filter_map(AppAccount::otp)
        .any(|a| secrets.contains(&a.secret))
}

/// The secrets the Google pictures carry.
fn secrets_shown(pictures: &[Vec<u8>]) -> Vec<Vec<u8>> {
    use hybridsim_export::google::{decode_uri, UriMode};
    pictures
        .iter()
        .filter_map(|picture| hybridsim_optical::read_image(picture).ok())
        .flatten()
        .filter_map(|text| decode_uri(&text, UriMode::Lenient).ok())
        .flat_map(|decoded| decoded.payload.entries.into_iter().map(|e| e.secret))
        .collect()
}

/// Labels of the accounts in `a` that `b` does not have (counting copies).
fn difference(a: &[AppAccount], b: &[AppAccount]) -> Vec<String> {
    let mut left: Vec<&AppAccount> = b.iter().collect();
    let mut out = Vec::new();
    for account in a {
        match left.iter().position(|x| *x == account) {
            Some(i) => {
                left.swap_remove(i);
            }
            None => out.push(account.label()),
        }
    }
    out
}
