//! Multi-QR exports: splitting accounts into a batch of URIs, and putting scanned payloads back
//! together (docs/migration.md §3 "How importers treat the batch"; bugs M01, M02).

use super::convert::Loss;
use super::payload::{Entry, Payload, PayloadEncodeOptions, MAX_BATCH_SIZE};
use super::uri::{encode_uri, UriStyle};
use hybridsim_otp::{Algorithm, OtpAccount};
use std::collections::BTreeMap;

/// How an exporter writes a GA-style batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleExportOptions {
    /// Accounts per QR code (10 in GA 6 and Aegis). Must be at least 1.
    pub accounts_per_qr: usize,
    /// The export's `batch_id` (random in real exporters; passed in here).
    pub batch_id: i32,
    /// The `version` field (1 everywhere seen).
    pub version: i32,
    /// Write `batch_index = 0` on the first QR (GA, fixed Aegis); `false` reproduces M01.
    pub write_zero_batch_index: bool,
    /// Put `Issuer:` in front of the name as GA does (M07).
    pub name_with_issuer_prefix: bool,
    /// Skip accounts that are not SHA1 with 6 digits, as Aegis' GA export does.
    pub only_sha1_six_digits: bool,
    /// How the Base64 appears in the URI (raw Base64 reproduces M16).
    pub uri_style: UriStyle,
}

impl Default for GoogleExportOptions {
    fn default() -> Self {
        Self {
            accounts_per_qr: 10,
            batch_id: 0,
            version: 1,
            write_zero_batch_index: true,
            name_with_issuer_prefix: false,
            only_sha1_six_digits: false,
            uri_style: UriStyle::PercentEncoded,
        }
    }
}

/// The result of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleExport {
    /// One `otpauth-migration://` URI per QR code, in batch order.
    pub uris: Vec<String>,
    /// The payloads behind the URIs.
    pub payloads: Vec<Payload>,
    /// What each exported account lost, keyed by its index in the input.
    pub losses: Vec<(usize, Loss)>,
    /// Indices of input accounts left out by [`GoogleExportOptions::only_sha1_six_digits`].
    pub skipped: Vec<usize>,
}

/// Why an export could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// `accounts_per_qr` was 0.
    #[error("accounts_per_qr must be at least 1")]
    ZeroPerQr,
    /// More QR codes than an importer accepts ([`MAX_BATCH_SIZE`]).
    #[error("too many QR codes for one batch (at most {MAX_BATCH_SIZE})")]
    TooManyCodes,
}

/// Splits accounts into QR payloads and URIs. No accounts give no URIs.
pub fn export(
    accounts: &[OtpAccount],
    options: &GoogleExportOptions,
) -> Result<GoogleExport, ExportError> {
    if options.accounts_per_qr == 0 {
        return Err(ExportError::ZeroPerQr);
    }
    let mut losses = Vec::new();
    let mut skipped = Vec::new();
    let mut entries = Vec::new();
    for (i, account) in accounts.iter().enumerate() {
        if options.only_sha1_six_digits
            && (account.algorithm != Algorithm::Sha1 || account.digits != 6)
        {
            skipped.push(i);
            continue;
        }
        let (entry, lost) = Entry::from_account(account, options.name_with_issuer_prefix);
        losses.extend(lost.into_iter().map(|l| (i, l)));
        entries.push(entry);
    }
    let chunks: Vec<&[Entry]> = entries.chunks(options.accounts_per_qr).collect();
    let size = i32::try_from(chunks.len())
        .ok()
        .filter(|n| *n <= MAX_BATCH_SIZE)
        .ok_or(ExportError::TooManyCodes)?;
    let encode = PayloadEncodeOptions {
        write_zero_batch_index: options.write_zero_batch_index,
    };
    let mut payloads = Vec::new();
    let mut uris = Vec::new();
    for (index, chunk) in (0..size).zip(chunks) {
        let payload = Payload {
            entries: chunk.to_vec(),
            version: Some(options.version),
            batch_size: Some(size),
            batch_index: Some(index),
            batch_id: Some(options.batch_id),
        };
        uris.push(encode_uri(&payload, &encode, options.uri_style));
        payloads.push(payload);
    }
    Ok(GoogleExport {
        uris,
        payloads,
        losses,
        skipped,
    })
}

/// How an importer judges the QR codes of a batch. The default is ente's fixed reading:
/// 0 is a real batch id, any order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchRules {
    /// `batch_id == 0` means "not set yet" (Aegis' scanner): a later QR with another id is
    /// adopted instead of being reported as unrelated. `false` treats 0 as a real id (ente's
    /// fix in PR #13017).
    pub zero_batch_id_is_unset: bool,
    /// Only the next index is accepted (Aegis' camera scanner); otherwise any order (image
    /// import).
    pub in_order: bool,
}

/// What happened to one scanned payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    /// Taken; more QR codes are missing.
    Accepted {
        /// Its batch index.
        index: i32,
        /// It came before an earlier index was seen (only in any-order mode).
        out_of_order: bool,
    },
    /// Taken, and the batch is now complete.
    Complete {
        /// Its batch index.
        index: i32,
    },
    /// This index was already taken; ignored.
    Duplicate {
        /// The index.
        index: i32,
    },
    /// Refused in in-order mode: not the next index.
    OutOfOrder {
        /// The index scanned.
        index: i32,
        /// The index wanted.
        expected: i32,
    },
    /// From another export (different `batch_id`); ignored.
    UnrelatedBatch {
        /// The batch being assembled.
        expected_batch_id: i32,
        /// The scanned payload's id.
        found_batch_id: i32,
    },
    /// `batch_size` is above [`MAX_BATCH_SIZE`]: no real export has that many QR codes; ignored
    /// (payloads from [`Payload::decode`] never have one).
    ImplausibleSize {
        /// The scanned payload's size.
        found_size: i32,
    },
    /// `batch_size` differs from the batch's, or the index is outside `0..batch_size`; ignored.
    Inconsistent {
        /// The batch size being assembled.
        batch_size: i32,
        /// The scanned payload's size.
        found_size: i32,
        /// The scanned payload's index.
        index: i32,
    },
}

/// The QR codes of a batch not received: a count and the first few indices, so that a
/// report stays one short line whatever `batch_size` claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// How many QR codes are missing.
    pub count: i32,
    /// The batch size.
    pub batch_size: i32,
    /// The first (at most [`Missing::LISTED`]) missing indices, 0-based, ascending.
    pub first: Vec<i32>,
}

impl Missing {
    /// How many missing indices are named.
    pub const LISTED: usize = 10;
}

/// `QR 2 of 3 missing`, `QR 2, 3 of 5 missing`, or with more than [`Missing::LISTED`]:
/// `990 of 1000 QR codes missing (QR 1, 2, …)`; QR numbers are 1-based as shown to users.
impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let listed: Vec<String> = self.first.iter().map(|i| (i + 1).to_string()).collect();
        let listed = listed.join(", ");
        if usize::try_from(self.count).unwrap_or(usize::MAX) <= self.first.len() {
            write!(f, "QR {listed} of {} missing", self.batch_size)
        } else {
            write!(
                f,
                "{} of {} QR codes missing (QR {listed}, …)",
                self.count, self.batch_size
            )
        }
    }
}

/// Collects the payloads of one batch as they are scanned, one at a time (bug M02).
///
/// Absent fields read as proto3 defaults: a payload without `batch_size` is a batch of 1, one
/// without `batch_index` is index 0, one without `batch_id` has id 0.
#[derive(Debug, Clone, Default)]
pub struct BatchAssembler {
    rules: BatchRules,
    batch_id: Option<i32>,
    batch_size: i32,
    received: BTreeMap<i32, Payload>,
}

impl BatchAssembler {
    /// An empty assembler judging by `rules`.
    pub fn new(rules: BatchRules) -> Self {
        Self {
            rules,
            ..Self::default()
        }
    }

    /// Offers one scanned payload.
    pub fn offer(&mut self, payload: Payload) -> ScanOutcome {
        let id = payload.batch_id.unwrap_or(0);
        let size = payload.batch_size.unwrap_or(0).max(1);
        let index = payload.batch_index.unwrap_or(0);
        if size > MAX_BATCH_SIZE {
            // Payloads are plain values; one built by hand could still claim 2^31 codes.
            return ScanOutcome::ImplausibleSize { found_size: size };
        }
        if let Some(current) = self.batch_id.filter(|c| *c != id) {
            if !(self.rules.zero_batch_id_is_unset && current == 0) {
                return ScanOutcome::UnrelatedBatch {
                    expected_batch_id: current,
                    found_batch_id: id,
                };
            }
        }
        let batch_size = if self.received.is_empty() {
            size
        } else {
            self.batch_size
        };
        if size != batch_size || !(0..batch_size).contains(&index) {
            return ScanOutcome::Inconsistent {
                batch_size,
                found_size: size,
                index,
            };
        }
        if self.received.contains_key(&index) {
            return ScanOutcome::Duplicate { index };
        }
        let expected = self.next_index();
        if self.rules.in_order && index != expected {
            return ScanOutcome::OutOfOrder { index, expected };
        }
        let out_of_order = index != expected;
        self.batch_id = Some(id);
        self.batch_size = batch_size;
        self.received.insert(index, payload);
        if self.is_complete() {
            ScanOutcome::Complete { index }
        } else {
            ScanOutcome::Accepted {
                index,
                out_of_order,
            }
        }
    }

    fn next_index(&self) -> i32 {
        self.received.keys().next_back().map_or(0, |i| i + 1)
    }

    /// The batch id being assembled, once a payload was accepted.
    pub fn batch_id(&self) -> Option<i32> {
        self.batch_id
    }

    /// The batch size being assembled (0 before the first payload).
    pub fn batch_size(&self) -> i32 {
        self.batch_size
    }

    /// Every index received.
    pub fn is_complete(&self) -> bool {
        !self.received.is_empty() && self.missing_indices().is_empty()
    }

    /// Indices not yet received, ascending (what Aegis' image import lists); at most
    /// [`MAX_BATCH_SIZE`] of them.
    pub fn missing_indices(&self) -> Vec<i32> {
        (0..self.batch_size)
            .filter(|i| !self.received.contains_key(i))
            .collect()
    }

    /// How many QR codes are missing, and the first few of them: one short line however large
    /// the batch.
    pub fn missing(&self) -> Missing {
        let received = i32::try_from(self.received.len()).unwrap_or(i32::MAX);
        Missing {
            count: self.batch_size.saturating_sub(received).max(0),
            batch_size: self.batch_size,
            first: self
                .missing_indices()
                .into_iter()
                .take(Missing::LISTED)
                .collect(),
        }
    }

    /// The payloads received so far with their batch indices, in batch order.
    pub fn payloads(&self) -> impl Iterator<Item = (i32, &Payload)> {
        self.received.iter().map(|(i, p)| (*i, p))
    }

    /// The entries received so far, in batch order (a partial import if incomplete).
    pub fn entries(&self) -> Vec<Entry> {
        self.received
            .values()
            .flat_map(|p| p.entries.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_otp::OtpKind;

    fn batch(id: i32, size: i32) -> Vec<Payload> {
        (0..size)
            .map(|i| Payload {
                entries: vec![Entry {
                    name: format!("a{i}"),
                    ..Entry::default()
                }],
                version: Some(1),
                batch_size: Some(size),
                batch_index: Some(i),
                batch_id: Some(id),
            })
            .collect()
    }

    #[test]
    fn partial_batch_lists_missing_indices() {
        let mut a = BatchAssembler::new(BatchRules::default());
        let b = batch(7, 4);
        assert_eq!(
            a.offer(b[0].clone()),
            ScanOutcome::Accepted {
                index: 0,
                out_of_order: false
            }
        );
        assert_eq!(
            a.offer(b[2].clone()),
            ScanOutcome::Accepted {
                index: 2,
                out_of_order: true
            }
        );
        assert_eq!(a.offer(b[2].clone()), ScanOutcome::Duplicate { index: 2 });
        assert_eq!(a.missing_indices(), [1, 3]);
        assert_eq!(
            a.offer(batch(8, 4)[1].clone()),
            ScanOutcome::UnrelatedBatch {
                expected_batch_id: 7,
                found_batch_id: 8
            }
        );
        a.offer(b[3].clone());
        assert_eq!(a.offer(b[1].clone()), ScanOutcome::Complete { index: 1 });
        let names: Vec<_> = a.entries().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["a0", "a1", "a2", "a3"]);
    }

    #[test]
    fn implausible_sizes_are_refused_and_missing_codes_are_counted() {
        let mut a = BatchAssembler::new(BatchRules::default());
        let huge = Payload {
            batch_size: Some(i32::MAX),
            ..Payload::default()
        };
        assert_eq!(
            a.offer(huge),
            ScanOutcome::ImplausibleSize {
                found_size: i32::MAX
            }
        );
        assert_eq!(a.batch_size(), 0);
        assert!(a.missing_indices().is_empty());

        let b = batch(5, MAX_BATCH_SIZE);
        a.offer(b[1].clone());
        let missing = a.missing();
        assert_eq!(missing.count, MAX_BATCH_SIZE - 1);
        assert_eq!(missing.first.len(), Missing::LISTED);
        assert_eq!(
            missing.to_string(),
            "999 of 1000 QR codes missing (QR 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, …)"
        );
        let mut small = BatchAssembler::new(BatchRules::default());
        small.offer(batch(5, 3)[0].clone());
        assert_eq!(small.missing().to_string(), "QR 2, 3 of 3 missing");
    }

    #[test]
    fn in_order_mode_refuses_skips() {
        let mut a = BatchAssembler::new(BatchRules {
            in_order: true,
            ..BatchRules::default()
        });
        let b = batch(1, 3);
        a.offer(b[0].clone());
        assert_eq!(
            a.offer(b[2].clone()),
            ScanOutcome::OutOfOrder {
                index: 2,
                expected: 1
            }
        );
    }

    #[test]
    fn zero_batch_id_semantics_are_a_rule() {
        let zero = batch(0, 2);
        let other = batch(99, 2);
        let mut strict = BatchAssembler::new(BatchRules::default());
        strict.offer(zero[0].clone());
        assert!(matches!(
            strict.offer(other[1].clone()),
            ScanOutcome::UnrelatedBatch { .. }
        ));
        let mut aegis = BatchAssembler::new(BatchRules {
            zero_batch_id_is_unset: true,
            in_order: true,
        });
        aegis.offer(zero[0].clone());
        assert_eq!(
            aegis.offer(other[1].clone()),
            ScanOutcome::Complete { index: 1 }
        );
        assert_eq!(aegis.batch_id(), Some(99));
    }

    #[test]
    fn export_splits_and_reports() {
        let account = |digits, period| OtpAccount {
            issuer: "I".into(),
            name: "n".into(),
            secret: vec![1; 20],
            algorithm: Algorithm::Sha1,
            digits,
            kind: OtpKind::Totp { period },
        };
        let mut accounts = vec![account(6, 30); 12];
        accounts.push(account(7, 60));
        let out = export(&accounts, &GoogleExportOptions::default()).unwrap();
        assert_eq!(out.uris.len(), 2);
        assert_eq!(out.payloads[1].entries.len(), 3);
        assert_eq!(
            out.losses,
            [
                (12, Loss::Digits { digits: 7 }),
                (12, Loss::Period { period: 60 })
            ]
        );
        let aegis = GoogleExportOptions {
            only_sha1_six_digits: true,
            ..GoogleExportOptions::default()
        };
        assert_eq!(export(&accounts, &aegis).unwrap().skipped, [12]);
    }
}
