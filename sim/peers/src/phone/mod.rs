//! The phone (authenticator): scans the QR code or is woken for a linked desktop, opens its
//! tunnel, advertises, answers the Noise handshake as responder, sends the post-handshake
//! and update messages and answers one CTAP request (docs/protocol.md §1, §2.4, §4, §6, §7,
//! §8; Chromium `v2_authenticator.cc`).
//!
//! States, each a struct consumed by its transitions (`state.rs`):
//!
//! ```text
//! Idle ─QrScanned / WakeUp─▶ Starting ─250 ms─▶ Connecting ─open: advertise─▶ AwaitingHandshake
//!      ─msg 1: send msg 2, post-handshake [, update]─▶ AwaitingRequest ─request: reply─▶
//!      AwaitingShutdown ─shutdown or close─▶ Finished(Ok)
//! ```
//!
//! A CTAP 2.3 profile whose advert offers the BLE channel may have a desktop open that
//! channel before message 1 (`channel.rs`): the same states then read and write on the
//! channel instead of the tunnel, which stays open as the fallback until the end.
//!
//! One transaction per session, as Chromium's phone and the phones webauthn-rs describes: a
//! second makeCredential or getAssertion ends the session with an error and no reply
//! (getInfo is answered any number of times), and authenticatorSelection ends it without a
//! reply (Chromium `AUTHENTICATOR_SELECTION_RECEIVED`).

mod channel;
mod config;
mod link;
mod phase;
mod profile;
mod state;
#[cfg(test)]
mod tests;
mod wire;

pub use config::{
    CtapHandler, PhoneConfig, PhoneFaults, UpdateTiming, DEFAULT_CONNECT_DELAY, DEFAULT_PHONE_NAME,
    DEFAULT_PHONE_TIMEOUT,
};

use crate::common::{Deadline, Outbox, CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR};
use crate::io::{Input, Layer, Output, Peer, SocketId};
use crate::outcome::Reason;
use crate::outcome::{Party, PeerError, PhonePhase, Waiting};
use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_proto::keys;
use hybridsim_proto::linking;
use hybridsim_proto::time::Millis;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use state::State;

/// The one WebSocket a phone opens.
pub const PHONE_SOCKET: SocketId = SocketId(0);

/// The phone's name for a CTAP 2.3 BLE data channel a desktop opened to its PSM.
pub const PHONE_BLE_CHANNEL: SocketId = SocketId(1);

/// Where the phone's WebSocket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    None,
    Requested,
    Open,
    Gone,
}

/// What the transaction produced so far.
#[derive(Debug, Default)]
struct Record {
    handshake_hash: Option<[u8; 32]>,
    linking_sent: bool,
    /// makeCredential / getAssertion requests answered by the authenticator (0 or 1).
    requests_served: u32,
    result: Option<Result<(), PeerError>>,
}

/// What a state transition may touch besides its own state.
struct Cx<'a, H> {
    now: Millis,
    config: &'a mut PhoneConfig<H>,
    rng: &'a mut ChaCha20Rng,
    out: &'a mut Outbox,
    record: &'a mut Record,
    socket: &'a mut Socket,
    /// The BLE data channel.
    ble: &'a mut Socket,
    /// Where the session's messages go: the tunnel, or the BLE channel once it opened.
    data: SocketId,
}

impl<H> Cx<'_, H> {
    /// Ends the transaction successfully, closing the socket if it is up.
    fn succeed(&mut self) -> State {
        if matches!(*self.socket, Socket::Requested | Socket::Open) {
            self.out.close(PHONE_SOCKET, CLOSE_NORMAL);
            *self.socket = Socket::Gone;
        }
        if *self.ble == Socket::Open {
            self.out.close(PHONE_BLE_CHANNEL, CLOSE_NORMAL);
            *self.ble = Socket::Gone;
        }
        self.record.result = Some(Ok(()));
        self.out.finish(Ok(()));
        State::Finished
    }
}

impl<H: CtapHandler> Cx<'_, H> {
    /// The authenticator's reply to the session's makeCredential or getAssertion, counted
    /// and noted.
    fn serve(&mut self, command: u8, params: &[u8]) -> Vec<u8> {
        let reply = self.config.authenticator.handle(command, params);
        self.record.requests_served = self.record.requests_served.saturating_add(1);
        self.out.event(Layer::Ctap, "ctap response", reply.clone());
        reply
    }
}

/// The phone side of one hybrid transaction, as a sans-IO state machine.
///
/// Calling convention (the [`Peer`] trait, as quinn-proto's `Connection`): feed inputs with
/// [`Peer::handle_input`] (`QrScanned` or `WakeUp` starts it) and expired timers with
/// [`Peer::handle_timeout`]; after each call drain [`Peer::poll_output`] until `None` and
/// carry the outputs out in order; then ask [`Peer::poll_timeout`] for the next deadline.
///
/// A phone runs one transaction; make a new one (from the same [`PhoneConfig`] values, and
/// the authenticator taken back with [`Phone::into_authenticator`]) for the next.
pub struct Phone<H: CtapHandler = Authenticator> {
    config: PhoneConfig<H>,
    rng: ChaCha20Rng,
    out: Outbox,
    state: State,
    record: Record,
    socket: Socket,
    ble: Socket,
    data: SocketId,
    /// The transaction timer, from the scan or wake-up.
    deadline: Option<Deadline>,
}

impl<H: CtapHandler> std::fmt::Debug for Phone<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("config", &self.config)
            .field("state", &self.state)
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

impl<H: CtapHandler> Phone<H> {
    /// An idle phone, waiting for `QrScanned` or `WakeUp`.
    pub fn new(config: PhoneConfig<H>) -> Phone<H> {
        let mut out = Outbox::default();
        if config.log_secrets {
            out.keys.enable();
        }
        Phone {
            rng: ChaCha20Rng::from_seed(config.seed),
            config,
            out,
            state: State::Idle,
            record: Record::default(),
            socket: Socket::None,
            ble: Socket::None,
            data: PHONE_SOCKET,
            deadline: None,
        }
    }

    /// Every key-log secret logged so far, in order (none unless
    /// [`PhoneConfig::log_secrets`] is set). Drivers that write as they go remember how many they
    /// wrote.
    pub fn secrets(&self) -> &[crate::keylog::Entry] {
        self.out.keys.entries()
    }

    /// The configuration.
    pub fn config(&self) -> &PhoneConfig<H> {
        &self.config
    }

    /// The authenticator.
    pub fn authenticator(&self) -> &H {
        &self.config.authenticator
    }

    /// The authenticator, mutable (to script the user, plant credentials).
    pub fn authenticator_mut(&mut self) -> &mut H {
        &mut self.config.authenticator
    }

    /// The authenticator, for the phone's next transaction.
    pub fn into_authenticator(self) -> H {
        self.config.authenticator
    }

    /// The phone's identity public key (uncompressed), from its root secret (§8.3): what a
    /// linked desktop runs NKpsk0 against.
    pub fn identity_public_key(&self) -> Option<[u8; 65]> {
        keys::public_of(&linking::identity_private_key(&self.config.root_secret)).ok()
    }

    /// The Noise handshake hash, once the handshake is done.
    pub fn handshake_hash(&self) -> Option<[u8; 32]> {
        self.record.handshake_hash
    }

    /// Whether linking information was sent to the desktop.
    pub fn linking_sent(&self) -> bool {
        self.record.linking_sent
    }

    /// How many makeCredential or getAssertion requests the authenticator answered in this
    /// session (the protocol allows one): what a checker compares with the desktop's and the
    /// relying party's view.
    pub fn requests_served(&self) -> u32 {
        self.record.requests_served
    }

    /// How the transaction ended, once it has.
    pub fn result(&self) -> Option<&Result<(), PeerError>> {
        self.record.result.as_ref()
    }

    /// Which state the transaction is in.
    pub fn phase(&self) -> PhonePhase {
        self.state.phase()
    }

    /// What the transaction waits for, while it runs.
    pub fn waiting(&self) -> Option<Waiting> {
        (!self.is_finished()).then(|| self.state.waiting())
    }

    /// Whether the transaction is over.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    fn step(
        &mut self,
        now: Millis,
        f: impl FnOnce(State, &mut Cx<'_, H>) -> Result<State, Reason>,
    ) {
        let state = std::mem::replace(&mut self.state, State::Finished);
        let mut cx = Cx {
            now,
            config: &mut self.config,
            rng: &mut self.rng,
            out: &mut self.out,
            record: &mut self.record,
            socket: &mut self.socket,
            ble: &mut self.ble,
            data: self.data,
        };
        match f(state, &mut cx) {
            Ok(next) => self.state = next,
            Err(failure) => self.fail(failure),
        }
    }

    fn fail(&mut self, failure: Reason) {
        if matches!(self.socket, Socket::Requested | Socket::Open) {
            self.out.close(PHONE_SOCKET, CLOSE_PROTOCOL_ERROR);
            self.socket = Socket::Gone;
        }
        if self.ble == Socket::Open {
            self.out.close(PHONE_BLE_CHANNEL, CLOSE_PROTOCOL_ERROR);
            self.ble = Socket::Gone;
        }
        let error = PeerError::new(Party::Phone, failure);
        self.record.result = Some(Err(error.clone()));
        self.out.finish(Err(error));
        self.state = State::Finished;
    }

    fn start(&mut self, now: Millis) {
        self.deadline = Some(Deadline::after(now, self.config.timeout));
    }
}

impl<H: CtapHandler> Peer for Phone<H> {
    fn handle_input(&mut self, now: Millis, input: Input) {
        if self.is_finished() {
            return;
        }
        let idle = matches!(self.state, State::Idle);
        match input {
            Input::QrScanned(text) if idle => {
                self.start(now);
                self.step(now, |state, cx| state.on_qr(cx, &text));
            }
            Input::WakeUp {
                tunnel_id,
                routing_id,
                client_payload,
            } if idle => {
                self.start(now);
                self.step(now, |state, cx| {
                    state.on_wake_up(cx, tunnel_id, routing_id, &client_payload)
                });
            }
            Input::QrScanned(_) | Input::WakeUp { .. } => {
                self.out.event(
                    Layer::Qr,
                    "scan or wake-up ignored: a transaction is running",
                    [],
                );
            }
            Input::Advert { .. } => {}
            Input::SocketOpened { socket, headers } if socket == PHONE_SOCKET => {
                self.socket = Socket::Open;
                self.step(now, |state, cx| state.on_open(cx, &headers));
            }
            Input::SocketRefused {
                socket,
                status,
                reason,
            } if socket == PHONE_SOCKET => {
                self.socket = Socket::Gone;
                self.step(now, |_, _| Err(Reason::Refused { status, reason }));
            }
            Input::Message { socket, data } if socket == self.data => {
                self.step(now, |state, cx| state.on_message(cx, data));
            }
            Input::TextMessage { socket } if socket == PHONE_SOCKET => {
                self.step(now, State::on_text);
            }
            Input::SocketClosed { socket, code } if socket == PHONE_SOCKET => {
                self.socket = Socket::Gone;
                self.step(now, |state, cx| state.on_closed(cx, code));
            }
            Input::DataChannelOpened { socket } if socket == PHONE_BLE_CHANNEL => {
                self.on_channel_opened();
            }
            Input::DataChannelClosed { socket } if socket == PHONE_BLE_CHANNEL => {
                let current = self.data == socket;
                self.ble = Socket::Gone;
                if current {
                    self.step(now, State::on_channel_closed);
                }
            }
            Input::SocketOpened { .. }
            | Input::SocketRefused { .. }
            | Input::DataChannelOpened { .. }
            | Input::DataChannelRefused { .. }
            | Input::DataChannelClosed { .. }
            | Input::Message { .. }
            | Input::TextMessage { .. }
            | Input::SocketClosed { .. } => {
                self.out
                    .event(Layer::Tunnel, "input for an unknown socket ignored", []);
            }
        }
    }

    fn handle_timeout(&mut self, now: Millis) {
        if self.is_finished() {
            return;
        }
        if self.state.deadline().is_some_and(|d| d.passed(now)) {
            self.step(now, State::on_timer);
        }
        if !self.is_finished() {
            if let Some(deadline) = self.deadline.filter(|d| d.passed(now)) {
                self.step(now, |state, cx| {
                    state.on_transaction_timeout(cx, deadline.after)
                });
            }
        }
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        if self.is_finished() {
            return None;
        }
        let state = self.state.deadline().map(|d| d.at);
        let transaction = self.deadline.map(|d| d.at);
        match (state, transaction) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
