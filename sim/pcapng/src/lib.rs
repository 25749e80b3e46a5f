//! pcapng capture files of hybrid sessions, for Wireshark and tshark.
//!
//! A [`Capture`] collects typed events (BLE adverts, WebSocket connections and binary
//! messages, comments) and the session's key log, and [`Capture::write_to`] writes one
//! pcapng file:
//!
//! - **Adverts** become BLE link-layer advertising packets (`ADV_NONCONN_IND`) on an
//!   interface of link type `LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR` (256 in the IANA pcap
//!   link-type registry), with the service data under its 16-bit UUID, so Wireshark shows
//!   the 20 advert bytes as service data ([`ble`]).
//! - **The tunnel** becomes TCP over IPv4 loopback-style addresses on a `LINKTYPE_IPV4`
//!   (228) interface: the TCP handshake, the HTTP/1.1 upgrade with `Sec-WebSocket-Protocol:
//!   fido.cable`, and one WebSocket binary frame per message, masked from clients as RFC 6455
//!   requires ([`tcp`]). The server port is 80 so Wireshark's HTTP and WebSocket dissectors
//!   pick the stream up without "Decode As".
//! - **The key log** goes into the section header's comment, where Wireshark shows it under
//!   Statistics → Capture File Properties and `capinfos -k` prints it, and into the first
//!   packet's comment, where a Lua dissector can read it (Lua sees packet comments as
//!   `frame.comment`, but neither section comments nor Decryption Secrets Blocks). A
//!   Decryption Secrets Block would also need a secrets type Wireshark knows, and none
//!   covers hybrid's Noise layer.
//! - **Decoded CTAP** (or anything the caller says about a packet) becomes that packet's
//!   comment (`frame.comment` in Wireshark, readable from Lua).
//!
//! [`record`] is what the drivers fill for `--keylog` and `--pcapng` (the peers' secrets,
//! the adverts and the messages of a session) and turns into one capture of one or many
//! sessions; [`files`] appends key logs and writes capture files; [`stream`] turns a real
//! socket's recorded bytes into packets.
//!
//! The file is written with the `pcap-file` crate (2.0): it writes section headers,
//! interfaces of any link type and enhanced packets with options, which is all this needs,
//! and it is the one maintained pure-Rust crate that both reads and writes pcapng (the
//! tests read files back with it). Timestamps are nanoseconds (`if_tsresol` = 9).

pub mod ble;
mod capture;
pub mod files;
mod hops;
pub mod record;
pub mod session;
pub mod stream;
pub mod tcp;

pub use capture::{Capture, CaptureError, Event, KEYLOG_HEADER};
pub use tcp::{Direction, Endpoints};
