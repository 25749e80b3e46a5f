//! The `Origin` header a check sends, the one the peers send.
//!
//! Chromium (and the hybridsim peers) send the tunnel URL's own origin, `wss://HOST`, on every
//! tunnel connection (docs/protocol.md §5.3), and a server may insist on it: webauthn-rs'
//! backend started with `--origin HOST`, as its README recommends, answers 403 to any request
//! whose `Origin` does not name that host. So every probe carries an origin: by default the
//! one the peers derive from the target (`ws://127.0.0.1:8080`), or the one given when the
//! server is reached under another name than the one it insists on.

use core::fmt;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_proto::tunnel_url::Scheme;
use hybridsim_sockets::client::Target;

/// A WebSocket origin, `ws://HOST[:PORT]` or `wss://HOST[:PORT]`: what goes in the `Origin`
/// header of every probe, and the endpoint the ceremony cases' peers name in their URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    endpoint: TunnelEndpoint,
}

/// Why an origin did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("origin '{given}' is not ws://HOST[:PORT] or wss://HOST[:PORT]: {why}")]
pub struct OriginError {
    given: String,
    why: &'static str,
}

impl Origin {
    /// Parses `ws://HOST[:PORT]` or `wss://HOST[:PORT]` (an IPv6 host in brackets; no path).
    pub fn parse(given: &str) -> Result<Origin, OriginError> {
        let fail = |why| OriginError {
            given: given.to_owned(),
            why,
        };
        let (scheme, rest) = if let Some(rest) = strip_scheme(given, "wss://") {
            (Scheme::Wss, rest)
        } else if let Some(rest) = strip_scheme(given, "ws://") {
            (Scheme::Ws, rest)
        } else {
            return Err(fail("the scheme must be ws:// or wss://"));
        };
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(fail("it must be a scheme and a host, nothing else"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => {
                let port = port
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| fail("the port must be 1 to 65535"))?;
                (host, Some(port))
            }
            _ => (rest, None),
        };
        if host.is_empty() || host == "[]" {
            return Err(fail("the host is empty"));
        }
        Ok(Origin {
            endpoint: TunnelEndpoint::new(scheme, host, port),
        })
    }

    /// The origin the peers send when their tunnel is `target`: its scheme, host and port
    /// (always with the port, as the peers' endpoint override has one).
    pub fn of_target(target: &Target) -> Origin {
        let scheme = if target.is_tls() {
            Scheme::Wss
        } else {
            Scheme::Ws
        };
        let host = if target.host().contains(':') {
            format!("[{}]", target.host())
        } else {
            target.host().to_owned()
        };
        Origin {
            endpoint: TunnelEndpoint::new(scheme, &host, Some(target.port())),
        }
    }

    /// The endpoint the ceremony cases' peers put in their tunnel URLs, so that they send
    /// this origin too (their sockets still go to the target).
    pub fn endpoint(&self) -> &TunnelEndpoint {
        &self.endpoint
    }
}

impl fmt::Display for Origin {
    /// The header value, e.g. `wss://cable.example.com` or `ws://127.0.0.1:8080`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.endpoint.scheme {
            Scheme::Wss => "wss",
            Scheme::Ws => "ws",
        };
        write!(f, "{scheme}://{}", self.endpoint.host)?;
        match self.endpoint.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

fn strip_scheme<'a>(given: &'a str, scheme: &str) -> Option<&'a str> {
    given
        .get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .and_then(|_| given.get(scheme.len()..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_and_print_as_given() {
        for given in [
            "wss://cable.example.com",
            "ws://127.0.0.1:8080",
            "ws://[::1]:9000",
            "wss://[::1]",
        ] {
            assert_eq!(
                Origin::parse(given).map(|o| o.to_string()),
                Ok(given.into())
            );
        }
        for bad in [
            "cable.example.com",
            "https://cable.example.com",
            "wss://",
            "wss://host/path",
            "ws://host:0",
            "ws://host:http",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_default_is_the_targets_own_origin_with_its_port() {
        let target = Target::parse("ws://127.0.0.1:8080").map_err(|e| e.to_string());
        let origin = target.map(|t| Origin::of_target(&t).to_string());
        assert_eq!(origin, Ok("ws://127.0.0.1:8080".to_owned()));
        let target = Target::parse("ws://[::1]:80").map_err(|e| e.to_string());
        let origin = target.map(|t| Origin::of_target(&t).to_string());
        assert_eq!(origin, Ok("ws://[::1]:80".to_owned()));
    }
}
