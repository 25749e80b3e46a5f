//! The desktop (client platform, browser): shows the QR code or contacts a linked phone,
//! matches the phone's advert, runs the Noise handshake as initiator, sends one CTAP request
//! and lingers for late linking information (docs/protocol.md §1, §4.3, §6, §7, §8.3).
//!
//! States, each a struct consumed by its transitions (`state.rs`, `established.rs`):
//!
//! ```text
//! QR flow:     AwaitingAdvert ─advert─▶ Connecting ─open: send msg 1─▶ AwaitingHandshake
//! linked flow: Contacting ─open─▶ AwaitingLinkedAdvert ─advert: send msg 1─▶ [AwaitingConnectSignal ─00─▶] AwaitingHandshake
//!              (an advert before the open: msg 1 goes out on the open)
//! both:        AwaitingHandshake ─msg 2─▶ AwaitingPostHandshake ─post-handshake: send request─▶
//!              AwaitingCtapResponse ─response: send shutdown─▶ Lingering ─timer or close─▶ Finished(Ok)
//! ```
//!
//! When the QR code offered the CTAP 2.3 BLE channel and the advert's suffix offers it too,
//! `Connecting` opens that channel instead of `/cable/connect` and every later message travels
//! on it; a refused channel falls back to `/cable/connect` (`channel.rs`).
//!
//! Revision 0 has no shutdown message: the desktop closes as soon as the response is in.
//! Every failure ends in `Close` (if the socket is up) and `Finished(Err)`.

mod advert;
mod channel;
mod config;
mod established;
mod get_info_check;
mod phase;
mod profile;
mod state;
#[cfg(test)]
mod tests;

pub use config::{
    CrypterPolicy, CtapRequest, DesktopConfig, LinkedDevice, QrOptions, Timeouts, UpdatePolicy,
    DEFAULT_KNOWN_DOMAINS, DEFAULT_LINGER, DEFAULT_UNIX_EPOCH,
};
pub use get_info_check::{GetInfoProblem, GetInfoValidation};
pub use profile::{DesktopProfile, DesktopProfileError};

use crate::common::{Outbox, CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR};
use crate::io::{Input, Layer, Output, Peer, SocketId};
use crate::outcome::Reason;
use crate::outcome::{DesktopPhase, Party, PeerError, Waiting};
use advert::{is_hybrid_uuid, match_advert, Ignored};
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_proto::time::Millis;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use state::State;
use std::collections::BTreeSet;

/// The one WebSocket a desktop opens.
pub const DESKTOP_SOCKET: SocketId = SocketId(0);

/// The CTAP 2.3 BLE data channel a desktop opens when both sides offer it.
pub const DESKTOP_BLE_CHANNEL: SocketId = SocketId(1);

/// Where the desktop's WebSocket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    /// Not asked for yet.
    None,
    /// `Connect` was output; no answer yet.
    Requested,
    /// Open.
    Open,
    /// Refused, closed by the other end, or closed by the desktop.
    Gone,
}

/// What the transaction produced so far (read by the accessors).
#[derive(Debug, Default)]
struct Record {
    qr_url: Option<String>,
    handshake_hash: Option<[u8; 32]>,
    revision: Option<ProtocolRevision>,
    ctap_response: Option<Vec<u8>>,
    linked_device: Option<LinkedDevice>,
    forget_link: bool,
    result: Option<Result<(), PeerError>>,
}

/// What a state transition may touch besides its own state.
struct Cx<'a> {
    now: Millis,
    config: &'a DesktopConfig,
    rng: &'a mut ChaCha20Rng,
    out: &'a mut Outbox,
    record: &'a mut Record,
    socket: &'a mut Socket,
    /// The BLE data channel.
    ble: &'a mut Socket,
    /// Where the session's messages go: the tunnel, or the BLE channel.
    data: &'a mut SocketId,
}

impl Cx<'_> {
    /// Ends the transaction successfully: closes the socket if it is up.
    fn succeed(&mut self) {
        if matches!(*self.socket, Socket::Requested | Socket::Open) {
            self.out.close(DESKTOP_SOCKET, CLOSE_NORMAL);
            *self.socket = Socket::Gone;
        }
        if matches!(*self.ble, Socket::Requested | Socket::Open) {
            self.out.close(DESKTOP_BLE_CHANNEL, CLOSE_NORMAL);
            *self.ble = Socket::Gone;
        }
        self.record.result = Some(Ok(()));
        self.out.finish(Ok(()));
    }
}

/// The desktop side of one hybrid transaction, as a sans-IO state machine.
///
/// Calling convention (the [`Peer`] trait, as quinn-proto's `Connection`): feed inputs with
/// [`Peer::handle_input`] and expired timers with [`Peer::handle_timeout`]; after each call
/// drain [`Peer::poll_output`] until `None` and carry the outputs out in order; then ask
/// [`Peer::poll_timeout`] for the next deadline. [`Desktop::new`] already queues the first
/// outputs (`ShowQr`, or the `/cable/contact` connect).
///
/// The accessors ([`qr_url`](Desktop::qr_url), [`handshake_hash`](Desktop::handshake_hash),
/// [`revision`](Desktop::revision), [`ctap_response`](Desktop::ctap_response),
/// [`linked_device`](Desktop::linked_device), [`should_forget_link`](Desktop::should_forget_link),
/// [`result`](Desktop::result)) report what the transaction produced so far.
#[derive(Debug)]
pub struct Desktop {
    config: DesktopConfig,
    rng: ChaCha20Rng,
    out: Outbox,
    state: State,
    record: Record,
    socket: Socket,
    ble: Socket,
    data: SocketId,
    seen_adverts: BTreeSet<Vec<u8>>,
}

impl Desktop {
    /// Starts a transaction at `now`: the QR flow, or the linked flow when
    /// [`DesktopConfig::linked_device`] is set.
    pub fn new(config: DesktopConfig, now: Millis) -> Desktop {
        let mut desktop = Desktop {
            rng: ChaCha20Rng::from_seed(config.seed),
            config,
            out: Outbox::default(),
            state: State::Finished,
            record: Record::default(),
            socket: Socket::None,
            ble: Socket::None,
            data: DESKTOP_SOCKET,
            seen_adverts: BTreeSet::new(),
        };
        if desktop.config.log_secrets {
            desktop.out.keys.enable();
        }
        desktop.step(now, State::start);
        desktop
    }

    /// The configuration.
    pub fn config(&self) -> &DesktopConfig {
        &self.config
    }

    /// The `FIDO:/` text shown (QR flow).
    pub fn qr_url(&self) -> Option<&str> {
        self.record.qr_url.as_deref()
    }

    /// The Noise handshake hash, once the handshake is done.
    pub fn handshake_hash(&self) -> Option<[u8; 32]> {
        self.record.handshake_hash
    }

    /// The protocol revision detected from the post-handshake message.
    pub fn revision(&self) -> Option<ProtocolRevision> {
        self.record.revision
    }

    /// The phone's CTAP response, `status ‖ CBOR`, once it arrived (a CTAP error status is
    /// still a response: the transaction itself succeeds).
    pub fn ctap_response(&self) -> Option<&[u8]> {
        self.record.ctap_response.as_deref()
    }

    /// Linking information received and verified in this (QR) transaction, ready to store for
    /// a later linked transaction.
    pub fn linked_device(&self) -> Option<&LinkedDevice> {
        self.record.linked_device.as_ref()
    }

    /// True when the tunnel server answered 410 Gone to `/cable/contact`: the stored
    /// [`LinkedDevice`] is dead and must be deleted (Chromium `pairing_is_invalid`).
    pub fn should_forget_link(&self) -> bool {
        self.record.forget_link
    }

    /// How the transaction ended, once it has.
    pub fn result(&self) -> Option<&Result<(), PeerError>> {
        self.record.result.as_ref()
    }

    /// Every key-log secret logged so far, in order (none unless
    /// [`DesktopConfig::log_secrets`] is set). Drivers that write as they go remember how many they
    /// wrote.
    pub fn secrets(&self) -> &[crate::keylog::Entry] {
        self.out.keys.entries()
    }

    /// Which state the transaction is in.
    pub fn phase(&self) -> DesktopPhase {
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

    fn step(&mut self, now: Millis, f: impl FnOnce(State, &mut Cx<'_>) -> Result<State, Reason>) {
        let state = std::mem::replace(&mut self.state, State::Finished);
        let mut cx = Cx {
            now,
            config: &self.config,
            rng: &mut self.rng,
            out: &mut self.out,
            record: &mut self.record,
            socket: &mut self.socket,
            ble: &mut self.ble,
            data: &mut self.data,
        };
        match f(state, &mut cx) {
            Ok(next) => self.state = next,
            Err(failure) => self.fail(failure),
        }
    }

    fn fail(&mut self, failure: Reason) {
        if matches!(self.socket, Socket::Requested | Socket::Open) {
            self.out.close(DESKTOP_SOCKET, CLOSE_PROTOCOL_ERROR);
            self.socket = Socket::Gone;
        }
        if matches!(self.ble, Socket::Requested | Socket::Open) {
            self.out.close(DESKTOP_BLE_CHANNEL, CLOSE_PROTOCOL_ERROR);
            self.ble = Socket::Gone;
        }
        let error = PeerError::new(Party::Desktop, failure);
        self.record.result = Some(Err(error.clone()));
        self.out.finish(Err(error));
        self.state = State::Finished;
    }

    fn on_advert(&mut self, now: Millis, uuid: u16, data: Vec<u8>) {
        let verdict = if !is_hybrid_uuid(uuid) {
            Err(Ignored::Uuid(uuid))
        } else if !self.config.scan_uuids.contains(&uuid) {
            Err(Ignored::NotScanned(uuid))
        } else if !self.seen_adverts.insert(data.clone()) {
            // Chromium drops an advert it has seen before without a word; phones repeat the
            // same advert for as long as they broadcast, so a note each time would be noise.
            return;
        } else {
            match self.state.advert_candidates() {
                None => Err(Ignored::Committed),
                Some(candidates) => match_advert(
                    &candidates,
                    &data,
                    self.config.advert_length,
                    self.config.qr.known_domains,
                ),
            }
        };
        match verdict {
            Err(ignored) => self.out.event(Layer::Ble, ignored.describe(), data),
            Ok(matched) => self.step(now, |state, cx| state.on_advert_matched(cx, matched)),
        }
    }
}

impl Peer for Desktop {
    fn handle_input(&mut self, now: Millis, input: Input) {
        if self.is_finished() {
            return;
        }
        match input {
            Input::Advert { uuid, data, .. } => self.on_advert(now, uuid, data),
            Input::QrScanned(_) | Input::WakeUp { .. } => {
                self.out.event(
                    Layer::Tunnel,
                    "input for a phone ignored by the desktop",
                    [],
                );
            }
            Input::SocketOpened { socket, headers } if socket == DESKTOP_SOCKET => {
                self.socket = Socket::Open;
                self.step(now, |state, cx| state.on_open(cx, &headers));
            }
            Input::SocketRefused {
                socket,
                status,
                reason,
            } if socket == DESKTOP_SOCKET => {
                self.socket = Socket::Gone;
                self.step(now, |state, cx| state.on_refused(cx, status, reason));
            }
            Input::Message { socket, data } if socket == self.data => {
                self.step(now, |state, cx| state.on_message(cx, data));
            }
            Input::TextMessage { socket } if socket == DESKTOP_SOCKET => {
                self.step(now, |state, cx| state.on_text(cx));
            }
            Input::SocketClosed { socket, code } if socket == DESKTOP_SOCKET => {
                self.socket = Socket::Gone;
                self.step(now, |state, cx| state.on_closed(cx, code));
            }
            Input::DataChannelOpened { socket } if socket == DESKTOP_BLE_CHANNEL => {
                self.ble = Socket::Open;
                self.step(now, State::on_channel_open);
            }
            Input::DataChannelRefused { socket, reason } if socket == DESKTOP_BLE_CHANNEL => {
                self.ble = Socket::Gone;
                self.step(now, |state, cx| state.on_channel_refused(cx, &reason));
            }
            Input::DataChannelClosed { socket } if socket == DESKTOP_BLE_CHANNEL => {
                self.ble = Socket::Gone;
                self.step(now, State::on_channel_closed);
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
        if self.state.deadline().is_some_and(|d| d.passed(now)) {
            self.step(now, State::on_timeout);
        }
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.state.deadline().map(|d| d.at)
    }
}
