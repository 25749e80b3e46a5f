//! Sans-IO CTAP2 authenticator: the phone side of a hybrid transaction.
//!
//! It sits on `hybridsim-proto` (CBOR) and under `hybridsim-webauthn` (the client and relying
//! party, which use the request encoders and response decoders here). No I/O, no clock, no
//! global randomness: profiles and PEM files arrive as text, randomness as a seed.
//!
//! A map of the code, from bytes up:
//!
//! - [`status`]: CTAP status codes, total over `u8`.
//! - [`wire`]: reading CTAP maps; [`wire::WireError`] names the field and maps to
//!   the status code.
//! - [`cose`]: COSE_Key for P-256 (ES256 credential keys, -25 key-agreement keys).
//! - [`auth_data`]: authenticator data and its flags.
//! - [`attestation`]: attestation objects (CTAP and WebAuthn encodings), `packed` statements,
//!   `none` / packed self / packed x5c signing.
//! - [`entities`]: RP and user entities, credential parameters and descriptors.
//! - One module per command, each with `decode` / `encode` for its request and response:
//!   [`make_credential`] (0x01), [`get_assertion`] (0x02), [`get_info`] (0x04),
//!   [`client_pin`] (0x06, getKeyAgreement only), [`selection`] (0x0B).
//! - [`pin_protocol`]: PIN/UV auth protocols 1 and 2 (for hmac-secret).
//! - [`extensions`]: credProps, hmac-secret, hybrid prf.
//! - [`profile`]: what a simulated phone is and does, from TOML (`fixtures/profiles/`).
//! - [`store`]: the credential store, with device-bound vs synced credentials.
//! - [`user`]: the scripted user (presence, verification, account choice).
//! - [`authenticator`]: [`Authenticator`], which answers `command ‖ params` with
//!   `status ‖ CBOR`.
//!
//! Algorithms: ES256 only (EdDSA and RS256 are refused with
//! `CTAP2_ERR_UNSUPPORTED_ALGORITHM`). Not simulated: PINs and pinUvAuthTokens, credProtect,
//! credBlob, largeBlob, enterprise attestation, credential management, getNextAssertion.

pub mod attestation;
pub mod auth_data;
pub mod authenticator;
pub mod client_pin;
pub mod cose;
pub mod entities;
pub mod extensions;
pub mod get_assertion;
pub mod get_info;
pub mod make_credential;
pub mod pin_protocol;
pub mod profile;
pub mod selection;
pub mod status;
pub mod store;
pub mod user;
pub mod wire;

#[cfg(test)]
mod testkit;

pub use attestation::{AttestationObject, Attester, PackedStatement};
pub use auth_data::{AttestedCredentialData, AuthDataError, AuthenticatorData, Flags};
pub use authenticator::{Authenticator, AuthenticatorError, Reason, Reply};
pub use cose::CoseKey;
pub use get_assertion::{GetAssertionRequest, GetAssertionResponse};
pub use get_info::GetInfoResponse;
pub use make_credential::{MakeCredentialRequest, MakeCredentialResponse};
pub use profile::{Profile, ProfileError};
pub use status::StatusCode;
pub use store::{BackupState, CredentialStore, StoredCredential};
pub use user::{ScriptedUser, UserDecisions, Verification};
pub use wire::WireError;
