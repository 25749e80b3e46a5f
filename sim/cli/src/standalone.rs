//! What `hybridsim desktop` and `hybridsim phone` share: where their tunnel sockets go (one
//! server, or wss:// to the tunnel domain the QR code or advert names), the async
//! runtime, and how a side's failure becomes one line.

use crate::capture_args::CaptureArgs;
use crate::failure::{Failure, OrFail, Outcome};
use clap::Args;
use hybridsim_peers::{PeerError, TunnelEndpoint};
use hybridsim_sockets::drive::{DriveOptions, TunnelRoute, Unreachable};
use hybridsim_sockets::tls_client::TlsClient;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The options `desktop` and `phone` share: their tunnel, trace, capture and time limit.
#[derive(Debug, Args)]
pub struct SideArgs {
    /// The tunnel server to open the tunnel on (/cable/new or /cable/connect), instead of
    /// wss://<the tunnel domain the QR code or advert names> (the path is kept).
    #[arg(long, value_name = "ws[s]://HOST[:PORT]")]
    pub tunnel: Option<String>,
    /// Also trust the certificates in this PEM file for wss:// (a private CA or a
    /// self-signed tunnel server), besides the WebPKI roots.
    #[arg(long, value_name = "FILE")]
    pub tunnel_ca: Option<PathBuf>,
    /// `--trace`, `--reveal-secrets`, `--keylog`, `--pcapng`.
    #[command(flatten)]
    pub capture: CaptureArgs,
    /// Give up after this many seconds (default: the side's own timer, 300 s for the
    /// desktop's advert wait, 120 s for the phone's transaction).
    #[arg(long, value_name = "S")]
    pub timeout: Option<u64>,
}

impl SideArgs {
    /// The tunnel route and endpoint ([`tunnel`]) and the driver's options for this run,
    /// bounded by `--timeout` or `default_timeout_s`.
    pub fn prepare(
        &self,
        default_timeout_s: u64,
    ) -> Result<(TunnelRoute, Option<TunnelEndpoint>, DriveOptions), Failure> {
        let (route, endpoint) = tunnel(self.tunnel.as_deref(), self.tunnel_ca.as_deref())?;
        let timeout_s = self.timeout.unwrap_or(default_timeout_s);
        if timeout_s == 0 {
            return Err(Failure::bad_input("--timeout must be at least 1 second"));
        }
        let options = DriveOptions {
            timeout: Duration::from_secs(timeout_s),
            log_secrets: self.capture.reveal_secrets,
            record_bytes: self.capture.pcapng.is_some(),
            ..DriveOptions::default()
        };
        Ok((route, endpoint, options))
    }
}

/// Where the peer opens its tunnel sockets, and the endpoint override for its configuration.
/// With `--tunnel` (ws:// or wss://) every socket goes to that server with the peer's path;
/// without it, to `wss://` on the tunnel domain the QR code or advert names, as a real peer
/// does. `--tunnel-ca` adds trust anchors to the WebPKI roots either way.
fn tunnel(
    flag: Option<&str>,
    ca: Option<&Path>,
) -> Result<(TunnelRoute, Option<TunnelEndpoint>), Failure> {
    let tls = match ca {
        Some(path) => TlsClient::with_extra_anchors(path).or_bad_input_on("--tunnel-ca")?,
        None => TlsClient::webpki()
            .map_err(|e| Failure::environment(format!("cannot set up TLS: {e}")))?,
    };
    TunnelRoute::choose(flag, tls)
        .map_err(|e| Failure::bad_input(format!("--tunnel {}: {e}", flag.unwrap_or_default())))
}

/// How a side ended: exit 3 naming the host when a tunnel host could not be reached at all,
/// exit 1 naming the party, the layer and the error when the side failed.
pub fn ended(unreachable: Option<&Unreachable>, result: &Result<(), PeerError>) -> Outcome {
    if let Some(found) = unreachable {
        return Err(Failure::environment(found.to_string()));
    }
    result
        .as_ref()
        .copied()
        .map_err(|e| Failure::no_match(e.blamed().to_string()))
}

/// A multi-threaded runtime (file and stdin reads run on its blocking pool).
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Runtime::new()
        .map_err(|e| Failure::environment(format!("cannot start the async runtime: {e}")))
}

/// Logs go to stderr; `RUST_LOG` picks the level, `default` when it is unset.
pub fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
