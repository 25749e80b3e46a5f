//! `MigrationPayload` and `OtpParameters` exactly as they are on the wire (docs/migration.md §3).
//!
//! Values are kept raw (enum numbers, `None` for an absent batch field) so that callers can see
//! what an exporter really wrote; [`super::convert`] turns entries into accounts.

use super::wire::{Reader, WireError, Writer};

/// Payloads larger than this are refused before parsing; a QR code carries under 3 KB.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// The largest `batch_size` (number of QR codes in one export) accepted.
///
/// Exporters put 10 accounts in a QR code (GA 6, Aegis) or all of them in one, so 1000 codes
/// already stand for 10,000 accounts, each shown and scanned by hand one picture at a time.
/// Anything larger is not an export but a number an importer would allocate or loop over.
pub const MAX_BATCH_SIZE: i32 = 1000;

/// One `MigrationPayload`: the content of one `otpauth-migration` QR code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payload {
    /// Field 1, `otp_parameters`: the accounts in this QR code.
    pub entries: Vec<Entry>,
    /// Field 2, `version` (1 in every export seen); `None` when absent on the wire.
    pub version: Option<i32>,
    /// Field 3, `batch_size`: how many QR codes the export has.
    pub batch_size: Option<i32>,
    /// Field 4, `batch_index` (0-based); `None` when absent on the wire (bug M01).
    pub batch_index: Option<i32>,
    /// Field 5, `batch_id`: random per export, often negative.
    pub batch_id: Option<i32>,
}

/// One `OtpParameters` with raw wire values (proto3: an absent field reads as 0 / empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// Field 1: raw key bytes.
    pub secret: Vec<u8>,
    /// Field 2: account name, possibly `Issuer:account`.
    pub name: String,
    /// Field 3: issuer, possibly empty.
    pub issuer: String,
    /// Field 4: 0 UNSPECIFIED, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5 ([`algorithm`]).
    pub algorithm: i32,
    /// Field 5: DigitCount enum, 0 UNSPECIFIED, 1 SIX, 2 EIGHT ([`digits`]); not the count.
    pub digits: i32,
    /// Field 6: 0 UNSPECIFIED, 1 HOTP, 2 TOTP ([`otp_type`]).
    pub otp_type: i32,
    /// Field 7: HOTP counter.
    pub counter: u64,
    /// Field 8 (`unique_id`, only in newer reconstructions); `None` when absent.
    pub unique_id: Option<String>,
}

/// Wire values of the `Algorithm` enum.
pub mod algorithm {
    /// Not set; importers read SHA1.
    pub const UNSPECIFIED: i32 = 0;
    /// HMAC-SHA-1.
    pub const SHA1: i32 = 1;
    /// HMAC-SHA-256.
    pub const SHA256: i32 = 2;
    /// HMAC-SHA-512.
    pub const SHA512: i32 = 3;
    /// MD5 (mOTP); no OTP account here can use it.
    pub const MD5: i32 = 4;
}

/// Wire values of the `DigitCount` enum.
pub mod digits {
    /// Not set; importers read 6.
    pub const UNSPECIFIED: i32 = 0;
    /// Six digits.
    pub const SIX: i32 = 1;
    /// Eight digits.
    pub const EIGHT: i32 = 2;
}

/// Wire values of the `OtpType` enum.
pub mod otp_type {
    /// Not set; Aegis reads TOTP, extract_otp_secrets HOTP.
    pub const UNSPECIFIED: i32 = 0;
    /// Counter-based.
    pub const HOTP: i32 = 1;
    /// Time-based.
    pub const TOTP: i32 = 2;
}

/// Why bytes are not a migration payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Larger than [`MAX_PAYLOAD_BYTES`].
    #[error("payload of {0} bytes is larger than the {MAX_PAYLOAD_BYTES}-byte limit")]
    TooLarge(usize),
    /// `batch_size` is negative or above [`MAX_BATCH_SIZE`]: no real export has that many QR
    /// codes.
    #[error("batch_size {0} is not a plausible number of QR codes (0 to {MAX_BATCH_SIZE})")]
    ImplausibleBatchSize(i32),
    /// A wire-format error, with offset and field path.
    #[error(transparent)]
    Wire(#[from] WireError),
}

/// Encoder switches that real exporters differ on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadEncodeOptions {
    /// Write `batch_index = 0` explicitly (GA and fixed Aegis). `false` drops it as proto3
    /// without `optional` does, reproducing bug M01.
    pub write_zero_batch_index: bool,
}

impl Default for PayloadEncodeOptions {
    fn default() -> Self {
        Self {
            write_zero_batch_index: true,
        }
    }
}

impl Payload {
    /// Parses protobuf bytes. Unknown fields of wire types 0, 1, 2 and 5 are skipped; for
    /// repeated scalars the last value wins, as in every protobuf runtime.
    pub fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(PayloadError::TooLarge(bytes.len()));
        }
        let mut payload = Payload::default();
        let mut reader = Reader::new(bytes, 0);
        const P: &str = "payload";
        while let Some(field) = reader.next_field(P)? {
            match field.number {
                1 => {
                    let path = format!("otp_parameters[{}]", payload.entries.len());
                    let (inner, at) = field.bytes(&path)?;
                    payload.entries.push(Entry::decode_at(inner, at, &path)?);
                }
                2 => payload.version = Some(field.int32("version")?),
                3 => payload.batch_size = Some(field.int32("batch_size")?),
                4 => payload.batch_index = Some(field.int32("batch_index")?),
                5 => payload.batch_id = Some(field.int32("batch_id")?),
                _ => {}
            }
        }
        if let Some(size) = payload
            .batch_size
            .filter(|s| !(0..=MAX_BATCH_SIZE).contains(s))
        {
            return Err(PayloadError::ImplausibleBatchSize(size));
        }
        Ok(payload)
    }

    /// Serialises to protobuf bytes in field order, as GA does.
    pub fn encode(&self, options: &PayloadEncodeOptions) -> Vec<u8> {
        let mut w = Writer::default();
        for entry in &self.entries {
            w.bytes(1, &entry.encode());
        }
        if let Some(v) = self.version {
            w.int32(2, v);
        }
        if let Some(v) = self.batch_size {
            w.int32(3, v);
        }
        if let Some(v) = self.batch_index {
            if v != 0 || options.write_zero_batch_index {
                w.int32(4, v);
            }
        }
        if let Some(v) = self.batch_id {
            w.int32(5, v);
        }
        w.buf
    }
}

impl Entry {
    fn decode_at(bytes: &[u8], base: usize, path: &str) -> Result<Self, WireError> {
        let mut entry = Entry::default();
        let mut reader = Reader::new(bytes, base);
        let sub = |name: &str| format!("{path}.{name}");
        while let Some(field) = reader.next_field(path)? {
            match field.number {
                1 => entry.secret = field.bytes(&sub("secret"))?.0.to_vec(),
                2 => entry.name = field.string(&sub("name"))?,
                3 => entry.issuer = field.string(&sub("issuer"))?,
                4 => entry.algorithm = field.int32(&sub("algorithm"))?,
                5 => entry.digits = field.int32(&sub("digits"))?,
                6 => entry.otp_type = field.int32(&sub("type"))?,
                7 => entry.counter = field.varint(&sub("counter"))?,
                8 => entry.unique_id = Some(field.string(&sub("unique_id"))?),
                _ => {}
            }
        }
        Ok(entry)
    }

    /// Serialises one `OtpParameters`; proto3 rules: zero and empty values are not written.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        if !self.secret.is_empty() {
            w.bytes(1, &self.secret);
        }
        if !self.name.is_empty() {
            w.bytes(2, self.name.as_bytes());
        }
        if !self.issuer.is_empty() {
            w.bytes(3, self.issuer.as_bytes());
        }
        for (field, value) in [(4, self.algorithm), (5, self.digits), (6, self.otp_type)] {
            if value != 0 {
                w.int32(field, value);
            }
        }
        if self.counter != 0 {
            w.uint64(7, self.counter);
        }
        if let Some(id) = &self.unique_id {
            w.bytes(8, id.as_bytes());
        }
        w.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::google::wire::WireErrorKind;

    #[test]
    fn zero_batch_index_is_switchable() {
        let p = Payload {
            batch_index: Some(0),
            ..Payload::default()
        };
        assert_eq!(p.encode(&PayloadEncodeOptions::default()), [0x20, 0x00]);
        let omitted = p.encode(&PayloadEncodeOptions {
            write_zero_batch_index: false,
        });
        assert!(omitted.is_empty());
        assert_eq!(Payload::decode(&omitted).unwrap().batch_index, None);
    }

    #[test]
    fn unknown_fields_are_skipped_and_bad_utf8_is_located() {
        // field 9 varint, field 10 fixed64, field 11 LEN, field 12 fixed32, then version 1.
        let mut bytes = vec![0x48, 0x01, 0x51];
        bytes.extend([0; 8]);
        bytes.extend([0x5a, 0x01, 0xaa, 0x65, 0, 0, 0, 0, 0x10, 0x01]);
        assert_eq!(Payload::decode(&bytes).unwrap().version, Some(1));

        // otp_parameters { name: [0x61, 0xff] }
        let bad = [0x0a, 0x04, 0x12, 0x02, 0x61, 0xff];
        let Err(PayloadError::Wire(e)) = Payload::decode(&bad) else {
            panic!("accepted bad UTF-8")
        };
        assert_eq!(e.path, "otp_parameters[0].name");
        assert_eq!(e.offset, 5);
        assert_eq!(e.kind, WireErrorKind::InvalidUtf8 { valid_up_to: 1 });
    }

    #[test]
    fn implausible_batch_sizes_are_refused() {
        for (size, ok) in [
            (0, true),
            (1, true),
            (MAX_BATCH_SIZE, true),
            (MAX_BATCH_SIZE + 1, false),
            (i32::MAX, false),
            (-1, false),
        ] {
            let bytes = Payload {
                batch_size: Some(size),
                ..Payload::default()
            }
            .encode(&PayloadEncodeOptions::default());
            let got = Payload::decode(&bytes);
            if ok {
                assert_eq!(got.map(|p| p.batch_size), Ok(Some(size)));
            } else {
                assert_eq!(got, Err(PayloadError::ImplausibleBatchSize(size)));
            }
        }
    }

    #[test]
    fn a_known_field_with_the_wrong_wire_type_is_an_error() {
        // version as LEN
        let Err(PayloadError::Wire(e)) = Payload::decode(&[0x12, 0x00]) else {
            panic!("accepted")
        };
        assert_eq!(e.path, "version");
        assert!(matches!(
            e.kind,
            WireErrorKind::WrongWireType { field: 2, .. }
        ));
    }
}
