//! Tunnel-server URLs and paths (docs/protocol.md §5.2).
//!
//! Three routes exist: the phone opens `/cable/new/{tunnel id}`, the desktop opens
//! `/cable/connect/{routing id}/{tunnel id}` after matching an advert, and a linked desktop
//! opens `/cable/contact/{base64url contact id}`. Hex is emitted in upper case as Chromium
//! does; both cases are accepted because libwebauthn sends lower case.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rustls_pki_types::DnsName;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Length of a tunnel id in bytes.
pub const TUNNEL_ID_LEN: usize = 16;
/// Length of a routing id in bytes.
pub const ROUTING_ID_LEN: usize = 3;
use crate::echo::shortened;
pub use crate::echo::MAX_ECHO_CHARS;

/// One of the three tunnel-server routes with its ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The phone registers a tunnel (QR flow).
    New {
        /// Rendezvous id derived from the QR secret.
        tunnel_id: [u8; TUNNEL_ID_LEN],
    },
    /// A peer joins a tunnel held by the server instance `routing_id` names.
    Connect {
        /// Server instance that holds the tunnel (from `X-caBLE-Routing-ID`).
        routing_id: [u8; ROUTING_ID_LEN],
        /// Rendezvous id.
        tunnel_id: [u8; TUNNEL_ID_LEN],
    },
    /// A linked desktop asks the server to wake a phone (state-assisted flow).
    Contact {
        /// Opaque contact id the phone gave when linking (Google: a push token).
        contact_id: Vec<u8>,
    },
}

/// Letter case of the hex ids in a parsed path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexCase {
    /// Upper case, as Chromium emits.
    Upper,
    /// Lower case, as libwebauthn emits.
    Lower,
    /// Both cases appear.
    Mixed,
    /// No letters at all (all digits), or no hex in the route.
    Indifferent,
}

/// WebSocket scheme of a tunnel URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `wss://`: what real phones and desktops use.
    Wss,
    /// `ws://`: plain WebSocket, for tunnel servers on loopback.
    Ws,
}

/// A parsed tunnel URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelUrl {
    /// `ws` or `wss`.
    pub scheme: Scheme,
    /// Host name or address, without the port.
    pub host: String,
    /// Explicit port, if the URL has one.
    pub port: Option<u16>,
    /// The route and its ids.
    pub route: Route,
    /// How the hex ids were written.
    pub hex_case: HexCase,
}

/// Why a tunnel path or URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The URL does not start with `wss://` or `ws://`.
    #[error("URL must start with wss:// or ws://")]
    Scheme,
    /// Nothing between the scheme and the path.
    #[error("URL has no host")]
    MissingHost,
    /// The host is not a DNS name, a dotted IPv4 address or a bracketed IPv6 address (the
    /// text is shortened to [`MAX_ECHO_CHARS`]).
    #[error("host {0:?} is not a DNS name, an IPv4 address or a bracketed IPv6 address")]
    InvalidHost(String),
    /// The port is not a number from 0 to 65535 (the text is shortened to [`MAX_ECHO_CHARS`]).
    #[error("port {0:?} is not a number from 0 to 65535")]
    Port(String),
    /// A query string or fragment, which no tunnel route has.
    #[error("tunnel URLs have no query string or fragment")]
    QueryOrFragment,
    /// The path does not start with `/cable/`.
    #[error("path {0:?} does not start with /cable/")]
    NotCable(String),
    /// A route name other than new, connect or contact.
    #[error("unknown route {0:?} (expected new, connect or contact)")]
    UnknownRoute(String),
    /// Too few or too many path segments for the route.
    #[error("/cable/{route} takes {expected} path segment(s) after it, found {found}")]
    SegmentCount {
        /// Route name.
        route: &'static str,
        /// Segments it takes.
        expected: usize,
        /// Segments present (an empty trailing segment counts).
        found: usize,
    },
    /// An id of the wrong length.
    #[error("{field} is {found} hex digits; expected {expected}")]
    HexLength {
        /// Which id.
        field: &'static str,
        /// Digits expected.
        expected: usize,
        /// Digits found.
        found: usize,
    },
    /// An id with a character that is not a hex digit.
    #[error("{field}: character {position} ({found:?}) is not a hex digit")]
    NotHex {
        /// Which id.
        field: &'static str,
        /// Offset within the id.
        position: usize,
        /// The character.
        found: char,
    },
    /// The contact id is not unpadded base64url.
    #[error("contact id is not unpadded base64url: {0}")]
    ContactEncoding(String),
    /// The contact id is empty.
    #[error("contact id is empty")]
    EmptyContact,
}

impl Route {
    /// The request path, with hex in upper case.
    pub fn path(&self) -> String {
        match self {
            Route::New { tunnel_id } => format!("/cable/new/{}", hex::encode_upper(tunnel_id)),
            Route::Connect {
                routing_id,
                tunnel_id,
            } => format!(
                "/cable/connect/{}/{}",
                hex::encode_upper(routing_id),
                hex::encode_upper(tunnel_id)
            ),
            Route::Contact { contact_id } => {
                format!("/cable/contact/{}", URL_SAFE_NO_PAD.encode(contact_id))
            }
        }
    }

    /// Parses a request path as a tunnel server sees it.
    pub fn parse_path(path: &str) -> Result<(Route, HexCase), UrlError> {
        let rest = path
            .strip_prefix("/cable/")
            .ok_or_else(|| UrlError::NotCable(path.to_owned()))?;
        let mut segments = rest.split('/');
        let name = segments.next().unwrap_or_default();
        let args: Vec<&str> = segments.collect();
        match name {
            "new" => {
                let [tunnel] = expect_segments::<1>("new", &args)?;
                let tunnel_id = parse_hex::<TUNNEL_ID_LEN>("tunnel id", tunnel)?;
                Ok((Route::New { tunnel_id }, hex_case(&[tunnel])))
            }
            "connect" => {
                let [routing, tunnel] = expect_segments::<2>("connect", &args)?;
                let routing_id = parse_hex::<ROUTING_ID_LEN>("routing id", routing)?;
                let tunnel_id = parse_hex::<TUNNEL_ID_LEN>("tunnel id", tunnel)?;
                let route = Route::Connect {
                    routing_id,
                    tunnel_id,
                };
                Ok((route, hex_case(&[routing, tunnel])))
            }
            "contact" => {
                let [contact] = expect_segments::<1>("contact", &args)?;
                if contact.is_empty() {
                    return Err(UrlError::EmptyContact);
                }
                let contact_id = URL_SAFE_NO_PAD
                    .decode(contact)
                    .map_err(|e| UrlError::ContactEncoding(e.to_string()))?;
                Ok((Route::Contact { contact_id }, HexCase::Indifferent))
            }
            other => Err(UrlError::UnknownRoute(other.to_owned())),
        }
    }

    /// The route's name as it appears in the path.
    pub fn name(&self) -> &'static str {
        match self {
            Route::New { .. } => "new",
            Route::Connect { .. } => "connect",
            Route::Contact { .. } => "contact",
        }
    }
}

impl TunnelUrl {
    /// Parses a full `wss://` or `ws://` tunnel URL.
    pub fn parse(url: &str) -> Result<TunnelUrl, UrlError> {
        let (scheme, rest) = if let Some(r) = url.strip_prefix("wss://") {
            (Scheme::Wss, r)
        } else if let Some(r) = url.strip_prefix("ws://") {
            (Scheme::Ws, r)
        } else {
            return Err(UrlError::Scheme);
        };
        if rest.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = split_port(authority)?;
        if host.is_empty() {
            return Err(UrlError::MissingHost);
        }
        check_host(host)?;
        let (route, hex_case) = Route::parse_path(path)?;
        Ok(TunnelUrl {
            scheme,
            host: host.to_owned(),
            port,
            route,
            hex_case,
        })
    }

    /// Builds the URL of `route` on a host, e.g. `wss://cable.ua5v.com/cable/new/…`.
    pub fn new(scheme: Scheme, host: &str, port: Option<u16>, route: Route) -> TunnelUrl {
        TunnelUrl {
            scheme,
            host: host.to_owned(),
            port,
            route,
            hex_case: HexCase::Upper,
        }
    }
}

impl fmt::Display for TunnelUrl {
    /// Formats the URL canonically (upper-case hex, whatever case it was parsed from).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Wss => "wss",
            Scheme::Ws => "ws",
        };
        write!(f, "{scheme}://{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.route.path())
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    // A bracketed IPv6 literal contains colons of its own.
    let port_colon = match authority.rfind(']') {
        Some(end) => authority
            .get(end..)
            .and_then(|s| s.find(':'))
            .map(|i| i + end),
        // An unclosed literal: its colons are not a port separator; the host check refuses it.
        None if authority.starts_with('[') => None,
        None => authority.rfind(':'),
    };
    match port_colon {
        None => Ok((authority, None)),
        Some(i) => {
            let (host, port) = authority.split_at(i);
            let port = port.get(1..).unwrap_or_default();
            let port = port
                .parse::<u16>()
                .map_err(|_| UrlError::Port(shortened(port)))?;
            Ok((host, Some(port)))
        }
    }
}

/// Accepts what a URL authority may name (RFC 3986 §3.2.2, as WebSocket clients resolve it):
/// a bracketed IPv6 literal, a dotted-quad IPv4 address, or a DNS name by the rules TLS
/// clients check certificates names with (labels of letters, digits, `-` and `_`, no empty
/// label, not all-numeric at the end).
fn check_host(host: &str) -> Result<(), UrlError> {
    let valid = if let Some(inner) = host.strip_prefix('[') {
        inner
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<Ipv6Addr>().is_ok())
    } else if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        host.parse::<Ipv4Addr>().is_ok()
    } else {
        DnsName::try_from_str(host).is_ok()
    };
    if valid {
        Ok(())
    } else {
        Err(UrlError::InvalidHost(shortened(host)))
    }
}

fn expect_segments<'a, const N: usize>(
    route: &'static str,
    args: &[&'a str],
) -> Result<[&'a str; N], UrlError> {
    <[&str; N]>::try_from(args).map_err(|_| UrlError::SegmentCount {
        route,
        expected: N,
        found: args.len(),
    })
}

fn parse_hex<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], UrlError> {
    if let Some((position, found)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_hexdigit())
    {
        return Err(UrlError::NotHex {
            field,
            position,
            found,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| UrlError::HexLength {
        field,
        expected: 2 * N,
        found: text.len(),
    })?;
    Ok(out)
}

fn hex_case(parts: &[&str]) -> HexCase {
    let letters = || {
        parts
            .iter()
            .flat_map(|p| p.chars())
            .filter(char::is_ascii_alphabetic)
    };
    let upper = letters().any(|c| c.is_ascii_uppercase());
    let lower = letters().any(|c| c.is_ascii_lowercase());
    match (upper, lower) {
        (true, true) => HexCase::Mixed,
        (true, false) => HexCase::Upper,
        (false, true) => HexCase::Lower,
        (false, false) => HexCase::Indifferent,
    }
}

#[cfg(test)]
mod tests;
