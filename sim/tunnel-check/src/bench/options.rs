//! What a bench run takes: the counts, rate and limits of its phases.

use std::time::Duration;

/// How long one handshake may take.
pub(super) const HANDSHAKE_WAIT: Duration = Duration::from_secs(15);

/// Default for [`BenchOptions::pairs`].
pub const DEFAULT_PAIRS: usize = 1000;
/// Default for [`BenchOptions::rate`].
pub const DEFAULT_RATE: u32 = 10_000;
/// Default for [`BenchOptions::seconds`].
pub const DEFAULT_SECONDS: Duration = Duration::from_secs(5);
/// Default for [`BenchOptions::idle`].
pub const DEFAULT_IDLE: usize = 20_000;
/// Default for [`BenchOptions::connecting`].
pub const DEFAULT_CONNECTING: usize = 256;
/// Default for [`BenchOptions::messages_per_peer`]: webauthn-rs' and our server's limit.
pub const DEFAULT_MESSAGES_PER_PEER: u32 = 16;
/// Default for [`BenchOptions::phase_timeout`].
pub const DEFAULT_PHASE_TIMEOUT: Duration = Duration::from_secs(120);

/// What [`bench()`](super::bench()) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// Pairs opened in the pairing phase (default 1000; 0 skips it).
    pub pairs: usize,
    /// Messages per second in the relay phase (default 10,000; 0 skips it).
    pub rate: u32,
    /// How long the relay phase sends (default 5 s).
    pub seconds: Duration,
    /// Idle pending tunnels opened (default 20,000; 0 skips the phase).
    pub idle: usize,
    /// The server's process id, to read its memory and CPU time from `/proc`; pass
    /// `std::process::id()` when the server runs in-process (its figures then include the
    /// bench's own share).
    pub server_pid: Option<u32>,
    /// Handshakes in flight at once (default 256).
    pub connecting: usize,
    /// Messages one peer sends at most in the relay phase (default 16).
    pub messages_per_peer: u32,
    /// Longest any phase may take (default 120 s); a phase cut short reports what it had.
    pub phase_timeout: Duration,
}

impl Default for BenchOptions {
    fn default() -> BenchOptions {
        BenchOptions {
            pairs: DEFAULT_PAIRS,
            rate: DEFAULT_RATE,
            seconds: DEFAULT_SECONDS,
            idle: DEFAULT_IDLE,
            server_pid: None,
            connecting: DEFAULT_CONNECTING,
            messages_per_peer: DEFAULT_MESSAGES_PER_PEER,
            phase_timeout: DEFAULT_PHASE_TIMEOUT,
        }
    }
}
