//! `hybridsim migrate decode`: what an export holds, with every value the format left open or
//! the decoder had to repair. Recognising and decoding the formats is
//! `hybridsim_export::detect`; this reads the files (and QR pictures) and prints.

use super::{account_json, account_line};
use crate::failure::{Failure, Outcome};
use crate::{echo, input, json};
use clap::Args;
use hybridsim_export::detect::{self, Decoded, Kind, Note};
use hybridsim_export::google::{Payload, UriMode};
use serde_json::{json, Value};
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
        print_json(&decoded);
    } else {
        print_text(&decoded);
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

/// One line per incomplete batch, counting the missing codes rather than listing them all.
fn missing_lines(decoded: &Decoded) -> Vec<String> {
    decoded
        .batch
        .iter()
        .filter(|batch| batch.shortfall.count > 0)
        .map(|batch| batch.shortfall.to_string())
        .collect()
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

fn note_json(note: &Note) -> Value {
    json!({"code": note.code, "text": note.text})
}

fn payload_json(origin: &str, payload: &Payload) -> Value {
    let entries: Vec<Value> = payload
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "issuer": e.issuer,
                "secret": hybridsim_otp::base32::encode(&e.secret),
                "algorithm": e.algorithm,
                "digits": e.digits,
                "type": e.otp_type,
                "counter": e.counter,
                "unique_id": e.unique_id,
            })
        })
        .collect();
    json!({
        "source": origin,
        "version": payload.version,
        "batch_size": payload.batch_size,
        "batch_index": payload.batch_index,
        "batch_id": payload.batch_id,
        "entries": entries,
    })
}

fn print_json(d: &Decoded) {
    let accounts: Vec<Value> = d
        .accounts
        .iter()
        .map(|f| {
            let mut v = account_json(&f.account);
            if let Some(map) = v.as_object_mut() {
                map.insert("source".into(), json!(f.source));
                map.insert(
                    "findings".into(),
                    Value::Array(f.notes.iter().map(note_json).collect()),
                );
            }
            v
        })
        .collect();
    let skipped: Vec<Value> = d
        .skipped
        .iter()
        .map(
            |s| json!({"source": s.source, "issuer": s.issuer, "name": s.name, "reason": s.reason}),
        )
        .collect();
    let mut out = json!({
        "format": d.format,
        "accounts": accounts,
        "skipped": skipped,
        "findings": d.notes.iter().map(note_json).collect::<Vec<_>>(),
    });
    if let Some(map) = out.as_object_mut() {
        if d.format == "google-migration" {
            map.insert(
                "payloads".into(),
                d.payloads.iter().map(|(o, p)| payload_json(o, p)).collect(),
            );
            map.insert("batch".into(), batch_json(d));
        }
    }
    json::print(&out);
}

fn print_text(d: &Decoded) {
    say!(
        "{}: {} account(s), {} skipped",
        d.format,
        d.accounts.len(),
        d.skipped.len()
    );
    if let Some(batch) = &d.batch {
        say!(
            "batch id {}, {} of {} QR code(s) received",
            json!(batch.id),
            batch.received.len(),
            batch.size
        );
    }
    for (k, found) in d.accounts.iter().enumerate() {
        say!("{:>3}  {}", k + 1, account_line(&found.account));
        for note in &found.notes {
            say!("     finding {}: {}", note.code, note.text);
        }
    }
    for s in &d.skipped {
        say!(
            "skipped: {} (issuer {:?}, name {:?}): {}",
            s.source,
            s.issuer,
            s.name,
            s.reason
        );
    }
    for note in &d.notes {
        say!("finding {}: {}", note.code, note.text);
    }
    for line in &missing_lines(d) {
        say!("missing: {line}");
    }
}

fn batch_json(d: &Decoded) -> Value {
    d.batch.as_ref().map_or(Value::Null, |batch| {
        json!({
            "id": batch.id,
            "size": batch.size,
            "received_indices": batch.received,
            "missing_indices": batch.missing,
            "complete": batch.complete,
        })
    })
}
