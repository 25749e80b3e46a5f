//! The relying party over HTTP: the FIDO2 server conformance API served by the strict RP of
//! `hybridsim-webauthn` (`hybridsim rp serve`), and a checker that drives any RP serving
//! that API through full hybrid ceremonies (`hybridsim rp check`).
//!
//! The server is axum's router over hyper 1, driven by hyper-util's HTTP/1.1 connection
//! builder from an accept loop of its own, because the bounds in [`Limits`] live there: a
//! connection cap answered with 503, one deadline per request from accept to answer, and a
//! back-off when accepting fails for lack of file descriptors. The client is hyper-util's
//! pooled client over rustls (ring provider, WebPKI roots plus `--ca`), with redirects
//! followed by tower-http.
//!
//! Modules: [`api`] (the endpoints, sans-IO), [`store`] (challenges and users, bounded,
//! time passed in), [`limits`], [`server`] and its routes, [`client`], [`check`](mod@check) (the
//! checks), and [`tls`].

pub mod api;
mod ceremony;
pub mod check;
pub mod client;
#[cfg(feature = "clap")]
mod flags;
pub mod limits;
mod routes;
pub mod server;
pub mod store;
pub mod tls;
mod verdict;

pub use api::{Answer, Api, RpIdentity};
pub use check::{check, CheckError, CheckOptions, CheckReport, CheckResult};
pub use client::{PostError, RpClient, SetupError};
pub use limits::Limits;
pub use server::{bind, RpServer, ServeConfig, ServeError};
pub use tls::TlsError;
