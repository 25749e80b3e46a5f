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
//! The drivers (`ceremony`, `desktop`, `phone`, `run`) use this for `--keylog`: the peers
//! (hybridsim-peers) surface their secrets as [`keylog::Entry`] values when asked, the
//! world or the socket driver collects them with the messages into a session record, and
//! `hybridsim_pcapng::files` appends them through [`keylog::KeyLogWriter`]; for `--pcapng`,
//! `hybridsim_pcapng::record` decrypts the record with [`decrypt`] and writes the capture.

pub mod decrypt;
pub mod inspect;
pub mod keylog;
pub mod messages;
pub mod names;
pub mod report;
pub mod sample;
