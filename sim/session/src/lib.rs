//! Decrypting captured hybrid (caBLE v2) sessions, from any implementation.
//!
//! Three sans-IO pieces, text in and typed values out:
//!
//! - [`keylog`]: the key-log format, `LABEL TUNNEL_ID_HEX VALUE_HEX` lines (as SSLKEYLOGFILE
//!   is for TLS), its bounded reader and a writer that appends one line per secret.
//! - [`messages`]: the WebSocket binary messages of a session as JSON lines
//!   `{"from": "desktop"|"phone", "hex": "…"}`, the form any implementation can log.
//! - [`decrypt`]: from the QR code, the key log, the messages and optionally the advert,
//!   rebuilds the keys, runs or checks the Noise handshake, and decrypts and decodes every
//!   message, or names the first one that fails and why.
//!
//! [`inspect`] shows the pieces one at a time (a QR code, a tunnel URL, an advert), and
//! [`report`] renders a decrypted session as lines for a person or as JSON.
//!
//! [`names`] holds the CTAP command, status and map-key names the decoded output uses;
//! [`sample`] builds complete sessions from fixed keys with hybridsim-proto's own desktop
//! and phone primitives, for tests and fuzzing.
//!
//! How the drivers (`ceremony`, `desktop`, `phone`, `run`) are meant to call this for
//! `--keylog FILE`: open the file for appending, wrap it in a [`keylog::KeyLogWriter`], and
//! call [`keylog::KeyLogWriter::secret`] with the session's tunnel id as each secret comes to
//! exist: `QR_SECRET` and `QR_IDENTITY_PRIVATE_KEY` when the QR code is made, `PSK` when
//! the advert matches, the ephemeral (and, linked, identity) keys when the handshake starts,
//! `HANDSHAKE_HASH` and the two traffic keys when it ends, `LINK_SECRET` when linking info
//! arrives. A run that dies half-way still leaves every secret it had. For `--pcapng`,
//! `hybridsim_pcapng::session::capture` takes the messages as [`messages::WireMessage`]s
//! and the decoded session.

pub mod decrypt;
pub mod inspect;
pub mod keylog;
pub mod messages;
pub mod names;
pub mod report;
pub mod sample;
