//! The tunnel table: routes connections, pairs them, relays, enforces limits and TTLs.

use crate::config::Config;
use crate::decision::{
    Accept, ConnectionRequest, Decision, Joined, Reject, CONNECT_SIGNAL, ROUTING_ID_HEADER,
    SIGNAL_CONNECTION_HEADER, SUBPROTOCOL,
};
use crate::ids::{ConnectionId, Hex, SubscriptionId};
use crate::metrics::{Metrics, Totals};
use crate::output::{Close, CloseReason, Incoming, Output, Transmit, Wake};
use crate::relay::{Origin, Side, Tunnel};
use crate::time::Millis;
use hybridsim_proto::linking::ClientPayload;
use hybridsim_proto::tunnel_url::Route;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::IpAddr;

/// Random tunnel ids drawn for one `/cable/contact` before giving up with 503. A collision
/// with a pending id is already a 2^-128-ish event; four draws make a failure unthinkable.
const TUNNEL_ID_DRAWS: usize = 4;

/// A tunnel table's own key (tunnel ids can be reused once a tunnel has paired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TunnelKey(u64);

/// What the router knows about one accepted connection.
#[derive(Debug, Clone, Copy)]
struct Conn {
    ip: IpAddr,
    tunnel: TunnelKey,
    side: Side,
}

/// Why a contact could not be registered for wake-ups.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// An empty contact id can never be named in a `/cable/contact` path.
    #[error("contact id is empty")]
    Empty,
    /// Another registration holds this contact id (one phone per contact id).
    #[error("contact id is already registered")]
    AlreadyRegistered,
}

/// The tunnel server's state: a sans-IO state machine in the style of quinn-proto.
///
/// Methods come in four kinds, and the driver uses them in this order:
///
/// 1. **Inputs** (`handle_*`): a connection asks to upgrade ([`handle_connection`], which
///    answers at once with a [`Decision`]), a message arrives ([`handle_message`]), a
///    connection is gone ([`handle_close`]), the time given by [`poll_timeout`] has come
///    ([`handle_timeout`]), or the server stops ([`handle_shutdown`]). Every input takes `now`, and first expires what is due by then,
///    so a driver whose timer fires late still sees the TTLs applied exactly.
/// 2. **Side-channel calls**: [`register_contact`] / [`unregister_contact`] for phones that
///    want wake-ups.
/// 3. **Outputs** (`poll_*`): after any input, drain [`poll_output`] until `None` and carry
///    each [`Output`] out in order; then ask [`poll_timeout`] for the next deadline.
/// 4. **Getters**: [`config`], [`metrics`].
///
/// The router forgets a connection as soon as it emits a [`Close`] for it, or on
/// [`handle_close`]; inputs for a connection it does not know are ignored.
///
/// [`handle_connection`]: Router::handle_connection
/// [`handle_message`]: Router::handle_message
/// [`handle_close`]: Router::handle_close
/// [`handle_timeout`]: Router::handle_timeout
/// [`handle_shutdown`]: Router::handle_shutdown
/// [`register_contact`]: Router::register_contact
/// [`unregister_contact`]: Router::unregister_contact
/// [`poll_output`]: Router::poll_output
/// [`poll_timeout`]: Router::poll_timeout
/// [`config`]: Router::config
/// [`metrics`]: Router::metrics
#[derive(Debug)]
pub struct Router {
    config: Config,
    rng: ChaCha20Rng,
    conns: BTreeMap<ConnectionId, Conn>,
    tunnels: BTreeMap<TunnelKey, Tunnel>,
    /// Tunnel id → tunnel, for tunnels waiting for side B.
    pending: BTreeMap<[u8; 16], TunnelKey>,
    deadlines: BTreeSet<(Millis, TunnelKey)>,
    per_ip: BTreeMap<IpAddr, usize>,
    contacts: BTreeMap<Vec<u8>, SubscriptionId>,
    subscriptions: BTreeMap<SubscriptionId, Vec<u8>>,
    outputs: VecDeque<Output>,
    next_tunnel: u64,
    next_subscription: u64,
    totals: Totals,
    shutting_down: bool,
}

impl Router {
    /// A router with no tunnels. `rng_seed` seeds the ChaCha20 stream that `/cable/contact`
    /// draws tunnel ids from (the only randomness the router uses).
    pub fn new(config: Config, rng_seed: [u8; 32]) -> Router {
        Router {
            config,
            rng: ChaCha20Rng::from_seed(rng_seed),
            conns: BTreeMap::new(),
            tunnels: BTreeMap::new(),
            pending: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            per_ip: BTreeMap::new(),
            contacts: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            outputs: VecDeque::new(),
            next_tunnel: 0,
            next_subscription: 0,
            totals: Totals::default(),
            shutting_down: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A connection asks to upgrade. On [`Decision::Accept`] the router holds the connection
    /// from now on (it may already have queued messages for it, e.g. buffered ones on
    /// `/connect`); on [`Decision::Reject`] it has forgotten it.
    pub fn handle_connection(&mut self, now: Millis, request: ConnectionRequest) -> Decision {
        self.expire(now);
        match self.admit(now, &request) {
            Ok(accept) => {
                self.totals.connections_accepted =
                    self.totals.connections_accepted.saturating_add(1);
                Decision::Accept(accept)
            }
            Err(reject) => {
                self.totals.count_rejection(reject.label());
                Decision::Reject(reject)
            }
        }
    }

    /// A message arrived on `conn`.
    pub fn handle_message(&mut self, now: Millis, conn: ConnectionId, message: Incoming) {
        self.expire(now);
        let Some(&Conn {
            tunnel: key, side, ..
        }) = self.conns.get(&conn)
        else {
            return;
        };
        let bytes = match message {
            Incoming::Text => return self.violation(key, side, CloseReason::NotBinary),
            Incoming::TooBig { len } => {
                let limit = self.config.max_message_size;
                return self.violation(key, side, CloseReason::TooBig { len, limit });
            }
            Incoming::Binary(bytes) => bytes,
        };
        if bytes.len() > self.config.max_message_size {
            let (len, limit) = (bytes.len(), self.config.max_message_size);
            return self.violation(key, side, CloseReason::TooBig { len, limit });
        }
        let limit = self.config.max_messages_per_peer;
        let Some(tunnel) = self.tunnels.get_mut(&key) else {
            return;
        };
        if !tunnel.sent_by(side).count(limit) {
            return self.violation(key, side, CloseReason::TooManyMessages { limit });
        }
        match tunnel.conn(side.other()) {
            Some(to) => {
                self.totals.relayed(bytes.len());
                self.outputs
                    .push_back(Output::Transmit(Transmit { to, message: bytes }));
            }
            // Only side A can be without a peer; keep its messages until B joins.
            None => tunnel.sent_by(side).queued.push_back(bytes),
        }
    }

    /// `conn` is gone (its close frame arrived, or the socket failed). The other side of its
    /// tunnel, if any, is closed with 1000.
    pub fn handle_close(&mut self, now: Millis, conn: ConnectionId) {
        self.expire(now);
        if let Some(&Conn { tunnel, side, .. }) = self.conns.get(&conn) {
            self.end_tunnel(tunnel, side, None, Some(CloseReason::PeerClosed));
        }
    }

    /// The time from [`Router::poll_timeout`] has come: close what expired.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.expire(now);
    }

    /// The server is stopping: every connection is closed with 1001 and new connections are
    /// refused with 503 from now on.
    pub fn handle_shutdown(&mut self, now: Millis) {
        self.expire(now);
        self.shutting_down = true;
        let keys: Vec<TunnelKey> = self.tunnels.keys().copied().collect();
        for key in keys {
            let reason = CloseReason::ServerShutdown;
            self.end_tunnel(key, Side::A, Some(reason.clone()), Some(reason));
        }
    }

    /// The next thing for the driver to do, oldest first.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Router::handle_timeout`] should next be called, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.deadlines.first().map(|(deadline, _)| *deadline)
    }

    /// Registers a phone for wake-ups under `contact_id` (the driver's side channel, which
    /// stands in for push messaging). [`Output::Wake`]s for it carry the returned id.
    pub fn register_contact(
        &mut self,
        contact_id: Vec<u8>,
    ) -> Result<SubscriptionId, ContactError> {
        if contact_id.is_empty() {
            return Err(ContactError::Empty);
        }
        if self.contacts.contains_key(&contact_id) {
            return Err(ContactError::AlreadyRegistered);
        }
        let id = SubscriptionId(self.next_subscription);
        self.next_subscription = self.next_subscription.saturating_add(1);
        self.contacts.insert(contact_id.clone(), id);
        self.subscriptions.insert(id, contact_id);
        Ok(id)
    }

    /// Ends a registration; false if it was not registered.
    pub fn unregister_contact(&mut self, subscription: SubscriptionId) -> bool {
        match self.subscriptions.remove(&subscription) {
            Some(contact_id) => {
                self.contacts.remove(&contact_id);
                true
            }
            None => false,
        }
    }

    /// A snapshot of the counters.
    pub fn metrics(&self) -> Metrics {
        let paired = self.tunnels.values().filter(|t| t.is_paired()).count();
        let mut metrics = Metrics {
            connections_open: count(self.conns.len()),
            tunnels_pending: count(self.tunnels.len().saturating_sub(paired)),
            tunnels_active: count(paired),
            contacts_registered: count(self.subscriptions.len()),
            ..Metrics::default()
        };
        self.totals.snapshot_into(&mut metrics);
        metrics
    }

    fn admit(&mut self, now: Millis, request: &ConnectionRequest) -> Result<Accept, Reject> {
        if self.conns.contains_key(&request.conn) {
            return Err(Reject::ConnectionIdInUse(request.conn));
        }
        if self.shutting_down {
            return Err(Reject::ShuttingDown);
        }
        let (route, _case) = Route::parse_path(&request.path).map_err(Reject::from_url_error)?;
        if !request.subprotocols.iter().any(|p| p == SUBPROTOCOL) {
            return Err(Reject::MissingSubprotocol);
        }
        let limit = self.config.max_connections_per_ip;
        if self.per_ip.get(&request.peer_ip).copied().unwrap_or(0) >= limit {
            let ip = request.peer_ip;
            return Err(Reject::TooManyConnectionsFromIp { ip, limit });
        }
        match route {
            Route::New { tunnel_id } => self.admit_new(now, request, tunnel_id),
            Route::Connect {
                routing_id,
                tunnel_id,
            } => self.admit_connect(now, request, routing_id, tunnel_id),
            Route::Contact { contact_id } => self.admit_contact(now, request, contact_id),
        }
    }

    /// `/cable/new`: side A of a new tunnel (webauthn-rs: 409 if the id is pending).
    fn admit_new(
        &mut self,
        now: Millis,
        request: &ConnectionRequest,
        tunnel_id: [u8; 16],
    ) -> Result<Accept, Reject> {
        if self.pending.contains_key(&tunnel_id) {
            return Err(Reject::DuplicateTunnel { tunnel_id });
        }
        self.check_capacity()?;
        self.open_tunnel(now, request, tunnel_id, Origin::New);
        Ok(Accept {
            subprotocol: SUBPROTOCOL,
            headers: vec![(ROUTING_ID_HEADER, Hex(&self.config.routing_id).to_string())],
            joined: Joined::Registered { tunnel_id },
        })
    }

    /// `/cable/connect`: side B of a pending tunnel; flushes what A sent so far.
    fn admit_connect(
        &mut self,
        now: Millis,
        request: &ConnectionRequest,
        routing_id: [u8; 3],
        tunnel_id: [u8; 16],
    ) -> Result<Accept, Reject> {
        if routing_id != self.config.routing_id {
            let ours = self.config.routing_id;
            return Err(Reject::RoutingIdMismatch {
                requested: routing_id,
                ours,
            });
        }
        // The entry leaves the pending table on attach, so a tunnel pairs exactly two
        // sockets and a second /connect gets 404 (webauthn-rs).
        let Some(key) = self.pending.remove(&tunnel_id) else {
            return Err(Reject::UnknownTunnel { tunnel_id });
        };
        let Some(tunnel) = self.tunnels.get_mut(&key) else {
            return Err(Reject::UnknownTunnel { tunnel_id });
        };
        let conn = request.conn;
        tunnel.b = Some(conn);
        self.deadlines.remove(&(tunnel.deadline, key));
        tunnel.deadline = now.saturating_add(self.config.tunnel_ttl);
        self.deadlines.insert((tunnel.deadline, key));
        if tunnel.origin == (Origin::Contact { signal: true }) {
            let to = tunnel.a;
            let message = CONNECT_SIGNAL.to_vec();
            self.outputs
                .push_back(Output::Transmit(Transmit { to, message }));
        }
        for message in std::mem::take(&mut tunnel.a_to_b.queued) {
            self.totals.relayed(message.len());
            self.outputs
                .push_back(Output::Transmit(Transmit { to: conn, message }));
        }
        self.totals.tunnels_paired = self.totals.tunnels_paired.saturating_add(1);
        self.add_conn(conn, request.peer_ip, key, Side::B);
        Ok(Accept {
            subprotocol: SUBPROTOCOL,
            headers: Vec::new(),
            joined: Joined::Paired { tunnel_id },
        })
    }

    /// `/cable/contact`: the desktop becomes side A of a fresh random tunnel, and the phone
    /// registered under the contact id gets a wake-up (docs/protocol.md §5.4, §8.3).
    fn admit_contact(
        &mut self,
        now: Millis,
        request: &ConnectionRequest,
        contact_id: Vec<u8>,
    ) -> Result<Accept, Reject> {
        let header = request
            .client_payload
            .as_deref()
            .ok_or(Reject::MissingClientPayload)?;
        ClientPayload::from_header_value(header).map_err(Reject::BadClientPayload)?;
        // Just validated as hex by the parse above.
        let client_payload = hex::decode(header).unwrap_or_default();
        let Some(&subscription) = self.contacts.get(&contact_id) else {
            return Err(Reject::UnknownContact);
        };
        self.check_capacity()?;
        let tunnel_id = self.fresh_tunnel_id()?;
        let signal = request.signal_connection.is_some();
        self.open_tunnel(now, request, tunnel_id, Origin::Contact { signal });
        self.totals.wakes_sent = self.totals.wakes_sent.saturating_add(1);
        self.outputs.push_back(Output::Wake(Wake {
            subscription,
            contact_id,
            tunnel_id,
            routing_id: self.config.routing_id,
            client_payload,
        }));
        let headers = match &request.signal_connection {
            Some(value) => vec![(SIGNAL_CONNECTION_HEADER, value.clone())],
            None => Vec::new(),
        };
        Ok(Accept {
            subprotocol: SUBPROTOCOL,
            headers,
            joined: Joined::Contacted {
                tunnel_id,
                subscription,
            },
        })
    }

    fn check_capacity(&self) -> Result<(), Reject> {
        let limit = self.config.max_tunnels;
        if self.tunnels.len() >= limit {
            return Err(Reject::ServerFull { limit });
        }
        Ok(())
    }

    fn fresh_tunnel_id(&mut self) -> Result<[u8; 16], Reject> {
        for _ in 0..TUNNEL_ID_DRAWS {
            let mut id = [0u8; 16];
            self.rng.fill_bytes(&mut id);
            if !self.pending.contains_key(&id) {
                return Ok(id);
            }
        }
        Err(Reject::NoFreeTunnelId)
    }

    fn open_tunnel(
        &mut self,
        now: Millis,
        request: &ConnectionRequest,
        tunnel_id: [u8; 16],
        origin: Origin,
    ) {
        let key = TunnelKey(self.next_tunnel);
        self.next_tunnel = self.next_tunnel.saturating_add(1);
        let deadline = now.saturating_add(self.config.pending_ttl);
        self.tunnels
            .insert(key, Tunnel::new(tunnel_id, origin, request.conn, deadline));
        self.pending.insert(tunnel_id, key);
        self.deadlines.insert((deadline, key));
        self.add_conn(request.conn, request.peer_ip, key, Side::A);
    }

    fn add_conn(&mut self, conn: ConnectionId, ip: IpAddr, tunnel: TunnelKey, side: Side) {
        self.conns.insert(conn, Conn { ip, tunnel, side });
        let n = self.per_ip.entry(ip).or_default();
        *n = n.saturating_add(1);
    }

    fn remove_conn(&mut self, conn: ConnectionId) {
        let Some(Conn { ip, .. }) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(n) = self.per_ip.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_ip.remove(&ip);
            }
        }
    }

    /// `side` broke a rule: it is closed with `reason`, its peer with 1000.
    fn violation(&mut self, key: TunnelKey, side: Side, reason: CloseReason) {
        self.end_tunnel(key, side, Some(reason), Some(CloseReason::PeerClosed));
    }

    /// Removes a tunnel and both its connections. `first` is closed first (with
    /// `first_reason`, or silently if it is already gone), then the other side (if present).
    fn end_tunnel(
        &mut self,
        key: TunnelKey,
        first: Side,
        first_reason: Option<CloseReason>,
        other_reason: Option<CloseReason>,
    ) {
        let Some(tunnel) = self.tunnels.remove(&key) else {
            return;
        };
        self.deadlines.remove(&(tunnel.deadline, key));
        if self.pending.get(&tunnel.id) == Some(&key) {
            self.pending.remove(&tunnel.id);
        }
        for (side, reason) in [(first, first_reason), (first.other(), other_reason)] {
            let Some(conn) = tunnel.conn(side) else {
                continue;
            };
            self.remove_conn(conn);
            if let Some(reason) = reason {
                self.totals.count_close(reason.label());
                let code = reason.code();
                self.outputs
                    .push_back(Output::Close(Close { conn, code, reason }));
            }
        }
    }

    /// Ends every tunnel whose deadline is at or before `now`: a pending one closes its side
    /// A (no peer came), a paired one closes both sides (TTL).
    fn expire(&mut self, now: Millis) {
        while let Some(&(deadline, key)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            let paired = self.tunnels.get(&key).is_some_and(Tunnel::is_paired);
            if paired {
                let reason = CloseReason::TunnelExpired {
                    ttl: self.config.tunnel_ttl,
                };
                self.end_tunnel(key, Side::A, Some(reason.clone()), Some(reason));
            } else {
                let reason = CloseReason::NoPeer {
                    ttl: self.config.pending_ttl,
                };
                self.end_tunnel(key, Side::A, Some(reason), None);
            }
            // end_tunnel removed the deadline; make sure a stale one cannot loop forever.
            self.deadlines.remove(&(deadline, key));
        }
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
