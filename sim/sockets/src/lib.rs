//! The hybrid peers on real sockets, and the clients that reach a tunnel server.
//!
//! - [`drive`]: [`run_peers`] runs a real desktop and phone ([`hybridsim_peers`]) through a
//!   tunnel server over real WebSockets, with the QR code and the BLE advert in-process;
//!   [`run_desktop`] and [`run_phone`] run one of them, the other being somewhere else.
//! - [`client`]: the tunnel client: the WebSocket upgrade written out by hand (so a refusal
//!   keeps its status and body), `ws://` and `wss://` ([`tls_client`]: WebPKI roots plus
//!   optional anchors from a PEM file).
//! - [`tap`]: recording a `ws://` connection's bytes for captures.
//! - [`advert_feed`]: the BLE hop between processes as text lines (files, FIFOs, stdio).
//! - [`text`]: one-line helpers for reports.
//!
//! Every client WebSocket has a bounded write buffer ([`client::client_config`]), so a
//! server that floods pings and never reads cannot grow the client's memory.
//!
//! This crate drives any tunnel server; it does not depend on ours (`hybridsim-tunnel-server`
//! is only used by its tests). The conformance checker and load generator built on it are in
//! `hybridsim-tunnel-check`.

pub mod advert_feed;
pub mod client;
pub mod drive;
pub mod tap;
pub mod text;
pub mod tls_client;

pub use drive::{
    run_desktop, run_peers, run_phone, run_phone_until, run_phone_writing, DesktopOutcome,
    DriveOptions, PeersOutcome, PhoneOutcome, TunnelRoute, Unreachable,
};
