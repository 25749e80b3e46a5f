//! Sans-IO one-time passwords: the codes an authenticator app shows and a site checks.
//!
//! Background: `../shared/migration/background.md` §1 (HOTP, RFC 4226; TOTP, RFC 6238; how
//! sites verify) and §2 (the `otpauth://` Key URI format and what real apps accept).
//!
//! Nothing here reads a clock or a random source: times are Unix seconds passed in, secrets
//! are bytes passed in.
//!
//! * [`account`]: one OTP account as apps store it ([`OtpAccount`]), the shared vocabulary of
//!   the app models and export formats built on this crate.

pub mod account;
pub mod base32;

pub use account::{Algorithm, OtpAccount, OtpKind};
