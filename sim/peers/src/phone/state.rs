//! The phone's states and transitions.

use super::link::{linking_info, update_plaintext};
use super::{CtapHandler, Cx, Socket, UpdateTiming, PHONE_SOCKET};
use crate::common::{
    base_headers, check_subprotocol, draw, draw_scalar, header_values, tunnel_url, Deadline,
    MAX_MESSAGE_LEN, ROUTING_ID_HEADER,
};
use crate::io::{Layer, Output};
use crate::keylog::Label;
use crate::outcome::{Reason, Waiting};
use core::time::Duration;
use hybridsim_proto::advert::{self, Eid, EID_LEN};
use hybridsim_proto::cbor::{self, Strictness};
use hybridsim_proto::crypter::Crypter;
use hybridsim_proto::derive::{self, Purpose};
use hybridsim_proto::domain;
use hybridsim_proto::linking::{self, ClientPayload};
use hybridsim_proto::message::{Message, MessageError, MessageType, ProtocolRevision};
use hybridsim_proto::noise::Responder;
use hybridsim_proto::qr::QrPayload;
use hybridsim_proto::tunnel_url::Route;

/// CTAP command bytes the phone treats specially (Chromium `ProcessCTAPMessage`).
const MAKE_CREDENTIAL: u8 = 0x01;
const GET_ASSERTION: u8 = 0x02;
const GET_INFO: u8 = 0x04;
const SELECTION: u8 = 0x0B;

/// The phone's state.
#[derive(Debug)]
pub(super) enum State {
    /// Waiting for a QR scan or a wake-up.
    Idle,
    /// Started; the WebSocket opens when the connect delay is over.
    Starting(Starting),
    /// The WebSocket is being opened.
    Connecting(Connecting),
    /// Advertising; waiting for Noise message 1.
    AwaitingHandshake(AwaitingHandshake),
    /// Post-handshake message sent; waiting for the CTAP request.
    AwaitingRequest(Session),
    /// Reply sent; waiting for the desktop's shutdown or close.
    AwaitingShutdown(Session),
    /// Over (the `Finished` output has been queued).
    Finished,
}

/// Which transaction this is, with what it needs.
#[derive(Clone)]
enum Flow {
    /// After a QR scan.
    Qr {
        payload: Box<QrPayload>,
        /// QR key 4 said true and the configuration allows linking.
        linking: bool,
    },
    /// After a wake-up for a linked desktop.
    Linked {
        link_secret: [u8; 32],
        client_nonce: [u8; 16],
        tunnel_id: [u8; 16],
        routing_id: [u8; 3],
    },
}

impl std::fmt::Debug for Flow {
    /// Which flow, without its secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flow::Qr { linking, .. } => f
                .debug_struct("Qr")
                .field("linking", linking)
                .finish_non_exhaustive(),
            Flow::Linked {
                tunnel_id,
                routing_id,
                ..
            } => f
                .debug_struct("Linked")
                .field("tunnel_id", &hex::encode_upper(tunnel_id))
                .field("routing_id", &hex::encode_upper(routing_id))
                .finish_non_exhaustive(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Starting {
    flow: Flow,
    deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct Connecting {
    flow: Flow,
}

pub(super) struct AwaitingHandshake {
    flow: Flow,
    psk: [u8; 32],
}

impl std::fmt::Debug for AwaitingHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwaitingHandshake")
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

/// The established channel.
#[derive(Debug)]
pub(super) struct Session {
    crypter: Crypter,
    revision: ProtocolRevision,
    /// An update message held back until after the reply ([`UpdateTiming::AfterCtapReply`]).
    pending_update: Option<Vec<u8>>,
}

impl State {
    /// The state's own timer (the connect delay).
    pub(super) fn deadline(&self) -> Option<Deadline> {
        match self {
            State::Starting(s) => Some(s.deadline),
            _ => None,
        }
    }

    /// What the state waits for (for timeouts and unexpected closes).
    pub(super) fn waiting(&self) -> Waiting {
        match self {
            State::Idle | State::Starting(_) | State::Connecting(_) => Waiting::TunnelOpen,
            State::AwaitingHandshake(_) => Waiting::Handshake,
            State::AwaitingRequest(_) => Waiting::Ctap,
            State::AwaitingShutdown(_) | State::Finished => Waiting::Shutdown,
        }
    }

    /// The transaction timer ran out. After the reply that is the normal end (Chromium's
    /// phone counts any disconnect after the first transaction as success).
    pub(super) fn on_transaction_timeout<H>(
        self,
        cx: &mut Cx<'_, H>,
        after: Duration,
    ) -> Result<State, Reason> {
        match self {
            State::AwaitingShutdown(_) => Ok(end(cx, "no shutdown within the phone's timeout")),
            other => Err(Reason::Timeout {
                waiting: other.waiting(),
                after,
            }),
        }
    }

    /// Chromium `qr::Parse`, then the tunnel after the connect delay.
    pub(super) fn on_qr<H>(self, cx: &mut Cx<'_, H>, text: &str) -> Result<State, Reason> {
        let payload = QrPayload::parse(text).map_err(Reason::Qr)?;
        cx.out.event(Layer::Qr, "qr scanned", payload.to_cbor());
        super::wire::read_key6(cx, &payload)?;
        let linking = payload.linking == Some(true) && cx.config.offer_linking;
        cx.out.secret(Layer::Ble, "eid key", payload.eid_key());
        cx.out.keys.qr(&payload.secret);
        Ok(start(
            cx,
            Flow::Qr {
                payload: Box::new(payload),
                linking,
            },
        ))
    }

    /// A linked desktop asked for this phone (docs/protocol.md §8.3 phone steps 1–2).
    pub(super) fn on_wake_up<H>(
        self,
        cx: &mut Cx<'_, H>,
        tunnel_id: [u8; 16],
        routing_id: [u8; 3],
        client_payload: &[u8],
    ) -> Result<State, Reason> {
        let payload = ClientPayload::decode(client_payload).map_err(Reason::ClientPayload)?;
        cx.out
            .event(Layer::Tunnel, "wake-up", client_payload.to_vec());
        let contact_id =
            (!cx.config.contact_id.is_empty()).then_some(cx.config.contact_id.as_slice());
        let link_secret =
            linking::link_secret(&cx.config.root_secret, contact_id, &payload.link_id);
        cx.out
            .linked_phone(tunnel_id, &cx.config.root_secret, &link_secret);
        Ok(start(
            cx,
            Flow::Linked {
                link_secret,
                client_nonce: payload.client_nonce,
                tunnel_id,
                routing_id,
            },
        ))
    }

    pub(super) fn on_timer<H>(self, cx: &mut Cx<'_, H>) -> Result<State, Reason> {
        match self {
            State::Starting(s) => s.connect(cx),
            other => Ok(other),
        }
    }

    pub(super) fn on_open<H>(
        self,
        cx: &mut Cx<'_, H>,
        headers: &[(String, String)],
    ) -> Result<State, Reason> {
        match self {
            State::Connecting(s) => s.on_open(cx, headers),
            other => {
                cx.out.event(
                    Layer::Tunnel,
                    "SocketOpened ignored: no connection was pending",
                    [],
                );
                Ok(other)
            }
        }
    }

    pub(super) fn on_message<H: CtapHandler>(
        self,
        cx: &mut Cx<'_, H>,
        data: Vec<u8>,
    ) -> Result<State, Reason> {
        if data.len() > MAX_MESSAGE_LEN {
            return match self {
                State::AwaitingShutdown(_) => Ok(end(cx, "a message over 1 MiB")),
                _ => Err(Reason::TooBig(data.len())),
            };
        }
        match self {
            State::AwaitingHandshake(s) => s.on_message(cx, &data),
            State::AwaitingRequest(s) => s.on_message(cx, &data, false),
            State::AwaitingShutdown(s) => s.on_message(cx, &data, true),
            other => Err(Reason::UnexpectedData {
                len: data.len(),
                waiting: other.waiting(),
            }),
        }
    }

    pub(super) fn on_text<H>(self, cx: &mut Cx<'_, H>) -> Result<State, Reason> {
        match self {
            // Chromium's adapter reports a non-binary frame as a disconnect, which after
            // the reply is the normal end.
            State::AwaitingShutdown(_) => Ok(end(cx, "a text WebSocket message")),
            _ => Err(Reason::TextMessage),
        }
    }

    pub(super) fn on_closed<H>(self, cx: &mut Cx<'_, H>, code: u16) -> Result<State, Reason> {
        match self {
            State::AwaitingShutdown(_) => Ok(end(cx, "the tunnel closed")),
            State::AwaitingRequest(_) => Err(Reason::EndedBeforeRequest),
            other => Err(Reason::Closed {
                code,
                waiting: other.waiting(),
            }),
        }
    }
}

fn start<H>(cx: &mut Cx<'_, H>, flow: Flow) -> State {
    State::Starting(Starting {
        flow,
        deadline: Deadline::after(cx.now, cx.config.connect_delay),
    })
}

/// The normal end after the reply.
fn end<H>(cx: &mut Cx<'_, H>, why: &str) -> State {
    cx.out
        .event(Layer::Transport, format!("session ended: {why}"), []);
    cx.succeed()
}

impl Starting {
    /// `/cable/new/{tunnel id}` (QR) or `/cable/connect/{routing}/{tunnel}` (linked), on the
    /// phone's own tunnel server.
    fn connect<H>(self, cx: &mut Cx<'_, H>) -> Result<State, Reason> {
        let route = match &self.flow {
            Flow::Qr { payload, .. } => Route::New {
                tunnel_id: payload.tunnel_id(),
            },
            Flow::Linked {
                tunnel_id,
                routing_id,
                ..
            } => Route::Connect {
                routing_id: *routing_id,
                tunnel_id: *tunnel_id,
            },
        };
        let domain_id = cx.config.domain_id;
        let url = tunnel_url(domain_id, cx.config.tunnel.as_ref(), route)
            .map_err(|_| Reason::Domain(domain_id))?;
        let headers = base_headers(&url);
        cx.out.push(Output::Connect {
            socket: PHONE_SOCKET,
            url,
            headers,
        });
        *cx.socket = Socket::Requested;
        Ok(State::Connecting(Connecting { flow: self.flow }))
    }
}

/// Chromium's `WebSocketAdapter`: exactly one `X-caBLE-Routing-ID` of 3 bytes in hex.
fn routing_id(headers: &[(String, String)]) -> Result<[u8; 3], Reason> {
    match header_values(headers, ROUTING_ID_HEADER).as_slice() {
        [] => Err(Reason::RoutingId("header absent".to_owned())),
        [value] => {
            let mut id = [0u8; 3];
            hex::decode_to_slice(value.trim(), &mut id)
                .map_err(|_| Reason::RoutingId(format!("{value:?} is not 6 hex digits")))?;
            Ok(id)
        }
        several => Err(Reason::RoutingId(format!(
            "header given {} times",
            several.len()
        ))),
    }
}

/// The linked flow's EID plaintext: random, byte 0 zero, and never reading as a reserved
/// domain id (2..=255), which Chromium's desktop would refuse (docs/protocol.md §4.1 note).
fn linked_plaintext(cx: &mut Cx<'_, impl Sized>) -> [u8; EID_LEN] {
    loop {
        let mut plaintext: [u8; EID_LEN] = draw(cx.rng);
        if let Some(first) = plaintext.first_mut() {
            *first = 0;
        }
        let [.., lo, hi] = plaintext;
        if domain::kind(u16::from_le_bytes([lo, hi])).is_ok() {
            return plaintext;
        }
    }
}

impl Connecting {
    /// Builds and broadcasts the advert, and derives the PSK (Chromium `OnTunnelReady`).
    fn on_open<H>(self, cx: &mut Cx<'_, H>, headers: &[(String, String)]) -> Result<State, Reason> {
        check_subprotocol(headers)?;
        let (plaintext, eid_key, secret): ([u8; EID_LEN], [u8; 64], Vec<u8>) = match &self.flow {
            Flow::Qr { payload, .. } => {
                let routing_id = routing_id(headers)?;
                cx.out
                    .event(Layer::Tunnel, "routing id", routing_id.to_vec());
                let eid = Eid {
                    nonce: draw(cx.rng),
                    routing_id,
                    domain_id: cx.config.domain_id,
                };
                (
                    eid.to_plaintext(),
                    payload.eid_key(),
                    payload.secret.to_vec(),
                )
            }
            Flow::Linked {
                link_secret,
                client_nonce,
                ..
            } => {
                let eid_key = derive::derive(link_secret, client_nonce, Purpose::EidKey);
                cx.out.secret(Layer::Ble, "eid key", eid_key);
                (linked_plaintext(cx), eid_key, link_secret.to_vec())
            }
        };
        let is_qr = matches!(self.flow, Flow::Qr { .. });
        let data = super::wire::advert_bytes(cx, &advert::encrypt(&eid_key, &plaintext), is_qr);
        let psk = derive::psk(&secret, &plaintext);
        cx.out.event(Layer::Ble, "eid plaintext", plaintext);
        cx.out.key(Label::Psk, Layer::Noise, "psk", &psk);
        cx.out.push(Output::Advertise {
            uuid: cx.config.advert_uuid,
            data,
        });
        Ok(State::AwaitingHandshake(AwaitingHandshake {
            flow: self.flow,
            psk,
        }))
    }
}

impl AwaitingHandshake {
    /// Chromium `RespondToHandshake`, then the post-handshake message and (QR flow) the
    /// update message.
    fn on_message<H: CtapHandler>(self, cx: &mut Cx<'_, H>, data: &[u8]) -> Result<State, Reason> {
        let ephemeral = draw_scalar(cx.rng);
        cx.out
            .ephemeral(Label::PhoneEphemeralPrivateKey, &ephemeral);
        let responder = match &self.flow {
            Flow::Qr { payload, .. } => {
                Responder::qr_initiated(&self.psk, &payload.public_key, &ephemeral)?
            }
            Flow::Linked { .. } => Responder::linked(
                &self.psk,
                &linking::identity_private_key(&cx.config.root_secret),
                &ephemeral,
            )?,
        };
        let (message, done) = responder.read_message_1(data)?.write_message_2()?;
        cx.out.send(cx.data, message.to_vec());
        cx.out.push(Output::StopAdvertising);
        cx.out.handshake_done(&done, false);
        cx.record.handshake_hash = Some(done.handshake_hash);
        let crypter = Crypter::new(done.read_key, done.write_key, cx.config.construction);
        let revision = cx.config.revision;
        let linking = match &self.flow {
            Flow::Qr {
                payload,
                linking: true,
            } => Some(linking_info(cx, payload, &done)?),
            _ => None,
        };
        let is_qr = matches!(self.flow, Flow::Qr { .. });
        // Revision 0 has no update message, so linking info rides in post-handshake key 2, as
        // it did then; so it does when updates are turned off.
        let updates =
            is_qr && revision == ProtocolRevision::V1 && cx.config.update != UpdateTiming::Never;
        let (in_post_handshake, in_update) = if updates {
            (None, linking)
        } else {
            (linking, None)
        };
        cx.record.linking_sent = in_post_handshake.is_some() || in_update.is_some();
        let mut session = Session {
            crypter,
            revision,
            pending_update: None,
        };
        let mut post_handshake = super::wire::post_handshake(cx);
        post_handshake.linking = in_post_handshake;
        let plaintext = post_handshake.encode(revision);
        if post_handshake.linking.is_some() {
            cx.out.secret(
                Layer::Transport,
                "post-handshake message",
                plaintext.clone(),
            );
        } else {
            cx.out.event(
                Layer::Transport,
                "post-handshake message",
                plaintext.clone(),
            );
        }
        let wire = session.crypter.encrypt(&plaintext)?;
        cx.out.send(cx.data, wire);
        if updates {
            let update = update_plaintext(cx, in_update);
            match cx.config.update {
                UpdateTiming::AfterCtapReply => session.pending_update = Some(update),
                _ => session.send_update(cx, &update)?,
            }
        }
        Ok(State::AwaitingRequest(session))
    }
}

/// A CTAP response message from the authenticator's `status ‖ CBOR`.
fn ctap_message(reply: Vec<u8>) -> Message {
    Message {
        message_type: MessageType::Ctap,
        payload: reply,
    }
}

impl Session {
    fn send_update<H>(&mut self, cx: &mut Cx<'_, H>, plaintext: &[u8]) -> Result<(), Reason> {
        let wire = self.crypter.encrypt(plaintext)?;
        cx.out.send(cx.data, wire);
        Ok(())
    }

    fn send<H>(&mut self, cx: &mut Cx<'_, H>, message: &Message) -> Result<(), Reason> {
        let plaintext = message.encode(self.revision)?;
        let wire = self.crypter.encrypt(&plaintext)?;
        cx.out.send(cx.data, wire);
        Ok(())
    }

    /// One message from the desktop, before (`replied` false) or after the reply.
    fn on_message<H: CtapHandler>(
        mut self,
        cx: &mut Cx<'_, H>,
        data: &[u8],
        replied: bool,
    ) -> Result<State, Reason> {
        let plaintext = self.crypter.decrypt(data)?;
        let message = match Message::parse(&plaintext, self.revision) {
            Ok(message) => message,
            // Chromium: an unknown type is a disconnect, the normal end after the reply.
            Err(MessageError::UnknownType(byte)) if replied => {
                return Ok(end(cx, &format!("unknown message type {byte:#04x}")))
            }
            Err(error) => return Err(error.into()),
        };
        match message.message_type {
            MessageType::Shutdown if replied => Ok(end(cx, "the desktop sent shutdown")),
            MessageType::Shutdown => Err(Reason::EndedBeforeRequest),
            MessageType::Update => {
                cx.out.event(
                    Layer::Transport,
                    "update from the desktop",
                    message.payload.clone(),
                );
                // The payload means nothing yet, but it must be CBOR.
                match cbor::decode(&message.payload, Strictness::Canonical) {
                    Ok(_) => Ok(self.stay(replied)),
                    Err(_) if replied => Ok(end(cx, "an update from the desktop that is not CBOR")),
                    Err(error) => Err(Reason::DesktopUpdate(error)),
                }
            }
            MessageType::Json => Err(Reason::InvalidCtap(
                "a JSON message; this phone speaks CTAP".to_owned(),
            )),
            MessageType::Ctap => self.on_ctap(cx, &message.payload, replied),
        }
    }

    fn stay(self, replied: bool) -> State {
        if replied {
            State::AwaitingShutdown(self)
        } else {
            State::AwaitingRequest(self)
        }
    }

    /// Chromium `ProcessCTAPMessage`, with the authenticator answering.
    fn on_ctap<H: CtapHandler>(
        mut self,
        cx: &mut Cx<'_, H>,
        payload: &[u8],
        replied: bool,
    ) -> Result<State, Reason> {
        cx.out.event(Layer::Ctap, "ctap request", payload.to_vec());
        let Some((&command, params)) = payload.split_first() else {
            return Err(Reason::InvalidCtap("empty CTAP message".to_owned()));
        };
        match command {
            GET_INFO if !params.is_empty() => {
                Err(Reason::InvalidCtap("getInfo with parameters".to_owned()))
            }
            GET_INFO => {
                let reply = cx.config.authenticator.handle(GET_INFO, &[]);
                cx.out.event(Layer::Ctap, "ctap response", reply.clone());
                self.send(cx, &ctap_message(reply))?;
                Ok(self.stay(replied))
            }
            MAKE_CREDENTIAL | GET_ASSERTION if replied => Err(Reason::SecondRequest(command)),
            MAKE_CREDENTIAL | GET_ASSERTION => self.answer(cx, command, params),
            SELECTION if !params.is_empty() => Err(Reason::InvalidCtap(
                "authenticatorSelection with parameters".to_owned(),
            )),
            SELECTION => Err(Reason::Selection),
            other => Err(Reason::InvalidCtap(format!("unknown command {other:#04x}"))),
        }
    }

    /// The one makeCredential or getAssertion of the session.
    fn answer<H: CtapHandler>(
        mut self,
        cx: &mut Cx<'_, H>,
        command: u8,
        params: &[u8],
    ) -> Result<State, Reason> {
        if cx.config.faults.shutdown_before_reply {
            cx.out.event(
                Layer::Transport,
                "fault: shutdown sent instead of the reply",
                [],
            );
            self.send(cx, &Message::shutdown())?;
            return Ok(State::AwaitingShutdown(self));
        }
        let reply = cx.serve(command, params);
        self.send(cx, &ctap_message(reply))?;
        if let Some(update) = self.pending_update.take() {
            self.send_update(cx, &update)?;
        }
        if cx.config.shutdown_after_reply && self.revision == ProtocolRevision::V1 {
            cx.out
                .event(Layer::Transport, "shutdown sent (webauthn-rs quirk)", []);
            self.send(cx, &Message::shutdown())?;
            return Ok(cx.succeed());
        }
        Ok(State::AwaitingShutdown(self))
    }
}
