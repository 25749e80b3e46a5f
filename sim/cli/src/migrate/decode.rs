//! `hybridsim migrate decode`: what an export holds, with every value the format left open or
//! the decoder had to repair (hybridsim-export; background.md §3 Google transfer, §4.1 Aegis,
//! §4.2 2FAS). The format is recognised from the bytes, never from a file name.

use super::{account_json, account_line};
use crate::failure::{Failure, Outcome};
use crate::json;
use clap::Args;
use hybridsim_export::aegis::{self, AegisDecodeOptions};
use hybridsim_export::google::{
    self, BatchAssembler, BatchRules, ImportRules, Payload, ScanOutcome, UriMode,
};
use hybridsim_export::secret::SecretRepair;
use hybridsim_export::twofas::{self, ServiceFinding, TwofasDecodeOptions};
use hybridsim_otp::OtpAccount;
use serde_json::{json, Value};

/// The first bytes of every PNG file.
pub(crate) const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// `hybridsim migrate decode`
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 decoded; 1 a Google batch is incomplete (the accounts \
    of the QR codes given are still listed, the missing ones are named); 2 the input is none \
    of the formats, is damaged, or the password is missing or wrong (one line on stderr)."
)]
pub struct DecodeArgs {
    /// What to decode: an otpauth-migration:// URI (quote it), or files: PNG pictures of
    /// Google transfer QR codes (give every picture of a batch), text files with one
    /// otpauth-migration:// URI per line, an Aegis vault (JSON with header and db) or a 2FAS
    /// backup (JSON with schemaVersion). A Google code claiming a batch of more than 1000 QR
    /// codes is refused (pictures are read as `decode qr` reads them); so is an Aegis vault with more than 64 slots or 4 password slots, or
    /// whose password slots would cost more than 512 MiB of scrypt work in all.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
    /// The password of an encrypted Aegis vault or 2FAS backup.
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Accept otpauth-migration:// text the way forgiving decoders do (raw or space-mangled
    /// `+`, URL-safe Base64, missing padding, extra parameters, surrounding whitespace) and
    /// list each repair as a finding. Vaults and backups always get their app's secret
    /// repairs, listed as findings.
    #[arg(long)]
    pub lenient: bool,
    /// Print one JSON object instead of lines: {"format", "accounts": [{type, issuer, name,
    /// secret, algorithm, digits, period, counter, source, findings}], "skipped", "findings",
    /// and for google "payloads" (raw wire values) and "batch"}.
    #[arg(long)]
    pub json: bool,
}

/// A named finding: a stable code for scripts and a sentence for people.
struct Note {
    code: &'static str,
    text: String,
}

impl Note {
    fn new(code: &'static str, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
        }
    }

    fn json(&self) -> Value {
        json!({"code": self.code, "text": self.text})
    }
}

/// One account found, with where it came from and what was unusual about it.
struct Found {
    account: OtpAccount,
    source: String,
    notes: Vec<Note>,
}

/// An entry that is not an account this tool models.
struct Skipped {
    source: String,
    issuer: String,
    name: String,
    reason: String,
}

/// Everything decoded from the inputs.
struct Decoded {
    format: &'static str,
    accounts: Vec<Found>,
    skipped: Vec<Skipped>,
    notes: Vec<Note>,
    /// Google only: the payloads with their inputs, and the batch summary.
    payloads: Vec<(String, Payload)>,
    batch: Option<Value>,
    /// Lines saying which QR codes are missing (exit 1 when not empty).
    missing: Vec<String>,
}

impl Decoded {
    fn new(format: &'static str) -> Self {
        Self {
            format,
            accounts: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            payloads: Vec::new(),
            batch: None,
            missing: Vec::new(),
        }
    }
}

/// What one input turned out to be.
enum Input {
    /// otpauth-migration:// texts, with where each came from.
    Google(Vec<(String, String)>),
    /// An Aegis vault's bytes.
    Aegis(String, Vec<u8>),
    /// A 2FAS backup's bytes.
    TwoFas(String, Vec<u8>),
}

/// Decodes the inputs and prints what they hold.
pub fn run(args: &DecodeArgs) -> Outcome {
    let mut texts = Vec::new();
    let mut file_format = None;
    for (n, input) in args.inputs.iter().enumerate() {
        match classify(n, input)? {
            Input::Google(found) => texts.extend(found),
            other => {
                if args.inputs.len() != 1 {
                    return Err(Failure::bad_input(
                        "an Aegis vault or 2FAS backup is decoded on its own: give it as the only INPUT",
                    ));
                }
                file_format = Some(other);
            }
        }
    }
    let password = args.password.as_deref().map(str::as_bytes);
    let decoded = match file_format {
        Some(Input::Aegis(origin, bytes)) => decode_aegis(&origin, &bytes, password)?,
        Some(Input::TwoFas(origin, bytes)) => decode_twofas(&origin, &bytes, password)?,
        _ => {
            if args.password.is_some() {
                return Err(Failure::bad_input(
                    "--password is for Aegis vaults and 2FAS backups; Google transfer codes have none",
                ));
            }
            decode_google(&texts, args.lenient)?
        }
    };
    if args.json {
        print_json(&decoded);
    } else {
        print_text(&decoded);
    }
    if decoded.missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::no_match(format!(
            "the batch is incomplete: {}",
            decoded.missing.join(", ")
        )))
    }
}

/// Recognises one input from its content.
fn classify(n: usize, input: &str) -> Result<Input, Failure> {
    if is_migration_uri(input) {
        return Ok(Input::Google(vec![(
            format!("argument {}", n + 1),
            input.to_owned(),
        )]));
    }
    let bytes = std::fs::read(input).map_err(|e| {
        Failure::bad_input(format!(
            "{input}: neither an otpauth-migration:// URI nor a readable file ({e})"
        ))
    })?;
    if bytes.starts_with(PNG_MAGIC) {
        let found = hybridsim_optical::read_image(&bytes)
            .map_err(|e| Failure::bad_input(format!("{input}: no readable QR code: {e}")))?;
        let mut texts = Vec::new();
        for (k, text) in found.into_iter().enumerate() {
            if !is_migration_uri(&text) {
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
        return Ok(Input::Google(texts));
    }
    let tried = "tried: otpauth-migration:// URI, PNG QR code, Aegis vault (JSON with header \
                 and db), 2FAS backup (JSON with schemaVersion and services)";
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::bad_input(format!("{input}: not a known export format ({tried})")))?;
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        if map.contains_key("header") && map.contains_key("db") {
            return Ok(Input::Aegis(input.to_owned(), bytes));
        }
        if map.contains_key("schemaVersion") {
            return Ok(Input::TwoFas(input.to_owned(), bytes));
        }
        return Err(Failure::bad_input(format!(
            "{input}: JSON, but not a known export format ({tried})"
        )));
    }
    let lines: Vec<(String, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| (format!("{input} line {}", k + 1), l.to_owned()))
        .collect();
    if !lines.is_empty() && lines.iter().all(|(_, l)| is_migration_uri(l)) {
        return Ok(Input::Google(lines));
    }
    Err(Failure::bad_input(format!(
        "{input}: not a known export format ({tried})"
    )))
}

fn is_migration_uri(text: &str) -> bool {
    text.trim_start()
        .get(..18)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
}

fn decode_google(texts: &[(String, String)], lenient: bool) -> Result<Decoded, Failure> {
    let mut out = Decoded::new("google-migration");
    let mode = if lenient {
        UriMode::Lenient
    } else {
        UriMode::Strict
    };
    let mut assembler = BatchAssembler::new(BatchRules::default());
    let mut origins = std::collections::BTreeMap::new();
    for (origin, text) in texts {
        let decoded = google::decode_uri(text, mode).map_err(|e| {
            let hint = if !lenient && google::decode_uri(text, UriMode::Lenient).is_ok() {
                " (--lenient accepts it and lists the repairs)"
            } else {
                ""
            };
            Failure::bad_input(format!("{origin}: {e}{hint}"))
        })?;
        for finding in &decoded.findings {
            out.notes.push(uri_note(origin, finding));
        }
        out.payloads.push((origin.clone(), decoded.payload.clone()));
        match assembler.offer(decoded.payload) {
            ScanOutcome::Accepted { index, .. } | ScanOutcome::Complete { index } => {
                origins.insert(index, origin.clone());
            }
            ScanOutcome::Duplicate { index } => out.notes.push(Note::new(
                "duplicate-qr",
                format!("{origin}: QR {} was given twice; the copy is ignored", index + 1),
            )),
            ScanOutcome::UnrelatedBatch {
                expected_batch_id,
                found_batch_id,
            } => out.notes.push(Note::new(
                "unrelated-batch",
                format!(
                    "{origin}: batch id {found_batch_id} belongs to another export than {expected_batch_id}; ignored"
                ),
            )),
            ScanOutcome::Inconsistent {
                batch_size,
                found_size,
                index,
            } => out.notes.push(Note::new(
                "inconsistent-batch",
                format!(
                    "{origin}: QR index {index} of size {found_size} does not fit the batch of {batch_size}; ignored"
                ),
            )),
            ScanOutcome::OutOfOrder { index, expected } => out.notes.push(Note::new(
                "out-of-order",
                format!("{origin}: QR {} came before QR {}", index + 1, expected + 1),
            )),
            ScanOutcome::ImplausibleSize { found_size } => out.notes.push(Note::new(
                "inconsistent-batch",
                format!("{origin}: batch size {found_size} is implausible; ignored"),
            )),
        }
    }
    // Google Authenticator writes `Issuer:name` beside the issuer; split it when the two
    // agree, as the import models do without quirks.
    let rules = ImportRules {
        split_issuer: google::SplitIssuer::WhenConsistent,
        ..ImportRules::default()
    };
    for (index, payload) in assembler.payloads() {
        let origin = origins.get(&index).cloned().unwrap_or_default();
        for (k, entry) in payload.entries.iter().enumerate() {
            let source = format!("{origin} entry {}", k + 1);
            match entry.to_account(&rules) {
                Ok((account, findings)) => out.accounts.push(Found {
                    account,
                    notes: findings.iter().map(entry_note).collect(),
                    source,
                }),
                Err(e) => out.skipped.push(Skipped {
                    source,
                    issuer: entry.issuer.clone(),
                    name: entry.name.clone(),
                    reason: e.to_string(),
                }),
            }
        }
    }
    let size = assembler.batch_size();
    let missing = assembler.missing_indices();
    // One line with a count: a batch can claim up to MAX_BATCH_SIZE codes.
    if !missing.is_empty() {
        out.missing = vec![assembler.missing().to_string()];
    }
    out.batch = Some(json!({
        "id": assembler.batch_id(),
        "size": size,
        "received_indices": assembler.payloads().map(|(i, _)| i).collect::<Vec<_>>(),
        "missing_indices": missing,
        "complete": assembler.is_complete(),
    }));
    Ok(out)
}

fn uri_note(origin: &str, finding: &google::UriFinding) -> Note {
    use google::UriFinding as F;
    let (code, text) = match finding {
        F::SurroundingWhitespace => (
            "surrounding-whitespace",
            "whitespace around the URI was trimmed".to_owned(),
        ),
        F::PrefixCase => ("prefix-case", "scheme or host not in lower case".to_owned()),
        F::ExtraParameter { name } => (
            "extra-parameter",
            format!("query parameter {name:?} ignored"),
        ),
        F::UnencodedReserved { count } => (
            "unencoded-reserved",
            format!("{count} Base64 character(s) +, / or = not percent-encoded"),
        ),
        F::SpaceForPlus { count } => (
            "space-for-plus",
            format!("{count} space(s) turned back into + (form-decoded text, M16)"),
        ),
        F::UrlSafeAlphabet => (
            "url-safe-alphabet",
            "URL-safe Base64 alphabet used".to_owned(),
        ),
        F::MissingPadding => ("missing-padding", "Base64 = padding missing".to_owned()),
    };
    Note::new(code, format!("{origin}: {text}"))
}

fn entry_note(finding: &google::Finding) -> Note {
    use google::Finding as F;
    match finding {
        F::AlgorithmUnspecified => Note::new(
            "algorithm-unspecified",
            "algorithm UNSPECIFIED on the wire, read as SHA1",
        ),
        F::DigitsUnspecified => Note::new(
            "digits-unspecified",
            "digits UNSPECIFIED on the wire, read as 6",
        ),
        F::TypeUnspecified { read_as } => Note::new(
            "type-unspecified",
            format!("type UNSPECIFIED on the wire, read as {read_as:?}"),
        ),
        F::PeriodAssumed => Note::new(
            "period-assumed",
            "the format has no period field: 30 s assumed",
        ),
        F::CounterOnTotp { counter } => Note::new(
            "counter-on-totp",
            format!("TOTP entry carries counter {counter}, ignored"),
        ),
        F::NameHasIssuerPrefix { prefix } => Note::new(
            "name-has-issuer-prefix",
            format!("the name keeps the issuer prefix {prefix:?} (M07)"),
        ),
        F::IssuerFromName { issuer } => Note::new(
            "issuer-from-name",
            format!("issuer {issuer:?} taken from the name's prefix"),
        ),
        F::ShortSecret { bytes } => Note::new(
            "short-secret",
            format!("secret of {bytes} bytes is below RFC 4226's 16-byte minimum"),
        ),
    }
}

fn repair_note(repair: &SecretRepair) -> Note {
    let (code, text) = match repair {
        SecretRepair::Whitespace => ("secret-whitespace", "spaces removed from the secret (M09)"),
        SecretRepair::Dashes => ("secret-dashes", "dashes removed from the secret"),
        SecretRepair::LowerCase => ("secret-lower-case", "lower-case secret upper-cased"),
        SecretRepair::Padding => ("secret-padding", "= padding removed from the secret"),
    };
    Note::new(code, text)
}

fn password_error(origin: &str, e: impl std::fmt::Display) -> Failure {
    Failure::bad_input(format!("{origin}: {e}"))
}

fn decode_aegis(origin: &str, bytes: &[u8], password: Option<&[u8]>) -> Result<Decoded, Failure> {
    let vault = aegis::decode(bytes, password, &AegisDecodeOptions::default())
        .map_err(|e| password_error(origin, e))?;
    let mut out = Decoded::new("aegis");
    if !vault.slots.is_empty() {
        out.notes.push(Note::new(
            "encrypted",
            "the vault was encrypted (password slot opened)",
        ));
    }
    for note in &vault.notes {
        out.notes.push(match note {
            aegis::VaultNote::SlotSkipped { index, slot_type } => Note::new(
                "slot-skipped",
                format!("slot {index} of type {slot_type} skipped: its key is not in the file"),
            ),
            aegis::VaultNote::SlotRefusedPassword { index } => Note::new(
                "slot-refused-password",
                format!("password slot {index} did not open with this password"),
            ),
        });
    }
    for (k, entry) in vault.entries.into_iter().enumerate() {
        let source = format!("{origin} entry {}", k + 1);
        match entry.imported {
            aegis::Imported::Account(account, repairs) => out.accounts.push(Found {
                account,
                source,
                notes: repairs.iter().map(repair_note).collect(),
            }),
            aegis::Imported::Unsupported { entry_type } => out.skipped.push(Skipped {
                source,
                issuer: entry.raw.issuer,
                name: entry.raw.name,
                reason: format!("unsupported entry type {entry_type}"),
            }),
        }
    }
    Ok(out)
}

fn decode_twofas(origin: &str, bytes: &[u8], password: Option<&[u8]>) -> Result<Decoded, Failure> {
    let backup = twofas::decode(bytes, password, &TwofasDecodeOptions::default())
        .map_err(|e| password_error(origin, e))?;
    let mut out = Decoded::new("2fas");
    out.notes.push(Note::new(
        "schema-version",
        format!("schemaVersion {}", backup.schema_version),
    ));
    if backup.encrypted {
        out.notes
            .push(Note::new("encrypted", "the backup was encrypted"));
    }
    if backup.unexpected_reference {
        out.notes.push(Note::new(
            "unexpected-reference",
            "reference decrypted to something other than 2FAS' constant",
        ));
    }
    for (k, service) in backup.services.into_iter().enumerate() {
        let source = format!("{origin} service {}", k + 1);
        let notes: Vec<Note> = service.findings.iter().map(service_note).collect();
        match service.imported {
            twofas::Imported::Account(account) => out.accounts.push(Found {
                account,
                source,
                notes,
            }),
            twofas::Imported::Unsupported { what } => out.skipped.push(Skipped {
                source,
                issuer: service.raw.name,
                name: service.raw.otp.account.unwrap_or_default(),
                reason: format!("unsupported: {what}"),
            }),
        }
    }
    Ok(out)
}

fn service_note(finding: &ServiceFinding) -> Note {
    match finding {
        ServiceFinding::SecretRepaired(repair) => repair_note(repair),
        ServiceFinding::DigitsDefaulted => {
            Note::new("digits-defaulted", "no otp.digits: 6 assumed")
        }
        ServiceFinding::PeriodDefaulted => {
            Note::new("period-defaulted", "no otp.period: 30 s assumed")
        }
        ServiceFinding::AlgorithmDefaulted => {
            Note::new("algorithm-defaulted", "no otp.algorithm: SHA1 assumed")
        }
        ServiceFinding::TokenTypeDefaulted => {
            Note::new("type-defaulted", "no otp.tokenType: TOTP assumed")
        }
        ServiceFinding::CounterDefaulted => {
            Note::new("counter-defaulted", "HOTP without otp.counter: 0 assumed")
        }
        ServiceFinding::AccountFromLabel => {
            Note::new("account-from-label", "no otp.account: the label was used")
        }
        ServiceFinding::IssuerDiffers { otp_issuer } => Note::new(
            "issuer-differs",
            format!("otp.issuer {otp_issuer:?} differs from the service name"),
        ),
    }
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
                    Value::Array(f.notes.iter().map(Note::json).collect()),
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
        "findings": d.notes.iter().map(Note::json).collect::<Vec<_>>(),
    });
    if let Some(map) = out.as_object_mut() {
        if d.format == "google-migration" {
            map.insert(
                "payloads".into(),
                d.payloads.iter().map(|(o, p)| payload_json(o, p)).collect(),
            );
            map.insert("batch".into(), d.batch.clone().unwrap_or(Value::Null));
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
            batch.get("id").unwrap_or(&Value::Null),
            batch
                .get("received_indices")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            batch.get("size").unwrap_or(&Value::Null)
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
    for line in &d.missing {
        say!("missing: {line}");
    }
}
