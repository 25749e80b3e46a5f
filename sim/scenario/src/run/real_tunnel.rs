//! Ceremony steps over a real tunnel server (`[tunnel] server = "ws://…"`, or `hybridsim run
//! --tunnel URL`): the same desktop and phone the simulated world would run, driven over real
//! WebSockets by `hybridsim_sockets::run_peers`, their log turned into trace records.

use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::Millis;
use hybridsim_sockets::drive::{tunnel_endpoint, LogEntry, Side};
use hybridsim_sockets::{run_peers, DriveOptions};
use hybridsim_world::ceremony::{Ceremony, ExternalRun};
use hybridsim_world::trace::{layer_name, Direction, TraceRecord};

/// A real tunnel server and the runtime its sockets run on.
pub(super) struct RealTunnel {
    url: String,
    runtime: tokio::runtime::Runtime,
}

impl RealTunnel {
    /// Checks the URL and starts a runtime.
    pub(super) fn new(url: &str) -> Result<RealTunnel, String> {
        tunnel_endpoint(url).map_err(|e| format!("tunnel server {url}: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        Ok(RealTunnel {
            url: url.to_owned(),
            runtime,
        })
    }

    /// `ceremony` with both peers pointed at this server.
    pub(super) fn route(&self, ceremony: Ceremony) -> Ceremony {
        let (desktop, phone) = match tunnel_endpoint(&self.url) {
            Ok(endpoint) => (Some(endpoint.clone()), Some(endpoint)),
            Err(_) => (None, None),
        };
        ceremony
            .configure_desktop(move |config| config.tunnel = desktop)
            .configure_phone(move |config| config.tunnel = phone)
    }

    /// Runs the prepared peers over the server.
    pub(super) fn drive(&self, desktop: Desktop, phone: Phone) -> ExternalRun {
        let outcome = self.runtime.block_on(run_peers(
            &self.url,
            desktop,
            phone,
            DriveOptions::default(),
        ));
        ExternalRun {
            desktop: outcome.desktop_result,
            phone: outcome.phone_result,
            trace: outcome.log.iter().map(record).collect(),
            elapsed: Millis(u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX)),
            desktop_peer: outcome.desktop,
            phone_peer: outcome.phone,
        }
    }
}

/// One log line of the socket driver as a trace record.
fn record(entry: &LogEntry) -> TraceRecord {
    let dir = if entry.peer_event {
        Direction::Note
    } else if entry.what.starts_with("sent") || entry.what.starts_with("send") {
        Direction::Send
    } else if entry.what.starts_with("received") || entry.what.starts_with("recv") {
        Direction::Recv
    } else {
        Direction::Note
    };
    let (hex, len) = match entry.secret_len {
        Some(len) => ("secret".to_owned(), len),
        None => (entry.bytes.clone(), entry.bytes.len() / 2),
    };
    TraceRecord {
        t_ms: entry.at.0,
        actor: match entry.side {
            Side::Desktop => "desktop".to_owned(),
            Side::Phone => "phone".to_owned(),
        },
        layer: layer_name(entry.layer),
        dir,
        what: entry.what.clone(),
        len,
        hex,
        cbor: None,
    }
}
