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
//! - [`desktop`]: the client side (QR flow and linked flow): [`Desktop`], [`DesktopConfig`].
//! - [`phone`]: the authenticator side: [`Phone`], [`PhoneConfig`].
//! - [`trace`]: the trace record every driver makes, one type with one constructor.
//! - [`keylog`]: the secrets a peer surfaces for a key log when asked, as typed entries.
//! - `common`: the output queue, tunnel endpoints and header names, seeded draws.
//! - [`outcome`]: the typed vocabulary of how a peer is doing and how it ended: [`Party`],
//!   [`Layer`], [`Reason`] (every check that ends a transaction), [`PeerError`], the phases.
//!
//! Both peers draw every random byte from a ChaCha20 stream seeded in their configuration,
//! in an order their configuration documents, so one seed replays the same bytes.

mod advert_input;
mod common;
pub mod desktop;
pub mod io;
pub mod keylog;
pub mod outcome;
pub mod phone;
mod secret_notes;
pub mod trace;

pub use advert_input::FedAdvert;
pub use common::{
    TunnelEndpoint, CLIENT_PAYLOAD_HEADER, ORIGIN_HEADER, ROUTING_ID_HEADER,
    SIGNAL_CONNECTION_HEADER, SUBPROTOCOL, SUBPROTOCOL_HEADER,
};
pub use desktop::{Desktop, DesktopConfig, LinkedDevice};
pub use hybridsim_proto::time::Millis;
pub use io::{Input, Layer, Output, Peer, PeerEvent, SocketId};
pub use outcome::{
    Blamed, DesktopPhase, Party, PeerError, PhonePhase, Reason, ReasonKind, Vocabulary, Waiting,
};
pub use phone::{Phone, PhoneConfig};
