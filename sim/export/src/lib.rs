//! Sans-IO export and backup formats that authenticator apps use to move OTP accounts between
//! phones: read them, write them, and say precisely what was unusual or lost.
//!
//! Background: `docs/migration.md` (formats in §3 and §4) and
//! `docs/migration-bugs.md` (the M-numbered bugs the options here can reproduce).
//!
//! * [`google`]: Google Authenticator `otpauth-migration://` QR payloads (§3): protobuf
//!   wire format, entry ↔ account conversion, the URI layer, batches.
//! * [`aegis`]: Aegis vault JSON, plain and password-encrypted (§4.1).
//! * [`twofas`]: 2FAS `.2fas` backups, schema v1–v4, plain and encrypted (§4.2).
//! * [`cxf`]: the FIDO Credential Exchange Format (CXF 1.0) document: bounded reading that names
//!   the failing field, writing, and a listing for `migrate decode`.
//! * [`detect`]: which of these formats some bytes are, and everything they hold, with
//!   named findings (what `hybridsim migrate decode` lists).
//! * [`listing`]: a decoded export as JSON and as lines (what `migrate decode` prints).
//! * [`strictness`]: a Key URI's strict and lenient readings as JSON and as lines (what
//!   `hybridsim totp check` prints).
//! * [`secret`]: Base32 secret text as backups carry it, with the repairs apps make (M09).
//!
//! Nothing here reads files, clocks or random sources: file bytes, timestamps and every random
//! value (salts, nonces, keys, UUIDs) are passed in. Decoders keep the raw values they read
//! beside the normalised [`hybridsim_otp::OtpAccount`], and encoders and decoders take plain
//! option structs, so models of real (buggy) exporters and importers can be built on them.

pub mod aegis;
pub mod cxf;
pub mod detect;
pub mod google;
pub mod listing;
pub mod secret;
pub mod strictness;
pub mod twofas;
