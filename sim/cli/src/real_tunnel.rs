//! Scenarios over a real tunnel server (`hybridsim run --tunnel URL`, or a scenario's own
//! `[tunnel] server`): the scenario runner's [`TunnelDriver`], implemented with the socket
//! driver, so that the scenario crate does not link sockets.

use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_scenario::run::TunnelDriver;
use hybridsim_sockets::drive::tunnel_endpoint;
use hybridsim_sockets::{run_peers, DriveOptions};
use hybridsim_world::ceremony::ExternalRun;

/// Runs each ceremony's peers on a runtime of its own (scenarios run on several threads).
#[derive(Debug, Default)]
pub struct SocketDriver;

impl TunnelDriver for SocketDriver {
    fn endpoint(&self, url: &str) -> Result<TunnelEndpoint, String> {
        tunnel_endpoint(url).map_err(|e| e.to_string())
    }

    fn drive(
        &self,
        url: &str,
        desktop: Desktop,
        phone: Phone,
        reveal_secrets: bool,
    ) -> ExternalRun {
        let options = DriveOptions {
            log_secrets: reveal_secrets,
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
            trace: outcome.trace(reveal_secrets),
            elapsed: outcome.elapsed_millis(),
            desktop: outcome.desktop_result,
            phone: outcome.phone_result,
            desktop_peer: outcome.desktop,
            phone_peer: outcome.phone,
        }
    }
}
