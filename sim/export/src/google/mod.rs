//! Google Authenticator's "Transfer accounts" export: `otpauth-migration://offline?data=…`
//! QR codes carrying a protobuf `MigrationPayload` (docs/migration.md §3; bugs M01, M02, M07,
//! M10, M16).
//!
//! * [`wire`]: the protobuf wire reader/writer, with byte offsets and field paths in errors.
//! * [`payload`]: [`Payload`] and [`Entry`] with raw wire values.
//! * [`convert`]: entries to [`hybridsim_otp::OtpAccount`] and back, with findings and losses.
//! * [`uri`]: the URI layer, strict and lenient (M16).
//! * [`batch`]: multi-QR export and the [`BatchAssembler`] for scanned payloads (M01, M02).

pub mod batch;
pub mod convert;
pub mod payload;
pub mod uri;
pub mod wire;

pub use batch::{
    export, BatchAssembler, BatchRules, GoogleExport, GoogleExportOptions, Missing, ScanOutcome,
};
pub use convert::{EntryError, Finding, ImportRules, Loss, SplitIssuer, UnspecifiedType};
pub use payload::{Entry, Payload, PayloadEncodeOptions, PayloadError, MAX_BATCH_SIZE};
pub use uri::{decode_uri, encode_uri, DecodedUri, UriError, UriFinding, UriMode, UriStyle};
