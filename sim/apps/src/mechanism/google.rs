//! Google Authenticator transfer: phone A shows a batch of `otpauth-migration://` QR codes,
//! phone B's camera scans them one at a time (docs/migration.md §3). Every picture is rendered
//! and read back, so an unreadable code fails here as it would in a hand.

use super::admit::{admit, Arriving, Incoming};
use super::MigrationFailure;
use crate::account::AppAccount;
use crate::context::Context;
use crate::phone::{AppModel, Phone};
use crate::quirk::{Quirk, Quirks};
use hybridsim_export::google::{
    self, BatchAssembler, BatchRules, GoogleExportOptions, ImportRules, Payload, ScanOutcome,
    SplitIssuer, UriMode, UriStyle,
};
use hybridsim_otp::OtpKind;
use serde::{Deserialize, Serialize};

/// How the transfer is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Accounts per QR code (10 in GA 6).
    #[serde(default = "ten")]
    pub accounts_per_qr: usize,
    /// Which QR codes the user scans, 0-based, in order; all in order when absent (a partial
    /// batch when some are left out).
    #[serde(default)]
    pub scan: Option<Vec<usize>>,
    /// Pixels per QR module on phone A's screen.
    #[serde(default = "four")]
    pub module_px: u32,
}

fn ten() -> usize {
    10
}

fn four() -> u32 {
    4
}

impl Default for Transfer {
    fn default() -> Self {
        Self {
            accounts_per_qr: ten(),
            scan: None,
            module_px: four(),
        }
    }
}

/// A batch as phone A shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The URIs, one per QR code.
    pub uris: Vec<String>,
    /// The QR codes as PNG pictures.
    pub pictures: Vec<Vec<u8>>,
    /// For each exported entry in batch order, the old-phone account index.
    pub carried: Vec<usize>,
}

impl Transfer {
    /// Exports on `old` and imports on `new`.
    pub fn run(
        &self,
        old: &Phone,
        new: &mut Phone,
        ctx: &mut Context<'_>,
    ) -> Result<(), MigrationFailure> {
        let shown = self.export(old, ctx)?;
        self.import(new, &shown, ctx)
    }

    /// Phone A's side: the batch of QR codes.
    pub fn export(&self, old: &Phone, ctx: &mut Context<'_>) -> Result<Shown, MigrationFailure> {
        let quirks = ctx.quirks.clone();
        let (accounts, carried) = exportable(old, &quirks, ctx);
        let batch_id = i32::from_le_bytes(ctx.random());
        let options = GoogleExportOptions {
            accounts_per_qr: self.accounts_per_qr,
            batch_id,
            write_zero_batch_index: !quirks.has(Quirk::GaExportOmitsZeroBatchIndex),
            name_with_issuer_prefix: old.app == AppModel::GoogleAuthenticator,
            uri_style: if quirks.has(Quirk::TransportFormDecodesPlus) {
                UriStyle::RawBase64
            } else {
                UriStyle::PercentEncoded
            },
            ..GoogleExportOptions::default()
        };
        let mut export = google::export(&accounts, &options)
            .map_err(|e| MigrationFailure::Broken(format!("cannot export: {e}")))?;
        note_losses(&export, &carried, &quirks, ctx);
        if quirks.has(Quirk::ExportDropsAlgorithmAndDigits) {
            drop_algorithm_and_digits(&mut export, &options, &carried, ctx);
        }
        let total = export.uris.len();
        for (k, uri) in export.uris.iter().enumerate() {
            ctx.trail
                .sent(format!("transfer QR {} of {total}", k + 1), uri.as_bytes());
        }
        let mut pictures = Vec::new();
        for uri in &export.uris {
            let png = hybridsim_optical::render_png(uri, self.module_px)
                .map_err(|e| MigrationFailure::Broken(format!("cannot draw the QR code: {e}")))?;
            pictures.push(png);
        }
        Ok(Shown {
            uris: export.uris,
            pictures,
            carried,
        })
    }

    /// Phone B's side: scan the pictures in the order the user shows them.
    pub fn import(
        &self,
        new: &mut Phone,
        shown: &Shown,
        ctx: &mut Context<'_>,
    ) -> Result<(), MigrationFailure> {
        let quirks = ctx.quirks.clone();
        let total = shown.pictures.len();
        let order: Vec<usize> = self.scan.clone().unwrap_or_else(|| (0..total).collect());
        // GA needs every index on the wire; Aegis' camera scanner takes codes in order and
        // reads batch id 0 as unset; other importers take images in any order.
        let ga = new.app == AppModel::GoogleAuthenticator;
        let mut scanner = Scanner {
            assembler: BatchAssembler::new(BatchRules {
                zero_batch_id_is_unset: new.app == AppModel::Aegis,
                in_order: ga || new.app == AppModel::Aegis,
            }),
            loose: Vec::new(),
            refused: false,
            ga,
            total,
        };
        for (n, &which) in order.iter().enumerate() {
            let Some(picture) = shown.pictures.get(which) else {
                ctx.trail.general(format!(
                    "QR {} does not exist (the batch has {total})",
                    which + 1
                ));
                continue;
            };
            if quirks.has(Quirk::ImportFirstQrOnly) && n > 0 {
                ctx.trail.general(format!(
                    "the importer stopped after the first QR code and did not read QR {} of {total} ({})",
                    which + 1,
                    Quirk::ImportFirstQrOnly.cite()
                ));
                continue;
            }
            if let Some(payload) = read_picture(picture, which, total, &quirks, ctx)? {
                scanner.offer(payload, which, ctx);
            }
        }
        let placed = scanner.finish(ctx);
        let incoming = self.entries_to_accounts(placed, shown, &quirks, ctx);
        admit(new, incoming, Arriving::Import, ctx);
        Ok(())
    }

    /// The accounts the importer makes of the scanned payloads, each traced back to the old
    /// phone's account through its position in the batch.
    fn entries_to_accounts(
        &self,
        placed: Vec<(i32, Payload)>,
        shown: &Shown,
        quirks: &Quirks,
        ctx: &mut Context<'_>,
    ) -> Vec<Incoming> {
        let per_qr = self.accounts_per_qr.max(1);
        let import_rules = ImportRules {
            split_issuer: if quirks.has(Quirk::ImportKeepsIssuerPrefixInName) {
                SplitIssuer::WhenIssuerEmpty
            } else {
                SplitIssuer::WhenConsistent
            },
            ..ImportRules::default()
        };
        let mut incoming = Vec::new();
        for (index, payload) in placed {
            for (k, entry) in payload.entries.iter().enumerate() {
                let position = usize::try_from(index).unwrap_or(0) * per_qr + k;
                let source = shown.carried.get(position).copied();
                let label = format!("QR {} entry {} ({})", index + 1, k + 1, entry.name);
                match entry.to_account(&import_rules) {
                    Ok((account, findings)) => {
                        for finding in findings {
                            if let google::Finding::NameHasIssuerPrefix { .. } = &finding {
                                ctx.trail.entry(
                                    source,
                                    &label,
                                    format!(
                                        "the importer kept the issuer prefix in the name ({})",
                                        Quirk::ImportKeepsIssuerPrefixInName.cite()
                                    ),
                                );
                            }
                        }
                        incoming.push(Incoming {
                            source,
                            account: AppAccount::Otp(account),
                        });
                    }
                    Err(e) => {
                        ctx.trail.entry(
                            source,
                            &label,
                            format!("the importer refused the entry: {e}"),
                        );
                    }
                }
            }
        }
        incoming
    }
}

/// The OTP accounts of the old phone the export takes, with their indices on that phone.
fn exportable(
    old: &Phone,
    quirks: &Quirks,
    ctx: &mut Context<'_>,
) -> (Vec<hybridsim_otp::OtpAccount>, Vec<usize>) {
    let mut accounts = Vec::new();
    let mut carried = Vec::new();
    for (index, account) in old.accounts.iter().enumerate() {
        let AppAccount::Otp(otp) = account else {
            ctx.trail
                .account(index, "Google transfer QR codes carry OTP accounts only");
            continue;
        };
        if let OtpKind::Totp { period } = otp.kind {
            if period != 30 && !quirks.has(Quirk::GaExportIgnoresPeriod) {
                ctx.trail.account(index, format!(
                    "left out of the export: the format has no period field and this account uses {period} s"
                ));
                continue;
            }
        }
        accounts.push(otp.clone());
        carried.push(index);
    }
    (accounts, carried)
}

/// Notes on each exported account what the format could not carry.
fn note_losses(
    export: &google::GoogleExport,
    carried: &[usize],
    quirks: &Quirks,
    ctx: &mut Context<'_>,
) {
    for (position, loss) in &export.losses {
        if let Some(&index) = carried.get(*position) {
            let note = match loss {
                google::Loss::Period { period } if quirks.has(Quirk::GaExportIgnoresPeriod) => format!(
                    "exported although the format cannot say its period is {period} s: the new phone will run it at 30 s ({})",
                    Quirk::GaExportIgnoresPeriod.cite()
                ),
                other => format!("the export cannot carry it whole: {other:?}"),
            };
            ctx.trail.account(index, note);
        }
    }
}

/// M10: clears algorithm and digits in every entry and encodes the URIs again.
fn drop_algorithm_and_digits(
    export: &mut google::GoogleExport,
    options: &GoogleExportOptions,
    carried: &[usize],
    ctx: &mut Context<'_>,
) {
    for (position, entry) in export
        .payloads
        .iter_mut()
        .flat_map(|p| p.entries.iter_mut())
        .enumerate()
    {
        entry.algorithm = google::payload::algorithm::UNSPECIFIED;
        entry.digits = 0;
        if let Some(&index) = carried.get(position) {
            ctx.trail.account(
                index,
                format!(
                    "exported without algorithm and digits ({})",
                    Quirk::ExportDropsAlgorithmAndDigits.cite()
                ),
            );
        }
    }
    let encode = google::PayloadEncodeOptions {
        write_zero_batch_index: options.write_zero_batch_index,
    };
    export.uris = export
        .payloads
        .iter()
        .map(|p| google::encode_uri(p, &encode, options.uri_style))
        .collect();
}

/// Phone B's camera on one picture: the payload it holds, or None (with a note in the trail)
/// when the code cannot be read or its text is refused.
fn read_picture(
    picture: &[u8],
    which: usize,
    total: usize,
    quirks: &Quirks,
    ctx: &mut Context<'_>,
) -> Result<Option<Payload>, MigrationFailure> {
    let screenshot_quirk = quirks.has(Quirk::ScanDownscaledScreenshot);
    let picture = if screenshot_quirk {
        screenshot(picture)?
    } else {
        picture.to_vec()
    };
    let text = match hybridsim_optical::read_image(&picture) {
        Ok(texts) => texts.into_iter().next(),
        Err(e) => {
            let cite = cite_if(screenshot_quirk, Quirk::ScanDownscaledScreenshot);
            ctx.trail.general(format!(
                "QR {} of {total} could not be read: {e}{cite}",
                which + 1
            ));
            return Ok(None);
        }
    };
    let Some(mut text) = text else {
        ctx.trail
            .general(format!("no QR code found in picture {}", which + 1));
        return Ok(None);
    };
    let form_decodes = quirks.has(Quirk::TransportFormDecodesPlus);
    if form_decodes {
        text = text.replace('+', " ");
    }
    match google::decode_uri(&text, UriMode::Strict) {
        Ok(decoded) => Ok(Some(decoded.payload)),
        Err(e) => {
            let cite = cite_if(form_decodes, Quirk::TransportFormDecodesPlus);
            ctx.trail
                .general(format!("QR {} of {total} refused: {e}{cite}", which + 1));
            Ok(None)
        }
    }
}

/// ` (M..)` naming the quirk when it is on, so a refusal says which bug caused it.
fn cite_if(on: bool, quirk: Quirk) -> String {
    if on {
        format!(" ({})", quirk.cite())
    } else {
        String::new()
    }
}

/// The importer's view of a batch while the user shows it QR codes one at a time.
struct Scanner {
    assembler: BatchAssembler,
    /// Codes GA imports without being able to place them (no batch index, M01).
    loose: Vec<Payload>,
    /// GA refused the batch after a code without an index: later codes are ignored.
    refused: bool,
    ga: bool,
    total: usize,
}

impl Scanner {
    /// Offers one scanned payload (picture `which`) to the batch.
    fn offer(&mut self, payload: Payload, which: usize, ctx: &mut Context<'_>) {
        let total = self.total;
        if self.ga && payload.batch_index.is_none() && payload.batch_size.unwrap_or(1) > 1 {
            // GA imports such a code but cannot place it in the batch.
            self.loose.push(payload);
            return;
        }
        if self.refused {
            return;
        }
        match self.assembler.offer(payload) {
            ScanOutcome::Accepted { .. } | ScanOutcome::Complete { .. } => {}
            ScanOutcome::OutOfOrder { index, expected } => {
                let size = self.assembler.batch_size().max(total as i32);
                let mut note = format!(
                    "QR {} of {size} refused: \"Incorrect QR code. Make sure QR code {} of {size} is displayed\"",
                    index + 1,
                    expected + 1
                );
                if !self.loose.is_empty() {
                    note.push_str(&format!(
                        "; QR 1 had no batch index on the wire ({})",
                        Quirk::GaExportOmitsZeroBatchIndex.cite()
                    ));
                    self.refused = true;
                }
                ctx.trail.general(note);
            }
            other => ctx
                .trail
                .general(format!("QR {} of {total}: {other:?}", which + 1)),
        }
    }

    /// Notes a batch left incomplete and returns every payload with its batch index (loose
    /// ones at index 0).
    fn finish(self, ctx: &mut Context<'_>) -> Vec<(i32, Payload)> {
        let missing = self.assembler.missing_indices();
        if !missing.is_empty() && self.loose.is_empty() {
            let list: Vec<String> = missing.iter().map(|i| (i + 1).to_string()).collect();
            ctx.trail.general(format!(
                "the batch is incomplete (QR {} of {} not scanned); the importer kept what it had",
                list.join(", "),
                self.assembler.batch_size()
            ));
        }
        let mut placed: Vec<(i32, Payload)> = self.loose.into_iter().map(|p| (0, p)).collect();
        placed.extend(assembled(&self.assembler));
        placed
    }
}

/// Width of the screenshot thumbnail.
const THUMBNAIL_PX: u32 = 200;

/// The payloads an assembler holds, with their batch indices.
fn assembled(assembler: &BatchAssembler) -> Vec<(i32, Payload)> {
    assembler.payloads().map(|(i, p)| (i, p.clone())).collect()
}

/// The QR code as a messenger thumbnail 200 px wide: a sparse code keeps about three pixels
/// per module and still decodes; a dense one blurs below two and does not (M03).
fn screenshot(png: &[u8]) -> Result<Vec<u8>, MigrationFailure> {
    hybridsim_optical::fit_png(png, THUMBNAIL_PX, THUMBNAIL_PX)
        .map_err(|e| MigrationFailure::Broken(format!("cannot make the screenshot: {e}")))
}
