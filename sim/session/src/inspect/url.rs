//! A tunnel URL as `hybridsim decode url` shows it: its route, host, the ids in its path,
//! its canonical form, and the checks a Chromium peer's URL passes
//! ([`hybridsim_proto::route_checks`]).

use hybridsim_proto::route_checks::{Check, RouteIds};
use hybridsim_proto::tunnel_url::{Scheme, TunnelUrl};
use serde_json::{json, Value};

/// The URL and its checks as one JSON object.
pub fn to_json(url: &TunnelUrl, checks: &[Check]) -> Value {
    let ids = RouteIds::of(&url.route);
    let checks: Vec<Value> = checks
        .iter()
        .map(|c| json!({ "check": c.name, "ok": c.ok, "detail": c.detail }))
        .collect();
    json!({
        "route": url.route.name(),
        "scheme": if url.scheme == Scheme::Wss { "wss" } else { "ws" },
        "host": url.host,
        "port": url.port,
        "routing_id": ids.routing,
        "tunnel_id": ids.tunnel,
        "contact_id": ids.contact,
        "canonical": url.to_string(),
        "checks": checks,
    })
}

/// The URL and its checks as lines: route, host (and port), each id the route has, the
/// canonical form, then `[ok]` or `[!!]` per check.
pub fn to_lines(url: &TunnelUrl, checks: &[Check]) -> Vec<String> {
    let RouteIds {
        routing,
        tunnel,
        contact,
    } = RouteIds::of(&url.route);
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    let mut out = vec![
        format!("route       {}", url.route.name()),
        format!("host        {}{port}", url.host),
    ];
    for (name, value) in [
        ("routing id", routing),
        ("tunnel id", tunnel),
        ("contact id", contact),
    ] {
        if let Some(v) = value {
            out.push(format!("{name:<11} {v}"));
        }
    }
    out.push(format!("canonical   {url}"));
    for c in checks {
        let mark = if c.ok { "ok" } else { "!!" };
        out.push(format!("[{mark}] {}: {}", c.name, c.detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_proto::route_checks;

    #[test]
    fn a_new_tunnel_url_shows_its_ids_and_checks() {
        let text = format!("wss://cable.ua5v.com/cable/new/{}", "AB".repeat(16));
        let url = TunnelUrl::parse(&text).unwrap();
        let checks = route_checks::checks(&url, None);
        let lines = to_lines(&url, &checks);
        assert_eq!(lines.first().map(String::as_str), Some("route       new"));
        assert_eq!(
            lines.get(1).map(String::as_str),
            Some("host        cable.ua5v.com")
        );
        assert!(
            lines.iter().any(|l| l.starts_with("tunnel id   ")),
            "{lines:?}"
        );
        assert_eq!(lines.len(), 4 + checks.len(), "{lines:?}");
        let json = to_json(&url, &checks);
        assert_eq!(json["scheme"], "wss");
        assert_eq!(json["checks"].as_array().map(Vec::len), Some(checks.len()));
    }
}
