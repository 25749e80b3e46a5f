//! Ceremony steps over a real tunnel server (`[tunnel] server = "ws://…"`, `hybridsim run
//! --tunnel URL`, and `hybridsim ceremony … --tunnel URL` too): the same desktop and phone
//! the simulated world would run, handed through `Ceremony::register_with` / `sign_in_with`
//! to a [`TunnelDriver`] the caller provides.
//! The socket driver lives above this crate (a driver never depends on another driver);
//! the CLI implements the trait with it.

use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::LinkedDevice;
use hybridsim_peers::TunnelEndpoint;
use hybridsim_world::ceremony::{Ceremony, CeremonyError, ExternalRun, Outcome};
use std::fmt;

/// Runs a ceremony's prepared desktop and phone over a real tunnel server. Implemented by
/// whoever links a socket driver (the CLI); the scenario runner only calls it.
pub trait TunnelDriver: Send + Sync + fmt::Debug {
    /// The endpoint both peers should open their WebSockets on for the server at `url`
    /// (`ws://HOST:PORT`, `wss://HOST[:PORT]`), or why `url` names no usable server.
    fn endpoint(&self, url: &str) -> Result<TunnelEndpoint, String>;

    /// Runs the peers over the server at `url` until both finished or the driver gave up;
    /// the records are made with `TraceRecord::new`, as the simulated world's are. `keep`
    /// says whether secret bytes stay in them and whether the wire is kept
    /// ([`ExternalRun::wire`]).
    fn drive(&self, url: &str, desktop: Desktop, phone: Phone, keep: Keep) -> ExternalRun;
}

/// What a ceremony asks a [`TunnelDriver`] to keep of a run besides its outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// Secret bytes (keys, PSKs, link secrets) in the trace records
    /// ([`Ceremony::reveal_secrets`]).
    pub secret_bytes: bool,
    /// The wire, for key logs and captures ([`Ceremony::record_session`]): the QR code, the
    /// adverts, the tunnel messages and the plain `ws://` connections' bytes.
    pub wire: bool,
}

/// A real tunnel server and the driver that reaches it: [`RealTunnel::route`] points a
/// ceremony's peers at it, [`RealTunnel::drive`] runs them there (the driver of
/// `Ceremony::register_with` / `sign_in_with`).
#[derive(Debug)]
pub struct RealTunnel<'a> {
    url: String,
    endpoint: TunnelEndpoint,
    driver: &'a dyn TunnelDriver,
    keep: Keep,
}

impl<'a> RealTunnel<'a> {
    /// Checks the URL with the driver; `keep` is the caller's choice (a scenario's
    /// `reveal_secrets`, and whether the run records sessions).
    pub fn new(url: &str, driver: &'a dyn TunnelDriver, keep: Keep) -> Result<Self, String> {
        let endpoint = driver
            .endpoint(url)
            .map_err(|e| format!("tunnel server {url}: {e}"))?;
        Ok(RealTunnel {
            url: url.to_owned(),
            endpoint,
            driver,
            keep,
        })
    }

    /// `ceremony` with both peers pointed at this server.
    pub fn route(&self, ceremony: Ceremony) -> Ceremony {
        let (desktop, phone) = (self.endpoint.clone(), self.endpoint.clone());
        ceremony
            .configure_desktop(move |config| config.tunnel = Some(desktop))
            .configure_phone(move |config| config.tunnel = Some(phone))
    }

    /// Runs the prepared peers over the server.
    pub fn drive(&self, desktop: Desktop, phone: Phone) -> ExternalRun {
        self.driver.drive(&self.url, desktop, phone, self.keep)
    }
}

/// [`Ceremony::register`] over `tunnel`, or in the simulated world without one.
pub fn register_over(
    tunnel: Option<&RealTunnel<'_>>,
    ceremony: Ceremony,
    creation_options_json: &str,
) -> Result<Outcome, CeremonyError> {
    match tunnel {
        None => ceremony.register(creation_options_json),
        Some(tunnel) => tunnel
            .route(ceremony)
            .register_with(creation_options_json, |d, p| tunnel.drive(d, p)),
    }
}

/// [`Ceremony::sign_in`] (with `linked`, [`Ceremony::sign_in_linked`]) over `tunnel`, or in
/// the simulated world without one.
pub fn sign_in_over(
    tunnel: Option<&RealTunnel<'_>>,
    ceremony: Ceremony,
    request_options_json: &str,
    linked: Option<&LinkedDevice>,
) -> Result<Outcome, CeremonyError> {
    match (tunnel, linked) {
        (None, Some(link)) => ceremony.sign_in_linked(link, request_options_json),
        (None, None) => ceremony.sign_in(request_options_json),
        (Some(tunnel), link) => {
            tunnel
                .route(ceremony)
                .sign_in_with(request_options_json, link, |d, p| tunnel.drive(d, p))
        }
    }
}
