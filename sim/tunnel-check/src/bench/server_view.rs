//! The server's own view of a relay phase, from its `/metrics` page read before and after:
//! how long messages spent inside it (hybridsim's `hybridsim_tunnel_relay_seconds`
//! histogram, read to write) and the CPU time it used (`process_cpu_seconds_total`). A
//! server without the page (webauthn-rs') simply has no view; its CPU time then comes from
//! `/proc` when its pid is known.

use super::report::ServerRelayTimes;
use hybridsim_sockets::client::Target;
use std::time::Duration;

/// The relay-time histogram's name on hybridsim's `/metrics`.
const RELAY_HISTOGRAM: &str = "hybridsim_tunnel_relay_seconds";
/// The standard name of a process's CPU time.
const CPU_SECONDS: &str = "process_cpu_seconds_total";
/// Largest `/metrics` body read.
const MAX_METRICS: usize = 256 * 1024;

/// One reading of the page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ServerView {
    /// Cumulative bucket counts by upper bound (seconds), `+Inf` last.
    buckets: Vec<(f64, u64)>,
    /// CPU seconds the process had used.
    cpu_seconds: Option<f64>,
}

impl ServerView {
    /// Reads `target`'s `/metrics`; `None` if it serves no relay histogram.
    pub(super) async fn read(target: &Target) -> Option<ServerView> {
        let head = target
            .get("/metrics", MAX_METRICS, Duration::from_secs(5))
            .await
            .ok()?;
        (head.status == 200).then(|| ServerView::parse(&head.body))?
    }

    /// The relay histogram and CPU time in a Prometheus text page.
    fn parse(page: &str) -> Option<ServerView> {
        let mut buckets = Vec::new();
        let mut cpu_seconds = None;
        for line in page.lines().filter(|l| !l.starts_with('#')) {
            let Some((name, value)) = line.rsplit_once(' ') else {
                continue;
            };
            if name == CPU_SECONDS {
                cpu_seconds = value.parse().ok();
            } else if let Some(bound) = name
                .strip_prefix(RELAY_HISTOGRAM)
                .and_then(|rest| rest.strip_prefix("_bucket{le=\""))
                .and_then(|rest| rest.strip_suffix("\"}"))
            {
                let bound = if bound == "+Inf" {
                    f64::INFINITY
                } else {
                    bound.parse().ok()?
                };
                buckets.push((bound, value.parse().ok()?));
            }
        }
        (!buckets.is_empty()).then_some(ServerView {
            buckets,
            cpu_seconds,
        })
    }

    /// CPU seconds used between `before` and this reading.
    pub(super) fn cpu_since(&self, before: &ServerView) -> Option<Duration> {
        let used = self.cpu_seconds? - before.cpu_seconds?;
        (used >= 0.0).then(|| Duration::from_secs_f64(used))
    }

    /// The messages relayed between `before` and this reading, as percentiles.
    pub(super) fn relay_since(&self, before: &ServerView) -> ServerRelayTimes {
        let deltas: Vec<(f64, u64)> = self
            .buckets
            .iter()
            .map(|(bound, count)| {
                let earlier = before
                    .buckets
                    .iter()
                    .find(|(b, _)| b == bound)
                    .map_or(0, |(_, c)| *c);
                (*bound, count.saturating_sub(earlier))
            })
            .collect();
        let messages = deltas.last().map_or(0, |(_, c)| *c);
        let at = |q: f64| upper_bound(&deltas, messages, q);
        ServerRelayTimes {
            messages,
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
        }
    }
}

/// The smallest bucket bound under which at least `q` of `total` fall (nearest rank), or
/// `None` when that is only the `+Inf` bucket (or nothing was counted).
fn upper_bound(cumulative: &[(f64, u64)], total: u64, q: f64) -> Option<Duration> {
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).max(1);
    let (bound, _) = cumulative.iter().find(|(_, count)| *count >= rank)?;
    // Rounded to whole nanoseconds: 1e-4 s is 100,000 ns, not 99,999.
    bound
        .is_finite()
        .then(|| Duration::from_nanos((bound * 1e9).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 2.5\n# TYPE hybridsim_tunnel_relay_seconds histogram\nhybridsim_tunnel_relay_seconds_sum 0.5\nhybridsim_tunnel_relay_seconds_count 100\nhybridsim_tunnel_relay_seconds_bucket{le=\"0.00001\"} 10\nhybridsim_tunnel_relay_seconds_bucket{le=\"0.0001\"} 60\nhybridsim_tunnel_relay_seconds_bucket{le=\"0.001\"} 100\nhybridsim_tunnel_relay_seconds_bucket{le=\"+Inf\"} 100\n";

    #[test]
    fn percentiles_come_from_the_bucket_deltas() {
        let before = ServerView::parse(PAGE).unwrap();
        let after = ServerView::parse(
            &PAGE
                .replace("2.5\n", "3.0\n")
                .replace("\"0.0001\"} 60", "\"0.0001\"} 1050")
                .replace("\"0.001\"} 100", "\"0.001\"} 1099")
                .replace("\"+Inf\"} 100", "\"+Inf\"} 1101"),
        )
        .unwrap();
        let relay = after.relay_since(&before);
        assert_eq!(relay.messages, 1001);
        assert_eq!(relay.p50, Some(Duration::from_micros(100)));
        assert_eq!(relay.p99, Some(Duration::from_micros(1000)));
        assert_eq!(relay.p999, None, "the last 2 are beyond 1 ms");
        assert_eq!(after.cpu_since(&before), Some(Duration::from_millis(500)));
        assert_eq!(ServerView::parse("process_cpu_seconds_total 1\n"), None);
    }
}
