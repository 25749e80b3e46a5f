//! The caBLE v2 tunnel server as a sans-IO state machine (docs/protocol.md §5).
//!
//! A phone and a desktop that want to talk each open a WebSocket to the tunnel server; the
//! server pairs the two sockets by tunnel id and relays binary messages between them, one
//! message in, one message out. This crate is that server's logic with no sockets, no clock
//! and no global randomness: the caller numbers connections, says what time it is (as
//! [`Millis`]) and seeds the one random stream (tunnel ids for `/cable/contact`). The tokio
//! driver in `hybridsim-tunnel-server` pumps it over real sockets; a simulated world can
//! pump it with virtual time.
//!
//! A map of the code:
//!
//! - [`router`]: [`Router`], the tunnel table. Its doc says how to drive it.
//! - [`decision`]: a connection request and the answer (accept with headers, or an HTTP
//!   error), with the header names.
//! - [`output`]: messages in ([`Incoming`]) and what the driver must do ([`Output`]:
//!   transmit, close with a code, wake a phone).
//! - [`config`]: [`Config`] and the default limits, each with the reason it was chosen.
//! - [`fleet`]: routing ids that name the fleet instance owning them
//!   ([`instance_routing_id`]), so a load balancer can route `/cable/connect` by them.
//! - [`metrics`]: counters for a metrics page.
//! - [`wake_up`]: the wake-up message a phone receives on its wake socket ([`WakeUp`], its
//!   JSON wire form) and that socket's path; the server sends it and the phone drivers
//!   read it, so it lives here, below both.
//! - `relay`: one tunnel and its two directions.
//!
//! The rules, in one place:
//!
//! | request or event | outcome |
//! |---|---|
//! | path not under `/cable/{new,connect,contact}` | 404 |
//! | tunnel route with malformed ids | 400, body = the path error |
//! | no `Sec-WebSocket-Protocol: fido.cable` | 400 |
//! | more open connections from one IP than allowed | 429 |
//! | `/new` or `/contact` with the table full | 503 |
//! | `/new` | 101, selects `fido.cable`, `X-caBLE-Routing-ID: 2A0000` (6 upper hex); 409 if the id is pending |
//! | `/connect` with another routing id | 404 "routing id … is not this server's (this is …)" |
//! | `/connect` to an id not pending | 404 |
//! | `/connect` | 101; the tunnel pairs and side A's buffered messages are delivered in order |
//! | `/contact` | 101 and a wake-up to the phone; 410 for an unknown contact; 400 without a valid client payload; echoes `X-caBLE-Signal-Connection` and then sends the desktop one `00` when the phone joins |
//! | binary message | relayed verbatim (buffered while the peer is missing) |
//! | text message | sender closed 1003, peer 1000 |
//! | message over the size limit | sender closed 1009, peer 1000 |
//! | message over the per-peer count | sender closed 1008, peer 1000 |
//! | one side closes | the other is closed 1000 |
//! | no peer within the pending TTL | closed 1008 |
//! | paired longer than the tunnel TTL | both closed 1008 |
//! | server shutdown | everyone closed 1001; new connections 503 |

pub mod config;
pub mod decision;
pub mod fleet;
mod ids;
pub mod metrics;
pub mod output;
mod relay;
pub mod router;
mod time;
pub mod wake_up;

#[cfg(test)]
mod model;
#[cfg(test)]
mod tests;

pub use config::Config;
pub use decision::{Accept, ConnectionRequest, Decision, Joined, Reject};
pub use fleet::{instance_routing_id, routing_instance, FLEET_PREFIX};
pub use ids::{ConnectionId, Hex, SubscriptionId};
pub use metrics::Metrics;
pub use output::{Close, CloseCode, CloseReason, Incoming, Output, Transmit, Wake};
pub use router::{ContactError, Router};
pub use time::Millis;
pub use wake_up::{wake_path, WakeParseError, WakeUp, WAKE_PATH_PREFIX};
