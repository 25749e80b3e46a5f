//! The router's counters in the Prometheus text exposition format, version 0.0.4.

use hybridsim_tunnel::Metrics;
use std::fmt::Write;

/// The `Content-Type` of a `/metrics` response.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders `metrics`: one family per counter, `# HELP` and `# TYPE` lines first, every
/// rejection and close reason present (zero included) so a dashboard sees stable series.
pub fn render(metrics: &Metrics) -> String {
    let mut out = String::new();
    let gauges = [
        (
            "connections_open",
            "Tunnel connections open.",
            metrics.connections_open,
        ),
        (
            "tunnels_pending",
            "Tunnels waiting for their second peer.",
            metrics.tunnels_pending,
        ),
        (
            "tunnels_active",
            "Paired tunnels relaying.",
            metrics.tunnels_active,
        ),
        (
            "contacts_registered",
            "Phones registered for wake-ups.",
            metrics.contacts_registered,
        ),
    ];
    for (name, help, value) in gauges {
        family(&mut out, name, help, "gauge");
        let _ = writeln!(out, "hybridsim_tunnel_{name} {value}");
    }
    let counters = [
        (
            "connections_accepted_total",
            "Connections accepted.",
            metrics.connections_accepted,
        ),
        (
            "tunnels_paired_total",
            "Tunnels that got their second peer.",
            metrics.tunnels_paired,
        ),
        (
            "messages_relayed_total",
            "Messages delivered to the other peer.",
            metrics.messages_relayed,
        ),
        (
            "bytes_relayed_total",
            "Bytes of relayed messages.",
            metrics.bytes_relayed,
        ),
        (
            "wakes_sent_total",
            "Wake-ups sent to phones.",
            metrics.wakes_sent,
        ),
    ];
    for (name, help, value) in counters {
        family(&mut out, name, help, "counter");
        let _ = writeln!(out, "hybridsim_tunnel_{name} {value}");
    }
    let labelled = [
        (
            "rejections_total",
            "Connections refused, by reason.",
            &metrics.rejections,
        ),
        (
            "closes_total",
            "Connections closed by the server, by reason.",
            &metrics.closes,
        ),
    ];
    for (name, help, values) in labelled {
        family(&mut out, name, help, "counter");
        for (reason, value) in values {
            // Labels are fixed snake_case names: nothing to escape.
            let _ = writeln!(
                out,
                "hybridsim_tunnel_{name}{{reason=\"{reason}\"}} {value}"
            );
        }
    }
    out
}

fn family(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP hybridsim_tunnel_{name} {help}");
    let _ = writeln!(out, "# TYPE hybridsim_tunnel_{name} {kind}");
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
        assert!(text.contains("# TYPE hybridsim_tunnel_messages_relayed_total counter\nhybridsim_tunnel_messages_relayed_total 7\n"));
        assert!(text.contains("hybridsim_tunnel_rejections_total{reason=\"unknown_tunnel\"} 2\n"));
        assert!(text.contains("hybridsim_tunnel_closes_total{reason=\"too_big\"} 0\n"));
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
