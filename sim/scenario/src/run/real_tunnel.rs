//! Ceremony steps over a real tunnel server (`[tunnel] server = "ws://…"`, or `hybridsim run
//! --tunnel URL`): the same desktop and phone the simulated world would run, handed through
//! `Ceremony::register_with` / `sign_in_with` to a [`TunnelDriver`] the caller provides.
//! The socket driver lives above this crate (a driver never depends on another driver);
//! the CLI implements the trait with it.

use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_world::ceremony::{Ceremony, ExternalRun};
use std::fmt;

/// Runs a ceremony's prepared desktop and phone over a real tunnel server. Implemented by
/// whoever links a socket driver (the CLI); the scenario runner only calls it.
pub trait TunnelDriver: Send + Sync + fmt::Debug {
    /// The endpoint both peers should open their WebSockets on for the server at `url`
    /// (`ws://HOST:PORT`, `wss://HOST[:PORT]`), or why `url` names no usable server.
    fn endpoint(&self, url: &str) -> Result<TunnelEndpoint, String>;

    /// Runs the peers over the server at `url` until both finished or the driver gave up;
    /// the records are made with `TraceRecord::new`, as the simulated world's are, keeping
    /// secret bytes only when `reveal_secrets`.
    fn drive(&self, url: &str, desktop: Desktop, phone: Phone, reveal_secrets: bool)
        -> ExternalRun;
}

/// A real tunnel server and the driver that reaches it.
pub(super) struct RealTunnel<'a> {
    url: String,
    endpoint: TunnelEndpoint,
    driver: &'a dyn TunnelDriver,
    reveal_secrets: bool,
}

impl<'a> RealTunnel<'a> {
    /// Checks the URL with the driver; `reveal_secrets` is the scenario's choice.
    pub(super) fn new(
        url: &str,
        driver: Option<&'a dyn TunnelDriver>,
        reveal_secrets: bool,
    ) -> Result<Self, String> {
        let driver = driver.ok_or_else(|| {
            format!("tunnel server {url}: this runner has no socket driver for real tunnel servers")
        })?;
        let endpoint = driver
            .endpoint(url)
            .map_err(|e| format!("tunnel server {url}: {e}"))?;
        Ok(RealTunnel {
            url: url.to_owned(),
            endpoint,
            driver,
            reveal_secrets,
        })
    }

    /// `ceremony` with both peers pointed at this server.
    pub(super) fn route(&self, ceremony: Ceremony) -> Ceremony {
        let (desktop, phone) = (self.endpoint.clone(), self.endpoint.clone());
        ceremony
            .configure_desktop(move |config| config.tunnel = Some(desktop))
            .configure_phone(move |config| config.tunnel = Some(phone))
    }

    /// Runs the prepared peers over the server.
    pub(super) fn drive(&self, desktop: Desktop, phone: Phone) -> ExternalRun {
        self.driver
            .drive(&self.url, desktop, phone, self.reveal_secrets)
    }
}
