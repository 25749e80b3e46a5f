//! What `hybridsim desktop` and `hybridsim phone` share: the tunnel they use, the async
//! runtime, and how a side's failure becomes one line.

use crate::failure::Failure;
use hybridsim_net::drive::{tunnel_endpoint, DriveOptions};
use hybridsim_peers::{PeerError, TunnelEndpoint};
use hybridsim_world::trace::layer_name;
use std::time::Duration;

/// The `--tunnel` target and the endpoint override for the peer's configuration. Without
/// `--tunnel` the peer would need `wss://` to a real tunnel domain, which the socket driver
/// does not speak yet: exit 3, saying so.
pub fn tunnel(flag: Option<&str>) -> Result<(String, TunnelEndpoint), Failure> {
    let Some(tunnel) = flag else {
        return Err(Failure::environment(
            "not built yet: connecting to a real tunnel domain (wss://) is not supported; \
             give --tunnel ws://HOST:PORT (e.g. a `hybridsim tunnel serve`)",
        ));
    };
    let endpoint = tunnel_endpoint(tunnel)
        .map_err(|e| Failure::bad_input(format!("--tunnel {tunnel}: {e}")))?;
    Ok((tunnel.to_owned(), endpoint))
}

/// The driver's options for a run bounded by `--timeout S`.
pub fn options(timeout_s: u64, reveal_secrets: bool) -> Result<DriveOptions, Failure> {
    if timeout_s == 0 {
        return Err(Failure::bad_input("--timeout must be at least 1 second"));
    }
    Ok(DriveOptions {
        timeout: Duration::from_secs(timeout_s),
        log_secrets: reveal_secrets,
        ..DriveOptions::default()
    })
}

/// A multi-threaded runtime (file and stdin reads run on its blocking pool).
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Runtime::new()
        .map_err(|e| Failure::environment(format!("cannot start the async runtime: {e}")))
}

/// `the desktop failed at the ble layer: …` (exit 1).
pub fn failed(side: &str, error: &PeerError) -> Failure {
    Failure::no_match(format!(
        "the {side} failed at the {} layer: {}",
        layer_name(error.layer),
        error.message
    ))
}
