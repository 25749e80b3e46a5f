//! Bounds on what the accept loop takes in: every accepted connection (tunnel, wake, plain
//! HTTP, a request head still being read) holds a [`Slot`] counted per address and in
//! total, and an `accept` that fails (out of file descriptors) backs off instead of spinning.

use hybridsim_tunnel::Millis;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Why a connection was turned away at accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The address already holds its limit of connections.
    PerIp {
        /// The address.
        ip: IpAddr,
        /// `max_connections_per_ip`.
        limit: usize,
    },
    /// The server holds its limit of connections.
    Total {
        /// `max_connections`.
        limit: usize,
    },
}

impl Refused {
    /// The whole HTTP answer, written without waiting for the request: 429 or 503 with the
    /// same body the router gives a tunnel refused for the same reason.
    pub(crate) fn response(&self) -> String {
        let (status, body) = match self {
            Refused::PerIp { ip, limit } => (
                "429 Too Many Requests",
                format!("too many connections from {ip} (limit {limit})\n"),
            ),
            Refused::Total { limit } => (
                "503 Service Unavailable",
                format!("tunnel server is full ({limit} connections)\n"),
            ),
        };
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Open connections, per address and in total.
#[derive(Debug)]
pub(crate) struct Connections {
    per_ip_limit: usize,
    total_limit: usize,
    counts: Mutex<Counts>,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub(crate) struct Slot {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    /// Counts with these limits.
    pub(crate) fn new(per_ip_limit: usize, total_limit: usize) -> Arc<Connections> {
        Arc::new(Connections {
            per_ip_limit,
            total_limit,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// A place for one more connection from `ip`, or why there is none.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refused> {
        let ip = ip.to_canonical();
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.total_limit {
            return Err(Refused::Total {
                limit: self.total_limit,
            });
        }
        let n = counts.per_ip.entry(ip).or_default();
        if *n >= self.per_ip_limit {
            return Err(Refused::PerIp {
                ip,
                limit: self.per_ip_limit,
            });
        }
        *n += 1;
        counts.total += 1;
        Ok(Slot {
            connections: Arc::clone(self),
            ip,
        })
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .connections
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

/// How long to pause after failed `accept`s in a row: 10 ms doubling to 1 s, so that a
/// server out of file descriptors waits for connections to close rather than spinning.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    failures: u32,
}

/// The first pause.
const BACKOFF_FIRST: Duration = Duration::from_millis(10);
/// The longest pause.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

impl AcceptBackoff {
    /// One more failure: the pause before the next `accept`, and whether to log it (only
    /// the first of a streak, so a streak costs one log line, not one per attempt).
    pub(crate) fn failed(&mut self) -> (Duration, bool) {
        let shift = self.failures.min(7);
        self.failures = self.failures.saturating_add(1);
        let pause = BACKOFF_FIRST.saturating_mul(1 << shift).min(BACKOFF_MAX);
        (pause, self.failures == 1)
    }

    /// An `accept` succeeded: how many failed before it (to log once), and reset.
    pub(crate) fn succeeded(&mut self) -> u32 {
        std::mem::take(&mut self.failures)
    }
}

/// Contact ids remembered before the fully recovered ones are forgotten.
const WAKE_PRUNE_AT: usize = 1024;

/// Wake-ups per contact id: a burst, then one per interval (the generic cell rate
/// algorithm: each id keeps the time its allowance is next full again).
#[derive(Debug)]
pub(crate) struct WakeLimiter {
    interval: u64,
    burst: u64,
    /// Per contact id, when (in ms on the server's clock) its allowance is full again.
    full_at: HashMap<Vec<u8>, u64>,
}

impl WakeLimiter {
    /// `burst` wake-ups at once, then one per `interval`.
    pub(crate) fn new(interval: Duration, burst: u32) -> WakeLimiter {
        WakeLimiter {
            interval: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            burst: u64::from(burst.max(1)),
            full_at: HashMap::new(),
        }
    }

    /// Whether `contact_id` may wake its phone at `now`.
    pub(crate) fn allows(&self, contact_id: &[u8], now: Millis) -> bool {
        let slack = self.interval.saturating_mul(self.burst - 1);
        self.full_at
            .get(contact_id)
            .is_none_or(|full| *full <= now.as_millis().saturating_add(slack))
    }

    /// Notes a wake-up of `contact_id` at `now`; forgets ids whose allowance is full again
    /// when many are remembered, so the table stays bounded.
    pub(crate) fn record(&mut self, contact_id: Vec<u8>, now: Millis) {
        let now = now.as_millis();
        if self.full_at.len() >= WAKE_PRUNE_AT {
            self.full_at.retain(|_, full| *full > now);
        }
        let full = self.full_at.entry(contact_id).or_insert(now);
        *full = (*full).max(now).saturating_add(self.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_per_address_and_in_total_and_free_on_drop() {
        let connections = Connections::new(2, 3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = connections.admit(a).unwrap();
        let _second = connections.admit(a).unwrap();
        assert_eq!(
            connections.admit(a).unwrap_err(),
            Refused::PerIp { ip: a, limit: 2 }
        );
        let _third = connections.admit(b).unwrap();
        assert_eq!(
            connections.admit(b).unwrap_err(),
            Refused::Total { limit: 3 }
        );
        drop(first);
        assert_eq!(connections.open(), 2);
        let _again = connections.admit(a).unwrap();
        let v6: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert!(matches!(connections.admit(v6), Err(Refused::Total { .. })));
    }

    #[test]
    fn accept_failures_back_off_and_log_once_per_streak() {
        let mut backoff = AcceptBackoff::default();
        let pauses: Vec<(Duration, bool)> = (0..10).map(|_| backoff.failed()).collect();
        assert_eq!(pauses[0], (Duration::from_millis(10), true));
        assert_eq!(pauses[1], (Duration::from_millis(20), false));
        assert!(pauses.iter().skip(1).all(|(_, log)| !log));
        assert_eq!(pauses[9].0, Duration::from_secs(1));
        let spent: Duration = pauses.iter().map(|(p, _)| *p).sum();
        assert!(spent >= Duration::from_secs(3), "{spent:?}");
        assert_eq!(backoff.succeeded(), 10);
        assert_eq!(backoff.failed(), (Duration::from_millis(10), true));
    }

    #[test]
    fn wake_ups_come_in_a_burst_then_one_per_interval() {
        let mut limiter = WakeLimiter::new(Duration::from_secs(1), 3);
        let id = b"phone".to_vec();
        let mut allowed = 0;
        for _ in 0..10 {
            if limiter.allows(&id, Millis(0)) {
                limiter.record(id.clone(), Millis(0));
                allowed += 1;
            }
        }
        assert_eq!(allowed, 3);
        assert!(!limiter.allows(&id, Millis(999)));
        assert!(limiter.allows(&id, Millis(1_000)));
        limiter.record(id.clone(), Millis(1_000));
        assert!(!limiter.allows(&id, Millis(1_000)));
        assert!(limiter.allows(b"another phone", Millis(1_000)));
        assert!(limiter.allows(&id, Millis(5_000)));
    }

    #[test]
    fn refusals_answer_429_and_503() {
        let per_ip = Refused::PerIp {
            ip: [127, 0, 0, 1].into(),
            limit: 256,
        };
        assert!(per_ip
            .response()
            .starts_with("HTTP/1.1 429 Too Many Requests\r\n"));
        assert!(per_ip
            .response()
            .ends_with("\r\n\r\ntoo many connections from 127.0.0.1 (limit 256)\n"));
        assert!(Refused::Total { limit: 1 }
            .response()
            .starts_with("HTTP/1.1 503 "));
    }
}
