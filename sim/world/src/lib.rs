//! The deterministic simulated world: sans-IO peers (desktops, phones) around one simulated
//! tunnel server, joined by a simulated BLE radio and QR "camera", on one virtual clock.
//!
//! Nothing here waits: the world keeps one queue of deliveries ordered by (virtual time,
//! sequence number), pops the earliest, hands it to the peer or the tunnel router, and
//! schedules whatever they emit. A 120 s timeout costs no wall time. All randomness (radio
//! loss and duplication) comes from one seeded stream, and every delivery is a
//! [`trace::TraceRecord`], so the same seed gives a byte-identical trace.
//!
//! A map of the code:
//!
//! - [`ceremony`]: start here. [`ceremony::Ceremony`] runs a registration, a sign-in or a
//!   linked sign-in from WebAuthn options JSON in a few lines, with faults by name.
//! - [`faults`]: the named fault catalogue (`advert-dropped`, `ws-split@3`, …) and how each
//!   is injected.
//! - [`world`]: [`World`], its setup (desktops, phones, beacons, camera, clock offsets) and
//!   the run loop.
//! - [`radio`]: how adverts travel (latency, loss, duplication, RSSI).
//! - [`fault`]: ordered fault rules that see every radio, camera and network message.
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
