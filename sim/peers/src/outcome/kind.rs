//! [`ReasonKind`]: the check behind a [`Reason`], without its details, with the name
//! scenario files use for it (`reason = "timeout"`).

use super::{Reason, Vocabulary};

/// Which check a [`Reason`] is: one value per variant of [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasonKind {
    /// The phone refused the scanned QR code.
    Qr,
    /// A timer ran out.
    Timeout,
    /// The tunnel server refused the WebSocket, or nothing answered.
    Refused,
    /// HTTP 410 on `/cable/contact`.
    ContactGone,
    /// The 101 response did not select `fido.cable`.
    Subprotocol,
    /// No usable `X-caBLE-Routing-ID`.
    RoutingId,
    /// A text WebSocket message.
    TextMessage,
    /// The WebSocket closed before the transaction was over.
    Closed,
    /// The BLE data channel closed before the transaction was over.
    ChannelDropped,
    /// Data where the protocol has none.
    UnexpectedData,
    /// A connect signal that is not one 00 byte.
    ConnectSignal,
    /// A linking record naming no tunnel server.
    LinkedDomain,
    /// A domain id naming no tunnel server.
    Domain,
    /// A message over the 1 MiB limit.
    TooBig,
    /// A wake-up client payload that does not parse.
    ClientPayload,
    /// A Noise handshake step failed.
    Noise,
    /// A transport message did not encrypt or decrypt.
    Crypter,
    /// The post-handshake message was refused.
    PostHandshake,
    /// The phone does not offer CTAP.
    NoCtap,
    /// The phone's getInfo failed the desktop's validation.
    GetInfo,
    /// Linking info in the post-handshake message did not verify.
    PostHandshakeLinking,
    /// A decrypted message that is not a message.
    Message,
    /// The phone sent a shutdown before the CTAP response.
    PhoneShutdown,
    /// A reply of another type than the request.
    ReplyType,
    /// An invalid update message.
    Update,
    /// Linking info in an update message that does not verify.
    UpdateLinking,
    /// A CTAP request the phone refuses.
    InvalidCtap,
    /// A second CTAP request in one session.
    SecondRequest,
    /// authenticatorSelection ended the transaction.
    Selection,
    /// An update message from the desktop that is not CBOR.
    DesktopUpdate,
    /// The desktop ended the session before a request.
    EndedBeforeRequest,
    /// Unusable key material.
    Key,
    /// A driver: the peer never finished (never started, or stalled).
    NeverFinished,
    /// A driver: a fault silenced the peer.
    WentSilent,
    /// A driver gave up on the peer (timeout, or the other peer failed).
    Abandoned,
    /// A driver: the advert input ended without a match.
    AdvertsEnded,
    /// A driver: the phone was never woken.
    NeverWoken,
    /// A driver: the tunnel server's URL cannot be used.
    BadTarget,
    /// A driver: the peer neither finished nor was given a reason.
    DidNotFinish,
}

impl ReasonKind {
    /// Whether a driver gave this reason for a peer that never finished on its own.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            ReasonKind::NeverFinished
                | ReasonKind::WentSilent
                | ReasonKind::Abandoned
                | ReasonKind::DidNotFinish
        )
    }
}

impl Vocabulary for ReasonKind {
    const ALL: &'static [ReasonKind] = &[
        ReasonKind::Qr,
        ReasonKind::Timeout,
        ReasonKind::Refused,
        ReasonKind::ContactGone,
        ReasonKind::Subprotocol,
        ReasonKind::RoutingId,
        ReasonKind::TextMessage,
        ReasonKind::Closed,
        ReasonKind::ChannelDropped,
        ReasonKind::UnexpectedData,
        ReasonKind::ConnectSignal,
        ReasonKind::LinkedDomain,
        ReasonKind::Domain,
        ReasonKind::TooBig,
        ReasonKind::ClientPayload,
        ReasonKind::Noise,
        ReasonKind::Crypter,
        ReasonKind::PostHandshake,
        ReasonKind::NoCtap,
        ReasonKind::GetInfo,
        ReasonKind::PostHandshakeLinking,
        ReasonKind::Message,
        ReasonKind::PhoneShutdown,
        ReasonKind::ReplyType,
        ReasonKind::Update,
        ReasonKind::UpdateLinking,
        ReasonKind::InvalidCtap,
        ReasonKind::SecondRequest,
        ReasonKind::Selection,
        ReasonKind::DesktopUpdate,
        ReasonKind::EndedBeforeRequest,
        ReasonKind::Key,
        ReasonKind::NeverFinished,
        ReasonKind::WentSilent,
        ReasonKind::Abandoned,
        ReasonKind::AdvertsEnded,
        ReasonKind::NeverWoken,
        ReasonKind::BadTarget,
        ReasonKind::DidNotFinish,
    ];

    fn name(self) -> &'static str {
        match self {
            ReasonKind::Qr => "qr",
            ReasonKind::Timeout => "timeout",
            ReasonKind::Refused => "refused",
            ReasonKind::ContactGone => "contact-gone",
            ReasonKind::Subprotocol => "subprotocol",
            ReasonKind::RoutingId => "routing-id",
            ReasonKind::TextMessage => "text-message",
            ReasonKind::Closed => "closed",
            ReasonKind::ChannelDropped => "channel-dropped",
            ReasonKind::UnexpectedData => "unexpected-data",
            ReasonKind::ConnectSignal => "connect-signal",
            ReasonKind::LinkedDomain => "linked-domain",
            ReasonKind::Domain => "domain",
            ReasonKind::TooBig => "too-big",
            ReasonKind::ClientPayload => "client-payload",
            ReasonKind::Noise => "noise",
            ReasonKind::Crypter => "crypter",
            ReasonKind::PostHandshake => "post-handshake",
            ReasonKind::NoCtap => "no-ctap",
            ReasonKind::GetInfo => "get-info",
            ReasonKind::PostHandshakeLinking => "post-handshake-linking",
            ReasonKind::Message => "message",
            ReasonKind::PhoneShutdown => "phone-shutdown",
            ReasonKind::ReplyType => "reply-type",
            ReasonKind::Update => "update",
            ReasonKind::UpdateLinking => "update-linking",
            ReasonKind::InvalidCtap => "invalid-ctap",
            ReasonKind::SecondRequest => "second-request",
            ReasonKind::Selection => "selection",
            ReasonKind::DesktopUpdate => "desktop-update",
            ReasonKind::EndedBeforeRequest => "ended-before-request",
            ReasonKind::Key => "key",
            ReasonKind::NeverFinished => "never-finished",
            ReasonKind::WentSilent => "went-silent",
            ReasonKind::Abandoned => "abandoned",
            ReasonKind::AdvertsEnded => "adverts-ended",
            ReasonKind::NeverWoken => "never-woken",
            ReasonKind::BadTarget => "bad-target",
            ReasonKind::DidNotFinish => "did-not-finish",
        }
    }
}

impl Reason {
    /// Which check this is.
    pub fn kind(&self) -> ReasonKind {
        match self {
            Reason::Qr(_) => ReasonKind::Qr,
            Reason::Timeout { .. } => ReasonKind::Timeout,
            Reason::Refused { .. } => ReasonKind::Refused,
            Reason::ContactGone => ReasonKind::ContactGone,
            Reason::Subprotocol(_) => ReasonKind::Subprotocol,
            Reason::RoutingId(_) => ReasonKind::RoutingId,
            Reason::TextMessage => ReasonKind::TextMessage,
            Reason::Closed { .. } => ReasonKind::Closed,
            Reason::ChannelDropped { .. } => ReasonKind::ChannelDropped,
            Reason::UnexpectedData { .. } => ReasonKind::UnexpectedData,
            Reason::ConnectSignal(_) => ReasonKind::ConnectSignal,
            Reason::LinkedDomain(_) => ReasonKind::LinkedDomain,
            Reason::Domain(_) => ReasonKind::Domain,
            Reason::TooBig(_) => ReasonKind::TooBig,
            Reason::ClientPayload(_) => ReasonKind::ClientPayload,
            Reason::Noise(_) => ReasonKind::Noise,
            Reason::Crypter(_) => ReasonKind::Crypter,
            Reason::PostHandshake(_) => ReasonKind::PostHandshake,
            Reason::NoCtap(_) => ReasonKind::NoCtap,
            Reason::GetInfo(_) => ReasonKind::GetInfo,
            Reason::PostHandshakeLinking(_) => ReasonKind::PostHandshakeLinking,
            Reason::Message(_) => ReasonKind::Message,
            Reason::PhoneShutdown => ReasonKind::PhoneShutdown,
            Reason::ReplyType(_) => ReasonKind::ReplyType,
            Reason::Update(_) => ReasonKind::Update,
            Reason::UpdateLinking(_) => ReasonKind::UpdateLinking,
            Reason::InvalidCtap(_) => ReasonKind::InvalidCtap,
            Reason::SecondRequest(_) => ReasonKind::SecondRequest,
            Reason::Selection => ReasonKind::Selection,
            Reason::DesktopUpdate(_) => ReasonKind::DesktopUpdate,
            Reason::EndedBeforeRequest => ReasonKind::EndedBeforeRequest,
            Reason::Key(_) => ReasonKind::Key,
            Reason::NeverFinished => ReasonKind::NeverFinished,
            Reason::WentSilent => ReasonKind::WentSilent,
            Reason::Abandoned(_) => ReasonKind::Abandoned,
            Reason::AdvertsEnded => ReasonKind::AdvertsEnded,
            Reason::NeverWoken(_) => ReasonKind::NeverWoken,
            Reason::BadTarget(_) => ReasonKind::BadTarget,
            Reason::DidNotFinish(_) => ReasonKind::DidNotFinish,
        }
    }
}
