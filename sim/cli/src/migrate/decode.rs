//! `hybridsim migrate decode`: what an export holds, with every value the format left open or
//! the decoder had to repair. Recognising and decoding the formats is
//! `hybridsim_export::detect`; this reads the files (and QR pictures) and prints.

use crate::failure::{Failure, OrFail, Outcome};
use crate::{input, json};
use clap::Args;
use hybridsim_apps::export_inputs::{shortfall, ExportInputs, InputError};
use hybridsim_export::listing::{decoded_json, decoded_lines};
use hybridsim_export::{cxf, detect};
use hybridsim_proto::echo;
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
    /// backup (JSON with schemaVersion). A Google code claiming a batch of more than 1000 QR
    /// codes is refused (pictures are read as `decode qr` reads them); so is an Aegis vault
    /// with more than 64 slots or 4 password slots, or whose password slots would cost more
    /// than 512 MiB of scrypt work in all.
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

/// Decodes the inputs and prints what they hold.
pub fn run(args: &DecodeArgs) -> Outcome {
    let mut inputs = ExportInputs::default();
    let alone = args.inputs.len() == 1;
    for (n, input) in args.inputs.iter().enumerate() {
        if detect::is_migration_uri(input) {
            inputs.push_uri(n, input);
            continue;
        }
        let bytes = input::read_bytes(Path::new(input)).map_err(|e| {
            Failure::bad_input(format!(
                "{}: neither an otpauth-migration:// URI nor a readable file ({})",
                echo::shown(input),
                e.message
            ))
        })?;
        if alone && cxf::looks_like(&bytes) {
            let header = cxf::decode(&bytes).or_bad_input()?;
            match args.json {
                true => json::print(&cxf::listing_json(&header)),
                false => crate::output::lines(cxf::listing_lines(&header)),
            }
            return Ok(());
        }
        inputs.push_file(input, bytes, alone).map_err(bad)?;
    }
    let decoded = inputs
        .decode(args.password.as_deref().map(str::as_bytes))
        .map_err(bad)?;
    if args.strict {
        if let Some((_, note)) = decoded.repairs().next() {
            return Err(Failure::bad_input(format!(
                "--strict: {}: {}",
                note.code, note.text
            )));
        }
    }
    match args.json {
        true => json::print(&decoded_json(&decoded)),
        false => crate::output::lines(decoded_lines(&decoded)),
    }
    // Exit 1 when a Google batch is incomplete or not one of its codes was accepted.
    shortfall(&decoded).map_or(Ok(()), |s| Err(Failure::no_match(s)))
}

fn bad(e: InputError) -> Failure {
    Failure::bad_input(e.to_string())
}
