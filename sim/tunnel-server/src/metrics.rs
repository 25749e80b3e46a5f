//! The router's counters in the Prometheus text exposition format, version 0.0.4, encoded by
//! the maintained `prometheus-client` crate.
//!
//! Each request builds a registry from a [`Metrics`] snapshot (the router owns the counts;
//! the registry is only their encoding). Counters are registered without their `_total`
//! suffix, which the crate adds, so the exposed names are the ones this page has always
//! had: `hybridsim_tunnel_messages_relayed_total`, `hybridsim_tunnel_rejections_total{reason=…}`.

use hybridsim_tunnel::Metrics;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;

/// The `Content-Type` of a `/metrics` response.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The name prefix of every family.
const PREFIX: &str = "hybridsim_tunnel";

/// A family of counters labelled by `reason`.
type ByReason = Family<[(&'static str, &'static str); 1], Counter>;

/// Renders `metrics`: one family per counter, `# HELP` and `# TYPE` lines first, every
/// rejection and close reason present (zero included) so a dashboard sees stable series.
pub fn render(metrics: &Metrics) -> String {
    let mut registry = Registry::with_prefix(PREFIX);
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
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_text::encode(&mut out, &registry);
    out
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
        let text = render(&metrics);
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
                assert_eq!(declared.last().map(String::as_str), Some(family), "{line}");
                value.parse::<u64>().unwrap();
            }
        }
        assert!(text.ends_with('\n'));
    }
}
