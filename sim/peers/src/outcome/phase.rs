//! Where a running peer is: its phase (the name of its state, without the state's secrets)
//! and what it is waiting for.

use super::Layer;

/// What a peer is waiting for: what its timer stands for, and what an unexpected close or a
/// driver giving up on it interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Waiting {
    /// Desktop: a matching BLE advert.
    Advert,
    /// Either side: the tunnel server to open the WebSocket.
    TunnelOpen,
    /// Desktop: the phone's radio to open the CTAP 2.3 BLE data channel.
    ChannelOpen,
    /// Desktop, linked flow: the server's `00` connect signal.
    ConnectSignal,
    /// Desktop: Noise message 2. Phone: Noise message 1.
    Handshake,
    /// Desktop: the post-handshake message.
    PostHandshake,
    /// Desktop: the CTAP response. Phone: the CTAP request.
    Ctap,
    /// Phone: the desktop's shutdown or close after the reply.
    Shutdown,
}

impl Waiting {
    /// The layer the awaited thing belongs to.
    pub fn layer(self) -> Layer {
        match self {
            Waiting::Advert | Waiting::ChannelOpen => Layer::Ble,
            Waiting::TunnelOpen | Waiting::ConnectSignal => Layer::Tunnel,
            Waiting::Handshake => Layer::Noise,
            Waiting::PostHandshake | Waiting::Shutdown => Layer::Transport,
            Waiting::Ctap => Layer::Ctap,
        }
    }

    /// What is awaited, in words (`the Noise handshake message`).
    pub fn describe(self) -> &'static str {
        match self {
            Waiting::Advert => "a BLE advert that matches",
            Waiting::TunnelOpen => "the tunnel server to open the WebSocket",
            Waiting::ChannelOpen => "the phone's radio to open the BLE data channel",
            Waiting::ConnectSignal => "the tunnel server's connect signal",
            Waiting::Handshake => "the Noise handshake message",
            Waiting::PostHandshake => "the post-handshake message",
            Waiting::Ctap => "the CTAP message",
            Waiting::Shutdown => "the desktop's shutdown or close",
        }
    }
}

/// The desktop's phase: which of its states it is in (see the diagram in
/// [`desktop`](crate::desktop)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DesktopPhase {
    /// QR flow: the QR code is shown; scanning for the phone's advert.
    AwaitingAdvert,
    /// QR flow: the `/cable/connect` WebSocket is being opened.
    Connecting,
    /// Linked flow: the `/cable/contact` WebSocket is being opened.
    Contacting,
    /// Linked flow: the WebSocket is open; scanning for the phone's advert.
    AwaitingLinkedAdvert,
    /// Linked flow: waiting for the server's `00` connect signal.
    AwaitingConnectSignal,
    /// Message 1 is out; waiting for message 2.
    AwaitingHandshake,
    /// Waiting for the phone's post-handshake message.
    AwaitingPostHandshake,
    /// The CTAP request is out.
    AwaitingCtapResponse,
    /// The response is in; reading late update messages.
    Lingering,
    /// Over.
    Finished,
}

impl DesktopPhase {
    /// The state's name, as the desktop's documentation writes it (`AwaitingAdvert`).
    pub fn name(self) -> &'static str {
        match self {
            DesktopPhase::AwaitingAdvert => "AwaitingAdvert",
            DesktopPhase::Connecting => "Connecting",
            DesktopPhase::Contacting => "Contacting",
            DesktopPhase::AwaitingLinkedAdvert => "AwaitingLinkedAdvert",
            DesktopPhase::AwaitingConnectSignal => "AwaitingConnectSignal",
            DesktopPhase::AwaitingHandshake => "AwaitingHandshake",
            DesktopPhase::AwaitingPostHandshake => "AwaitingPostHandshake",
            DesktopPhase::AwaitingCtapResponse => "AwaitingCtapResponse",
            DesktopPhase::Lingering => "Lingering",
            DesktopPhase::Finished => "Finished",
        }
    }
}

/// The phone's phase: which of its states it is in (see the diagram in
/// [`phone`](crate::phone)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhonePhase {
    /// Waiting for a QR scan or a wake-up.
    Idle,
    /// Started; the WebSocket opens when the connect delay is over.
    Starting,
    /// The WebSocket is being opened.
    Connecting,
    /// Advertising; waiting for Noise message 1.
    AwaitingHandshake,
    /// Waiting for the CTAP request.
    AwaitingRequest,
    /// Reply sent; waiting for the desktop's shutdown or close.
    AwaitingShutdown,
    /// Over.
    Finished,
}

impl PhonePhase {
    /// The state's name, as the phone's documentation writes it (`AwaitingRequest`).
    pub fn name(self) -> &'static str {
        match self {
            PhonePhase::Idle => "Idle",
            PhonePhase::Starting => "Starting",
            PhonePhase::Connecting => "Connecting",
            PhonePhase::AwaitingHandshake => "AwaitingHandshake",
            PhonePhase::AwaitingRequest => "AwaitingRequest",
            PhonePhase::AwaitingShutdown => "AwaitingShutdown",
            PhonePhase::Finished => "Finished",
        }
    }
}
