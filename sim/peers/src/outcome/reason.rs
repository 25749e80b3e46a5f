//! Why a peer gives up: one variant per check (docs/protocol.md §9), each knowing its layer.
//!
//! Peers report failures to the driver as a [`PeerError`](super::PeerError) holding one of
//! these; this enum is where the checks are named and where the layer of each is decided,
//! in one place. The one-line message is its `Display`.

use super::Layer;
use super::{Party, Waiting};
use core::time::Duration;
use hybridsim_proto::cbor::CborError;
use hybridsim_proto::crypter::CrypterError;
use hybridsim_proto::keys::KeyError;
use hybridsim_proto::linking::{ClientPayloadError, LinkingError};
use hybridsim_proto::message::{MessageError, MessageType};
use hybridsim_proto::noise::NoiseError;
use hybridsim_proto::post_handshake::{PostHandshakeError, UpdateError};
use hybridsim_proto::qr::QrError;

/// Every way a desktop or phone transaction ends in failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Reason {
    /// The phone refused the scanned QR code (Chromium `qr::Parse`).
    #[error("QR code refused: {0}")]
    Qr(QrError),
    /// A timer ran out.
    #[error("timed out after {} ms waiting for {}", .after.as_millis(), .waiting.describe())]
    Timeout {
        /// What was awaited.
        waiting: Waiting,
        /// How long.
        after: Duration,
    },
    /// The tunnel server answered the upgrade with an HTTP error, or nothing answered.
    #[error("tunnel server refused the WebSocket: HTTP {status} {reason}")]
    Refused {
        /// HTTP status (0: unreachable).
        status: u16,
        /// Body or reason.
        reason: String,
    },
    /// HTTP 410 on `/cable/contact`: the contact id is gone for good.
    #[error("tunnel server answered HTTP 410 Gone for the contact id: the linking record must be deleted")]
    ContactGone,
    /// The 101 response did not select `fido.cable` (Chromium drops the connection).
    #[error("tunnel server did not select the fido.cable subprotocol (selected: {0:?})")]
    Subprotocol(Option<String>),
    /// The `/cable/new` response lacks a usable `X-caBLE-Routing-ID` (Chromium phone:
    /// TUNNEL_SERVER_CONNECT_FAILED).
    #[error("tunnel server gave no usable X-caBLE-Routing-ID: {0}")]
    RoutingId(String),
    /// A text WebSocket message (Chromium accepts binary frames only).
    #[error("text WebSocket message received; hybrid tunnels carry binary messages only")]
    TextMessage,
    /// The WebSocket closed before the transaction was over.
    #[error("the tunnel closed (code {code}) while waiting for {}", .waiting.describe())]
    Closed {
        /// Close code.
        code: u16,
        /// What was awaited.
        waiting: Waiting,
    },
    /// The CTAP 2.3 BLE data channel closed before the transaction was over (the radio link
    /// was lost, or the other side closed it).
    #[error("the BLE data channel closed while waiting for {}", .waiting.describe())]
    ChannelDropped {
        /// What was awaited.
        waiting: Waiting,
    },
    /// Data arrived where the protocol has none (e.g. before the advert on a linked tunnel
    /// without a connect signal).
    #[error("unexpected {len}-byte message while waiting for {}", .waiting.describe())]
    UnexpectedData {
        /// Its length.
        len: usize,
        /// What was awaited.
        waiting: Waiting,
    },
    /// The connect signal is not exactly one 0x00 byte.
    #[error("connect signal must be exactly one 00 byte, got {0:02x?}")]
    ConnectSignal(Vec<u8>),
    /// The stored linking record names a domain id no tunnel server has.
    #[error("stored linking record names domain id {0}, which is not a tunnel server")]
    LinkedDomain(u16),
    /// A domain id (the phone's own, or one from an advert) that names no tunnel server.
    #[error("domain id {0} names no tunnel server")]
    Domain(u16),
    /// A binary message over Chromium's 1 MiB limit (`WebSocketAdapter`).
    #[error("a {0}-byte message is over the 1 MiB limit")]
    TooBig(usize),
    /// The wake-up's client payload does not parse.
    #[error("wake-up client payload refused: {0}")]
    ClientPayload(ClientPayloadError),
    /// A Noise handshake step failed.
    #[error("Noise handshake failed: {0}")]
    Noise(NoiseError),
    /// A transport message did not encrypt or decrypt.
    #[error("transport: {0}")]
    Crypter(CrypterError),
    /// The post-handshake message was refused (Chromium `kPostHandshakeFailed`).
    #[error("post-handshake message refused: {0}")]
    PostHandshake(PostHandshakeError),
    /// The phone does not offer CTAP but the request is CTAP (Chromium `must_support_ctap`).
    #[error("post-handshake message: the phone's features {0:?} do not include \"ctap\"")]
    NoCtap(Vec<String>),
    /// The phone's getInfo in the post-handshake message failed the desktop's getInfo
    /// validation (Chromium parses it and gives up on a malformed one).
    #[error("phone's getInfo refused: {0}")]
    GetInfo(crate::desktop::GetInfoProblem),
    /// Linking info in the post-handshake message did not verify (Chromium: post-handshake
    /// failed).
    #[error("post-handshake linking info refused: {0}")]
    PostHandshakeLinking(LinkingError),
    /// A decrypted message is not a message (empty, unknown type byte).
    #[error("transport message refused: {0}")]
    Message(MessageError),
    /// The phone sent a shutdown message; Chromium treats it as a remote close.
    #[error(
        "the phone sent a shutdown message before the CTAP response (treated as a remote close)"
    )]
    PhoneShutdown,
    /// A reply of another type than the request.
    #[error("reply is a {0} message; the request was CTAP")]
    ReplyType(MessageType),
    /// An update message that is not a CBOR map, or whose linking info is invalid
    /// (Chromium: "invalid update frame", then a remote close).
    #[error("invalid update message: {0}")]
    Update(UpdateError),
    /// Linking info in an update message whose signature does not verify.
    #[error("invalid update message: {0}")]
    UpdateLinking(LinkingError),
    /// Phone: a CTAP request Chromium's phone refuses (INVALID_CTAP).
    #[error("invalid CTAP request: {0}")]
    InvalidCtap(String),
    /// Phone: a second makeCredential/getAssertion in one session.
    #[error("a second CTAP request (command {0:#04x}) after the first transaction; one transaction per session")]
    SecondRequest(u8),
    /// Phone: authenticatorSelection ends the transaction without a reply (Chromium
    /// AUTHENTICATOR_SELECTION_RECEIVED).
    #[error("authenticatorSelection received: the transaction ends without a reply")]
    Selection,
    /// Phone: an update message from the desktop that is not CBOR (Chromium's phone
    /// disconnects).
    #[error("update message from the desktop is not CBOR: {0}")]
    DesktopUpdate(CborError),
    /// Phone: the desktop ended the session before sending a request (Chromium
    /// UNEXPECTED_EOF).
    #[error("the desktop ended the session before sending a CTAP request")]
    EndedBeforeRequest,
    /// A key the peer derived or was given is unusable (with keys checked where they are
    /// made, this does not happen in practice).
    #[error("unusable key material: {0}")]
    Key(KeyError),
    /// A driver: the peer never finished, and nothing more happened (it never started, or
    /// stalled).
    #[error("never finished: nothing more happened (never started, or stalled)")]
    NeverFinished,
    /// A driver: a fault silenced the peer, so it never finished.
    #[error("went silent (fault): stopped answering and never finished")]
    WentSilent,
    /// A driver: the peer had not finished when the driver gave up on it (its run timed
    /// out, or the other peer failed); the sentence says what it was waiting for.
    #[error("{0}")]
    Abandoned(String),
    /// A driver: the advert input of a desktop running alone ended without a matching advert.
    #[error("the advert input ended without an advert for this QR code")]
    AdvertsEnded,
    /// A driver: the phone's wake-up channel was refused, so it was never woken.
    #[error("never woken: {0}")]
    NeverWoken(String),
    /// A driver: the tunnel server's URL cannot be used (not `ws://` or `wss://`, no host).
    #[error("{0}")]
    BadTarget(String),
    /// A driver: the peer neither finished nor was given a reason.
    #[error("{0} did not finish")]
    DidNotFinish(Party),
}

impl Reason {
    /// The protocol layer the failed check belongs to (a driver's own reasons: where the
    /// peer was stuck, the tunnel unless said otherwise).
    pub fn layer(&self) -> Layer {
        match self {
            Reason::Qr(_) => Layer::Qr,
            Reason::Timeout { waiting, .. } => waiting.layer(),
            Reason::Refused { .. }
            | Reason::ContactGone
            | Reason::Subprotocol(_)
            | Reason::RoutingId(_)
            | Reason::TextMessage
            | Reason::Closed { .. }
            | Reason::UnexpectedData { .. }
            | Reason::ConnectSignal(_)
            | Reason::LinkedDomain(_)
            | Reason::Domain(_)
            | Reason::TooBig(_)
            | Reason::ClientPayload(_) => Layer::Tunnel,
            Reason::Noise(_) | Reason::Key(_) => Layer::Noise,
            Reason::Crypter(_)
            | Reason::PostHandshake(_)
            | Reason::NoCtap(_)
            | Reason::PostHandshakeLinking(_)
            | Reason::Message(_)
            | Reason::PhoneShutdown
            | Reason::ReplyType(_)
            | Reason::Update(_)
            | Reason::UpdateLinking(_)
            | Reason::DesktopUpdate(_)
            | Reason::EndedBeforeRequest => Layer::Transport,
            Reason::InvalidCtap(_)
            | Reason::SecondRequest(_)
            | Reason::Selection
            | Reason::GetInfo(_) => Layer::Ctap,
            Reason::AdvertsEnded | Reason::ChannelDropped { .. } => Layer::Ble,
            Reason::NeverFinished
            | Reason::WentSilent
            | Reason::Abandoned(_)
            | Reason::NeverWoken(_)
            | Reason::BadTarget(_)
            | Reason::DidNotFinish(_) => Layer::Tunnel,
        }
    }
}

impl From<NoiseError> for Reason {
    fn from(e: NoiseError) -> Reason {
        Reason::Noise(e)
    }
}

impl From<CrypterError> for Reason {
    fn from(e: CrypterError) -> Reason {
        Reason::Crypter(e)
    }
}

impl From<MessageError> for Reason {
    fn from(e: MessageError) -> Reason {
        Reason::Message(e)
    }
}
