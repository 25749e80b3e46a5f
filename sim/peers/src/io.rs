//! What goes in and out of a peer. Shared by the desktop and the phone so a driver handles
//! both with one loop.

pub use crate::outcome::Layer;
use crate::outcome::PeerError;
use hybridsim_proto::time::Millis;
use hybridsim_proto::tunnel_url::TunnelUrl;

/// A WebSocket a peer opened, named by the peer (unique per peer, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub u32);

/// Something the outside world tells a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Phone: the camera read this text from a QR code.
    QrScanned(String),
    /// Desktop: BLE service data heard under a 16-bit service UUID.
    Advert {
        /// 0xFFF9 or 0xFDE2 (others are ignored by the desktop).
        uuid: u16,
        /// The service-data bytes.
        data: Vec<u8>,
        /// Received signal strength, dBm.
        rssi: i8,
    },
    /// The server accepted a WebSocket the peer asked for (HTTP 101).
    SocketOpened {
        /// Which socket.
        socket: SocketId,
        /// Response headers (lower-case names), e.g. `x-cable-routing-id`,
        /// `sec-websocket-protocol`.
        headers: Vec<(String, String)>,
    },
    /// The server refused the WebSocket with an HTTP status, or the host could not be reached
    /// (`status` 0).
    SocketRefused {
        /// Which socket.
        socket: SocketId,
        /// HTTP status, or 0 when nothing answered.
        status: u16,
        /// Body or reason text.
        reason: String,
    },
    /// One binary WebSocket message arrived.
    Message {
        /// On which socket.
        socket: SocketId,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// A text WebSocket message arrived (hybrid forbids them: the peer fails).
    TextMessage {
        /// On which socket.
        socket: SocketId,
    },
    /// The WebSocket closed (by the server or the other side).
    SocketClosed {
        /// Which socket.
        socket: SocketId,
        /// WebSocket close code.
        code: u16,
    },
    /// A CTAP 2.3 BLE data channel (L2CAP connection-oriented) is open. Desktop: the one it
    /// asked for with [`Output::OpenDataChannel`]; phone: a desktop connected to the PSM its
    /// advert named, under the phone's channel id. Messages then travel as
    /// [`Input::Message`] and [`Output::Send`] on that id, and [`Output::Close`] closes it.
    DataChannelOpened {
        /// Which channel.
        socket: SocketId,
    },
    /// Desktop: the phone's radio refused the data channel (or nobody listens on the PSM).
    DataChannelRefused {
        /// Which channel.
        socket: SocketId,
        /// Why, as the radio reports it.
        reason: String,
    },
    /// The data channel closed: the other side closed it or the radio link was lost.
    DataChannelClosed {
        /// Which channel.
        socket: SocketId,
    },
    /// Phone, linked flow: the tunnel server's wake-up (push message stand-in).
    WakeUp {
        /// Tunnel id the desktop's contact request was given.
        tunnel_id: [u8; 16],
        /// Routing id of the server holding it.
        routing_id: [u8; 3],
        /// The desktop's `X-caBLE-Client-Payload` CBOR bytes.
        client_payload: Vec<u8>,
    },
}

/// Something a peer asks the outside world to do, or reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Desktop: show this `FIDO:/` text as a QR code.
    ShowQr(String),
    /// Phone: start (or replace) broadcasting this service data under `uuid`.
    Advertise {
        /// 0xFFF9 or 0xFDE2.
        uuid: u16,
        /// The service data (20 bytes, or longer with a CTAP 2.3 suffix).
        data: Vec<u8>,
    },
    /// Phone: stop broadcasting.
    StopAdvertising,
    /// Open a WebSocket to `url` with these request headers (always including
    /// `Sec-WebSocket-Protocol: fido.cable`).
    Connect {
        /// The peer's name for it.
        socket: SocketId,
        /// Where.
        url: TunnelUrl,
        /// Request headers, e.g. `X-caBLE-Client-Payload`.
        headers: Vec<(String, String)>,
    },
    /// Desktop: open a CTAP 2.3 BLE data channel to the phone whose advert offered one, on
    /// the L2CAP PSM it named (the answer is [`Input::DataChannelOpened`] or
    /// [`Input::DataChannelRefused`]).
    OpenDataChannel {
        /// The desktop's name for it.
        socket: SocketId,
        /// The PSM from the phone's advert suffix.
        psm: u16,
    },
    /// Send one binary WebSocket message (or one data-channel message).
    Send {
        /// On which socket.
        socket: SocketId,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// Close a WebSocket.
    Close {
        /// Which.
        socket: SocketId,
        /// WebSocket close code (1000 normally).
        code: u16,
    },
    /// Something worth a trace line that no wire shows: decrypted plaintexts, derived
    /// values, decisions.
    Event(PeerEvent),
    /// The transaction is over for this peer (success or failure); nothing more will come.
    Finished(Result<(), PeerError>),
}

/// A peer's note for the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEvent {
    /// Layer it belongs to.
    pub layer: Layer,
    /// Short name, e.g. "advert matched", "post-handshake received", "ctap request".
    pub what: String,
    /// Bytes it concerns (a plaintext, a derived key), if any.
    pub bytes: Vec<u8>,
    /// Whether `bytes` is secret (keys, PSKs, link secrets): traces hide it unless asked.
    pub secret: bool,
}

/// The calling convention of every peer (quinn-proto's: inputs in, outputs polled).
pub trait Peer {
    /// Feeds one input at time `now`.
    fn handle_input(&mut self, now: Millis, input: Input);
    /// Tells the peer its deadline ([`Peer::poll_timeout`]) has passed.
    fn handle_timeout(&mut self, now: Millis);
    /// The next queued output, if any.
    fn poll_output(&mut self) -> Option<Output>;
    /// When the peer next needs `handle_timeout`, if ever.
    fn poll_timeout(&self) -> Option<Millis>;
}
