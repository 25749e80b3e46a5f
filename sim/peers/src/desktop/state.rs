//! The desktop's states up to the handshake, and the dispatch of inputs to states.

use super::advert::{AdvertMatched, Candidate};
use super::established::{AwaitingCtapResponse, AwaitingPostHandshake, Lingering, Next, QrLinking};
use super::{Cx, LinkedDevice, Socket, DESKTOP_SOCKET};
use crate::common::{
    base_headers, check_subprotocol, draw, draw_scalar, header_values, tunnel_url, Deadline,
    CLIENT_PAYLOAD_HEADER, MAX_MESSAGE_LEN, SIGNAL_CONNECTION_HEADER,
};
use crate::io::{Layer, Output};
use crate::keylog::Label;
use crate::outcome::{Reason, Waiting};
use hybridsim_proto::cbor::Value;
use hybridsim_proto::channels::Channel;
use hybridsim_proto::derive::{self, Purpose};
use hybridsim_proto::keys;
use hybridsim_proto::linking::ClientPayload;
use hybridsim_proto::noise::{Initiator, InitiatorAwaitingResponse};
use hybridsim_proto::qr::QrPayload;
use hybridsim_proto::tunnel_url::Route;

/// The desktop's state. Transitions consume the state and return the next one, or the
/// failure that ends the transaction.
#[derive(Debug)]
pub(super) enum State {
    /// QR flow: the QR code is shown; scanning for the phone's advert.
    AwaitingAdvert(AwaitingAdvert),
    /// QR flow: an advert matched; the `/cable/connect` WebSocket is being opened.
    Connecting(Connecting),
    /// Linked flow: the `/cable/contact` WebSocket is being opened (an advert may already
    /// have matched).
    Contacting(Contacting),
    /// Linked flow: the WebSocket is open; scanning for the phone's advert.
    AwaitingLinkedAdvert(AwaitingLinkedAdvert),
    /// Linked flow: message 1 is out; the server's `00` connect signal comes first.
    AwaitingConnectSignal(AwaitingConnectSignal),
    /// Message 1 is out; waiting for message 2.
    AwaitingHandshake(AwaitingHandshake),
    /// Handshake done; waiting for the phone's post-handshake message.
    AwaitingPostHandshake(AwaitingPostHandshake),
    /// The CTAP request is out.
    AwaitingCtapResponse(AwaitingCtapResponse),
    /// The response is in and the shutdown sent; reading late update messages.
    Lingering(Lingering),
    /// Over (the `Finished` output has been queued).
    Finished,
}

/// The QR flow's key material.
#[derive(Clone)]
pub(super) struct QrKeys {
    /// The identity private key behind QR key 0.
    identity_private: [u8; 32],
    /// The QR secret (key 1).
    secret: [u8; 16],
    /// Derive(secret, empty, 1).
    eid_key: [u8; 64],
}

impl std::fmt::Debug for QrKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QrKeys { .. }")
    }
}

/// The linked flow's key material.
#[derive(Clone)]
pub(super) struct LinkedKeys {
    device: LinkedDevice,
    /// Derive(link secret, client nonce, 1).
    eid_key: [u8; 64],
}

impl std::fmt::Debug for LinkedKeys {
    /// The advert key is left out (the device's own `Debug` leaves out the link secret).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedKeys")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub(super) struct AwaitingAdvert {
    pub(super) keys: QrKeys,
    deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct Connecting {
    pub(super) keys: QrKeys,
    pub(super) matched: AdvertMatched,
    /// The data channel being opened: the tunnel, or the CTAP 2.3 BLE channel.
    pub(super) via: Channel,
    pub(super) deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct Contacting {
    keys: LinkedKeys,
    matched: Option<AdvertMatched>,
    deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct AwaitingLinkedAdvert {
    keys: LinkedKeys,
    /// The server echoed `X-caBLE-Signal-Connection` and has not sent the signal yet.
    signal_pending: bool,
    deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct AwaitingConnectSignal {
    handshake: InitiatorAwaitingResponse,
    deadline: Deadline,
}

#[derive(Debug)]
pub(super) struct AwaitingHandshake {
    handshake: InitiatorAwaitingResponse,
    linking: Option<QrLinking>,
    deadline: Deadline,
}

impl From<Next> for State {
    fn from(next: Next) -> State {
        match next {
            Next::AwaitingCtapResponse(s) => State::AwaitingCtapResponse(s),
            Next::Lingering(s) => State::Lingering(s),
            Next::Finished => State::Finished,
        }
    }
}

impl State {
    /// The first state: QR shown, or the contact request made.
    pub(super) fn start(self, cx: &mut Cx<'_>) -> Result<State, Reason> {
        match cx.config.linked_device.clone() {
            None => start_qr(cx),
            Some(device) => start_linked(cx, device),
        }
    }

    /// The keys adverts are tried with, or `None` once a phone is chosen.
    pub(super) fn advert_candidates(&self) -> Option<Vec<Candidate<'_>>> {
        match self {
            State::AwaitingAdvert(s) => Some(vec![Candidate {
                eid_key: &s.keys.eid_key,
                secret: &s.keys.secret,
            }]),
            State::Contacting(Contacting {
                keys,
                matched: None,
                ..
            })
            | State::AwaitingLinkedAdvert(AwaitingLinkedAdvert { keys, .. }) => {
                Some(vec![Candidate {
                    eid_key: &keys.eid_key,
                    secret: &keys.device.link_secret,
                }])
            }
            _ => None,
        }
    }

    /// The running timer.
    pub(super) fn deadline(&self) -> Option<Deadline> {
        match self {
            State::AwaitingAdvert(s) => Some(s.deadline),
            State::Connecting(s) => Some(s.deadline),
            State::Contacting(s) => Some(s.deadline),
            State::AwaitingLinkedAdvert(s) => Some(s.deadline),
            State::AwaitingConnectSignal(s) => Some(s.deadline),
            State::AwaitingHandshake(s) => Some(s.deadline),
            State::AwaitingPostHandshake(s) => Some(s.deadline()),
            State::AwaitingCtapResponse(s) => Some(s.deadline()),
            State::Lingering(s) => Some(s.deadline()),
            State::Finished => None,
        }
    }

    /// What the state waits for (for timeouts and unexpected closes).
    pub(super) fn waiting(&self) -> Waiting {
        match self {
            State::AwaitingAdvert(_)
            | State::AwaitingLinkedAdvert(_)
            | State::Contacting(Contacting { matched: None, .. }) => Waiting::Advert,
            State::Connecting(s) if s.via == Channel::Ble => Waiting::ChannelOpen,
            State::Connecting(_) | State::Contacting(_) => Waiting::TunnelOpen,
            State::AwaitingConnectSignal(_) => Waiting::ConnectSignal,
            State::AwaitingHandshake(_) => Waiting::Handshake,
            State::AwaitingPostHandshake(_) => Waiting::PostHandshake,
            State::AwaitingCtapResponse(_) | State::Lingering(_) | State::Finished => Waiting::Ctap,
        }
    }

    pub(super) fn on_advert_matched(
        self,
        cx: &mut Cx<'_>,
        matched: AdvertMatched,
    ) -> Result<State, Reason> {
        cx.out
            .event(Layer::Ble, matched.describe(), matched.plaintext);
        cx.out.key(Label::Psk, Layer::Noise, "psk", &matched.psk);
        match self {
            State::AwaitingAdvert(s) => s.on_matched(cx, matched),
            State::Contacting(mut s) => {
                // Chromium `MatchAdvert` while connecting: keep the PSK; message 1 goes out
                // when the tunnel opens.
                s.matched = Some(matched);
                s.deadline = Deadline::after(cx.now, cx.config.timeouts.handshake);
                Ok(State::Contacting(s))
            }
            State::AwaitingLinkedAdvert(s) => s.on_matched(cx, matched),
            other => Ok(other),
        }
    }

    pub(super) fn on_open(
        self,
        cx: &mut Cx<'_>,
        headers: &[(String, String)],
    ) -> Result<State, Reason> {
        match self {
            State::Connecting(s) => s.on_open(cx, headers),
            State::Contacting(s) => s.on_open(cx, headers),
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

    pub(super) fn on_refused(
        self,
        cx: &mut Cx<'_>,
        status: u16,
        reason: String,
    ) -> Result<State, Reason> {
        match self {
            State::Contacting(_) if status == 410 => {
                // Chromium: `pairing_is_invalid`, then the tunnel fails.
                cx.record.forget_link = true;
                cx.out.event(
                    Layer::Tunnel,
                    "linking record invalid: HTTP 410 on /cable/contact",
                    [],
                );
                Err(Reason::ContactGone)
            }
            _ => Err(Reason::Refused { status, reason }),
        }
    }

    pub(super) fn on_message(self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<State, Reason> {
        if data.len() > MAX_MESSAGE_LEN {
            return match self {
                State::Lingering(s) => Ok(s.end(cx, "a message over 1 MiB").into()),
                _ => Err(Reason::TooBig(data.len())),
            };
        }
        match self {
            State::AwaitingLinkedAdvert(s) => s.on_message(cx, data),
            State::AwaitingConnectSignal(s) => s.on_message(cx, data),
            State::AwaitingHandshake(s) => s.on_message(cx, data),
            State::AwaitingPostHandshake(s) => s.on_message(cx, data).map(State::from),
            State::AwaitingCtapResponse(s) => s.on_message(cx, data).map(State::from),
            State::Lingering(s) => s.on_message(cx, data).map(State::from),
            other => Err(Reason::UnexpectedData {
                len: data.len(),
                waiting: other.waiting(),
            }),
        }
    }

    pub(super) fn on_text(self, cx: &mut Cx<'_>) -> Result<State, Reason> {
        match self {
            State::Lingering(s) => Ok(s.end(cx, "a text WebSocket message").into()),
            _ => Err(Reason::TextMessage),
        }
    }

    pub(super) fn on_closed(self, cx: &mut Cx<'_>, code: u16) -> Result<State, Reason> {
        match self {
            State::Lingering(s) => Ok(s.end(cx, "the tunnel closed").into()),
            other => Err(Reason::Closed {
                code,
                waiting: other.waiting(),
            }),
        }
    }

    pub(super) fn on_timeout(self, cx: &mut Cx<'_>) -> Result<State, Reason> {
        match self {
            State::Lingering(s) => Ok(s.end(cx, "the linger time is over").into()),
            other => {
                let after = other.deadline().map(|d| d.after).unwrap_or_default();
                Err(Reason::Timeout {
                    waiting: other.waiting(),
                    after,
                })
            }
        }
    }
}

/// Draws the QR key, shows the QR code and starts scanning.
fn start_qr(cx: &mut Cx<'_>) -> Result<State, Reason> {
    let identity_private = qr_identity(cx);
    let secret: [u8; 16] = draw(cx.rng);
    let public = keys::compressed(&keys::public_of(&identity_private).map_err(Reason::Key)?)
        .map_err(Reason::Key)?;
    let mut payload = QrPayload::new(public, secret);
    let options = &cx.config.qr;
    payload.known_domains = Some(u64::from(options.known_domains));
    payload.timestamp = Some(
        cx.config
            .unix_epoch
            .saturating_add(cx.now.as_millis() / 1000),
    );
    payload.linking = options.linking;
    payload.request_type = Some(cx.config.request_type.clone());
    payload.key6 = options.key6.clone();
    if options.grease {
        payload.unknown.push(grease_entry());
    }
    let url = payload.to_url();
    let eid_key = payload.eid_key();
    cx.out
        .secret(Layer::Qr, "qr identity private key", identity_private);
    cx.out.secret(Layer::Qr, "qr secret", secret);
    cx.out.keys.qr(&secret);
    cx.out
        .keys
        .log(Label::QrIdentityPrivateKey, &identity_private);
    cx.out.event(Layer::Qr, "qr payload", payload.to_cbor());
    cx.out.secret(Layer::Ble, "eid key", eid_key);
    cx.record.qr_url = Some(url.clone());
    cx.out.push(Output::ShowQr(url));
    Ok(State::AwaitingAdvert(AwaitingAdvert {
        keys: QrKeys {
            identity_private,
            secret,
            eid_key,
        },
        deadline: Deadline::after(cx.now, cx.config.timeouts.advert),
    }))
}

/// The QR identity key: `EC_KEY_derive_from_secret` of a 32-byte seed from the stream (a seed
/// whose key is not a valid scalar, vanishingly rare, is drawn again).
fn qr_identity(cx: &mut Cx<'_>) -> [u8; 32] {
    loop {
        let seed: [u8; 32] = draw(cx.rng);
        let private = keys::private_from_seed(&seed);
        if keys::parse_private(&private).is_ok() {
            return private;
        }
    }
}

/// Opens `/cable/contact` with the client payload (docs/protocol.md §8.3 desktop steps 1–2).
fn start_linked(cx: &mut Cx<'_>, device: LinkedDevice) -> Result<State, Reason> {
    let client_nonce: [u8; 16] = draw(cx.rng);
    let eid_key: [u8; 64] = derive::derive(&device.link_secret, &client_nonce, Purpose::EidKey);
    let payload = ClientPayload {
        link_id: device.link_id,
        client_nonce,
        request_type: cx.config.request_type.as_str().to_owned(),
    };
    let url = tunnel_url(
        device.domain_id,
        cx.config.tunnel.as_ref(),
        Route::Contact {
            contact_id: device.contact_id.clone(),
        },
    )
    .map_err(|_| Reason::LinkedDomain(device.domain_id))?;
    let mut headers = base_headers(&url);
    headers.push((CLIENT_PAYLOAD_HEADER.to_owned(), payload.to_header_value()));
    headers.push((SIGNAL_CONNECTION_HEADER.to_owned(), "true".to_owned()));
    cx.out
        .event(Layer::Tunnel, "client payload", payload.encode());
    cx.out.secret(Layer::Ble, "eid key", eid_key);
    // The server picks the tunnel id and tells only the phone: key the lines by the nonce.
    cx.out.keys.session(client_nonce);
    cx.out.keys.log(Label::LinkSecret, &device.link_secret);
    cx.out.push(Output::Connect {
        socket: DESKTOP_SOCKET,
        url,
        headers,
    });
    *cx.socket = Socket::Requested;
    Ok(State::Contacting(Contacting {
        keys: LinkedKeys { device, eid_key },
        matched: None,
        deadline: Deadline::after(cx.now, cx.config.timeouts.advert),
    }))
}

/// Opens `/cable/connect` to the phone's tunnel (and message 1 goes out when it is open).
pub(super) fn connect_tunnel(
    cx: &mut Cx<'_>,
    keys: QrKeys,
    matched: AdvertMatched,
) -> Result<State, Reason> {
    let tunnel_id = derive::tunnel_id(&keys.secret);
    let route = Route::Connect {
        routing_id: matched.eid.routing_id,
        tunnel_id,
    };
    let url = tunnel_url(matched.eid.domain_id, cx.config.tunnel.as_ref(), route)
        .map_err(|_| Reason::Domain(matched.eid.domain_id))?;
    let headers = base_headers(&url);
    cx.out.push(Output::Connect {
        socket: DESKTOP_SOCKET,
        url,
        headers,
    });
    *cx.socket = Socket::Requested;
    *cx.data = DESKTOP_SOCKET;
    Ok(State::Connecting(Connecting {
        keys,
        matched,
        via: Channel::WebSocket,
        deadline: Deadline::after(cx.now, cx.config.timeouts.handshake),
    }))
}

impl Connecting {
    /// A QR handshake starts as soon as the tunnel (or the BLE channel, which has no
    /// subprotocol to check) is open (Chromium `OnTunnelReady`).
    pub(super) fn on_open(
        self,
        cx: &mut Cx<'_>,
        headers: &[(String, String)],
    ) -> Result<State, Reason> {
        if self.via == Channel::WebSocket {
            check_subprotocol(headers)?;
        }
        let ephemeral = draw_scalar(cx.rng);
        cx.out
            .ephemeral(Label::DesktopEphemeralPrivateKey, &ephemeral);
        let initiator =
            Initiator::qr_initiated(&self.matched.psk, &self.keys.identity_private, &ephemeral)?;
        let (message, handshake) = initiator.write_message_1()?;
        cx.out.send(*cx.data, message.to_vec());
        Ok(State::AwaitingHandshake(AwaitingHandshake {
            handshake,
            linking: Some(QrLinking {
                identity_private: self.keys.identity_private,
                domain_id: self.matched.eid.domain_id,
            }),
            deadline: self.deadline,
        }))
    }
}

/// Whether the 101 response echoed `X-caBLE-Signal-Connection`.
fn signal_promised(headers: &[(String, String)]) -> bool {
    !header_values(headers, SIGNAL_CONNECTION_HEADER).is_empty()
}

/// Message 1 of the linked handshake (NKpsk0 to the stored identity key).
fn linked_message_1(
    cx: &mut Cx<'_>,
    keys: &LinkedKeys,
    matched: &AdvertMatched,
) -> Result<InitiatorAwaitingResponse, Reason> {
    let ephemeral = draw_scalar(cx.rng);
    cx.out
        .ephemeral(Label::DesktopEphemeralPrivateKey, &ephemeral);
    let initiator = Initiator::linked(&matched.psk, &keys.device.public_key, &ephemeral)?;
    let (message, handshake) = initiator.write_message_1()?;
    cx.out.send(DESKTOP_SOCKET, message.to_vec());
    Ok(handshake)
}

/// After message 1 of a linked handshake: the connect signal first if one was promised.
fn after_linked_message_1(
    handshake: InitiatorAwaitingResponse,
    signal_pending: bool,
    deadline: Deadline,
) -> State {
    if signal_pending {
        State::AwaitingConnectSignal(AwaitingConnectSignal {
            handshake,
            deadline,
        })
    } else {
        State::AwaitingHandshake(AwaitingHandshake {
            handshake,
            linking: None,
            deadline,
        })
    }
}

impl Contacting {
    fn on_open(self, cx: &mut Cx<'_>, headers: &[(String, String)]) -> Result<State, Reason> {
        check_subprotocol(headers)?;
        let signal_pending = signal_promised(headers);
        match &self.matched {
            Some(matched) => {
                let handshake = linked_message_1(cx, &self.keys, matched)?;
                Ok(after_linked_message_1(
                    handshake,
                    signal_pending,
                    self.deadline,
                ))
            }
            None => Ok(State::AwaitingLinkedAdvert(AwaitingLinkedAdvert {
                keys: self.keys,
                signal_pending,
                deadline: self.deadline,
            })),
        }
    }
}

/// Chromium `ProcessConnectSignal`: exactly one 0x00 byte.
fn check_connect_signal(cx: &mut Cx<'_>, data: &[u8]) -> Result<(), Reason> {
    if data != [0u8] {
        return Err(Reason::ConnectSignal(data.to_vec()));
    }
    cx.out.event(
        Layer::Tunnel,
        "connect signal: the phone joined the tunnel",
        data,
    );
    Ok(())
}

impl AwaitingLinkedAdvert {
    fn on_matched(self, cx: &mut Cx<'_>, matched: AdvertMatched) -> Result<State, Reason> {
        let handshake = linked_message_1(cx, &self.keys, &matched)?;
        let deadline = Deadline::after(cx.now, cx.config.timeouts.handshake);
        Ok(after_linked_message_1(
            handshake,
            self.signal_pending,
            deadline,
        ))
    }

    fn on_message(mut self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<State, Reason> {
        if !self.signal_pending {
            return Err(Reason::UnexpectedData {
                len: data.len(),
                waiting: Waiting::Advert,
            });
        }
        check_connect_signal(cx, &data)?;
        self.signal_pending = false;
        Ok(State::AwaitingLinkedAdvert(self))
    }
}

impl AwaitingConnectSignal {
    fn on_message(self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<State, Reason> {
        check_connect_signal(cx, &data)?;
        Ok(State::AwaitingHandshake(AwaitingHandshake {
            handshake: self.handshake,
            linking: None,
            deadline: self.deadline,
        }))
    }
}

impl AwaitingHandshake {
    fn on_message(self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<State, Reason> {
        let done = self.handshake.read_message_2(&data)?;
        cx.out.handshake_done(&done, true);
        cx.record.handshake_hash = Some(done.handshake_hash);
        Ok(State::AwaitingPostHandshake(AwaitingPostHandshake::new(
            cx,
            &done,
            self.linking,
            self.deadline,
        )))
    }
}

/// The GREASE entry a 2.3 desktop may add to its QR code: the reserved key, an empty string.
fn grease_entry() -> (Value, Value) {
    let key = hybridsim_proto::channels::GREASE_QR_KEY;
    (Value::Integer(key.into()), Value::Text(String::new()))
}
