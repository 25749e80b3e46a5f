//! `hybridsim decode url`: which tunnel route a URL is, its ids, and whether it is what a
//! Chromium peer would send.

use super::args::DecodeUrl;
use crate::failure::{Failure, Outcome};
use crate::{hex_arg, json};
use hybridsim_proto::derive;
use hybridsim_proto::domain;
use hybridsim_proto::tunnel_url::{HexCase, Route, Scheme, TunnelUrl};
use serde_json::json;

/// One named check on the URL and its outcome.
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

/// Parses the URL, prints its route, ids and checks; exit 2 if it does not parse, exit 1 if
/// `--secret` was given and the tunnel id does not match it.
pub fn run(args: &DecodeUrl) -> Outcome {
    let url = TunnelUrl::parse(&args.url)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", crate::echo::shown(&args.url))))?;
    let mut checks = vec![
        scheme_check(&url),
        host_check(&url.host),
        case_check(url.hex_case),
    ];
    if let Some(secret) = &args.secret {
        checks.push(secret_check(
            &url.route,
            &hex_arg::fixed::<16>("--secret", secret)?,
        ));
    }
    let secret_mismatch = checks
        .iter()
        .any(|c| c.name == "tunnel id from secret" && !c.ok);
    print(&url, &checks, args.json);
    if secret_mismatch {
        return Err(Failure::no_match(
            "tunnel id is not the one this QR secret derives",
        ));
    }
    Ok(())
}

fn scheme_check(url: &TunnelUrl) -> Check {
    let ok = url.scheme == Scheme::Wss;
    Check {
        name: "scheme",
        ok,
        detail: if ok {
            "wss, as phones and browsers use".into()
        } else {
            "ws: plain WebSocket, only for local tunnel servers".into()
        },
    }
}

fn host_check(host: &str) -> Check {
    match find_domain_id(host) {
        Some(id) => Check {
            name: "known tunnel domain",
            ok: true,
            detail: format!("domain id {id}"),
        },
        None => Check {
            name: "known tunnel domain",
            ok: false,
            detail: "no domain id names this host (fine for a local or private server)".into(),
        },
    }
}

/// Finds the domain id whose host is `host` by trying every id (a few milliseconds).
fn find_domain_id(host: &str) -> Option<u16> {
    (0..=u16::MAX).find(|&id| domain::host(id).is_ok_and(|h| h.eq_ignore_ascii_case(host)))
}

fn case_check(case: HexCase) -> Check {
    let (ok, detail) = match case {
        HexCase::Upper => (true, "upper-case hex, as Chromium sends"),
        HexCase::Lower => (
            true,
            "lower-case hex, as libwebauthn sends; servers must accept both",
        ),
        HexCase::Mixed => (false, "mixed-case hex: no known client sends this"),
        HexCase::Indifferent => (true, "no hex letters to compare"),
    };
    Check {
        name: "hex case",
        ok,
        detail: detail.into(),
    }
}

fn secret_check(route: &Route, secret: &[u8; 16]) -> Check {
    let expected = derive::tunnel_id(secret);
    let (ok, detail) = match route {
        Route::New { tunnel_id } | Route::Connect { tunnel_id, .. } => (
            *tunnel_id == expected,
            format!("derived {}", hex::encode_upper(expected)),
        ),
        Route::Contact { .. } => (false, "contact URLs carry no tunnel id".into()),
    };
    Check {
        name: "tunnel id from secret",
        ok,
        detail,
    }
}

fn print(url: &TunnelUrl, checks: &[Check], as_json: bool) {
    let (routing, tunnel, contact) = match &url.route {
        Route::New { tunnel_id } => (None, Some(hex::encode_upper(tunnel_id)), None),
        Route::Connect {
            routing_id,
            tunnel_id,
        } => (
            Some(hex::encode_upper(routing_id)),
            Some(hex::encode_upper(tunnel_id)),
            None,
        ),
        Route::Contact { contact_id } => (None, None, Some(hex::encode(contact_id))),
    };
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
