//! `hybridsim decode url`: which tunnel route a URL is, its ids, and whether it is what a
//! Chromium peer would send.

use super::args::DecodeUrl;
use crate::failure::{Failure, Outcome};
use crate::{hex_arg, json};
use hybridsim_proto::route_checks::{self, Check, RouteIds};
use hybridsim_proto::tunnel_url::{Scheme, TunnelUrl};
use serde_json::json;

/// Parses the URL, prints its route, ids and checks; exit 2 if it does not parse, exit 1 if
/// `--secret` was given and the tunnel id does not match it.
pub fn run(args: &DecodeUrl) -> Outcome {
    let url = TunnelUrl::parse(&args.url)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", crate::echo::shown(&args.url))))?;
    let secret = match &args.secret {
        Some(secret) => Some(hex_arg::fixed::<16>("--secret", secret)?),
        None => None,
    };
    let checks = route_checks::checks(&url, secret.as_ref());
    let secret_mismatch = route_checks::secret_mismatch(&checks);
    print(&url, &checks, args.json);
    if secret_mismatch {
        return Err(Failure::no_match(
            "tunnel id is not the one this QR secret derives",
        ));
    }
    Ok(())
}

fn print(url: &TunnelUrl, checks: &[Check], as_json: bool) {
    let RouteIds {
        routing,
        tunnel,
        contact,
    } = RouteIds::of(&url.route);
    if as_json {
        json::print(&json!({
            "route": url.route.name(),
            "scheme": if url.scheme == Scheme::Wss { "wss" } else { "ws" },
            "host": url.host,
            "port": url.port,
            "routing_id": routing,
            "tunnel_id": tunnel,
            "contact_id": contact,
            "canonical": url.to_string(),
            "checks": checks.iter().map(|c| json!({ "check": c.name, "ok": c.ok, "detail": c.detail })).collect::<Vec<_>>(),
        }));
        return;
    }
    say!("route       {}", url.route.name());
    say!(
        "host        {}{}",
        url.host,
        url.port.map(|p| format!(":{p}")).unwrap_or_default()
    );
    for (name, value) in [
        ("routing id", routing),
        ("tunnel id", tunnel),
        ("contact id", contact),
    ] {
        if let Some(v) = value {
            say!("{name:<11} {v}");
        }
    }
    say!("canonical   {url}");
    for c in checks {
        say!(
            "[{}] {}: {}",
            if c.ok { "ok" } else { "!!" },
            c.name,
            c.detail
        );
    }
}
