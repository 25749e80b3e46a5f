//! Binding, the accept loop, the timer task and shutdown.

use crate::config::ServeConfig;
use crate::conn;
use crate::error::NetError;
use crate::limits::{AcceptBackoff, Connections, Refused};
use crate::shared::{Settings, Shared};
use crate::tls;
use hybridsim_tunnel::{Hex, Metrics, Router};
use rand_core::{OsRng, RngCore};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{debug, info, warn};

/// Refusals (429/503 at accept) being written at once; beyond that a refused connection
/// is just closed, so a flood of refused connections cannot pile up tasks.
const MAX_REFUSING: usize = 64;
/// How long a refused connection gets to read its answer.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// Connections the kernel queues for `accept` (capped by `net.core.somaxconn`). tokio's
/// `TcpListener::bind` uses 128, like std; a burst of a few hundred handshakes (phones
/// reconnecting, a load balancer failing over) then overflows it, and every dropped SYN
/// costs its client a 1 s retransmission timeout.
pub const LISTEN_BACKLOG: u32 = 1024;

/// Size of each connection's WebSocket read buffer. tungstenite's default is 128 KiB, and it
/// zero-fills the whole buffer before its first read, so every open connection, even an
/// idle pending one, kept 128 KiB resident (measured: 142 KiB of RSS per pending tunnel).
/// Tunnel messages are small (81-byte handshakes, encrypted messages well under 2 KiB);
/// a larger one is still read whole, in several reads (the buffer grows to the frame size).
pub const READ_BUFFER_SIZE: usize = 4 * 1024;

/// A bound tunnel server, not yet serving. Get one from [`bind`], read
/// [`Server::local_addr`] (useful after binding port 0), then [`Server::run`] it.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown_grace: Duration,
    connections: Arc<Connections>,
}

/// A cheap, cloneable view of a running [`Server`]: its address and its counters.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    connections: Arc<Connections>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The router's counters now.
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics()
    }

    /// TCP connections open now, of every kind (what `max_connections` bounds).
    pub fn open_connections(&self) -> usize {
        self.connections.open()
    }
}

/// What a server did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeReport {
    /// The address it listened on.
    pub local_addr: SocketAddr,
    /// TCP connections accepted (tunnel, wake and plain HTTP together).
    pub tcp_connections: u64,
    /// How long it served.
    pub uptime: Duration,
    /// The router's counters at the end.
    pub metrics: Metrics,
}

impl std::fmt::Display for ServeReport {
    /// One line for a log or a terminal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = &self.metrics;
        write!(
            f,
            "served {} for {:.1}s: {} TCP connections, {} accepted, {} rejected, {} tunnels paired, {} messages ({} bytes) relayed, {} wake-ups",
            self.local_addr,
            self.uptime.as_secs_f64(),
            self.tcp_connections,
            m.connections_accepted,
            m.rejections.values().sum::<u64>(),
            m.tunnels_paired,
            m.messages_relayed,
            m.bytes_relayed,
            m.wakes_sent,
        )
    }
}

/// Binds the listening socket. Bind failures are typed ([`NetError::AddressInUse`], …).
pub async fn bind(config: ServeConfig) -> Result<Server, NetError> {
    config.validate()?;
    let seed = match config.rng_seed {
        Some(seed) => seed,
        None => {
            let mut seed = [0u8; 32];
            OsRng
                .try_fill_bytes(&mut seed)
                .map_err(|e| NetError::Randomness(e.to_string()))?;
            seed
        }
    };
    // Unusable TLS files are reported before anything listens.
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let listener = listen(config.listen).map_err(|e| NetError::bind(config.listen, e))?;
    let local_addr = listener.local_addr().map_err(NetError::LocalAddr)?;
    let limit = config.tunnel.max_message_size;
    let settings = Settings {
        handshake_timeout: config.handshake_timeout,
        close_linger: config.close_linger,
        websocket: websocket_config(limit),
        tls,
        wake_idle_timeout: config.wake_idle_timeout,
        wake_queue: config.wake_queue,
        wake_interval: config.wake_interval,
        wake_burst: config.wake_burst,
        max_control_frames: config.max_control_frames,
    };
    let connections =
        Connections::new(config.tunnel.max_connections_per_ip, config.max_connections);
    info!(
        %local_addr,
        tls = settings.tls.is_some(),
        routing_id = %Hex(&config.tunnel.routing_id),
        max_message_size = limit,
        max_messages_per_peer = config.tunnel.max_messages_per_peer,
        "tunnel server listening"
    );
    let router = Router::new(config.tunnel, seed);
    Ok(Server {
        listener,
        local_addr,
        shared: Arc::new(Shared::new(router, settings)),
        shutdown_grace: config.shutdown_grace,
        connections,
    })
}

/// Every server WebSocket's settings. Frames go out as they are written (no write
/// batching), and what a peer leaves unread is capped at twice the message limit plus
/// 64 KiB: a peer that sends pings and never reads the pongs fills that and is
/// disconnected, instead of growing the server's memory without bound.
pub(crate) fn websocket_config(max_message_size: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_SIZE)
        .write_buffer_size(0)
        .max_write_buffer_size(max_message_size.saturating_mul(2).saturating_add(64 * 1024))
        .max_message_size(Some(max_message_size))
        .max_frame_size(Some(max_message_size))
}

/// Serves an accepted connection if the limits leave room for it, else refuses it.
fn admit(
    shared: &Arc<Shared>,
    connections: &Arc<Connections>,
    refusing: &Arc<Semaphore>,
    tcp: TcpStream,
    peer: SocketAddr,
    stopped: watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) {
    match connections.admit(peer.ip()) {
        Ok(slot) => {
            let task = conn::handle(Arc::clone(shared), tcp, peer, stopped);
            tasks.spawn(async move {
                task.await;
                drop(slot);
            });
        }
        Err(refused) => {
            debug!(%peer, ?refused, "connection refused at accept");
            let permit = Arc::clone(refusing).try_acquire_owned();
            if let (true, Ok(permit)) = (shared.settings.tls.is_none(), permit) {
                tokio::spawn(async move {
                    refuse(tcp, refused).await;
                    drop(permit);
                });
            }
        }
    }
}

/// Answers a connection refused at accept (plain HTTP only: under TLS it is just closed)
/// and reads what it sent for a moment, so the answer is not lost to a TCP reset.
async fn refuse(mut tcp: TcpStream, refused: Refused) {
    let _ = timeout(REFUSAL_LINGER, async {
        let _ = tcp.write_all(refused.response().as_bytes()).await;
        let _ = tcp.shutdown().await;
        let mut scratch = [0u8; 512];
        while let Ok(n) = tcp.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// A listening socket with [`LISTEN_BACKLOG`] and `SO_REUSEADDR` (as tokio's own `bind`).
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(not(windows))]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Binds and serves until `shutdown` resolves (e.g. [`crate::ctrl_c_or_terminate`]).
pub async fn serve(
    config: ServeConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<ServeReport, NetError> {
    Ok(bind(config).await?.run(shutdown).await)
}

impl Server {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The router's counters now.
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics()
    }

    /// A handle that reads the counters while [`Server::run`] owns the server (tests and
    /// benchmarks watch `connections_open` and `tunnels_pending` fall back to zero with it).
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            shared: Arc::clone(&self.shared),
            local_addr: self.local_addr,
            connections: Arc::clone(&self.connections),
        }
    }

    /// Serves until `shutdown` resolves. Then it stops accepting, closes every open WebSocket
    /// with 1001 ("going away"), waits up to the configured grace for them, and reports.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> ServeReport {
        let Server {
            listener,
            local_addr,
            shared,
            shutdown_grace,
            connections,
        } = self;
        let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
        let mut backoff = AcceptBackoff::default();
        let (stop, stopped) = watch::channel(false);
        let timer = tokio::spawn(run_timers(Arc::clone(&shared), stopped.clone()));
        let mut tasks = JoinSet::new();
        let mut tcp_connections: u64 = 0;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        let failed = backoff.succeeded();
                        if failed > 0 {
                            info!(failed, "accepting again");
                        }
                        tcp_connections = tcp_connections.saturating_add(1);
                        let stopped = stopped.clone();
                        admit(&shared, &connections, &refusing, tcp, peer, stopped, &mut tasks);
                    }
                    Err(e) => {
                        // Out of file descriptors, most likely: wait for some to close.
                        let (pause, first) = backoff.failed();
                        if first {
                            warn!(error = %e, "accept failed; backing off until it succeeds");
                        }
                        sleep(pause).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        info!(open = tasks.len(), "shutting down");
        drop(listener);
        // Tunnel connections hear it from the router (close 1001), wake sockets and the
        // timer from the watch.
        shared.shutdown();
        let _ = stop.send(true);
        let drained = timeout(shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            warn!(
                left = tasks.len(),
                "connections still open after the grace period; dropping them"
            );
        }
        tasks.abort_all();
        timer.abort();
        let report = ServeReport {
            local_addr,
            tcp_connections,
            uptime: shared.start.elapsed(),
            metrics: shared.metrics(),
        };
        info!(
            tcp_connections,
            tunnels_paired = report.metrics.tunnels_paired,
            messages_relayed = report.metrics.messages_relayed,
            "tunnel server stopped"
        );
        report
    }
}

/// Sleeps until the router's next deadline (re-reading it whenever an input may have moved
/// it) and feeds the router the timeout.
async fn run_timers(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    loop {
        let deadline = shared.poll_timeout().and_then(|at| {
            shared
                .start
                .checked_add(Duration::from_millis(at.as_millis()))
        });
        let wait = async {
            match deadline {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = wait => shared.timeout(),
            () = shared.timer_changed.notified() => {}
            _ = stopped.changed() => return,
        }
    }
}
