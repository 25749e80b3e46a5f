//! WebAuthn on top of hybridsim's CTAP2 authenticator: the JSON forms a relying party and a
//! page exchange, the client (what a browser does between `navigator.credentials` and the
//! authenticator) and a strict relying party.
//!
//! Sans-IO like the rest of the core: no clock (`now` is an argument), no global randomness
//! (challenges and ids come from the caller), no files.
//!
//! A map of the modules:
//!
//! - [`json`]: the WebAuthn Level 3 JSON forms (options and responses), base64url byte fields.
//! - [`client_data`]: `clientDataJSON`, written byte-for-byte as browsers write it and parsed
//!   as a relying party must.
//! - [`client`]: the browser: options → CTAP request, CTAP response → response JSON, and the
//!   origin / RP ID check.
//! - [`browser`]: the browser's round trip as bytes: options → CTAP command, the
//!   authenticator's `status ‖ CBOR` answer → response JSON.
//! - [`rp`]: the relying party: `start_*` returns options and a state value the caller keeps,
//!   `finish_*` runs every check of WebAuthn L3 §7.1 / §7.2, each failure its own error variant.
//! - [`verify`]: a relying party without a session, from the options it issued, and the
//!   checks it reports.
//! - [`x509`]: attestation certificate chains and the packed certificate requirements (§8.2.1).
//! - [`crypto`]: ES256 signatures and credential public keys.
//! - [`b64`]: base64url as the JSON forms use it (unpadded out, padding tolerated in).
//!
//! A whole ceremony, as `tests/ceremony.rs` runs it against hybridsim's authenticator:
//!
//! ```text
//! rp.start_registration ─ CreationOptionsJson ─▶ client::create ─ makeCredential ─▶ authenticator
//! rp.finish_registration ◀─ RegistrationResponseJson ─ client::registration_response ◀─┘
//! ```
//!
//! Fuzz targets for the parsers and both `finish_*` are in `fuzz/` (nightly, cargo-fuzz).

pub mod b64;
pub mod browser;
pub mod client;
pub mod client_data;
pub mod crypto;
pub mod json;
pub mod rp;
pub mod verify;
pub mod x509;

#[cfg(test)]
mod test_support;
