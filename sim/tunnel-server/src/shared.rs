//! The router behind a mutex, and the pump that carries its outputs to connection tasks.
//!
//! Every call locks, feeds the router one input, then drains [`Router::poll_output`] into
//! the per-connection channels before unlocking, so outputs reach each connection in the
//! router's order. Nothing awaits while the lock is held. The channels are unbounded, but
//! the router bounds what goes into them: per-peer message count × message size, plus one
//! connect signal and one close.

use hybridsim_tunnel::{
    ConnectionId, ConnectionRequest, ContactError, Decision, Incoming, Metrics, Millis, Output,
    Router, SubscriptionId, WakeUp,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{info, warn};

/// What the pump tells a tunnel connection's task.
#[derive(Debug)]
pub(crate) enum ToConn {
    /// Send one binary message.
    Message(Vec<u8>),
    /// Send a close frame and hang up.
    Close {
        /// WebSocket close code.
        code: u16,
        /// Close reason text.
        reason: String,
    },
}

/// Driver settings every connection task reads.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) handshake_timeout: core::time::Duration,
    pub(crate) close_linger: core::time::Duration,
    pub(crate) websocket: WebSocketConfig,
    /// Set for `wss://`: every accepted TCP stream does this TLS handshake first.
    pub(crate) tls: Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    /// Signalled when an input moved the next deadline, so the timer task re-reads it.
    pub(crate) timer_changed: Notify,
    pub(crate) start: Instant,
    pub(crate) settings: Settings,
    next_conn: AtomicU64,
}

struct State {
    router: Router,
    conns: HashMap<ConnectionId, UnboundedSender<ToConn>>,
    wakes: HashMap<SubscriptionId, UnboundedSender<String>>,
}

impl Shared {
    pub(crate) fn new(router: Router, settings: Settings) -> Shared {
        Shared {
            state: Mutex::new(State {
                router,
                conns: HashMap::new(),
                wakes: HashMap::new(),
            }),
            timer_changed: Notify::new(),
            start: Instant::now(),
            settings,
            next_conn: AtomicU64::new(0),
        }
    }

    pub(crate) fn now(&self) -> Millis {
        Millis::from(self.start.elapsed())
    }

    pub(crate) fn connection_id(&self) -> ConnectionId {
        ConnectionId(self.next_conn.fetch_add(1, Ordering::Relaxed))
    }

    /// Asks the router about an upgrade; on accept, `outbox` becomes the connection's channel
    /// (before the pump runs, so messages buffered for it on `/connect` land there).
    pub(crate) fn decide(
        &self,
        request: ConnectionRequest,
        outbox: UnboundedSender<ToConn>,
    ) -> Decision {
        let conn = request.conn;
        let now = self.now();
        self.with_state(|state| {
            let decision = state.router.handle_connection(now, request);
            if matches!(decision, Decision::Accept(_)) {
                state.conns.insert(conn, outbox);
            }
            decision
        })
    }

    pub(crate) fn message(&self, conn: ConnectionId, message: Incoming) {
        let now = self.now();
        self.with_state(|state| state.router.handle_message(now, conn, message));
    }

    /// The connection is gone; the router closes its peer.
    pub(crate) fn closed(&self, conn: ConnectionId) {
        let now = self.now();
        self.with_state(|state| {
            state.conns.remove(&conn);
            state.router.handle_close(now, conn);
        });
    }

    pub(crate) fn timeout(&self) {
        let now = self.now();
        self.with_state(|state| state.router.handle_timeout(now));
    }

    /// Every tunnel connection gets close 1001; newcomers get 503.
    pub(crate) fn shutdown(&self) {
        let now = self.now();
        self.with_state(|state| state.router.handle_shutdown(now));
    }

    pub(crate) fn poll_timeout(&self) -> Option<Millis> {
        self.lock().router.poll_timeout()
    }

    pub(crate) fn register_wake(
        &self,
        contact_id: Vec<u8>,
        outbox: UnboundedSender<String>,
    ) -> Result<SubscriptionId, ContactError> {
        self.with_state(|state| {
            let subscription = state.router.register_contact(contact_id)?;
            state.wakes.insert(subscription, outbox);
            Ok(subscription)
        })
    }

    pub(crate) fn unregister_wake(&self, subscription: SubscriptionId) {
        self.with_state(|state| {
            state.wakes.remove(&subscription);
            state.router.unregister_contact(subscription);
        });
    }

    pub(crate) fn metrics(&self) -> Metrics {
        self.lock().router.metrics()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock would be a bug; the tables are still consistent
        // enough to keep serving, so take the guard anyway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let (result, moved) = {
            let mut state = self.lock();
            let before = state.router.poll_timeout();
            let result = f(&mut state);
            state.pump();
            (result, state.router.poll_timeout() != before)
        };
        if moved {
            self.timer_changed.notify_one();
        }
        result
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl State {
    fn pump(&mut self) {
        while let Some(output) = self.router.poll_output() {
            match output {
                Output::Transmit(t) => {
                    if let Some(outbox) = self.conns.get(&t.to) {
                        let _ = outbox.send(ToConn::Message(t.message));
                    }
                }
                Output::Close(c) => {
                    info!(conn = %c.conn, code = c.code.as_u16(), reason = %c.reason, "closing connection");
                    if let Some(outbox) = self.conns.remove(&c.conn) {
                        let code = c.code.as_u16();
                        let reason = c.reason.to_string();
                        let _ = outbox.send(ToConn::Close { code, reason });
                    }
                }
                Output::Wake(w) => {
                    let wake = WakeUp::from(&w);
                    match self.wakes.get(&w.subscription) {
                        Some(outbox) => {
                            info!(subscription = %w.subscription, tunnel_id = %hex::encode_upper(w.tunnel_id), "wake-up sent");
                            let _ = outbox.send(wake.to_json());
                        }
                        None => {
                            warn!(subscription = %w.subscription, "wake-up for a closed wake socket")
                        }
                    }
                }
            }
        }
    }
}
