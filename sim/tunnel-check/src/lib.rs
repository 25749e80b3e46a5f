//! Testing any caBLE v2 tunnel server, ours or another, over real sockets.
//!
//! - [`check()`] runs one conformance case per rule of docs/protocol.md §5 and reports a table
//!   or JUnit XML ([`mod@check`]).
//! - [`ceremony_cases`] adds full cryptographic ceremonies (a real desktop and phone,
//!   registration and linked sign-in) as check cases, run by default ([`ceremony`]).
//! - [`bench()`] measures pairings per second, relay rate and latency, and memory per idle
//!   pending tunnel ([`mod@bench`]).
//!
//! All of it drives real sockets through the clients and the peer driver of
//! `hybridsim-sockets`; it does not depend on our server (`hybridsim-tunnel-server` is only
//! used by the tests and the benchmark example).

pub mod bench;
pub mod ceremony;
pub mod check;

pub use bench::{bench, BenchOptions, BenchReport};
pub use ceremony::ceremony_cases;
pub use check::{check, CheckOptions, CheckReport};
