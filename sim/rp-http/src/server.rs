//! `rp serve`'s accept loop: hyper's HTTP/1.1 connections under the bounds of [`Limits`].
//!
//! Bounded by construction: a semaphore holds one permit per connection served, and a
//! connection accepted without one is answered 503 (TLS: closed) by a short task of its own
//! bounded pool;
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
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// Largest request head hyper buffers (its minimum is 8 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// Connections over the cap being answered 503 at once; beyond them one is closed unanswered.
const MAX_REFUSING: usize = 64;
/// How long answering 503 (and reading what the client sent, so that closing does not reset
/// the answer away) may take.
const REFUSAL_TIME: Duration = Duration::from_secs(1);
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
        let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
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
                        Err(_) => self.refuse(tcp, &refusing),
                    }
                }
                Err(e) if transient(&e) => {}
                Err(e) => {
                    // One warning per run of failures, not one per pause.
                    if backoff == BACKOFF.0 {
                        tracing::warn!(
                            "accept failed ({e}); pausing, up to {:?} at a time",
                            BACKOFF.1
                        );
                    } else {
                        tracing::debug!("accept failed ({e}); pausing {backoff:?}");
                    }
                    tokio::select! {
                        () = &mut shutdown => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
        }
    }

    /// A connection over the cap: answered 503 and closed (TLS: closed) by a short task, if
    /// fewer than [`MAX_REFUSING`] are being answered; else closed at once.
    fn refuse(&self, tcp: TcpStream, refusing: &Arc<Semaphore>) {
        tracing::debug!(
            "connection refused: {} served at once",
            self.limits.max_connections
        );
        if self.tls.is_none() {
            if let Ok(permit) = Arc::clone(refusing).try_acquire_owned() {
                tokio::spawn(busy(tcp, permit));
            }
        }
    }
}

/// The 503 answer in the API's terms.
fn busy_answer() -> Vec<u8> {
    let body = r#"{"status":"failed","errorMessage":"too many connections; try again later"}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Writes the 503, ends the sending side, and reads until the client closes (bounded by
/// [`REFUSAL_TIME`]): closing with unread request bytes would send a reset that can
/// overtake the answer.
async fn busy(mut tcp: TcpStream, _permit: OwnedSemaphorePermit) {
    let answer = async {
        tcp.write_all(&busy_answer()).await?;
        tcp.shutdown().await?;
        let mut sink = [0u8; 1024];
        while tcp.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_TIME, answer).await;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_503_answer_declares_its_own_length() {
        let answer = String::from_utf8(busy_answer()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["status"], "failed");
    }

    #[test]
    fn only_a_lack_of_resources_pauses_the_accept_loop() {
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert!(transient(&aborted));
        // EMFILE, as Linux reports it.
        assert!(!transient(&io::Error::from_raw_os_error(24)));
    }
}
