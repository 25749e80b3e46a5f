//! The router behind a mutex, and the pump that carries its outputs to connection tasks.
//!
//! Every call locks, feeds the router one input, then drains [`Router::poll_output`] into
//! the per-connection channels before unlocking, so outputs reach each connection in the
//! router's order. Nothing awaits while the lock is held. The channels are unbounded, but
//! the router bounds what goes into them: per-peer message count × message size, plus one
//! connect signal and one close.

use crate::limits::WakeLimiter;
use crate::metrics::RelayTimes;
use hybridsim_proto::tunnel_url::Route;
use hybridsim_tunnel::{
    ConnectionId, ConnectionRequest, ContactError, Decision, Incoming, Metrics, Millis, Output,
    Router, SubscriptionId, WakeUp,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::mpsc::{error::TrySendError, Sender, UnboundedSender};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{info, warn};

/// What the pump tells a tunnel connection's task.
///
/// Kept to 24 bytes: every connection's channel allocates its first block of 32 slots
/// up front, idle or not, so each byte here is 32 bytes of every pending tunnel.
#[derive(Debug)]
pub(crate) enum ToConn {
    /// Send one binary message.
    Message(Box<Relayed>),
    /// Send a close frame and hang up.
    Close {
        /// WebSocket close code.
        code: u16,
        /// Close reason text.
        reason: Box<str>,
    },
}

/// A message on its way to the other peer.
#[derive(Debug)]
pub(crate) struct Relayed {
    /// The message.
    pub(crate) bytes: Vec<u8>,
    /// When its frame was read, for the relay-time histogram; `None` for a message that
    /// waited for this connection to join (that wait is not the server's).
    pub(crate) read_at: Option<std::time::Instant>,
}

/// Driver settings every connection task reads.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) handshake_timeout: core::time::Duration,
    pub(crate) close_linger: core::time::Duration,
    pub(crate) websocket: WebSocketConfig,
    /// Set for `wss://`: every accepted TCP stream does this TLS handshake first.
    pub(crate) tls: Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>,
    /// A wake socket silent this long is closed.
    pub(crate) wake_idle_timeout: core::time::Duration,
    /// Wake-ups queued per wake socket before its subscriber is dropped.
    pub(crate) wake_queue: usize,
    /// Time per wake-up of one contact id, after a burst.
    pub(crate) wake_interval: core::time::Duration,
    /// Wake-ups of one contact id allowed at once.
    pub(crate) wake_burst: u32,
    /// Control frames a client may send on one WebSocket.
    pub(crate) max_control_frames: u32,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    /// Each relayed message's time inside the server (`/metrics`).
    pub(crate) relay_times: RelayTimes,
    /// Signalled when an input moved the next deadline, so the timer task re-reads it.
    pub(crate) timer_changed: Notify,
    pub(crate) start: Instant,
    pub(crate) settings: Settings,
    next_conn: AtomicU64,
}

struct State {
    router: Router,
    /// While the router handles a message: when its frame was read. Messages it transmits
    /// then carry it.
    reading: Option<std::time::Instant>,
    conns: HashMap<ConnectionId, UnboundedSender<ToConn>>,
    wakes: HashMap<SubscriptionId, Sender<String>>,
    /// How often each contact id has woken its phone lately.
    woken: WakeLimiter,
}

impl Shared {
    pub(crate) fn new(router: Router, settings: Settings) -> Shared {
        Shared {
            state: Mutex::new(State {
                router,
                reading: None,
                conns: HashMap::new(),
                wakes: HashMap::new(),
                woken: WakeLimiter::new(settings.wake_interval, settings.wake_burst),
            }),
            relay_times: RelayTimes::default(),
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
        let contact = contact_of(&request.path);
        self.with_state(|state| {
            let decision = state.router.handle_connection(now, request);
            if matches!(decision, Decision::Accept(_)) {
                state.conns.insert(conn, outbox);
                if let Some(contact_id) = contact {
                    state.woken.record(contact_id, now);
                }
            }
            decision
        })
    }

    /// Whether `path` is a `/cable/contact` whose contact id has used up its wake-ups for
    /// now ([`Settings::wake_burst`] at once, then one per [`Settings::wake_interval`]); it
    /// is then answered 429, and nobody is woken.
    pub(crate) fn wake_throttled(&self, path: &str) -> bool {
        let Some(contact_id) = contact_of(path) else {
            return false;
        };
        let now = self.now();
        !self.lock().woken.allows(&contact_id, now)
    }

    /// A message from `conn` whose frame was read at `read_at`.
    pub(crate) fn message(
        &self,
        conn: ConnectionId,
        message: Incoming,
        read_at: std::time::Instant,
    ) {
        let now = self.now();
        self.with_state(|state| {
            state.reading = Some(read_at);
            state.router.handle_message(now, conn, message);
        });
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
        outbox: Sender<String>,
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
            state.reading = None;
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

/// The contact id of a `/cable/contact` path, decoded as the router decodes it (so two
/// spellings of one id share one rate limit).
fn contact_of(path: &str) -> Option<Vec<u8>> {
    match Route::parse_path(path) {
        Ok((Route::Contact { contact_id }, _)) => Some(contact_id),
        _ => None,
    }
}

impl State {
    /// Queues a wake-up on its socket; a socket whose queue is full (its phone does not
    /// read) loses its subscription, so one silent phone cannot grow the server.
    fn deliver_wake(&mut self, wake: &hybridsim_tunnel::Wake) {
        let Some(outbox) = self.wakes.get(&wake.subscription) else {
            return warn!(subscription = %wake.subscription, "wake-up for a closed wake socket");
        };
        match outbox.try_send(WakeUp::from(wake).to_json()) {
            Ok(()) => {
                info!(subscription = %wake.subscription, tunnel_id = %hex::encode_upper(wake.tunnel_id), "wake-up sent");
            }
            Err(TrySendError::Full(_)) => {
                warn!(subscription = %wake.subscription, "wake socket does not read its wake-ups; dropping it");
                self.wakes.remove(&wake.subscription);
                self.router.unregister_contact(wake.subscription);
            }
            Err(TrySendError::Closed(_)) => {
                self.wakes.remove(&wake.subscription);
            }
        }
    }

    fn pump(&mut self) {
        while let Some(output) = self.router.poll_output() {
            match output {
                Output::Transmit(t) => {
                    if let Some(outbox) = self.conns.get(&t.to) {
                        let _ = outbox.send(ToConn::Message(Box::new(Relayed {
                            bytes: t.message,
                            read_at: self.reading,
                        })));
                    }
                }
                Output::Close(c) => {
                    info!(conn = %c.conn, code = c.code.as_u16(), reason = %c.reason, "closing connection");
                    if let Some(outbox) = self.conns.remove(&c.conn) {
                        let code = c.code.as_u16();
                        let reason = c.reason.to_string().into_boxed_str();
                        let _ = outbox.send(ToConn::Close { code, reason });
                    }
                }
                Output::Wake(w) => self.deliver_wake(&w),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_tunnel::{Config, ConnectionRequest};

    /// 24 bytes: 32 of them are allocated for every connection (the channel's first block).
    #[test]
    fn an_order_stays_small() {
        assert_eq!(std::mem::size_of::<ToConn>(), 24);
    }

    fn settings(wake_queue: usize) -> Settings {
        Settings {
            handshake_timeout: core::time::Duration::from_secs(1),
            close_linger: core::time::Duration::from_secs(1),
            websocket: WebSocketConfig::default(),
            tls: None,
            wake_idle_timeout: core::time::Duration::from_secs(1),
            wake_queue,
            wake_interval: core::time::Duration::ZERO,
            wake_burst: 1,
            max_control_frames: 1,
        }
    }

    fn contact(shared: &Shared, n: u64) -> Decision {
        let (outbox, _inbox) = tokio::sync::mpsc::unbounded_channel();
        let request = ConnectionRequest {
            conn: ConnectionId(n),
            peer_ip: [127, 0, 0, 1].into(),
            path: format!("/cable/contact/{}", "cGhvbmU"),
            subprotocols: vec!["fido.cable".to_owned()],
            client_payload: Some(
                hybridsim_proto::linking::ClientPayload {
                    link_id: [1; 8],
                    client_nonce: [2; 16],
                    request_type: "ga".to_owned(),
                }
                .to_header_value(),
            ),
            signal_connection: None,
        };
        shared.decide(request, outbox)
    }

    /// A wake socket that never reads holds at most `wake_queue` wake-ups; the next one
    /// drops its subscription instead of queueing without bound.
    #[tokio::test]
    async fn a_wake_socket_that_does_not_read_is_dropped_when_its_queue_is_full() {
        let shared = Shared::new(Router::new(Config::default(), [0; 32]), settings(2));
        let (outbox, inbox) = tokio::sync::mpsc::channel(shared.settings.wake_queue);
        shared.register_wake(b"phone".to_vec(), outbox).unwrap();
        let accepted = (0..5)
            .map(|n| contact(&shared, n))
            .filter(|d| matches!(d, Decision::Accept(_)))
            .count();
        assert_eq!(inbox.len(), 2);
        assert_eq!(shared.lock().wakes.len(), 0);
        assert_eq!(accepted, 3, "the contact after the drop is unknown (410)");
        assert_eq!(shared.metrics().contacts_registered, 0);
    }
}
