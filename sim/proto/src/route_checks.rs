//! What a tunnel URL says about the peer that sent it (`hybridsim decode url`): its route's
//! ids as text, and named checks against what real clients send (docs/protocol.md §5).
//!
//! Parsing and host validation are [`crate::tunnel_url`]'s; this only judges a parsed URL.
//! A failed check is a finding, not an error: a plain `ws://` scheme or an unknown host is
//! right for a local server.

use crate::derive;
use crate::domain;
use crate::tunnel_url::{HexCase, Route, Scheme, TunnelUrl};

/// The name of the check that compares the tunnel id with one derived from a QR secret.
pub const SECRET_CHECK: &str = "tunnel id from secret";

/// One named check on a URL and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked, e.g. `scheme`.
    pub name: &'static str,
    /// Whether the URL passed.
    pub ok: bool,
    /// Why, in words.
    pub detail: String,
}

/// The route's ids as printed: routing and tunnel ids in upper-case hex (as Chromium sends
/// them), the contact id in lower case; `None` for ids the route does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteIds {
    /// `/cable/connect` only.
    pub routing: Option<String>,
    /// `/cable/new` and `/cable/connect`.
    pub tunnel: Option<String>,
    /// `/cable/contact` only.
    pub contact: Option<String>,
}

impl RouteIds {
    /// The ids of `route`.
    pub fn of(route: &Route) -> RouteIds {
        let (routing, tunnel, contact) = match route {
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
        RouteIds {
            routing,
            tunnel,
            contact,
        }
    }
}

/// Every check on `url`: scheme, known tunnel domain, hex case, and with a QR `secret` whether
/// the tunnel id is the one it derives ([`SECRET_CHECK`]).
pub fn checks(url: &TunnelUrl, secret: Option<&[u8; 16]>) -> Vec<Check> {
    let mut checks = vec![
        scheme_check(url),
        host_check(&url.host),
        case_check(url.hex_case),
    ];
    if let Some(secret) = secret {
        checks.push(secret_check(&url.route, secret));
    }
    checks
}

/// Whether the checks include a failed [`SECRET_CHECK`].
pub fn secret_mismatch(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.name == SECRET_CHECK && !c.ok)
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

/// The domain id whose host is `host`, by trying every id (a few milliseconds).
pub fn find_domain_id(host: &str) -> Option<u16> {
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
        name: SECRET_CHECK,
        ok,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> TunnelUrl {
        match TunnelUrl::parse(url) {
            Ok(url) => url,
            Err(e) => unreachable!("test URL does not parse: {e}"),
        }
    }

    #[test]
    fn chromium_new_url_for_its_secret_passes_every_check() {
        let secret = [7u8; 16];
        let id = hex::encode_upper(derive::tunnel_id(&secret));
        let host = domain::host(0).unwrap_or_default();
        let url = parsed(&format!("wss://{host}/cable/new/{id}"));
        let all = checks(&url, Some(&secret));
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|c| c.ok), "{all:?}");
        assert_eq!(all[1].detail, "domain id 0");
        assert!(!secret_mismatch(&all));
        assert_eq!(RouteIds::of(&url.route).tunnel, Some(id));
        assert_eq!(find_domain_id(&host.to_uppercase()), Some(0));
    }

    #[test]
    fn local_lower_case_url_for_another_secret_is_flagged() {
        let id = hex::encode(derive::tunnel_id(&[1u8; 16]));
        let url = parsed(&format!("ws://127.0.0.1:8080/cable/new/{id}"));
        let all = checks(&url, Some(&[2u8; 16]));
        let failed: Vec<&str> = all.iter().filter(|c| !c.ok).map(|c| c.name).collect();
        assert_eq!(failed, ["scheme", "known tunnel domain", SECRET_CHECK]);
        assert!(secret_mismatch(&all));
        assert!(!secret_mismatch(&checks(&url, None)));
    }
}
