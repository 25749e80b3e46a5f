//! What `serve` needs: where to listen, the tunnel's configuration, the driver's timeouts,
//! and optionally a TLS certificate and key.

use core::time::Duration;
use hybridsim_tunnel::Config;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How long a client has to send its request head and finish the WebSocket handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After the server sends a close frame, how long it keeps reading (and discarding) before
/// dropping the socket. Reading what the peer still sends avoids a TCP reset that could
/// destroy the close frame before the peer reads it.
pub const DEFAULT_CLOSE_LINGER: Duration = Duration::from_secs(2);
/// On shutdown, how long open connections get to say goodbye before they are dropped.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Configuration of a tunnel server on sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Routing id and limits (see [`hybridsim_tunnel::config`] for the defaults and why).
    pub tunnel: Config,
    /// Seed of the tunnel ids `/cable/contact` allocates; `None` draws one from the OS.
    pub rng_seed: Option<[u8; 32]>,
    /// See [`DEFAULT_HANDSHAKE_TIMEOUT`].
    pub handshake_timeout: Duration,
    /// See [`DEFAULT_CLOSE_LINGER`].
    pub close_linger: Duration,
    /// See [`DEFAULT_SHUTDOWN_GRACE`].
    pub shutdown_grace: Duration,
    /// Serve `wss://` with this certificate and key; `None` (the default) serves plain
    /// `ws://`. The files are read by [`bind`](crate::bind), which fails with a typed
    /// [`NetError`](crate::NetError) (`Tls…`) before listening if they are unusable.
    pub tls: Option<TlsFiles>,
}

/// A PEM certificate chain and its private key, for `wss://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM `CERTIFICATE` sections, leaf first, then any intermediates.
    pub cert: PathBuf,
    /// A PEM private key: `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1) or
    /// `RSA PRIVATE KEY` (PKCS#1). P-256, P-384, Ed25519 and RSA keys work.
    pub key: PathBuf,
}

impl TlsFiles {
    /// The certificate chain in `cert` and the key in `key`.
    pub fn new(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> TlsFiles {
        TlsFiles {
            cert: cert.into(),
            key: key.into(),
        }
    }
}

impl ServeConfig {
    /// Default routing id, limits and timeouts, listening on `listen`.
    pub fn new(listen: SocketAddr) -> ServeConfig {
        ServeConfig {
            listen,
            tunnel: Config::default(),
            rng_seed: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            close_linger: DEFAULT_CLOSE_LINGER,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            tls: None,
        }
    }
}
