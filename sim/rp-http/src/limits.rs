//! The bounds `rp serve` keeps whatever its clients send: how many connections, how long a
//! request may take, how large a body and a user name may be, how long a challenge lives
//! and how many are kept. Each one is a command-line flag of `hybridsim rp serve`.

use std::time::Duration;

/// Every bound of the server, with the defaults `rp serve` starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; a connection beyond them is answered 503 and closed
    /// (plain HTTP) or closed (TLS) at once, so no thread or task piles up behind it.
    pub max_connections: usize,
    /// The whole of one request, from the accepted connection (TLS handshake included) to
    /// the last byte of the answer: a client trickling its head or body is cut off when it
    /// runs out, however often it sends a byte. Each connection carries one request.
    pub request_deadline: Duration,
    /// Largest request body in bytes; a larger one is answered 413 without being read.
    pub max_body: usize,
    /// Longest `username` and `displayName`, in bytes; a longer one is answered 400.
    pub max_name: usize,
    /// How long an issued challenge may be redeemed; an older one is refused and dropped.
    pub challenge_ttl: Duration,
    /// Challenges kept at once; issuing one more evicts the oldest.
    pub max_challenges: usize,
    /// Registered users kept; a registration for a new user beyond them is answered 503.
    pub max_users: usize,
    /// Credentials kept per user; a registration beyond them is answered 400.
    pub max_credentials_per_user: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            request_deadline: Duration::from_secs(10),
            max_body: 64 * 1024,
            max_name: 256,
            challenge_ttl: Duration::from_secs(300),
            max_challenges: 10_000,
            max_users: 10_000,
            max_credentials_per_user: 16,
        }
    }
}
