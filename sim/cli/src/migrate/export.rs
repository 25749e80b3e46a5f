//! `hybridsim migrate export`: one half of a migration, through files, with the same
//! exporters `migrate run` uses (hybridsim-apps' mechanisms; docs/migration.md §3 Google
//! transfer, §4.1 Aegis, §4.2 2FAS).

use super::{parse_quirks, phone_of, read_existing};
use super::{Format, StateArgs};
use crate::failure::{Failure, OrFail, Outcome};
use clap::Args;
use hybridsim_apps::files;
use std::io::Write;
use std::path::PathBuf;

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

/// Exports the phone's accounts.
pub fn export(args: &ExportArgs) -> Outcome {
    let path = &args.state.state;
    let state = read_existing(path)?;
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
    let exported = files::export(
        &phone,
        args.format.of(state.provider()),
        args.password.as_deref(),
        args.per_qr,
        &quirks,
        args.seed,
    )
    .or_bad_input()?;
    let (text, pictures, notes) = (exported.text, exported.pictures, exported.notes);
    if let Some(dir) = &args.png_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::bad_input(format!("cannot create {}: {e}", dir.display())))?;
        let total = pictures.len();
        for (k, png) in pictures.iter().enumerate() {
            let file = dir.join(format!("qr-{}-of-{total}.png", k + 1));
            hybridsim_state::write_new(&file, png)?;
        }
    }
    match &args.out {
        Some(out) => {
            // Mode 0600 and never over an existing file: exports hold OTP secrets.
            hybridsim_state::write_new(out, text.as_bytes())?;
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
