//! What an export is and what it holds: recognising a Google transfer URI or text, an Aegis
//! vault or a 2FAS backup from its bytes (never from a file name), and decoding it into
//! accounts, skipped entries and named findings (every value the format left open or the
//! decoder had to repair), the way `hybridsim migrate decode` lists them.
//!
//! Pictures are not read here: a caller that finds [`Kind::Png`] reads the QR codes with its
//! image decoder and passes their texts to [`decode_google`].

use crate::aegis::{self, AegisDecodeOptions, AegisError};
use crate::google::{
    self, BatchAssembler, BatchRules, ImportRules, Payload, ScanOutcome, UriError, UriMode,
};
use crate::secret::SecretRepair;
use crate::twofas::{self, ServiceFinding, TwofasDecodeOptions, TwofasError};
use hybridsim_otp::OtpAccount;

/// The first bytes of every PNG file.
pub const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What [`classify`] tries, for error messages.
pub const TRIED: &str = "tried: otpauth-migration:// URI, PNG QR code, Aegis vault (JSON with \
    header and db), 2FAS backup (JSON with schemaVersion and services)";

/// A named finding: a stable code for scripts and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Stable code, e.g. `unencoded-reserved`.
    pub code: &'static str,
    /// What happened, for people.
    pub text: String,
    /// Whether the decoder repaired the input (what a strict reader refuses), rather than
    /// only reporting a value the format leaves open.
    pub repair: bool,
}

impl Note {
    fn new(code: &'static str, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
            repair: false,
        }
    }

    fn repaired(code: &'static str, text: impl Into<String>) -> Self {
        Self {
            repair: true,
            ..Self::new(code, text)
        }
    }
}

/// One account found, with where it came from and what was unusual about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The account.
    pub account: OtpAccount,
    /// Where it came from, e.g. `vault.json entry 3`.
    pub source: String,
    /// What was unusual about it.
    pub notes: Vec<Note>,
}

/// An entry that is not an account this crate models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it came from.
    pub source: String,
    /// Its issuer, as written.
    pub issuer: String,
    /// Its name, as written.
    pub name: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The state of a Google batch after every code given was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The batch id (of the first code), if any code was accepted.
    pub id: Option<i32>,
    /// How many codes the batch has.
    pub size: i32,
    /// The indices received (from 0).
    pub received: Vec<i32>,
    /// The indices missing (from 0); at most [`google::MAX_BATCH_SIZE`] of them.
    pub missing: Vec<i32>,
    /// The missing codes as one short line (a count and the first few), however large the
    /// batch claims to be.
    pub shortfall: google::Missing,
    /// Whether every code arrived.
    pub complete: bool,
}

/// Everything decoded from the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// `google-migration`, `aegis` or `2fas`.
    pub format: &'static str,
    /// The accounts.
    pub accounts: Vec<Found>,
    /// Entries that are not accounts.
    pub skipped: Vec<Skipped>,
    /// Findings about the inputs as a whole.
    pub notes: Vec<Note>,
    /// Google only: the payloads with their inputs.
    pub payloads: Vec<(String, Payload)>,
    /// Google only: the batch.
    pub batch: Option<Batch>,
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
        }
    }

    /// Every finding that is a repair, with where it was made (what `--strict` refuses).
    pub fn repairs(&self) -> impl Iterator<Item = (&str, &Note)> {
        let general = self.notes.iter().map(|n| ("", n));
        let per_account = self
            .accounts
            .iter()
            .flat_map(|f| f.notes.iter().map(move |n| (f.source.as_str(), n)));
        general.chain(per_account).filter(|(_, n)| n.repair)
    }
}

/// What some bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A PNG picture (QR codes to read).
    Png,
    /// An Aegis vault.
    Aegis,
    /// A 2FAS backup.
    TwoFas,
    /// Text with one `otpauth-migration://` URI per non-empty line: (line number from 1, text).
    MigrationLines(Vec<(usize, String)>),
}

/// Why an input could not be recognised or decoded.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// None of the formats.
    #[error("{origin}: not a known export format ({TRIED})")]
    Unknown {
        /// Where the input came from.
        origin: String,
    },
    /// JSON of none of the formats.
    #[error("{origin}: JSON, but not a known export format ({TRIED})")]
    UnknownJson {
        /// Where the input came from.
        origin: String,
    },
    /// A migration URI that does not decode.
    #[error("{origin}: {source}")]
    Uri {
        /// Where it came from.
        origin: String,
        /// Why.
        source: UriError,
    },
    /// An Aegis vault that does not decode (or a wrong password).
    #[error("{origin}: {source}")]
    Aegis {
        /// The file.
        origin: String,
        /// Why.
        source: AegisError,
    },
    /// A 2FAS backup that does not decode (or a wrong password).
    #[error("{origin}: {source}")]
    TwoFas {
        /// The file.
        origin: String,
        /// Why.
        source: TwofasError,
    },
}

/// Whether `text` starts (after whitespace) with `otpauth-migration:`, in any case.
pub fn is_migration_uri(text: &str) -> bool {
    text.trim_start()
        .get(..18)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
}

/// Recognises a file's bytes from their content; `origin` names it in errors.
pub fn classify(origin: &str, bytes: &[u8]) -> Result<Kind, DetectError> {
    if bytes.starts_with(PNG_MAGIC) {
        return Ok(Kind::Png);
    }
    let unknown = || DetectError::Unknown {
        origin: origin.to_owned(),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| unknown())?;
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
        if map.contains_key("header") && map.contains_key("db") {
            return Ok(Kind::Aegis);
        }
        if map.contains_key("schemaVersion") {
            return Ok(Kind::TwoFas);
        }
        return Err(DetectError::UnknownJson {
            origin: origin.to_owned(),
        });
    }
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| (k + 1, l.to_owned()))
        .collect();
    if !lines.is_empty() && lines.iter().all(|(_, l)| is_migration_uri(l)) {
        return Ok(Kind::MigrationLines(lines));
    }
    Err(unknown())
}

/// Decodes Google transfer URIs, `(origin, text)` each, as one batch: accounts, skipped
/// entries, every repair and batch finding, and which codes are missing.
pub fn decode_google(texts: &[(String, String)], mode: UriMode) -> Result<Decoded, DetectError> {
    let mut out = Decoded::new("google-migration");
    let mut assembler = BatchAssembler::new(BatchRules::default());
    let mut origins = std::collections::BTreeMap::new();
    for (origin, text) in texts {
        let decoded = google::decode_uri(text, mode).map_err(|source| DetectError::Uri {
            origin: origin.clone(),
            source,
        })?;
        for finding in &decoded.findings {
            out.notes.push(uri_note(origin, finding));
        }
        out.payloads.push((origin.clone(), decoded.payload.clone()));
        if let Some(note) = offer(&mut assembler, decoded.payload, origin, &mut origins) {
            out.notes.push(note);
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
    out.batch = Some(Batch {
        id: assembler.batch_id(),
        size: assembler.batch_size(),
        received: assembler.payloads().map(|(i, _)| i).collect(),
        missing: assembler.missing_indices(),
        shortfall: assembler.missing(),
        complete: assembler.is_complete(),
    });
    Ok(out)
}

/// Offers one payload to the batch; a finding when it was not simply accepted.
fn offer(
    assembler: &mut BatchAssembler,
    payload: Payload,
    origin: &str,
    origins: &mut std::collections::BTreeMap<i32, String>,
) -> Option<Note> {
    match assembler.offer(payload) {
        ScanOutcome::Accepted { index, .. } | ScanOutcome::Complete { index } => {
            origins.insert(index, origin.to_owned());
            None
        }
        ScanOutcome::Duplicate { index } => Some(Note::new(
            "duplicate-qr",
            format!("{origin}: QR {} was given twice; the copy is ignored", index + 1),
        )),
        ScanOutcome::UnrelatedBatch {
            expected_batch_id,
            found_batch_id,
        } => Some(Note::new(
            "unrelated-batch",
            format!(
                "{origin}: batch id {found_batch_id} belongs to another export than {expected_batch_id}; ignored"
            ),
        )),
        ScanOutcome::Inconsistent {
            batch_size,
            found_size,
            index,
        } => Some(Note::new(
            "inconsistent-batch",
            format!(
                "{origin}: QR index {index} of size {found_size} does not fit the batch of {batch_size}; ignored"
            ),
        )),
        ScanOutcome::OutOfOrder { index, expected } => Some(Note::new(
            "out-of-order",
            format!("{origin}: QR {} came before QR {}", index + 1, expected + 1),
        )),
        ScanOutcome::ImplausibleSize { found_size } => Some(Note::new(
            "inconsistent-batch",
            format!("{origin}: batch size {found_size} is implausible; ignored"),
        )),
    }
}

/// A URI-layer repair as a finding.
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
    Note::repaired(code, format!("{origin}: {text}"))
}

/// An entry-conversion finding.
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

/// A secret repair as a finding.
fn repair_note(repair: &SecretRepair) -> Note {
    let (code, text) = match repair {
        SecretRepair::Whitespace => ("secret-whitespace", "spaces removed from the secret (M09)"),
        SecretRepair::Dashes => ("secret-dashes", "dashes removed from the secret"),
        SecretRepair::LowerCase => ("secret-lower-case", "lower-case secret upper-cased"),
        SecretRepair::Padding => ("secret-padding", "= padding removed from the secret"),
    };
    Note::repaired(code, text)
}

/// Decodes an Aegis vault (`password` for an encrypted one).
pub fn decode_aegis(
    origin: &str,
    bytes: &[u8],
    password: Option<&[u8]>,
) -> Result<Decoded, DetectError> {
    let vault =
        aegis::decode(bytes, password, &AegisDecodeOptions::default()).map_err(|source| {
            DetectError::Aegis {
                origin: origin.to_owned(),
                source,
            }
        })?;
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

/// Decodes a 2FAS backup (`password` for an encrypted one).
pub fn decode_twofas(
    origin: &str,
    bytes: &[u8],
    password: Option<&[u8]>,
) -> Result<Decoded, DetectError> {
    let backup =
        twofas::decode(bytes, password, &TwofasDecodeOptions::default()).map_err(|source| {
            DetectError::TwoFas {
                origin: origin.to_owned(),
                source,
            }
        })?;
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

/// A 2FAS service finding.
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
