//! `hybridsim migrate export|import`: one half of a migration each, through files, with the
//! same exporters and importers `migrate run` uses (hybridsim-apps' mechanisms; docs/migration.md
//! §3 Google transfer, §4.1 Aegis, §4.2 2FAS).

use super::{app_quirks, load_existing, load_or_create, parse_quirks, phone_of, rng};
use super::{Format, NewPhoneArgs, StateArgs};
use crate::failure::{Failure, Outcome};
use crate::json;
use crate::state_file;
use clap::Args;
use hybridsim_apps::context::Trail;
use hybridsim_apps::mechanism::{aegis, google, twofas};
use hybridsim_apps::{AppAccount, AppModel, Cloud, Context, Phone};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `hybridsim migrate export`
#[derive(Debug, Args)]
#[command(after_help = "Quirk names: `hybridsim migrate quirks`.")]
pub struct ExportArgs {
    /// The state file whose phone exports.
    #[command(flatten)]
    pub state: StateArgs,
    /// The export format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Encrypt the Aegis vault or 2FAS backup with this password (the Google format has none).
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Write the export here (refused if the file exists): the vault or backup JSON, or for
    /// google the otpauth-migration:// URIs one per line. Default: stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// google only: also write each QR code as DIR/qr-K-of-N.png (the directory is created;
    /// existing pictures are refused).
    #[arg(long, value_name = "DIR")]
    pub png_dir: Option<PathBuf>,
    /// google only: accounts per QR code (Google Authenticator puts 10).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub per_qr: usize,
    /// Seed of the randomness the export draws (batch id, salts, nonces, keys): the same
    /// seed and state give the same bytes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Switch on a bug of the exporter (repeatable); see `hybridsim migrate quirks`.
    #[arg(long, value_name = "NAME")]
    pub quirk: Vec<String>,
}

/// `hybridsim migrate import`
#[derive(Debug, Args)]
#[command(
    after_help = "Quirk names: `hybridsim migrate quirks`. Exit 0 when the input was \
    read (look at the notes for what did not come through), 2 when it cannot be read."
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

/// Exports the phone's accounts.
pub fn export(args: &ExportArgs) -> Outcome {
    let path = &args.state.state;
    let state = load_existing(path)?;
    let phone = phone_of(&state, path)?;
    let quirks = parse_quirks(&args.quirk)?;
    if args.format != Format::Google && args.png_dir.is_some() {
        return Err(Failure::bad_input(
            "--png-dir goes with --format google only",
        ));
    }
    if args.format == Format::Google && args.password.is_some() {
        return Err(Failure::bad_input(
            "the Google transfer format has no password: leave out --password",
        ));
    }
    let mut random = rng(args.seed);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(&quirks, &mut random, &mut cloud);
    let password = args.password.as_deref();
    let broken = |e: hybridsim_apps::mechanism::MigrationFailure| Failure::bad_input(e.to_string());
    let (text, pictures) = match args.format {
        Format::Google => {
            let transfer = google::Transfer {
                accounts_per_qr: args.per_qr.max(1),
                ..google::Transfer::default()
            };
            let shown = transfer.export(phone, &mut ctx).map_err(broken)?;
            let mut text = shown.uris.join("\n");
            text.push('\n');
            (text, shown.pictures)
        }
        Format::Aegis => (
            aegis::export(phone, password, &mut ctx)
                .map_err(broken)?
                .json,
            Vec::new(),
        ),
        Format::TwoFas => (
            twofas::export(phone, password, &mut ctx)
                .map_err(broken)?
                .json,
            Vec::new(),
        ),
    };
    let notes = trail_lines(&ctx.trail, phone);
    if let Some(dir) = &args.png_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::bad_input(format!("cannot create {}: {e}", dir.display())))?;
        let total = pictures.len();
        for (k, png) in pictures.iter().enumerate() {
            let file = dir.join(format!("qr-{}-of-{total}.png", k + 1));
            write_new(&file, png)?;
        }
    }
    match &args.out {
        Some(out) => {
            write_new(out, text.as_bytes())?;
            for note in &notes {
                say!("note: {note}");
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            for note in &notes {
                eprintln!("hybridsim: note: {note}");
            }
        }
    }
    Ok(())
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
    let mut state = load_or_create(path, &args.new, default_app)?;
    let Some(phone) = state.phone.as_mut() else {
        return Err(Failure::bad_input("internal: no phone after creating it"));
    };
    let mut inputs = Vec::new();
    for input in &args.inputs {
        let bytes = std::fs::read(input)
            .map_err(|e| Failure::bad_input(format!("cannot read {}: {e}", input.display())))?;
        inputs.push((input.as_path(), bytes));
    }
    if args.format != Format::Google && inputs.len() != 1 {
        return Err(Failure::bad_input(
            "an Aegis vault or 2FAS backup import takes exactly one INPUT",
        ));
    }
    let before = phone.accounts.clone();
    let stored_quirks = phone.quirks.clone();
    phone.quirks.0.extend(app_quirks(&quirks).0);
    let mut random = rng(0);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(&quirks, &mut random, &mut cloud);
    let password = args.password.as_deref();
    let outcome = match args.format {
        Format::Google => google_pictures(&inputs).and_then(|pictures| {
            let shown = google::Shown {
                uris: Vec::new(),
                pictures,
                carried: Vec::new(),
            };
            google::Transfer::default()
                .import(phone, &shown, &mut ctx)
                .map_err(|e| Failure::bad_input(e.to_string()))
        }),
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
                aegis::import(phone, &file, password, &mut ctx)
            } else {
                let file = twofas::TwofasFile {
                    json,
                    carried: Vec::new(),
                };
                twofas::import(phone, &file, password, &mut ctx)
            }
            .map_err(|e| Failure::bad_input(format!("{}: {e}", input.display())))
        }
    };
    phone.quirks = stored_quirks;
    outcome?;
    let added = difference(&phone.accounts, &before);
    let removed = difference(&before, &phone.accounts);
    let notes = trail_lines(&ctx.trail, phone);
    state_file::save(path, &state)?;
    if args.json {
        json::print(&json!({
            "added": added,
            "removed": removed,
            "notes": notes,
        }));
        return Ok(());
    }
    say!(
        "{}: {} account(s) added, {} removed",
        path.display(),
        added.len(),
        removed.len()
    );
    for label in &added {
        say!("added: {label}");
    }
    for label in &removed {
        say!("removed: {label}");
    }
    for note in &notes {
        say!("note: {note}");
    }
    Ok(())
}

/// The QR pictures to scan: PNG files as they are; text files one URI per line, each drawn
/// as the QR code the old phone would show.
fn google_pictures(inputs: &[(&Path, Vec<u8>)]) -> Result<Vec<Vec<u8>>, Failure> {
    let mut pictures = Vec::new();
    for (input, bytes) in inputs {
        if bytes.starts_with(super::decode::PNG_MAGIC) {
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

/// The trail as lines: notes about single accounts (named by the phone that has them), then
/// general ones.
fn trail_lines(trail: &Trail, phone: &Phone) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, notes) in &trail.accounts {
        let label = phone
            .accounts
            .get(*index)
            .map(AppAccount::label)
            .unwrap_or_else(|| format!("entry {}", index + 1));
        for note in notes {
            lines.push(format!("{label}: {note}"));
        }
    }
    lines.extend(trail.general.iter().cloned());
    lines
}

/// Writes a new file, refusing to replace an existing one.
fn write_new(path: &Path, bytes: &[u8]) -> Outcome {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure::bad_input(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)
        .map_err(|e| Failure::bad_input(format!("cannot write {}: {e}", path.display())))
}
