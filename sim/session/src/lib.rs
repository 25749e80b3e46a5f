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
//! [`names`] holds the CTAP command, status and map-key names the decoded output uses.

pub mod decrypt;
pub mod keylog;
pub mod messages;
pub mod names;
pub mod sample;
