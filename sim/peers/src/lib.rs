//! The two ends of a hybrid transaction, the desktop (client platform, Noise initiator) and
//! the phone (authenticator, Noise responder), as sans-IO state machines.
//!
//! They never touch a socket, a radio, a camera or a clock. A driver (the simulated world,
//! or a socket driver) feeds them [`Input`]s with the current [`Millis`], calls
//! `handle_timeout` when their deadline passes, and carries out the [`Output`]s they queue:
//! show a QR code, broadcast an advert, open a WebSocket, send a message. Every peer follows
//! the same calling convention, the [`Peer`] trait (practice from quinn-proto): inputs in
//! with `handle_*`, then drain `poll_output` and ask `poll_timeout`.
//!
//! A map of the code:
//!
//! - [`io`]: the inputs, outputs, events and errors every peer shares.
//! - `desktop`: the client side (QR flow and linked flow).
//! - `phone`: the authenticator side.

pub mod io;

pub use hybridsim_proto::time::Millis;
pub use io::{Input, Layer, Output, Peer, PeerError, PeerEvent, SocketId};
