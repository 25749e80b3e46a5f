//! Ceremonies over a real tunnel server (`hybridsim run --tunnel URL`, a scenario's own
//! `[tunnel] server`, `hybridsim ceremony … --tunnel URL`): the scenario runner's
//! [`TunnelDriver`], implemented with the socket driver, so that neither the world nor the
//! scenario crate links sockets.

use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_scenario::run::{Keep, TunnelDriver};
use hybridsim_sockets::drive::tunnel_endpoint;
use hybridsim_sockets::{run_peers, DriveOptions};
use hybridsim_world::ceremony::{ExternalRun, Unreachable};

/// Runs each ceremony's peers on a runtime of its own (scenarios run on several threads).
#[derive(Debug, Default)]
pub struct SocketDriver;

impl TunnelDriver for SocketDriver {
    fn endpoint(&self, url: &str) -> Result<TunnelEndpoint, String> {
        tunnel_endpoint(url).map_err(|e| e.to_string())
    }

    fn drive(&self, url: &str, desktop: Desktop, phone: Phone, keep: Keep) -> ExternalRun {
        let options = DriveOptions {
            log_secrets: keep.secret_bytes,
            record_bytes: keep.wire,
            ..DriveOptions::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let outcome = match runtime {
            Ok(runtime) => runtime.block_on(run_peers(url, desktop, phone, options)),
            // A run with no runtime: both peers still unstarted, the reason in their results.
            Err(e) => return ExternalRun::not_started(desktop, phone, &e.to_string()),
        };
        ExternalRun {
            trace: outcome.trace(keep.secret_bytes),
            elapsed: outcome.elapsed_millis(),
            desktop_at: outcome.desktop_finished_at,
            phone_at: outcome.phone_finished_at,
            // The ceremony names the record and adds the peers' secrets.
            wire: keep.wire.then(|| outcome.wire.session("", &[])),
            unreachable: outcome.unreachable.map(|u| Unreachable {
                host: u.error.host().to_owned(),
                url: u.url,
                reason: u.error.to_string(),
            }),
            desktop: outcome.desktop_result,
            phone: outcome.phone_result,
            desktop_peer: outcome.desktop,
            phone_peer: outcome.phone,
        }
    }
}
