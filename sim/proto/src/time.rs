//! Virtual time: the caller says what time it is (shared by every sans-IO state machine of
//! hybridsim: the tunnel router, the desktop and the phone, and the simulated world).

use core::fmt;
use core::time::Duration;

/// A point in time, in milliseconds since an epoch the caller chooses (the simulated world's
/// start, or the moment a socket server started). Sans-IO code never reads a clock: every
/// `handle_*` call takes one of these, and every `poll_timeout` answers with one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// The epoch.
    pub const ZERO: Millis = Millis(0);

    /// The point `duration` after `self`, saturating at the end of time.
    pub fn saturating_add(self, duration: Duration) -> Millis {
        Millis(self.0.saturating_add(duration_millis(duration)))
    }

    /// Milliseconds since the epoch.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Millis) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl From<Duration> for Millis {
    /// The point `duration` after the epoch.
    fn from(duration: Duration) -> Millis {
        Millis(duration_millis(duration))
    }
}

impl fmt::Display for Millis {
    /// Seconds with three decimals, e.g. `12.345s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

/// A duration in whole milliseconds, saturating (a `Duration` can hold more than `u64` ms).
pub fn duration_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
