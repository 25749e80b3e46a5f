//! `hybridsim migrate decode`: what an export holds, with every value the format left open or
//! the decoder had to repair. Recognising and decoding the formats is
//! `hybridsim_export::detect`; this reads the files (and QR pictures) and prints.

use crate::failure::{Failure, Outcome};
use crate::{echo, input, json};
use clap::Args;
use hybridsim_export::detect::{self, Decoded, Kind};
use hybridsim_export::google::UriMode;
use hybridsim_export::listing::{decoded_json, decoded_lines, missing_lines};
use std::path::Path;

/// `hybridsim migrate decode`
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 decoded; 1 a Google batch is incomplete or none of its QR \
    codes was accepted (the accounts of the QR codes given are still listed, the missing ones \
    are named); 2 the input is none of the formats, is damaged, the password is missing or \
    wrong, or --strict refuses a repair (one line on stderr). Files are read up to 16 MiB."
)]
pub struct DecodeArgs {
    /// What to decode: an otpauth-migration:// URI (quote it), or files: PNG pictures of
    /// Google transfer QR codes (give every picture of a batch), text files with one
    /// otpauth-migration:// URI per line, an Aegis vault (JSON with header and db) or a 2FAS
    /// backup (JSON with schemaVersion).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
    /// The password of an encrypted Aegis vault or 2FAS backup.
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Refuse (exit 2, naming it) any repair a forgiving decoder makes: otpauth-migration://
    /// text with raw or space-mangled `+`, URL-safe Base64, missing padding, extra
    /// parameters or surrounding whitespace, and secrets an app had to repair. By default
    /// these are accepted, as real apps do, and listed as findings.
    #[arg(long)]
    pub strict: bool,
    /// Accepted for compatibility and does nothing: accepting what real apps accept is the
    /// default now (see --strict).
    #[arg(long, conflicts_with = "strict")]
    pub lenient: bool,
    /// Print one JSON object instead of lines: {"format", "accounts": [{type, issuer, name,
    /// secret, algorithm, digits, period, counter, source, findings}], "skipped", "findings",
    /// and for google "payloads" (raw wire values) and "batch"}.
    #[arg(long)]
    pub json: bool,
}

/// A file export given as the only input: (its name, its kind, its bytes).
type FileExport = (String, Kind, Vec<u8>);

/// Decodes the inputs and prints what they hold.
pub fn run(args: &DecodeArgs) -> Outcome {
    let mut texts = Vec::new();
    let mut file_export: Option<FileExport> = None;
    for (n, input) in args.inputs.iter().enumerate() {
        match read_input(n, input, &mut texts)? {
            None => {}
            Some(_) if args.inputs.len() != 1 => return Err(Failure::bad_input(
                "an Aegis vault or 2FAS backup is decoded on its own: give it as the only INPUT",
            )),
            found => file_export = found,
        }
    }
    let password = args.password.as_deref().map(str::as_bytes);
    let decoded = match &file_export {
        Some((origin, Kind::Aegis, bytes)) => detect::decode_aegis(origin, bytes, password),
        Some((origin, _, bytes)) => detect::decode_twofas(origin, bytes, password),
        None => {
            if args.password.is_some() {
                return Err(Failure::bad_input(
                    "--password is for Aegis vaults and 2FAS backups; Google transfer codes have none",
                ));
            }
            detect::decode_google(&texts, UriMode::Lenient)
        }
    }
    .map_err(|e| Failure::bad_input(e.to_string()))?;
    if args.strict {
        if let Some((_, note)) = decoded.repairs().next() {
            return Err(Failure::bad_input(format!(
                "--strict: {}: {}",
                note.code, note.text
            )));
        }
    }
    if args.json {
        json::print(&decoded_json(&decoded));
    } else {
        for line in decoded_lines(&decoded) {
            say!("{line}");
        }
    }
    verdict(&decoded)
}

/// Exit 1 when a Google batch is incomplete or not one of its codes was accepted.
fn verdict(decoded: &Decoded) -> Outcome {
    let Some(batch) = &decoded.batch else {
        return Ok(());
    };
    if batch.received.is_empty() {
        return Err(Failure::no_match(
            "no QR code of the batch was accepted: no accounts (see the findings)",
        ));
    }
    if batch.missing.is_empty() {
        return Ok(());
    }
    Err(Failure::no_match(format!(
        "the batch is incomplete: {}",
        missing_lines(decoded).join(", ")
    )))
}

/// Reads one input: migration texts are added to `texts`; an Aegis vault or 2FAS backup is
/// returned whole.
fn read_input(
    n: usize,
    input: &str,
    texts: &mut Vec<(String, String)>,
) -> Result<Option<FileExport>, Failure> {
    if detect::is_migration_uri(input) {
        texts.push((format!("argument {}", n + 1), input.to_owned()));
        return Ok(None);
    }
    let bytes = input::read_bytes(Path::new(input)).map_err(|e| {
        Failure::bad_input(format!(
            "{}: neither an otpauth-migration:// URI nor a readable file ({})",
            echo::shown(input),
            e.message
        ))
    })?;
    match detect::classify(input, &bytes).map_err(|e| Failure::bad_input(e.to_string()))? {
        Kind::Png => {
            let found = hybridsim_optical::read_image(&bytes)
                .map_err(|e| Failure::bad_input(format!("{input}: no readable QR code: {e}")))?;
            for (k, text) in found.into_iter().enumerate() {
                if !detect::is_migration_uri(&text) {
                    let start: String = text.chars().take(40).collect();
                    return Err(Failure::bad_input(format!(
                        "{input}: the QR code holds {start:?}…, not an otpauth-migration:// URI"
                    )));
                }
                let origin = if k == 0 {
                    input.to_owned()
                } else {
                    format!("{input} (code {})", k + 1)
                };
                texts.push((origin, text));
            }
            Ok(None)
        }
        Kind::MigrationLines(lines) => {
            texts.extend(
                lines
                    .into_iter()
                    .map(|(line, text)| (format!("{input} line {line}"), text)),
            );
            Ok(None)
        }
        kind => Ok(Some((input.to_owned(), kind, bytes))),
    }
}
