//! Migration through files, one half at a time, as `hybridsim migrate export|import|run`
//! do it: a phone's accounts written in an app's export format, the same bytes read back
//! into another phone by the app's importer, and a whole migration with its report.
//!
//! What stays with the caller is reading and writing the files; here the bytes come in and
//! go out as values, every random value is drawn from a seed, and app-stage quirks are put
//! onto the importing phone only for the duration of one call (they describe the app, not
//! the transfer, and are never saved with it).

use crate::context::Trail;
use crate::mechanism::{aegis, cxf, google, twofas, ExportedFile, MigrationFailure};
use crate::quirk::Stage;
use crate::{AppAccount, AppModel, Cloud, Context, Mechanism, MigrationReport, Phone, Quirk};
use crate::{Provider, Quirks};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The export formats a phone can write and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Google Authenticator transfer: otpauth-migration:// URIs and their QR codes.
    Google,
    /// Aegis vault JSON (plain or password-encrypted).
    Aegis,
    /// 2FAS `.2fas` backup (plain or password-encrypted).
    TwoFas,
    /// A CXF 1.0 document written or read by this passkey provider.
    Cxf(Provider),
}

impl FileFormat {
    /// The app that writes this format, which a new phone importing it gets by default.
    pub fn app(self) -> AppModel {
        match self {
            Self::Google => AppModel::GoogleAuthenticator,
            Self::Aegis => AppModel::Aegis,
            Self::TwoFas => AppModel::TwoFas,
            Self::Cxf(_) => AppModel::MicrosoftAuthenticator,
        }
    }
}

/// A file format as a person names it (`--format`): the CXF one is written or read by the
/// phone's own passkey provider, known once its state is loaded ([`FormatName::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum FormatName {
    /// Google Authenticator transfer: otpauth-migration:// URIs and their QR codes.
    Google,
    /// Aegis vault JSON (plain, or encrypted with --password).
    Aegis,
    /// 2FAS `.2fas` backup (plain, or encrypted with --password).
    #[cfg_attr(feature = "clap", value(name = "2fas"))]
    TwoFas,
    /// Credential Exchange Format 1.0 (passkeys and TOTP), from or to the state's provider.
    Cxf,
}

impl FormatName {
    /// The format, a CXF one written or read by `provider`.
    pub fn of(self, provider: Provider) -> FileFormat {
        match self {
            Self::Google => FileFormat::Google,
            Self::Aegis => FileFormat::Aegis,
            Self::TwoFas => FileFormat::TwoFas,
            Self::Cxf => FileFormat::Cxf(provider),
        }
    }

    /// The app that writes this format, which a new phone importing it gets by default.
    pub fn app(self) -> AppModel {
        self.of(Provider::IcloudKeychain).app()
    }
}

/// The mechanisms a whole run between two phones offers, by name.
pub const MECHANISMS: [&str; 5] = [
    "cloud-backup",
    "keychain-sync",
    "google-transfer",
    "aegis-vault",
    "2fas",
];

/// The mechanism called `name` ([`MECHANISMS`]) with the recovery or platform `account` and
/// the file's `password`, and the app a new phone gets for it.
pub fn named_mechanism(
    name: &str,
    account: &str,
    password: Option<&str>,
) -> Option<(Mechanism, AppModel)> {
    let password = password.map(str::to_owned);
    Some(match name {
        "cloud-backup" => (
            Mechanism::CloudBackup {
                recovery: account.to_owned(),
                strong_auth: true,
            },
            AppModel::MicrosoftAuthenticator,
        ),
        "keychain-sync" => (
            Mechanism::KeychainSync {
                platform_account: account.to_owned(),
            },
            AppModel::MicrosoftAuthenticator,
        ),
        "google-transfer" => (
            Mechanism::GoogleTransfer(google::Transfer::default()),
            AppModel::GoogleAuthenticator,
        ),
        "aegis-vault" => (Mechanism::AegisVault { password }, AppModel::Aegis),
        "2fas" => (Mechanism::TwoFas { password }, AppModel::TwoFas),
        _ => return None,
    })
}

/// Quirks by name; `Err` holds the first name that is no quirk.
pub fn quirks_named(names: &[String]) -> Result<Quirks, String> {
    let mut quirks = Vec::new();
    for name in names {
        quirks.push(Quirk::from_name(name).ok_or_else(|| name.clone())?);
    }
    Ok(Quirks::of(quirks))
}

/// The App-stage quirks of a set: properties of the app on the phone, not of the transfer.
pub fn app_stage(quirks: &Quirks) -> Quirks {
    Quirks::of(quirks.0.iter().copied().filter(|q| q.stage() == Stage::App))
}

/// The deterministic random source of one command: batch ids, salts, nonces and keys.
pub fn seeded(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The trail as lines: notes about single accounts (named by the phone that has them), then
/// general ones.
pub fn trail_lines(trail: &Trail, phone: &Phone) -> Vec<String> {
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

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The file's text: the vault or backup JSON, or for Google the URIs one per line.
    pub text: String,
    /// Google only: each QR code as a PNG picture, in batch order.
    pub pictures: Vec<Vec<u8>>,
    /// What the exporter told the user, per account and in general.
    pub notes: Vec<String>,
}

/// Writes `phone`'s accounts in `format`: Google with `per_qr` accounts per QR code (at
/// least one), Aegis and 2FAS encrypted when a password is given.
pub fn export(
    phone: &Phone,
    format: FileFormat,
    password: Option<&str>,
    per_qr: usize,
    quirks: &Quirks,
    seed: u64,
) -> Result<Exported, MigrationFailure> {
    let mut random = seeded(seed);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(quirks, &mut random, &mut cloud);
    let (text, pictures) = match format {
        FileFormat::Google => {
            let transfer = google::Transfer {
                accounts_per_qr: per_qr.max(1),
                ..google::Transfer::default()
            };
            let shown = transfer.export(phone, &mut ctx)?;
            let mut text = shown.uris.join("\n");
            text.push('\n');
            (text, shown.pictures)
        }
        FileFormat::Aegis => (aegis::export(phone, password, &mut ctx)?.json, Vec::new()),
        FileFormat::TwoFas => (twofas::export(phone, password, &mut ctx)?.json, Vec::new()),
        FileFormat::Cxf(provider) => (cxf::export(phone, provider, 0, &mut ctx).json, Vec::new()),
    };
    let notes = trail_lines(&ctx.trail, phone);
    Ok(Exported {
        text,
        pictures,
        notes,
    })
}

/// Why an import read nothing; each says which input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// An Aegis or 2FAS import was given other than one input.
    #[error("an Aegis vault or 2FAS backup import takes exactly one INPUT")]
    NotOneFile,
    /// A Google input that is neither a PNG picture nor text.
    #[error("{0} is neither a PNG picture nor text with otpauth-migration:// URIs")]
    NotPictureOrText(String),
    /// A line of a Google text input too long or odd for a QR code.
    #[error("{input} line {line}: cannot be shown as a QR code: {reason}")]
    NotDrawable {
        /// The input's name.
        input: String,
        /// The line, from 1.
        line: usize,
        /// Why the QR code could not be drawn.
        reason: String,
    },
    /// An Aegis or 2FAS input that is not UTF-8.
    #[error("{input} is not UTF-8 text: {reason}")]
    NotText {
        /// The input's name.
        input: String,
        /// Where the bytes stop being UTF-8.
        reason: String,
    },
    /// The Google importer stopped as a whole.
    #[error("{0}")]
    Transfer(MigrationFailure),
    /// The Aegis or 2FAS importer stopped as a whole.
    #[error("{input}: {failure}")]
    File {
        /// The input's name.
        input: String,
        /// What stopped it.
        failure: MigrationFailure,
    },
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Labels of the accounts that are new on the phone.
    pub added: Vec<String>,
    /// Labels of the accounts the import removed (an importer that replaces).
    pub removed: Vec<String>,
    /// What the importer told the user.
    pub notes: Vec<String>,
    /// Google only: nothing was added and no account of the batch was there before, so
    /// every QR code was refused or unreadable.
    pub refused: bool,
}

/// Reads `inputs` (each a name for messages and the file's bytes) into `phone` the way its
/// app imports `format`, with `quirks` (App-stage ones for this call only).
pub fn import(
    phone: &mut Phone,
    format: FileFormat,
    inputs: &[(String, Vec<u8>)],
    password: Option<&str>,
    quirks: &Quirks,
) -> Result<Imported, ImportError> {
    if format != FileFormat::Google && inputs.len() != 1 {
        return Err(ImportError::NotOneFile);
    }
    let pictures = match format {
        FileFormat::Google => google_pictures(inputs)?,
        _ => Vec::new(),
    };
    let before = phone.accounts.clone();
    let stored_quirks = phone.quirks.clone();
    phone.quirks.0.extend(app_stage(quirks).0);
    let mut random = seeded(0);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(quirks, &mut random, &mut cloud);
    let outcome = run_importer(phone, format, inputs, pictures.clone(), password, &mut ctx);
    phone.quirks = stored_quirks;
    outcome?;
    let added = difference(&phone.accounts, &before);
    // Nothing new and nothing of the batch already there: every code was refused. The
    // pictures are read again only then, since reading QR codes is the costly part.
    let refused = format == FileFormat::Google && added.is_empty() && !batch_on(&pictures, phone);
    Ok(Imported {
        removed: difference(&before, &phone.accounts),
        notes: trail_lines(&ctx.trail, phone),
        added,
        refused,
    })
}

/// Runs the format's importer on the phone.
fn run_importer(
    phone: &mut Phone,
    format: FileFormat,
    inputs: &[(String, Vec<u8>)],
    pictures: Vec<Vec<u8>>,
    password: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<(), ImportError> {
    if format == FileFormat::Google {
        let shown = google::Shown {
            uris: Vec::new(),
            pictures,
            carried: Vec::new(),
        };
        return google::Transfer::default()
            .import(phone, &shown, ctx)
            .map_err(ImportError::Transfer);
    }
    let Some((input, bytes)) = inputs.first() else {
        return Err(ImportError::NotOneFile);
    };
    let json = String::from_utf8(bytes.clone()).map_err(|e| ImportError::NotText {
        input: input.clone(),
        reason: e.to_string(),
    })?;
    if let FileFormat::Cxf(provider) = format {
        return cxf::import(phone, bytes, provider, &[], ctx).map_err(|failure| {
            ImportError::File {
                input: input.clone(),
                failure,
            }
        });
    }
    let file = ExportedFile {
        json,
        carried: Vec::new(),
    };
    if format == FileFormat::Aegis {
        aegis::import(phone, &file, password, ctx)
    } else {
        twofas::import(phone, &file, password, ctx)
    }
    .map_err(|failure| ImportError::File {
        input: input.clone(),
        failure,
    })
}

/// The QR pictures to scan: PNG files as they are; text files one URI per line, each drawn
/// as the QR code the old phone would show.
fn google_pictures(inputs: &[(String, Vec<u8>)]) -> Result<Vec<Vec<u8>>, ImportError> {
    let mut pictures = Vec::new();
    for (input, bytes) in inputs {
        if bytes.starts_with(hybridsim_export::detect::PNG_MAGIC) {
            pictures.push(bytes.clone());
            continue;
        }
        let text =
            std::str::from_utf8(bytes).map_err(|_| ImportError::NotPictureOrText(input.clone()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let png =
                hybridsim_optical::render_png(line, 4).map_err(|e| ImportError::NotDrawable {
                    input: input.clone(),
                    line: n + 1,
                    reason: e.to_string(),
                })?;
            pictures.push(png);
        }
    }
    Ok(pictures)
}

/// Whether the phone holds an account of the Google pictures (by secret, the codes read as
/// forgivingly as any app reads them).
fn batch_on(pictures: &[Vec<u8>], phone: &Phone) -> bool {
    use hybridsim_export::google::{decode_uri, UriMode};
    let secrets: Vec<Vec<u8>> = pictures
        .iter()
        .filter_map(|picture| hybridsim_optical::read_image(picture).ok())
        .flatten()
        .filter_map(|text| decode_uri(&text, UriMode::Lenient).ok())
        .flat_map(|decoded| decoded.payload.entries.into_iter().map(|e| e.secret))
        .collect();
    phone
        .accounts
        .iter()
        .filter_map(AppAccount::otp)
        .any(|a| secrets.contains(&a.secret))
}

/// Labels of the accounts in `a` that `b` does not have (counting copies).
pub fn difference(a: &[AppAccount], b: &[AppAccount]) -> Vec<String> {
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

/// A whole migration from `old` to `new` by `mechanism`, checked at true time `at`, with
/// App-stage quirks on `new` for this call only.
pub fn run(
    old: &Phone,
    new: &mut Phone,
    mechanism: &Mechanism,
    quirks: &Quirks,
    at: u64,
    seed: u64,
) -> MigrationReport {
    let stored_quirks = new.quirks.clone();
    new.quirks.0.extend(app_stage(quirks).0);
    let mut random = seeded(seed);
    let mut cloud = Cloud::default();
    let mut ctx = Context::new(quirks, &mut random, &mut cloud);
    let report = crate::migrate(old, new, mechanism, &[], at, &mut ctx);
    new.quirks = stored_quirks;
    report
}

/// How many accounts of a report were lost or changed (not moved, another code, or refused
/// by their site).
pub fn damaged(report: &MigrationReport) -> usize {
    report.damaged()
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
