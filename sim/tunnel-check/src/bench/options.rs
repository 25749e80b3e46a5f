//! What a bench run takes: the counts, rate and limits of its phases. Under the `clap` feature
//! [`BenchOptions`] doubles as `hybridsim tunnel bench`'s flags.

#[cfg(feature = "clap")]
use clap::builder::TypedValueParser;
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

/// What [`bench()`](super::bench()) does. Under the `clap` feature the first five fields are
/// `hybridsim tunnel bench`'s flags (each field's doc is its flag's help); the rest keep their
/// defaults there. Give [`Self::server_pid`] `std::process::id()` when the server runs
/// in-process (its figures then include the bench's own share); 0 pairs, a rate of 0 or 0 idle
/// tunnels skip their phase.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct BenchOptions {
    /// Concurrent pairings to time.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DEFAULT_PAIRS))]
    pub pairs: usize,
    /// Messages per second in the relay phase.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DEFAULT_RATE))]
    pub rate: u32,
    /// Length of the relay phase, seconds.
    #[cfg_attr(feature = "clap", arg(long, default_value = "5",
        value_parser = clap::value_parser!(u64).map(Duration::from_secs)))]
    pub seconds: Duration,
    /// Idle pending tunnels to hold open for the memory figure (0 skips it).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DEFAULT_IDLE))]
    pub idle: usize,
    /// The server's process id, to read its memory (VmRSS) from /proc.
    #[cfg_attr(feature = "clap", arg(long, value_name = "PID"))]
    pub server_pid: Option<u32>,
    /// Handshakes in flight at once (default 256).
    #[cfg_attr(feature = "clap", arg(skip = DEFAULT_CONNECTING))]
    pub connecting: usize,
    /// Messages one peer sends at most in the relay phase (default 16).
    #[cfg_attr(feature = "clap", arg(skip = DEFAULT_MESSAGES_PER_PEER))]
    pub messages_per_peer: u32,
    /// Longest any phase may take (default 120 s); a phase cut short reports what it had.
    #[cfg_attr(feature = "clap", arg(skip = DEFAULT_PHASE_TIMEOUT))]
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

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::BenchOptions;
    use clap::Parser;

    /// `hybridsim tunnel bench`'s flags, flattened as the binary has them.
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        options: BenchOptions,
    }

    #[test]
    fn no_flags_give_the_default_options() -> Result<(), clap::Error> {
        let parsed = Wrapper::try_parse_from(["bench"])?;
        assert_eq!(parsed.options, BenchOptions::default());
        Ok(())
    }

    #[test]
    fn seconds_are_read_as_seconds() -> Result<(), clap::Error> {
        let parsed = Wrapper::try_parse_from(["bench", "--seconds", "2"])?;
        assert_eq!(parsed.options.seconds, std::time::Duration::from_secs(2));
        Ok(())
    }
}
