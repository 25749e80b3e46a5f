//! What `serve` needs: where to listen, the tunnel's configuration, the driver's timeouts,
//! and optionally a TLS certificate and key.

use crate::error::NetError;
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
/// Connections open at once, of every kind (tunnel, wake, plain HTTP, unfinished request
/// heads). Each holds a file descriptor; the cap keeps the server below a typical
/// `ulimit -n` with room to spare, so the accept loop never runs out of descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// A wake socket on which the phone sends nothing (not even a ping) for this long is
/// closed; a phone keeps its registration by sending a ping now and then.
pub const DEFAULT_WAKE_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Wake-ups queued for one wake socket that is not reading; one more drops the
/// subscriber (its socket is closed and its contact id unregistered).
pub const DEFAULT_WAKE_QUEUE: usize = 8;
/// Wake-ups of one contact id allowed at once; after that, one per
/// [`DEFAULT_WAKE_INTERVAL`]. A `/cable/contact` beyond that is answered 429. A desktop
/// signing in twice in a row needs two at once; a flood of contacts gets a handful.
pub const DEFAULT_WAKE_BURST: u32 = 4;
/// Time per wake-up of one contact id once its burst is used (one a second).
pub const DEFAULT_WAKE_INTERVAL: Duration = Duration::from_secs(1);
/// Control frames (ping, pong) a client may send on one WebSocket; one more closes it with
/// 1008. A phone or desktop needs a handful in a ceremony's lifetime.
pub const DEFAULT_MAX_CONTROL_FRAMES: u32 = 64;

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
    /// See [`DEFAULT_MAX_CONNECTIONS`] (more: HTTP 503, or a plain close under TLS).
    pub max_connections: usize,
    /// See [`DEFAULT_WAKE_IDLE_TIMEOUT`].
    pub wake_idle_timeout: Duration,
    /// See [`DEFAULT_WAKE_QUEUE`].
    pub wake_queue: usize,
    /// See [`DEFAULT_WAKE_INTERVAL`].
    pub wake_interval: Duration,
    /// See [`DEFAULT_WAKE_BURST`].
    pub wake_burst: u32,
    /// See [`DEFAULT_MAX_CONTROL_FRAMES`].
    pub max_control_frames: u32,
    /// Serve `wss://` with this certificate and key; `None` (the default) serves plain
    /// `ws://`. The files are read by [`bind`](crate::bind), which fails with a typed
    /// [`NetError`] (`Tls…`) before listening if they are unusable.
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
            max_connections: DEFAULT_MAX_CONNECTIONS,
            wake_idle_timeout: DEFAULT_WAKE_IDLE_TIMEOUT,
            wake_queue: DEFAULT_WAKE_QUEUE,
            wake_interval: DEFAULT_WAKE_INTERVAL,
            wake_burst: DEFAULT_WAKE_BURST,
            max_control_frames: DEFAULT_MAX_CONTROL_FRAMES,
            tls: None,
        }
    }

    /// Refuses limits that leave a server that cannot relay: a zero message size, message
    /// count, time to live, tunnel or connection count, handshake timeout, wake queue,
    /// wake burst or control-frame budget. [`bind`](crate::bind) checks this first.
    pub fn validate(&self) -> Result<(), NetError> {
        let t = &self.tunnel;
        let zero = [
            ("max_message_size", t.max_message_size == 0),
            ("max_messages_per_peer", t.max_messages_per_peer == 0),
            ("pending_ttl", t.pending_ttl.is_zero()),
            ("tunnel_ttl", t.tunnel_ttl.is_zero()),
            ("max_tunnels", t.max_tunnels == 0),
            ("max_connections_per_ip", t.max_connections_per_ip == 0),
            ("max_connections", self.max_connections == 0),
            ("handshake_timeout", self.handshake_timeout.is_zero()),
            ("wake_idle_timeout", self.wake_idle_timeout.is_zero()),
            ("wake_queue", self.wake_queue == 0),
            ("wake_burst", self.wake_burst == 0),
            ("max_control_frames", self.max_control_frames == 0),
        ];
        match zero.into_iter().find(|(_, is_zero)| *is_zero) {
            Some((limit, _)) => Err(NetError::ZeroLimit { limit }),
            None => Ok(()),
        }
    }
}
