//! The inputs of one `hybridsim migrate decode`, gathered into one export: migration URIs
//! given as text, PNG pictures of transfer QR codes (read here), text files of URIs, or one
//! Aegis vault or 2FAS backup on its own; then decoded with everything the decoder noticed,
//! and judged for a Google batch's missing codes.
//!
//! Recognising the formats is [`hybridsim_export::detect`]'s; reading the files is the
//! caller's. Lives here because only this crate sees both the QR reader and the formats.

use hybridsim_export::detect::{self, Decoded, DetectError, Kind};
use hybridsim_export::google::UriMode;
use hybridsim_export::listing::missing_lines;

/// Why an input does not belong to an export.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The bytes are none of the formats.
    #[error("{0}")]
    Detect(DetectError),
    /// A PNG picture with no readable QR code.
    #[error("{input}: no readable QR code: {reason}")]
    NoQrCode {
        /// The input's name.
        input: String,
        /// Why the reader found none.
        reason: String,
    },
    /// A QR code holding something else.
    #[error("{input}: the QR code holds {start:?}…, not an otpauth-migration:// URI")]
    NotMigration {
        /// The input's name.
        input: String,
        /// The first 40 characters the code holds.
        start: String,
    },
    /// A vault or backup given with other inputs.
    #[error("an Aegis vault or 2FAS backup is decoded on its own: give it as the only INPUT")]
    NotAlone,
    /// A password for Google transfer codes.
    #[error("--password is for Aegis vaults and 2FAS backups; Google transfer codes have none")]
    PasswordForGoogle,
}

/// The inputs gathered so far.
#[derive(Debug, Default)]
pub struct ExportInputs {
    /// Migration URIs, each with where it came from.
    texts: Vec<(String, String)>,
    /// A vault or backup: (name, kind, bytes).
    file: Option<(String, Kind, Vec<u8>)>,
}

impl ExportInputs {
    /// Adds the `n`th argument (from 0), an `otpauth-migration://` URI.
    pub fn push_uri(&mut self, n: usize, uri: &str) {
        self.texts
            .push((format!("argument {}", n + 1), uri.to_owned()));
    }

    /// Adds a file's bytes, recognised from their content; `alone` says whether it is the
    /// only input (a vault or backup must be).
    pub fn push_file(&mut self, name: &str, bytes: Vec<u8>, alone: bool) -> Result<(), InputError> {
        match detect::classify(name, &bytes).map_err(InputError::Detect)? {
            Kind::Png => self.push_picture(name, &bytes)?,
            Kind::MigrationLines(lines) => self.texts.extend(
                lines
                    .into_iter()
                    .map(|(line, text)| (format!("{name} line {line}"), text)),
            ),
            _ if !alone => return Err(InputError::NotAlone),
            kind => self.file = Some((name.to_owned(), kind, bytes)),
        }
        Ok(())
    }

    /// Reads every QR code in a picture; each must hold a migration URI.
    fn push_picture(&mut self, name: &str, png: &[u8]) -> Result<(), InputError> {
        let found = hybridsim_optical::read_image(png).map_err(|e| InputError::NoQrCode {
            input: name.to_owned(),
            reason: e.to_string(),
        })?;
        for (k, text) in found.into_iter().enumerate() {
            if !detect::is_migration_uri(&text) {
                return Err(InputError::NotMigration {
                    input: name.to_owned(),
                    start: text.chars().take(40).collect(),
                });
            }
            let origin = if k == 0 {
                name.to_owned()
            } else {
                format!("{name} (code {})", k + 1)
            };
            self.texts.push((origin, text));
        }
        Ok(())
    }

    /// Decodes what was gathered, reading migration URIs as forgivingly as apps do; the
    /// password is for a vault or backup only.
    pub fn decode(&self, password: Option<&[u8]>) -> Result<Decoded, InputError> {
        match &self.file {
            Some((origin, Kind::Aegis, bytes)) => detect::decode_aegis(origin, bytes, password),
            Some((origin, _, bytes)) => detect::decode_twofas(origin, bytes, password),
            None if password.is_some() => return Err(InputError::PasswordForGoogle),
            None => detect::decode_google(&self.texts, UriMode::Lenient),
        }
        .map_err(InputError::Detect)
    }
}

/// What a decoded Google batch lacks, in one line: no code accepted, or the missing codes;
/// `None` when complete or not a batch.
pub fn shortfall(decoded: &Decoded) -> Option<String> {
    let batch = decoded.batch.as_ref()?;
    if batch.received.is_empty() {
        return Some("no QR code of the batch was accepted: no accounts (see the findings)".into());
    }
    if batch.missing.is_empty() {
        return None;
    }
    Some(format!(
        "the batch is incomplete: {}",
        missing_lines(decoded).join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{export, FileFormat};
    use crate::{AppAccount, AppModel, Phone, Quirks};

    fn google_export(accounts: usize, per_qr: usize) -> crate::files::Exported {
        let mut phone = Phone::new(AppModel::GoogleAuthenticator);
        for k in 0..accounts {
            let uri = format!("otpauth://totp/I:a{k}?secret=GEZDGNBVGY3TQOJQGEZDGNBV&issuer=I");
            if let Ok(p) = hybridsim_otp::parse(&uri, hybridsim_otp::Mode::Lenient) {
                phone.add(AppAccount::Otp(p.account), false);
            }
        }
        match export(&phone, FileFormat::Google, None, per_qr, &Quirks::none(), 3) {
            Ok(e) => e,
            Err(e) => unreachable!("export failed: {e}"),
        }
    }

    #[test]
    fn a_picture_of_half_a_batch_is_decoded_and_its_shortfall_named() {
        let exported = google_export(2, 1);
        let mut inputs = ExportInputs::default();
        let first = exported.pictures.first().cloned().unwrap_or_default();
        assert!(inputs.push_file("qr-1.png", first, false).is_ok());
        let decoded = inputs.decode(None);
        let Ok(decoded) = decoded else {
            unreachable!("decode failed: {decoded:?}")
        };
        assert_eq!(decoded.accounts.len(), 1);
        assert_eq!(decoded.accounts[0].source, "qr-1.png entry 1");
        assert_eq!(
            shortfall(&decoded).as_deref(),
            Some("the batch is incomplete: QR 2 of 2 missing")
        );
        assert!(matches!(
            inputs.decode(Some(b"pw")),
            Err(InputError::PasswordForGoogle)
        ));
    }

    #[test]
    fn uris_and_lines_make_a_whole_batch() {
        let exported = google_export(2, 1);
        let mut lines = exported.text.lines();
        let mut inputs = ExportInputs::default();
        inputs.push_uri(0, lines.next().unwrap_or_default());
        let rest = lines.next().unwrap_or_default().as_bytes().to_vec();
        assert!(inputs.push_file("more.txt", rest, false).is_ok());
        let decoded = inputs.decode(None);
        assert!(decoded.as_ref().is_ok_and(|d| d.accounts.len() == 2));
        assert!(decoded.is_ok_and(|d| shortfall(&d).is_none()));
    }

    #[test]
    fn a_vault_must_come_alone_and_junk_is_named() {
        let mut inputs = ExportInputs::default();
        let vault = br#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[]}}"#;
        assert!(matches!(
            inputs.push_file("v.json", vault.to_vec(), false),
            Err(InputError::NotAlone)
        ));
        let junk = inputs.push_file("junk.bin", vec![0, 1, 2], true);
        assert!(junk.is_err_and(|e| e.to_string().starts_with("junk.bin: not a known export")));
    }
}
