//! Sans-IO one-time passwords: the codes an authenticator app shows and a site checks.
//!
//! Background: `docs/migration.md` §1 (HOTP, RFC 4226; TOTP, RFC 6238; how
//! sites verify) and §2 (the `otpauth://` Key URI format and what real apps accept).
//!
//! Nothing here reads a clock or a random source: times are Unix seconds passed in, secrets
//! are bytes passed in.
//!
//! * [`account`]: one OTP account as apps store it ([`OtpAccount`]), the shared vocabulary of
//!   the app models and export formats built on this crate.
//! * [`base32`]: RFC 4648 Base32 for secrets, canonical form only.
//! * [`mod@hotp`]: HOTP codes (RFC 4226) for SHA-1/256/512 and 6–10 digits; [`OtpError`].
//! * [`mod@totp`]: TOTP codes (RFC 6238), time steps past 2^32, and [`OtpAccount::code_at`].
//! * [`uri`]: `otpauth://` Key URIs: strict and lenient parsing, the recommended emitted form.
//! * [`finding`]: the named deviations a lenient parse tolerated ([`Finding`]).
//! * [`inspect`]: the code a URI shows and how strictly it parses, for people inspecting one.
//! * [`verify`]: site-side checking: TOTP window, drift, replay; HOTP look-ahead and resync.

pub mod account;
pub mod base32;
pub mod finding;
pub mod hotp;
pub mod inspect;
pub mod totp;
pub mod uri;
pub mod verify;

pub use account::{Algorithm, OtpAccount, OtpKind};
pub use finding::Finding;
pub use hotp::{hotp, OtpError};
pub use totp::totp;
pub use uri::{parse, to_uri, Mode, ParsedUri, UriError};
pub use verify::{HotpPolicy, HotpVerifier, Outcome, Rejection, TotpPolicy, TotpVerifier};
