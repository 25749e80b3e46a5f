//! `rp serve`'s accept loop: hyper's HTTP/1.1 connections under the bounds of [`Limits`].
//!
//! Bounded by construction: a semaphore holds one permit per connection served, and a
//! connection accepted without one is answered 503 (TLS: closed) at once, without a task;
//! each connection carries one request and runs under one deadline from accept to the last
//! byte of the answer, so a client trickling bytes is cut off however often it sends; tasks
//! run on the runtime's fixed threads, so no thread is spawned per client; when accepting
//! fails for lack of resources (EMFILE, ENFILE, ENOBUFS) the loop backs off instead of
//! spinning.

use crate::api::{Api, RpIdentity};
use crate::limits::Limits;
use crate::routes::{router, Shared};
use crate::tls::{server_config, TlsError};
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rand_core::{OsRng, RngCore};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// Largest request head hyper buffers (its minimum is 8 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// The answer to a connection over the cap (plain HTTP).
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 71\r\nconnection: close\r\n\r\n{\"status\":\"failed\",\"errorMessage\":\"too many connections; try again later\"}";
/// First and longest pause after a failed accept for lack of resources.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// What `rp serve` is started with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// Certificate chain and key (PEM) to serve HTTPS with; plain HTTP without.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The relying party.
    pub identity: RpIdentity,
    /// The bounds.
    pub limits: Limits,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// The certificate or key could not be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The operating system gave no randomness for challenges.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// A bound server, ready to [`run`](RpServer::run).
#[derive(Debug)]
pub struct RpServer {
    listener: TcpListener,
    local: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    limits: Limits,
    shared: Arc<Shared>,
}

/// Binds `config.listen` and loads the TLS files, if any.
pub async fn bind(config: ServeConfig) -> Result<RpServer, ServeError> {
    let tls = match &config.tls {
        Some((cert, key)) => Some(server_config(cert, key)?),
        None => None,
    };
    let bind_error = |source| ServeError::Bind {
        addr: config.listen,
        source,
    };
    let listener = TcpListener::bind(config.listen).await.map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    let mut seed = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| ServeError::Random(e.to_string()))?;
    let shared = Arc::new(Shared {
        api: Api::new(config.identity, &config.limits, seed),
        max_body: config.limits.max_body,
        started: Instant::now(),
    });
    Ok(RpServer {
        listener,
        local,
        tls,
        limits: config.limits,
        shared,
    })
}

impl RpServer {
    /// The address bound (the port chosen, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// `http://ADDR` or `https://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.local)
    }

    /// Serves until `shutdown` completes; connections still open then are dropped.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let permits = Arc::new(Semaphore::new(self.limits.max_connections.max(1)));
        let router = router(Arc::clone(&self.shared));
        let deadline = self.limits.request_deadline;
        let mut backoff = BACKOFF.0;
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => return,
                accepted = self.listener.accept() => accepted,
            };
            match accepted {
                Ok((tcp, _)) => {
                    backoff = BACKOFF.0;
                    match Arc::clone(&permits).try_acquire_owned() {
                        Ok(permit) => {
                            let connection = Connection {
                                permit,
                                tls: self.tls.clone().map(TlsAcceptor::from),
                                router: router.clone(),
                                deadline: Instant::now() + deadline,
                            };
                            tokio::spawn(connection.serve(tcp));
                        }
                        Err(_) => self.refuse(&tcp),
                    }
                }
                Err(e) if transient(&e) => {}
                Err(e) => {
                    tracing::warn!("accept failed ({e}); pausing {backoff:?}");
                    tokio::select! {
                        () = &mut shutdown => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
        }
    }

    /// A connection over the cap: 503 if the socket takes it at once (a fresh socket's send
    /// buffer always does), then closed. No task, no wait.
    fn refuse(&self, tcp: &TcpStream) {
        if self.tls.is_none() {
            let _ = tcp.try_write(BUSY);
        }
        tracing::debug!(
            "connection refused: {} served at once",
            self.limits.max_connections
        );
    }
}

/// An accept error that concerns only the connection being accepted: retry at once. Any
/// other (EMFILE, ENFILE, ENOBUFS, ENOMEM) means the process or machine is short of
/// something, and retrying at once would spin.
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// One accepted connection and what it needs; the permit is released when it ends.
struct Connection {
    permit: OwnedSemaphorePermit,
    tls: Option<TlsAcceptor>,
    router: Router,
    deadline: Instant,
}

impl Connection {
    async fn serve(self, tcp: TcpStream) {
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => self.http(tcp).await,
            Some(acceptor) => {
                let handshake = tokio::time::timeout_at(self.deadline, acceptor.accept(tcp));
                if let Ok(Ok(stream)) = handshake.await {
                    self.http(stream).await;
                }
            }
        }
    }

    /// One request and its answer, cut off at the deadline (dropping the connection closes
    /// the socket).
    async fn http<I>(&self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let _held = &self.permit;
        let service = TowerToHyperService::new(self.router.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(false)
            .max_buf_size(MAX_HEAD)
            .serve_connection(TokioIo::new(io), service);
        if tokio::time::timeout_at(self.deadline, connection)
            .await
            .is_err()
        {
            tracing::debug!("request cut off at its deadline");
        }
    }
}
