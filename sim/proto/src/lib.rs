//! Sans-IO core of the FIDO2 hybrid transport (CTAP 2.2 "hybrid", formerly caBLE v2).
//!
//! Everything the desktop, the phone and the tunnel server compute, as pure functions and
//! values: no sockets, no clock, no global randomness. Time and random bytes are arguments.
//! The byte-level reference is `docs/protocol.md`; each module names
//! the section it implements.
//!
//! A map of the code, in the order a hybrid transaction uses it:
//!
//! - [`cbor`]: CTAP2 canonical CBOR encoding and a strict, located decoder.
//! - [`base10`]: the digit encoding of the `FIDO:/` QR string (§2.1).
//! - [`qr`]: the QR payload map and the phone's validation rules (§2.2–2.4).
//! - [`qr_text`]: whether text (typed, or read from a picture) is a `FIDO:/` string.
//! - [`keys`]: P-256 key checks and conversions (§2.3, §6.1).
//! - [`derive`](mod@derive): HKDF-SHA256 with little-endian purposes (§3).
//! - [`advert`]: the 20-byte encrypted BLE advert (§4).
//! - [`advert_fields`]: a pasted advert's UUID prefix, length and plaintext fields.
//! - [`channels`]: CTAP 2.3 data channels: QR key 6 readings and the advert suffix.
//! - [`advert_line`]: an advert as a hex text line, for a BLE hop carried over a pipe.
//! - [`domain`]: tunnel-server domain ids and hashed host names (§5.1).
//! - [`tunnel_url`]: `/cable/new`, `/cable/connect`, `/cable/contact` paths (§5.2).
//! - [`route_checks`]: what a parsed tunnel URL says about its sender, as named checks.
//! - [`noise`]: the KNpsk0 / NKpsk0 handshakes over `snow` (§6).
//! - [`crypter`]: transport encryption after the handshake, both constructions (§7.1).
//! - [`padding`]: 32-byte message padding and padded CBOR maps (§7.2, §7.3).
//! - [`message`]: message types and CTAP framing, revisions 0 and 1 (§7.3, §7.5).
//! - [`post_handshake`]: the phone's first message and update messages (§7.4, §8.2).
//! - [`linking`]: linking info, its signature, and the contact client payload (§8).
//! - [`time`]: the virtual-time type every sans-IO state machine takes (`Millis`).

pub mod advert;
pub mod advert_fields;
pub mod advert_line;
pub mod base10;
pub mod cbor;
pub mod channels;
pub mod crypter;
pub mod derive;
pub mod domain;
pub mod echo;
pub mod keys;
pub mod linking;
pub mod message;
pub mod noise;
pub mod padding;
pub mod post_handshake;
pub mod qr;
pub mod qr_text;
pub mod route_checks;
pub mod time;
pub mod tunnel_url;

#[cfg(test)]
mod test_vectors;
