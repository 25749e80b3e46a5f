//! The origin and RP ID checks a browser makes before it talks to any authenticator (WebAuthn
//! L3 §5.1.3 steps 6–8, §5.1.4.1 steps 6–8; HTML "is a registrable domain suffix of or is equal
//! to").
//!
//! Without a public suffix list, a single-label RP ID (`com`, `example`) other than `localhost`
//! stands in for "is a public suffix"; multi-label public suffixes (`co.uk`, `github.io`) are
//! not recognised.

use super::ClientError;

/// A tuple origin: scheme, host (lower case) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `https` or `http`.
    pub scheme: String,
    /// The host, lower case (`login.example`, `[::1]`, `127.0.0.1`).
    pub host: String,
    /// The port when it is not the scheme's default.
    pub port: Option<u16>,
}

impl Origin {
    /// Parses a serialised origin (`https://login.example:8443`); a path of `/` is tolerated.
    pub fn parse(origin: &str) -> Result<Self, ClientError> {
        let malformed = |reason: &str| ClientError::MalformedOrigin {
            origin: origin.to_owned(),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = origin
            .split_once("://")
            .ok_or_else(|| malformed("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(malformed("no host"));
        }
        if authority.contains(['/', '?', '#', '@']) {
            return Err(malformed(
                "an origin has no path, query, fragment or user info",
            ));
        }
        let (host, port_text) = match authority.find(']') {
            // An IPv6 literal: `[::1]` or `[::1]:8443`.
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                if rest.is_empty() {
                    (host, None)
                } else {
                    let port = rest
                        .strip_prefix(':')
                        .ok_or_else(|| malformed("bad port"))?;
                    (host, Some(port))
                }
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let port = port_text
            .map(|p| p.parse::<u16>().map_err(|_| malformed("bad port")))
            .transpose()?;
        if host.is_empty() {
            return Err(malformed("no host"));
        }
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => 0,
        };
        Ok(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default_port),
        })
    }

    /// Whether the host is an IP address rather than a domain.
    pub fn host_is_ip(&self) -> bool {
        self.host.starts_with('[') || self.host.parse::<std::net::Ipv4Addr>().is_ok()
    }

    /// Whether the host is `localhost` or under it.
    pub fn is_localhost(&self) -> bool {
        self.host == "localhost" || self.host.ends_with(".localhost")
    }
}

/// Checks that a page at `origin` may use `rp_id`, as browsers do: the origin is HTTPS (or
/// HTTP on localhost), its host is a domain, and `rp_id` is that domain or a registrable suffix
/// of it. Returns the parsed origin.
pub fn check_rp_id(origin: &str, rp_id: &str) -> Result<Origin, ClientError> {
    let parsed = Origin::parse(origin)?;
    let secure = parsed.scheme == "https" || (parsed.scheme == "http" && parsed.is_localhost());
    if !secure {
        return Err(ClientError::InsecureOrigin {
            origin: origin.to_owned(),
        });
    }
    if parsed.host_is_ip() {
        return Err(ClientError::OriginHostNotADomain {
            host: parsed.host.clone(),
        });
    }
    let rp = rp_id.to_ascii_lowercase();
    let host = parsed.host.as_str();
    if rp != host {
        if rp.is_empty() || !host.ends_with(&format!(".{rp}")) {
            return Err(ClientError::RpIdNotRegistrableSuffix {
                rp_id: rp_id.to_owned(),
                host: host.to_owned(),
            });
        }
        if !rp.contains('.') && rp != "localhost" {
            return Err(ClientError::RpIdIsPublicSuffix {
                rp_id: rp_id.to_owned(),
            });
        }
    }
    Ok(parsed)
}

/// The RP ID a page gets when the options name none: its origin's host.
pub fn effective_domain(origin: &str) -> Result<String, ClientError> {
    Ok(Origin::parse(origin)?.host)
}
