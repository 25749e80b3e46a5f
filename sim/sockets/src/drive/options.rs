//! What a run takes besides its peers: the options, where the sockets go, and why a host
//! could not be reached.

use crate::client::{Target, TargetError};
use crate::tls_client::{ConnectError, TlsClient};
use core::fmt;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_proto::tunnel_url::{Scheme, TunnelUrl};
use std::time::Duration;

/// Default for [`DriveOptions::timeout`].
pub const DEFAULT_DRIVE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`DriveOptions::upgrade_timeout`].
pub const DEFAULT_UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`DriveOptions::failure_grace`].
pub const DEFAULT_FAILURE_GRACE: Duration = Duration::from_secs(1);
/// Default for [`DriveOptions::close_linger`].
pub const DEFAULT_CLOSE_LINGER: Duration = Duration::from_millis(500);
/// The signal strength every advert is delivered with (the in-process radio is perfect).
pub const ADVERT_RSSI: i8 = -50;

/// A lone desktop's seed when none is given: 0 (runs repeat), except on a real radio, where
/// a fixed QR secret would let anyone who saw an earlier run's code predict this one.
pub fn desktop_seed(real_radio: bool) -> u64 {
    use rand_core::RngCore;
    if real_radio {
        rand_core::OsRng.next_u64()
    } else {
        0
    }
}

/// What [`run_peers`](super::run_peers) takes besides the tunnel and the peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveOptions {
    /// Longest the whole run may take; then every unfinished peer fails with what it was
    /// waiting for. Default [`DEFAULT_DRIVE_TIMEOUT`] (30 s).
    pub timeout: Duration,
    /// Longest one WebSocket upgrade (tunnel or wake socket) may take before it counts as
    /// refused with status 0. Default [`DEFAULT_UPGRADE_TIMEOUT`] (10 s).
    pub upgrade_timeout: Duration,
    /// After one peer fails, how long the other may still take to finish before it is
    /// abandoned. Default [`DEFAULT_FAILURE_GRACE`] (1 s).
    pub failure_grace: Duration,
    /// After a peer closes a socket (or the run ends), how long its socket task keeps reading
    /// for the server's close frame before dropping the connection. Default
    /// [`DEFAULT_CLOSE_LINGER`] (500 ms).
    pub close_linger: Duration,
    /// Open the wake socket for the phone's contact id when the desktop runs the linked
    /// flow (default `true`). With `false`, the caller delivers wake-ups some other way (or
    /// wants the `/cable/contact` refusal).
    pub wake_channel: bool,
    /// Keep the bytes of events the peers mark secret (keys, link secrets) in the log.
    /// Default `false`: they are logged as `(secret, N B)`.
    pub log_secrets: bool,
    /// Record the bytes of every plain `ws://` tunnel connection ([`crate::tap`]) for
    /// captures ([`WireRecord::streams`](super::WireRecord::streams)). Default `false`.
    pub record_bytes: bool,
}

impl Default for DriveOptions {
    fn default() -> DriveOptions {
        DriveOptions {
            timeout: DEFAULT_DRIVE_TIMEOUT,
            upgrade_timeout: DEFAULT_UPGRADE_TIMEOUT,
            failure_grace: DEFAULT_FAILURE_GRACE,
            close_linger: DEFAULT_CLOSE_LINGER,
            wake_channel: true,
            log_secrets: false,
            record_bytes: false,
        }
    }
}

/// Where the driver opens the peers' tunnel sockets.
#[derive(Debug, Clone)]
pub enum TunnelRoute {
    /// Every socket on this server (`ws://` or `wss://`), keeping only the path of the peer's
    /// URL: a `hybridsim tunnel serve`, or any server standing in for the tunnel domain.
    Server(Target),
    /// Each socket at the URL the peer made: the tunnel domain its QR code or advert names,
    /// over `wss://` trusting these anchors (a `ws://` URL, from a peer configured so, stays
    /// plain).
    PeerUrls(TlsClient),
}

impl TunnelRoute {
    /// Where a peer running alone opens its sockets, and the endpoint override for its
    /// configuration: with `server` (ws:// or wss://) every socket goes there with the peer's
    /// path; without, to `wss://` on the tunnel domain the QR code or advert names, as a
    /// real peer does. `tls` trusts the anchors either way.
    pub fn choose(
        server: Option<&str>,
        tls: TlsClient,
    ) -> Result<(TunnelRoute, Option<TunnelEndpoint>), TargetError> {
        let Some(server) = server else {
            return Ok((TunnelRoute::PeerUrls(tls), None));
        };
        let target = Target::parse_with(server, &tls)?;
        let endpoint = tunnel_endpoint(server)?;
        Ok((TunnelRoute::Server(target), Some(endpoint)))
    }
}

impl fmt::Display for TunnelRoute {
    /// The server's URL, or `the peers' tunnel domains`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TunnelRoute::Server(target) => write!(f, "{target}"),
            TunnelRoute::PeerUrls(_) => f.write_str("the peers' tunnel domains"),
        }
    }
}

/// A tunnel socket that could not be opened because its host could not be reached at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The URL the upgrade was for, e.g. `wss://cable.ua5v.com/cable/new/…`.
    pub url: String,
    /// Why: DNS, TCP or TLS.
    pub error: ConnectError,
}

impl fmt::Display for Unreachable {
    /// `cannot reach the tunnel host H for wss://H/cable/new/…: connection to H:443 refused …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot reach the tunnel host {} for {}: {}",
            self.error.host(),
            self.url,
            self.error
        )
    }
}

/// The [`TunnelEndpoint`] for `ws://HOST:PORT` or `wss://HOST[:PORT]`: the override to put in both peers'
/// configurations so that their URLs and `Origin` headers name the tunnel server.
pub fn tunnel_endpoint(tunnel: &str) -> Result<TunnelEndpoint, TargetError> {
    let target = Target::parse(tunnel)?;
    Ok(endpoint_of(&target))
}

/// The endpoint naming `target`, as the peers' URLs should.
pub(super) fn endpoint_of(target: &Target) -> TunnelEndpoint {
    let host = if target.host().contains(':') {
        format!("[{}]", target.host())
    } else {
        target.host().to_owned()
    };
    let scheme = if target.is_tls() {
        Scheme::Wss
    } else {
        Scheme::Ws
    };
    TunnelEndpoint::new(scheme, &host, Some(target.port()))
}

/// The target for a peer's own URL: its scheme, host and port (443 or 80 when it has none).
pub(super) fn url_target(url: &TunnelUrl, tls: &TlsClient) -> Result<Target, TargetError> {
    let scheme = match url.scheme {
        Scheme::Wss => "wss",
        Scheme::Ws => "ws",
    };
    let host = if url.host.contains(':') && !url.host.starts_with('[') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    Target::parse_with(&format!("{scheme}://{host}{port}"), tls)
}
