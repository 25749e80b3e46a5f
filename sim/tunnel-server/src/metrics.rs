//! The router's counters in the Prometheus text exposition format, version 0.0.4, encoded by
//! the maintained `prometheus-client` crate.
//!
//! Each request builds a registry from a [`Metrics`] snapshot (the router owns the counts;
//! the registry is only their encoding). Counters are registered without their `_total`
//! suffix, which the crate adds, so the exposed names are the ones this page has always
//! had: `hybridsim_tunnel_messages_relayed_total`, `hybridsim_tunnel_rejections_total{reason=…}`.
//!
//! Two series are the driver's own, so that the server's cost is measured without a load
//! generator in the way:
//!
//! - `hybridsim_tunnel_relay_seconds`, a histogram ([`RelayTimes`]) of each relayed
//!   message's time inside the server: from the moment its frame was read off one socket to
//!   the moment it was written to the other (messages held for a peer that has not joined yet
//!   are not counted: that wait is the peer's, not the server's);
//! - `process_cpu_seconds_total`, the CPU time (user and system, every thread) the process
//!   has used, under the name every Prometheus client library gives it
//!   ([`process_cpu_seconds`]).

use hybridsim_tunnel::Metrics;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::time::Instant;

/// The `Content-Type` of a `/metrics` response.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The name prefix of every family.
const PREFIX: &str = "hybridsim_tunnel";

/// A family of counters labelled by `reason`.
type ByReason = Family<[(&'static str, &'static str); 1], Counter>;

/// Upper bounds of the relay-time buckets, in seconds: fine steps up to the 200 µs a
/// relayed message should stay under, coarse ones for what scheduling delays add.
pub const RELAY_BUCKETS: [f64; 22] = [
    10e-6, 20e-6, 30e-6, 40e-6, 50e-6, 60e-6, 80e-6, 100e-6, 125e-6, 150e-6, 175e-6, 200e-6,
    250e-6, 300e-6, 400e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 50e-3, 250e-3,
];

/// The histogram of relayed messages' time inside the server (cheap to clone: one shared
/// histogram). Connection tasks [`RelayTimes::record`] into it after each write.
#[derive(Debug, Clone)]
pub struct RelayTimes {
    histogram: Histogram,
}

impl Default for RelayTimes {
    fn default() -> RelayTimes {
        RelayTimes {
            histogram: Histogram::new(RELAY_BUCKETS),
        }
    }
}

impl RelayTimes {
    /// Records a message read at `read_at` and written now.
    pub fn record(&self, read_at: Instant) {
        self.histogram.observe(read_at.elapsed().as_secs_f64());
    }
}

/// The CPU time this process has used so far, user and system, all threads, in seconds
/// (`CLOCK_PROCESS_CPUTIME_ID`). `None` where there is no such clock.
pub fn process_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        Some(t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(unix))]
    None
}

/// Renders `metrics` and the driver's `relay` times: one family per counter, `# HELP` and
/// `# TYPE` lines first, every rejection and close reason present (zero included) so a
/// dashboard sees stable series, and the process's CPU time read now.
pub fn render(metrics: &Metrics, relay: &RelayTimes) -> String {
    let mut root = Registry::default();
    if let Some(seconds) = process_cpu_seconds() {
        root.register(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            ConstCounter::new(seconds),
        );
    }
    let registry = root.sub_registry_with_prefix(PREFIX);
    registry.register(
        "relay_seconds",
        "Time a relayed message spent inside the server, from read to written",
        relay.histogram.clone(),
    );
    register_router(registry, metrics);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_text::encode(&mut out, &root);
    out
}

/// The router's gauges and counters.
fn register_router(registry: &mut Registry, metrics: &Metrics) {
    let gauges = [
        (
            "connections_open",
            "Tunnel connections open",
            metrics.connections_open,
        ),
        (
            "tunnels_pending",
            "Tunnels waiting for their second peer",
            metrics.tunnels_pending,
        ),
        (
            "tunnels_active",
            "Paired tunnels relaying",
            metrics.tunnels_active,
        ),
        (
            "contacts_registered",
            "Phones registered for wake-ups",
            metrics.contacts_registered,
        ),
    ];
    for (name, help, value) in gauges {
        let gauge: Gauge = Gauge::default();
        gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
        registry.register(name, help, gauge);
    }
    let counters = [
        (
            "connections_accepted",
            "Connections accepted",
            metrics.connections_accepted,
        ),
        (
            "tunnels_paired",
            "Tunnels that got their second peer",
            metrics.tunnels_paired,
        ),
        (
            "messages_relayed",
            "Messages delivered to the other peer",
            metrics.messages_relayed,
        ),
        (
            "bytes_relayed",
            "Bytes of relayed messages",
            metrics.bytes_relayed,
        ),
        ("wakes_sent", "Wake-ups sent to phones", metrics.wakes_sent),
    ];
    for (name, help, value) in counters {
        let counter: Counter = Counter::default();
        counter.inc_by(value);
        registry.register(name, help, counter);
    }
    let rejections = by_reason(&metrics.rejections);
    registry.register("rejections", "Connections refused, by reason", rejections);
    let closes = by_reason(&metrics.closes);
    registry.register(
        "closes",
        "Connections closed by the server, by reason",
        closes,
    );
}

fn by_reason(values: &BTreeMap<&'static str, u64>) -> ByReason {
    let family = ByReason::default();
    for (reason, value) in values {
        family.get_or_create(&[("reason", *reason)]).inc_by(*value);
    }
    family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_line_has_a_declared_family_and_a_number() {
        let mut metrics = Metrics {
            messages_relayed: 7,
            ..Metrics::default()
        };
        metrics.rejections.insert("unknown_tunnel", 2);
        let relay = RelayTimes::default();
        relay.record(Instant::now());
        let text = render(&metrics, &relay);
        assert!(text.contains("# TYPE hybridsim_tunnel_messages_relayed_total counter\nhybridsim_tunnel_messages_relayed_total 7\n"), "{text}");
        assert!(text.contains("# HELP hybridsim_tunnel_messages_relayed_total Messages delivered to the other peer.\n"), "{text}");
        assert!(
            text.contains("hybridsim_tunnel_rejections_total{reason=\"unknown_tunnel\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("hybridsim_tunnel_closes_total{reason=\"too_big\"} 0\n"),
            "{text}"
        );
        assert!(text.contains("# TYPE hybridsim_tunnel_tunnels_pending gauge\nhybridsim_tunnel_tunnels_pending 0\n"), "{text}");
        let mut declared = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared.push(rest.split(' ').next().unwrap().to_owned());
            } else if !line.starts_with('#') {
                let (name, value) = line.rsplit_once(' ').unwrap();
                let family = name.split('{').next().unwrap();
                let family = family
                    .strip_suffix("_bucket")
                    .or_else(|| family.strip_suffix("_sum"))
                    .or_else(|| family.strip_suffix("_count"))
                    .filter(|f| f.ends_with("relay_seconds"))
                    .unwrap_or(family);
                assert_eq!(declared.last().map(String::as_str), Some(family), "{line}");
                value.parse::<f64>().unwrap();
            }
        }
        assert!(text.ends_with('\n'));
        // One observation, under the smallest bucket that holds a message read just now.
        assert!(
            text.contains("# TYPE hybridsim_tunnel_relay_seconds histogram\n"),
            "{text}"
        );
        assert!(
            text.contains("hybridsim_tunnel_relay_seconds_count 1\n"),
            "{text}"
        );
        assert!(
            text.contains("hybridsim_tunnel_relay_seconds_bucket{le=\"+Inf\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE process_cpu_seconds_total counter\n"),
            "{text}"
        );
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let before = process_cpu_seconds().unwrap();
        let mut x = 0u64;
        for _ in 0..5_000_000 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = process_cpu_seconds().unwrap();
        assert!(after > before, "{before} -> {after}");
    }
}
