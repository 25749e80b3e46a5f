//! The caBLE v2 tunnel server on real sockets: a tokio driver for
//! [`hybridsim_tunnel::Router`].
//!
//! The driver only pumps the sans-IO core, as quinn's `ConnectionDriver` does: it accepts
//! TCP connections, runs the WebSocket handshake (tokio-tungstenite, whose header callback
//! asks the router for the [`Decision`](hybridsim_tunnel::Decision)), feeds the router every
//! message, close and timer, and carries out the router's outputs. All protocol rules
//! (routes, pairing, buffering, limits, close codes) live in the core.
//!
//! ```no_run
//! # async fn example() -> Result<(), hybridsim_tunnel_server::NetError> {
//! use hybridsim_tunnel_server::{bind, ctrl_c_or_terminate, ServeConfig};
//! let mut config = ServeConfig::new(std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
//! config.tunnel.routing_id = [0x0A, 0x0B, 0x0C];
//! let server = bind(config).await?;
//! println!("listening on {}", server.local_addr());
//! let report = server.run(ctrl_c_or_terminate()).await;
//! println!("relayed {} messages", report.metrics.messages_relayed);
//! # Ok(()) }
//! ```
//!
//! What one port serves:
//!
//! - `/cable/new/…`, `/cable/connect/…`, `/cable/contact/…`: the tunnel routes, as WebSockets
//!   (docs/protocol.md §5; the rules are in [`hybridsim_tunnel`]'s crate doc). Errors are plain
//!   HTTP answers with a one-line text body, e.g. 404 `unknown tunnel 68…21`.
//! - `/hybridsim/wake/{base64url contact id}`: the wake-up side channel, a WebSocket that
//!   stands in for push messaging. See [`WakeUp`] for its message format.
//! - `GET /metrics`: the router's counters in the Prometheus text format 0.0.4
//!   ([`metrics`]).
//!
//! Limits: tungstenite is configured with the router's `max_message_size` for both message
//! and frame size; an oversize message is refused while reading, and since tungstenite sends
//! no close frame by itself, the driver sends close 1009. After any close frame the driver
//! keeps reading (and discarding) for a short linger, so the peer gets the close frame rather
//! than a TCP reset. A client has [`config::DEFAULT_HANDSHAKE_TIMEOUT`] to send its request.
//! A request target that is not an absolute path (`../etc/passwd`) gets 400 before any
//! routing.
//!
//! Footprint: each connection's WebSocket read buffer is [`READ_BUFFER_SIZE`] (4 KiB, not
//! tungstenite's 128 KiB, which it zero-fills, so that idle connections held it all
//! resident), and its task future is kept small; an idle pending tunnel costs the server
//! about 9 KiB (reports/BENCHMARKS.md). The listen backlog is [`LISTEN_BACKLOG`].
//!
//! TLS: by default the server speaks plain `ws://`. With [`ServeConfig::tls`] set to a PEM
//! certificate chain and private key ([`TlsFiles`]), every accepted TCP stream first does a
//! TLS handshake (rustls on the `ring` provider, TLS 1.2 and 1.3, bounded by the handshake
//! timeout) and the same port serves `wss://` and `https://…/metrics`, with the same routes
//! and wake channel; a plain `ws://` client then just fails its handshake. [`bind`] reads the
//! files and reports unusable ones (missing, no certificate, no key, key not matching the
//! certificate) as typed [`NetError`]s before listening. The certificate is loaded once;
//! restart to rotate it.
//!
//! The probing clients, the peers on sockets and the conformance checker that test this
//! server (or any other) live in `hybridsim-sockets` and `hybridsim-tunnel-check`.
//!
//! Modules: [`config`] (what `serve` takes), [`error`] (why it could not start), [`metrics`]
//! (the metrics page); internally `server` (accept loop, timers, shutdown), `conn` (one
//! connection), `wake` (the wake socket; the message is [`WakeUp`] in the tunnel core), `ws`
//! (what every WebSocket shares: the stream, error answers, the closing linger), `tls`
//! (certificate loading, the plain-or-TLS stream), `shared` (the router behind a mutex and
//! the output pump), `http` (just enough HTTP/1.1).

pub mod config;
mod conn;
pub mod error;
mod http;
mod limits;
pub mod metrics;
mod server;
mod shared;
mod tls;
mod wake;
mod ws;

pub use config::{ServeConfig, TlsFiles};
pub use error::NetError;
pub use hybridsim_tunnel::{wake_path, WakeUp, WAKE_PATH_PREFIX};
pub use server::{
    bind, serve, ServeReport, Server, ServerHandle, LISTEN_BACKLOG, READ_BUFFER_SIZE,
};

/// Resolves on Ctrl-C or, on Unix, SIGTERM: the usual `shutdown` future for [`serve`].
/// If signal handling cannot be set up, it never resolves (the server then runs until the
/// process is killed).
pub async fn ctrl_c_or_terminate() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
