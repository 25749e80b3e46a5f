//! The deterministic simulated world: sans-IO peers (desktops, phones) around one simulated
//! tunnel server, joined by a simulated BLE radio and QR "camera", on one virtual clock.
//!
//! Nothing here waits: the world keeps one queue of deliveries ordered by (virtual time,
//! sequence number), pops the earliest, hands it to the peer or the tunnel router, and
//! schedules whatever they emit. A 120 s timeout costs no wall time. All randomness (radio
//! loss and duplication, RSSI jitter) comes from one seeded stream, and every delivery is a
//! [`trace::TraceRecord`], so the same seed gives a byte-identical trace.
//!
//! A map of the code:
//!
//! - [`world`]: [`World`], its builder-style setup and the run loop.
//! - [`radio`]: how adverts travel (latency, loss, duplication, range, other advertisers).
//! - [`fault`]: ordered fault rules that see every radio and network message.
//! - [`trace`]: the typed trace and its JSON-lines form.
//! - [`queue`]: the (time, sequence) delivery queue.

pub mod ceremony;
pub mod fault;
pub mod faults;
pub mod queue;
pub mod radio;
pub mod trace;
pub mod world;

pub use world::{ActorId, World, WorldError};
