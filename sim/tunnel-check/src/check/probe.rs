//! What every case works with: a [`Probe`] that opens tunnels and waits for messages, and
//! the byte pattern of a real ceremony ([`CEREMONY_SHAPE`]).

use super::origin::Origin;
use core::fmt;
use futures_util::{SinkExt, StreamExt};
use hybridsim_sockets::client::{
    connect_path, new_path, random_bytes, ClientSocket, Refusal, Target, Upgraded, CABLE_HEADERS,
    FIDO_CABLE,
};
use hybridsim_sockets::text::{format_duration, one_line, shorten};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

/// Opens tunnels on a target and waits for messages, every step bounded by the step
/// timeout. What each case (built-in or extra) works with. Every upgrade carries an `Origin`
/// header, as the peers' do ([`Origin`]).
#[derive(Debug, Clone)]
pub struct Probe {
    target: Target,
    step: Duration,
    origin: Origin,
}

/// A paired tunnel: the phone's `/cable/new` socket and the desktop's `/cable/connect` one.
#[derive(Debug)]
pub struct Pair {
    /// The `/cable/new` side.
    pub phone: ClientSocket,
    /// The `/cable/connect` side.
    pub desktop: ClientSocket,
    /// The tunnel id both named.
    pub tunnel_id: [u8; 16],
    /// The routing id the server announced.
    pub routing_id: String,
}

/// What arrived on a socket next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A binary message.
    Binary(Vec<u8>),
    /// A text message.
    Text(String),
    /// A close frame: code and reason (`None`: a close frame without a code).
    Close(Option<(u16, String)>),
    /// The connection ended without a close frame.
    Ended,
    /// The socket failed (e.g. reset).
    Failed(String),
    /// Nothing within the wait.
    Quiet(Duration),
}

impl fmt::Display for Event {
    /// One line, e.g. `close 1003 'text frame'`, `a 81 B binary message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Binary(b) => write!(f, "a {} B binary message", b.len()),
            Event::Text(t) => write!(f, "a text message '{}'", shorten(&one_line(t), 40)),
            Event::Close(Some((code, reason))) if reason.is_empty() => write!(f, "close {code}"),
            Event::Close(Some((code, reason))) => {
                write!(f, "close {code} '{}'", shorten(&one_line(reason), 50))
            }
            Event::Close(None) => f.write_str("close without a code"),
            Event::Ended => f.write_str("connection ended without a close frame"),
            Event::Failed(e) => write!(f, "socket error: {}", shorten(&one_line(e), 60)),
            Event::Quiet(wait) => write!(f, "nothing within {}", format_duration(*wait)),
        }
    }
}

impl Event {
    /// A close frame, the end of the connection, or a socket failure.
    pub fn is_closed(&self) -> bool {
        matches!(self, Event::Close(_) | Event::Ended | Event::Failed(_))
    }
}

impl Probe {
    /// A probe of `target` whose every step waits at most `step`, sending the origin the
    /// peers send to that target ([`Origin::of_target`]).
    pub fn new(target: Target, step: Duration) -> Probe {
        let origin = Origin::of_target(&target);
        Probe {
            target,
            step,
            origin,
        }
    }

    /// The same probe sending `origin` instead.
    pub fn with_origin(self, origin: Origin) -> Probe {
        Probe { origin, ..self }
    }

    /// The origin every upgrade sends.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The step timeout.
    pub fn step_timeout(&self) -> Duration {
        self.step
    }

    /// An upgrade request for `path` with `headers` (see [`Target::upgrade`]), plus the
    /// probe's `Origin` unless `headers` has one.
    pub async fn upgrade(&self, path: &str, headers: &[(&str, &str)]) -> Result<Upgraded, Refusal> {
        if headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("origin"))
        {
            return self.target.upgrade(path, headers, self.step).await;
        }
        let origin = self.origin.to_string();
        let mut all = Vec::with_capacity(headers.len() + 1);
        all.extend_from_slice(headers);
        all.push(("Origin", origin.as_str()));
        self.target.upgrade(path, &all, self.step).await
    }

    /// `/cable/new/{tunnel id}` with `fido.cable`. Fails unless the server answers 101,
    /// selects `fido.cable` and sends `X-caBLE-Routing-ID`; returns the socket and the
    /// routing id as sent.
    pub async fn open_new(&self, tunnel_id: &[u8; 16]) -> Result<(ClientSocket, String), String> {
        self.open_new_at(&new_path(tunnel_id)).await
    }

    pub(super) async fn open_new_at(&self, path: &str) -> Result<(ClientSocket, String), String> {
        let upgraded = self
            .upgrade(path, CABLE_HEADERS)
            .await
            .map_err(|r| format!("/cable/new: {r}"))?;
        check_subprotocol("/cable/new", &upgraded)?;
        let routing = upgraded
            .head
            .header("x-cable-routing-id")
            .map(str::to_owned)
            .ok_or("/cable/new: 101 without X-caBLE-Routing-ID")?;
        Ok((upgraded.into_websocket().await, routing))
    }

    /// `/cable/connect/{routing id}/{tunnel id}` with `fido.cable`; fails unless the server
    /// answers 101 and selects `fido.cable`.
    pub async fn open_connect(
        &self,
        routing_id: &str,
        tunnel_id: &[u8; 16],
    ) -> Result<ClientSocket, String> {
        self.open_connect_at(&connect_path(routing_id, tunnel_id))
            .await
    }

    pub(super) async fn open_connect_at(&self, path: &str) -> Result<ClientSocket, String> {
        let upgraded = self
            .upgrade(path, CABLE_HEADERS)
            .await
            .map_err(|r| format!("/cable/connect: {r}"))?;
        check_subprotocol("/cable/connect", &upgraded)?;
        Ok(upgraded.into_websocket().await)
    }

    /// A fresh tunnel: `/cable/new` with a random id, then `/cable/connect` to it.
    pub async fn pair(&self) -> Result<Pair, String> {
        let tunnel_id = random_bytes::<16>();
        let (phone, routing_id) = self.open_new(&tunnel_id).await?;
        let desktop = self.open_connect(&routing_id, &tunnel_id).await?;
        Ok(Pair {
            phone,
            desktop,
            tunnel_id,
            routing_id,
        })
    }

    /// Sends one binary message (bounded by the step timeout).
    pub async fn send(&self, ws: &mut ClientSocket, bytes: &[u8]) -> Result<(), String> {
        match timeout(self.step, ws.send(Message::Binary(bytes.to_vec().into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!(
                "sending {} B failed: {}",
                bytes.len(),
                one_line(&e.to_string())
            )),
            Err(_) => Err(format!(
                "sending {} B did not finish within {}",
                bytes.len(),
                format_duration(self.step)
            )),
        }
    }

    /// Sends `messages` as binary frames (masked, as a client's must be) in one write, so
    /// the server reads them all at once: how deep a burst it takes then does not depend on
    /// how its tasks happen to interleave with the sender's. `ws` must have nothing of its
    /// own half-written (true after every completed [`Probe::send`]).
    pub async fn send_burst(
        &self,
        ws: &mut ClientSocket,
        messages: &[Vec<u8>],
    ) -> Result<(), String> {
        let mut bytes = Vec::new();
        for message in messages {
            let mut frame = Frame::message(message.clone(), OpCode::Data(Data::Binary), true);
            frame.header_mut().mask = Some(random_bytes());
            frame
                .format(&mut bytes)
                .map_err(|e| format!("framing the burst: {e}"))?;
        }
        let stream = ws.get_mut();
        let write = async {
            stream.write_all(&bytes).await?;
            stream.flush().await
        };
        match timeout(self.step, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!(
                "sending a burst of {} ({} B) failed: {}",
                messages.len(),
                bytes.len(),
                one_line(&e.to_string())
            )),
            Err(_) => Err(format!(
                "sending a burst of {} did not finish within {}",
                messages.len(),
                format_duration(self.step)
            )),
        }
    }

    /// The next event on `ws` within the step timeout (pings and pongs skipped).
    pub async fn next_event(&self, ws: &mut ClientSocket) -> Event {
        self.next_event_within(ws, self.step).await
    }

    /// The next event on `ws` within `wait`.
    pub async fn next_event_within(&self, ws: &mut ClientSocket, wait: Duration) -> Event {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, ws.next()).await;
            return match next {
                Err(_) => Event::Quiet(wait),
                Ok(None) => Event::Ended,
                Ok(Some(Ok(Message::Binary(b)))) => Event::Binary(b.to_vec()),
                Ok(Some(Ok(Message::Text(t)))) => Event::Text(t.as_str().to_owned()),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    Event::Close(frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned())))
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
                Ok(Some(Err(e))) => Event::Failed(e.to_string()),
            };
        }
    }

    /// The next message on `ws`, which must be binary. The error names the socket (`who`)
    /// and the message waited for (`what`), e.g. `desktop: waiting for burst message 3 of 3:
    /// got nothing within 3 s`.
    pub async fn recv_binary(
        &self,
        ws: &mut ClientSocket,
        who: &str,
        what: &str,
    ) -> Result<Vec<u8>, String> {
        match self.next_event(ws).await {
            Event::Binary(bytes) => Ok(bytes),
            other => Err(format!("{who}: waiting for {what}: got {other}")),
        }
    }

    /// Receives on `ws` and compares with `expected`; `what` names the message in errors.
    pub async fn expect_binary(
        &self,
        ws: &mut ClientSocket,
        who: &str,
        what: &str,
        expected: &[u8],
    ) -> Result<(), String> {
        let got = self.recv_binary(ws, who, what).await?;
        if got == expected {
            Ok(())
        } else if got.len() != expected.len() {
            Err(format!(
                "{who}: {what}: got {} B, expected {} B",
                got.len(),
                expected.len()
            ))
        } else {
            Err(format!("{who}: {what}: {} B arrived altered", got.len()))
        }
    }

    /// Relays [`CEREMONY_SHAPE`] over `pair` in lock step (each message received before the
    /// next is sent), checking every byte. The contents derive from the tunnel id, so a
    /// message that reaches another tunnel's peer is caught.
    pub async fn ceremony_shaped_relay(&self, pair: &mut Pair) -> Result<(), String> {
        for (index, (sender, len)) in CEREMONY_SHAPE.iter().enumerate() {
            let message = ceremony_message(&pair.tunnel_id, index, *len);
            let what = format!("ceremony message {} ({} B)", index + 1, len);
            let (from, to, who) = match sender {
                Sender::Desktop => (&mut pair.desktop, &mut pair.phone, "phone"),
                Sender::Phone => (&mut pair.phone, &mut pair.desktop, "desktop"),
            };
            self.send(from, &message).await?;
            self.expect_binary(to, who, &what, &message).await?;
        }
        Ok(())
    }
}

/// `len` bytes counting up from `seed`: messages that differ by seed and length.
pub(super) fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect()
}

pub(super) fn check_subprotocol(route: &str, upgraded: &Upgraded) -> Result<(), String> {
    match upgraded.head.header("sec-websocket-protocol") {
        Some(p) if p.trim() == FIDO_CABLE => Ok(()),
        Some(p) => Err(format!(
            "{route}: 101 selecting '{}' instead of fido.cable",
            shorten(&one_line(p), 30)
        )),
        None => Err(format!("{route}: 101 without selecting fido.cable")),
    }
}

/// Which side sends a message of [`CEREMONY_SHAPE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The `/cable/connect` side (the QR flow's desktop).
    Desktop,
    /// The `/cable/new` side (the QR flow's phone).
    Phone,
}

/// The byte pattern of a QR-initiated transaction as the tunnel sees it (docs/protocol.md
/// §6–§8): the 81-byte Noise handshake messages both ways, then five encrypted messages each
/// way of the sizes padding and AEAD give real traffic: post-handshake message, CTAP requests
/// and replies, linking update, shutdown.
pub const CEREMONY_SHAPE: [(Sender, usize); 12] = [
    (Sender::Desktop, 81),   // Noise handshake, message 1
    (Sender::Phone, 81),     // Noise handshake, message 2
    (Sender::Phone, 272),    // post-handshake message (getInfo)
    (Sender::Desktop, 336),  // CTAP makeCredential request
    (Sender::Phone, 1008),   // its reply, with attestation
    (Sender::Phone, 544),    // linking update
    (Sender::Desktop, 208),  // CTAP getAssertion request
    (Sender::Phone, 112),    // a short reply
    (Sender::Desktop, 1024), // a large request (long allow list)
    (Sender::Phone, 48),     // its reply
    (Sender::Desktop, 80),   // a last request
    (Sender::Desktop, 48),   // shutdown
];

/// Message `index` of a ceremony-shaped relay on `tunnel_id`: `len` bytes that depend on
/// both, so a misrouted or reordered message never matches.
pub fn ceremony_message(tunnel_id: &[u8; 16], index: usize, len: usize) -> Vec<u8> {
    let half = |range: core::ops::Range<usize>| {
        tunnel_id
            .get(range)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or_default()
    };
    let mut state = splitmix(half(0..8) ^ splitmix(half(8..16) ^ splitmix(index as u64))) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// SplitMix64's output function: spreads every input bit over the whole word.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
