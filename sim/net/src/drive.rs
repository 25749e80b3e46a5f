//! A socket driver for the sans-IO peers: a real desktop and a real phone
//! ([`hybridsim_peers`]) talking through a tunnel server over real WebSockets.
//!
//! [`run_peers`] pumps both state machines the way their [`Peer`] calling convention asks:
//!
//! - every [`Output::Connect`] becomes a WebSocket on the tunnel server given as
//!   `ws://HOST:PORT`, opened with the peer's own request headers (`Sec-WebSocket-Protocol:
//!   fido.cable`, `Origin`, `X-caBLE-Client-Payload`, …) through [`Target::upgrade`]. Only
//!   the host and port of the peer's URL are replaced by the tunnel's; the path
//!   (`/cable/new/…`, `/cable/connect/…`, `/cable/contact/…`) is kept. Build the peers with
//!   [`tunnel_endpoint`] as their `tunnel` override so that their URLs (and the `Origin`
//!   header derived from them) already name the tunnel; the driver maps any other host too,
//!   and notes it in the log;
//! - [`Output::Send`] and [`Output::Close`] go on that socket; binary and text messages,
//!   close frames and refused upgrades (HTTP status and body; status 0 when nothing
//!   answered) come back as [`Input`]s;
//! - the camera and the radio stay in-process: [`Output::ShowQr`] goes straight to the phone
//!   as [`Input::QrScanned`], and [`Output::Advertise`] straight to the desktop as
//!   [`Input::Advert`] (at [`ADVERT_RSSI`]). Only the tunnel hop is real; the BLE hop is a
//!   perfect radio, so a run measures the tunnel server, not the air;
//! - a linked desktop's wake-up reaches the phone through the server's
//!   [`/hybridsim/wake/{contact id}`](crate::wake) side channel: before the desktop's first
//!   output is carried out, the driver opens the wake socket for the phone's contact id
//!   (which registers it), and every wake-up that arrives becomes [`Input::WakeUp`];
//! - the peers' [`Millis`] clock is the [`tokio::time::Instant`] elapsed since the run
//!   started (build the desktop at [`Millis::ZERO`]), and their `poll_timeout` deadlines are
//!   awaited with tokio timers.
//!
//! [`run_desktop`] and [`run_phone`] take a [`TunnelRoute`]: one server for every socket as
//! above, or the URLs the peers make themselves, i.e. `wss://` to the tunnel domain the QR
//! code or advert names (reference.md, "Tunnel server domains"), as a real desktop or phone
//! does. A socket whose host cannot be reached at all (DNS, TCP, TLS) is refused with status
//! 0 and recorded as the run's [`Unreachable`].
//!
//! A run is bounded by [`DriveOptions::timeout`] (30 s by default). A peer that has not
//! finished by then gets an error naming its state and what it was waiting for (an advert,
//! an upgrade answer, Noise message 2, …). Once one peer has failed, the other gets
//! [`DriveOptions::failure_grace`] to finish on its own (its own close or timeout) before it
//! is abandoned the same way, so a refused tunnel fails in well under a second rather than
//! after the desktop's five-minute advert timer.
//!
//! ```no_run
//! # async fn example(
//! #     authenticator: hybridsim_ctap::Authenticator,
//! #     make_credential_params: Vec<u8>,
//! # ) -> Result<(), String> {
//! use hybridsim_net::drive::{run_peers, tunnel_endpoint, DriveOptions};
//! use hybridsim_peers::{Desktop, DesktopConfig, Millis, Phone, PhoneConfig};
//! let tunnel = "ws://127.0.0.1:8080";
//! let endpoint = tunnel_endpoint(tunnel).map_err(|e| e.to_string())?;
//! let mut desktop = DesktopConfig::new(0x01, make_credential_params, [7; 32]);
//! desktop.tunnel = Some(endpoint.clone());
//! let mut phone = PhoneConfig::new(authenticator, [9; 32]);
//! phone.tunnel = Some(endpoint);
//! let outcome = run_peers(
//!     tunnel,
//!     Desktop::new(desktop, Millis::ZERO),
//!     Phone::new(phone),
//!     DriveOptions::default(),
//! )
//! .await;
//! outcome.ok()?;
//! let response = outcome.ctap_response.ok_or("no CTAP response")?;
//! # let _ = response; Ok(()) }
//! ```

use crate::client::{one_line, ClientSocket, Refusal, Target, TargetError};
use crate::tls_client::{ConnectError, TlsClient};
use crate::wake::{wake_path, WakeUp};
use core::fmt;
use futures_util::{SinkExt, StreamExt};
use hybridsim_ctap::Authenticator;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{
    Desktop, Input, Layer, LinkedDevice, Millis, Output, Party, Peer, PeerError, PeerEvent, Phone,
    Reason, SocketId, TunnelEndpoint,
};
use hybridsim_proto::advert_line::AdvertLine;
use hybridsim_proto::tunnel_url::{Scheme, TunnelUrl};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// Default for [`DriveOptions::timeout`].
pub const DEFAULT_DRIVE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`DriveOptions::upgrade_timeout`].
pub const DEFAULT_UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`DriveOptions::failure_grace`].
pub const DEFAULT_FAILURE_GRACE: Duration = Duration::from_secs(1);
/// Default for [`DriveOptions::close_linger`].
pub const DEFAULT_CLOSE_LINGER: Duration = Duration::from_millis(500);
/// The signal strength every advert is delivered with (the in-process radio is perfect).
pub const ADVERT_RSSI: i8 = -50;

/// WebSocket close code reported when a close frame carried no code.
const CLOSE_NO_STATUS: u16 = 1005;
/// WebSocket close code reported when the connection ended without a close frame.
const CLOSE_ABNORMAL: u16 = 1006;

/// What [`run_peers`] takes besides the tunnel and the peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveOptions {
    /// Longest the whole run may take; then every unfinished peer fails with what it was
    /// waiting for. Default [`DEFAULT_DRIVE_TIMEOUT`] (30 s).
    pub timeout: Duration,
    /// Longest one WebSocket upgrade (tunnel or wake socket) may take before it counts as
    /// refused with status 0. Default [`DEFAULT_UPGRADE_TIMEOUT`] (10 s).
    pub upgrade_timeout: Duration,
    /// After one peer fails, how long the other may still take to finish before it is
    /// abandoned. Default [`DEFAULT_FAILURE_GRACE`] (1 s).
    pub failure_grace: Duration,
    /// After a peer closes a socket (or the run ends), how long its socket task keeps reading
    /// for the server's close frame before dropping the connection. Default
    /// [`DEFAULT_CLOSE_LINGER`] (500 ms).
    pub close_linger: Duration,
    /// Open the wake socket for the phone's contact id when the desktop runs the linked
    /// flow (default `true`). With `false`, the caller delivers wake-ups some other way (or
    /// wants the `/cable/contact` refusal).
    pub wake_channel: bool,
    /// Keep the bytes of events the peers mark secret (keys, link secrets) in the log.
    /// Default `false`: they are logged as `(secret, N B)`.
    pub log_secrets: bool,
}

impl Default for DriveOptions {
    fn default() -> DriveOptions {
        DriveOptions {
            timeout: DEFAULT_DRIVE_TIMEOUT,
            upgrade_timeout: DEFAULT_UPGRADE_TIMEOUT,
            failure_grace: DEFAULT_FAILURE_GRACE,
            close_linger: DEFAULT_CLOSE_LINGER,
            wake_channel: true,
            log_secrets: false,
        }
    }
}

/// Which peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The desktop (client platform).
    Desktop,
    /// The phone (authenticator).
    Phone,
}

impl Side {
    /// The party of the outcome vocabulary.
    pub fn party(self) -> Party {
        match self {
            Side::Desktop => Party::Desktop,
            Side::Phone => Party::Phone,
        }
    }

    fn other(self) -> Side {
        match self {
            Side::Desktop => Side::Phone,
            Side::Phone => Side::Desktop,
        }
    }
}

impl fmt::Display for Side {
    /// `desktop` or `phone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Desktop => "desktop",
            Side::Phone => "phone",
        })
    }
}

/// Where the driver opens the peers' tunnel sockets.
#[derive(Debug, Clone)]
pub enum TunnelRoute {
    /// Every socket on this server (`ws://` or `wss://`), keeping only the path of the peer's
    /// URL: a `hybridsim tunnel serve`, or any server standing in for the tunnel domain.
    Server(Target),
    /// Each socket at the URL the peer made: the tunnel domain its QR code or advert names,
    /// over `wss://` trusting these anchors (a `ws://` URL, from a peer configured so, stays
    /// plain).
    PeerUrls(TlsClient),
}

impl fmt::Display for TunnelRoute {
    /// The server's URL, or `the peers' tunnel domains`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TunnelRoute::Server(target) => write!(f, "{target}"),
            TunnelRoute::PeerUrls(_) => f.write_str("the peers' tunnel domains"),
        }
    }
}

/// A tunnel socket that could not be opened because its host could not be reached at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The URL the upgrade was for, e.g. `wss://cable.ua5v.com/cable/new/…`.
    pub url: String,
    /// Why: DNS, TCP or TLS.
    pub error: ConnectError,
}

impl fmt::Display for Unreachable {
    /// `cannot reach the tunnel host H for wss://H/cable/new/…: connection to H:443 refused …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot reach the tunnel host {} for {}: {}",
            self.error.host(),
            self.url,
            self.error
        )
    }
}

/// One line of a run's log: a peer's own event, or what the driver did for it on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// When, on the peers' clock.
    pub at: Millis,
    /// Whose.
    pub side: Side,
    /// The layer it belongs to (the driver's socket work is [`Layer::Tunnel`], the
    /// in-process QR and radio hops [`Layer::Qr`] and [`Layer::Ble`]).
    pub layer: Layer,
    /// What happened, e.g. `sent`, `received`, `upgrade refused`, or the peer's event name.
    pub what: String,
    /// The bytes concerned, in hex (empty if none; `(secret, N B)` for hidden secrets).
    pub bytes: String,
    /// Whether this is one of the peer's own events ([`Output::Event`]) rather than the
    /// driver's note of what it did on the wire.
    pub peer_event: bool,
    /// The length of secret bytes left out of [`LogEntry::bytes`], when they were.
    pub secret_len: Option<usize>,
}

impl fmt::Display for LogEntry {
    /// `  0.251s phone    Tunnel     sent 81 B  a1b2…` (bytes shortened to 64 hex digits).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at, side, layer) = (
            self.at.to_string(),
            self.side.to_string(),
            format!("{:?}", self.layer),
        );
        write!(f, "{at:>9} {side:<7} {layer:<9} {}", self.what)?;
        if !self.bytes.is_empty() {
            let shown: String = self.bytes.chars().take(64).collect();
            let more = if self.bytes.len() > shown.len() {
                "…"
            } else {
                ""
            };
            write!(f, "  {shown}{more}")?;
        }
        Ok(())
    }
}

/// What a run produced.
pub struct PeersOutcome<H: CtapHandler = Authenticator> {
    /// How the desktop's transaction ended: its own result, or why the driver gave up on it.
    pub desktop_result: Result<(), PeerError>,
    /// How the phone's transaction ended: its own result, or why the driver gave up on it.
    pub phone_result: Result<(), PeerError>,
    /// The phone's CTAP response as the desktop received it, `status ‖ CBOR`
    /// ([`Desktop::ctap_response`]).
    pub ctap_response: Option<Vec<u8>>,
    /// The link the desktop stored, when the phone offered linking and it verified
    /// ([`Desktop::linked_device`]).
    pub linked_device: Option<LinkedDevice>,
    /// Every peer event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// The desktop after the run (for its other accessors: handshake hash, revision, …).
    pub desktop: Desktop,
    /// The phone after the run (for its authenticator, configuration, handshake hash, …).
    pub phone: Phone<H>,
}

impl<H: CtapHandler> PeersOutcome<H> {
    /// `Ok` when both peers finished successfully; otherwise the first failure (in time
    /// order: the cause rather than its echo), as `side: Layer: message`.
    pub fn ok(&self) -> Result<(), String> {
        match self.first_failure() {
            None => Ok(()),
            Some((side, error)) => Err(format!("{side}: {error}")),
        }
    }

    /// The failure that came first: the peer that failed on its own first, or else (both
    /// abandoned) the desktop's.
    pub fn first_failure(&self) -> Option<(Side, &PeerError)> {
        let failed_first = self
            .log
            .iter()
            .find(|e| e.what.starts_with(FAILED_PREFIX))
            .map(|e| e.side);
        let result = |side: Side| match side {
            Side::Desktop => self.desktop_result.as_ref().err(),
            Side::Phone => self.phone_result.as_ref().err(),
        };
        let order = match failed_first {
            Some(side) => [side, side.other()],
            None => [Side::Desktop, Side::Phone],
        };
        order
            .into_iter()
            .find_map(|side| result(side).map(|e| (side, e)))
    }

    /// The log as text, one [`LogEntry`] per line.
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        for entry in &self.log {
            text.push_str(&entry.to_string());
            text.push('\n');
        }
        text
    }
}

impl<H: CtapHandler> fmt::Debug for PeersOutcome<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeersOutcome")
            .field("desktop_result", &self.desktop_result)
            .field("phone_result", &self.phone_result)
            .field(
                "ctap_response",
                &self.ctap_response.as_ref().map(hex::encode),
            )
            .field("linked_device", &self.linked_device)
            .field("timed_out", &self.timed_out)
            .field("elapsed", &self.elapsed)
            .field("log", &self.log.len())
            .finish_non_exhaustive()
    }
}

/// The `what` of the log line the driver writes when a peer finishes with an error.
const FAILED_PREFIX: &str = "finished: failed";

/// The [`TunnelEndpoint`] for `ws://HOST:PORT` or `wss://HOST[:PORT]`: the override to put in both peers'
/// configurations so that their URLs and `Origin` headers name the tunnel server.
pub fn tunnel_endpoint(tunnel: &str) -> Result<TunnelEndpoint, TargetError> {
    let target = Target::parse(tunnel)?;
    Ok(endpoint_of(&target))
}

fn endpoint_of(target: &Target) -> TunnelEndpoint {
    let host = if target.host().contains(':') {
        format!("[{}]", target.host())
    } else {
        target.host().to_owned()
    };
    let scheme = if target.is_tls() {
        Scheme::Wss
    } else {
        Scheme::Ws
    };
    TunnelEndpoint::new(scheme, &host, Some(target.port()))
}

/// Runs `desktop` and `phone` against the tunnel server at `tunnel` (`ws://HOST:PORT`)
/// until both have finished, one has failed and the other did not follow within
/// [`DriveOptions::failure_grace`], or [`DriveOptions::timeout`] passed. See the module
/// documentation for what is real and what stays in-process.
///
/// `desktop` should have been made at [`Millis::ZERO`]: the run's clock starts there. Its
/// queued first outputs (`ShowQr`, or the linked flow's `/cable/contact`) are carried out
/// first. A `tunnel` that is not `ws://HOST:PORT` fails both peers at once with
/// [`Layer::Tunnel`].
pub async fn run_peers<H: CtapHandler>(
    tunnel: &str,
    desktop: Desktop,
    phone: Phone<H>,
    options: DriveOptions,
) -> PeersOutcome<H> {
    let (mut desktop, mut phone) = (desktop, phone);
    let route = Target::parse(tunnel).map(TunnelRoute::Server);
    let report = drive(
        route,
        Some(&mut desktop),
        Some(&mut phone),
        Links::default(),
        options,
    )
    .await;
    PeersOutcome {
        desktop_result: report.desktop_result,
        phone_result: report.phone_result,
        ctap_response: desktop.ctap_response().map(<[u8]>::to_vec),
        linked_device: desktop.linked_device().cloned(),
        log: report.log,
        timed_out: report.timed_out,
        unreachable: report.unreachable,
        elapsed: report.elapsed,
        desktop,
        phone,
    }
}

/// Runs only the desktop, its tunnel sockets opened as `route` says: the phone
/// is somewhere else (another process, another machine, a real phone). The caller shows the
/// QR code ([`Desktop::qr_url`]) however it likes; the phone's adverts arrive on `adverts`
/// (see [`read_advert_lines`](crate::advert_feed::read_advert_lines) for a file, a FIFO or
/// stdin). Adverts that do not match are noted in the log and ignored, as a desktop ignores
/// strangers' adverts. When `adverts` closes while the desktop still waits for a match, the
/// desktop fails at once with [`Layer::Ble`] instead of waiting out its advert timer.
///
/// The linked flow is not driven here: its wake-up needs the phone's wake socket, which
/// only a run with both peers opens.
pub async fn run_desktop(
    route: &TunnelRoute,
    desktop: Desktop,
    adverts: UnboundedReceiver<FedAdvert>,
    options: DriveOptions,
) -> DesktopOutcome {
    let mut desktop = desktop;
    let links = Links {
        adverts_in: Some(adverts),
        adverts_out: None,
    };
    let route = Ok(route.clone());
    let report = drive::<Authenticator>(route, Some(&mut desktop), None, links, options).await;
    DesktopOutcome {
        result: report.desktop_result,
        ctap_response: desktop.ctap_response().map(<[u8]>::to_vec),
        linked_device: desktop.linked_device().cloned(),
        log: report.log,
        timed_out: report.timed_out,
        unreachable: report.unreachable,
        elapsed: report.elapsed,
        desktop,
    }
}

/// Runs only the phone, its tunnel sockets opened as `route` says: it scans
/// `qr` (a `FIDO:/` string from a desktop elsewhere), and every advert it starts is sent on
/// `adverts` for the other side's radio (see
/// [`write_advert_lines`](crate::advert_feed::write_advert_lines)). The run ends when the
/// phone finishes, or at [`DriveOptions::timeout`].
pub async fn run_phone<H: CtapHandler>(
    route: &TunnelRoute,
    phone: Phone<H>,
    qr: &str,
    adverts: UnboundedSender<AdvertLine>,
    options: DriveOptions,
) -> PhoneOutcome<H> {
    let mut phone = phone;
    phone.handle_input(Millis::ZERO, Input::QrScanned(qr.to_owned()));
    let links = Links {
        adverts_in: None,
        adverts_out: Some(adverts),
    };
    let report = drive(Ok(route.clone()), None, Some(&mut phone), links, options).await;
    PhoneOutcome {
        result: report.phone_result,
        log: report.log,
        timed_out: report.timed_out,
        unreachable: report.unreachable,
        elapsed: report.elapsed,
        phone,
    }
}

/// What [`run_desktop`] produced.
#[derive(Debug)]
pub struct DesktopOutcome {
    /// How the desktop's transaction ended: its own result, or why the driver gave up on it.
    pub result: Result<(), PeerError>,
    /// The phone's CTAP response, `status ‖ CBOR` ([`Desktop::ctap_response`]).
    pub ctap_response: Option<Vec<u8>>,
    /// The link the desktop stored, when the phone offered linking and it verified.
    pub linked_device: Option<LinkedDevice>,
    /// Every desktop event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// The desktop after the run.
    pub desktop: Desktop,
}

/// What [`run_phone`] produced.
pub struct PhoneOutcome<H: CtapHandler = Authenticator> {
    /// How the phone's transaction ended: its own result, or why the driver gave up on it.
    pub result: Result<(), PeerError>,
    /// Every phone event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// The phone after the run (its authenticator holds any new credential).
    pub phone: Phone<H>,
}

impl<H: CtapHandler> fmt::Debug for PhoneOutcome<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneOutcome")
            .field("result", &self.result)
            .field("timed_out", &self.timed_out)
            .field("unreachable", &self.unreachable)
            .field("elapsed", &self.elapsed)
            .field("log", &self.log.len())
            .finish_non_exhaustive()
    }
}

/// One advert from outside the process, or a line that could not be read as one (kept to be
/// noted in the log).
pub type FedAdvert = Result<AdvertLine, String>;

/// The hops that leave the process when only one peer runs here.
#[derive(Default)]
struct Links {
    /// Desktop alone: where the phone's adverts come from.
    adverts_in: Option<UnboundedReceiver<FedAdvert>>,
    /// Phone alone: where its adverts go.
    adverts_out: Option<UnboundedSender<AdvertLine>>,
}

/// How a run ended, before the caller puts its peers back in.
struct Report {
    desktop_result: Result<(), PeerError>,
    phone_result: Result<(), PeerError>,
    log: Vec<LogEntry>,
    timed_out: bool,
    unreachable: Option<Unreachable>,
    elapsed: Duration,
}

/// Drives whichever peers are given: both (in-process QR and radio), or one, with `links`
/// carrying the hops to the other.
async fn drive<H: CtapHandler>(
    route: Result<TunnelRoute, TargetError>,
    desktop: Option<&mut Desktop>,
    phone: Option<&mut Phone<H>>,
    links: Links,
    options: DriveOptions,
) -> Report {
    let started = Instant::now();
    let route = match route {
        Ok(route) => route,
        Err(e) => {
            let error = |party| PeerError::new(party, Reason::BadTarget(e.to_string()));
            return Report {
                desktop_result: Err(error(Party::Desktop)),
                phone_result: Err(error(Party::Phone)),
                log: Vec::new(),
                timed_out: false,
                unreachable: None,
                elapsed: started.elapsed(),
            };
        }
    };
    let (events, inbox) = unbounded_channel();
    let mut driver = Driver {
        started,
        route,
        options,
        desktop,
        phone,
        links,
        events,
        inbox,
        tasks: JoinSet::new(),
        sockets: BTreeMap::new(),
        log: Vec::new(),
        finished: BTreeMap::new(),
        forced: BTreeMap::new(),
        wake: WakeState::Unused,
        cut_at: None,
        timed_out: false,
        unreachable: None,
    };
    driver.run().await;
    driver.finish().await
}

/// The next advert from outside, or never when there is no feed.
async fn next_fed(feed: &mut Option<UnboundedReceiver<FedAdvert>>) -> Option<FedAdvert> {
    match feed {
        Some(feed) => feed.recv().await,
        None => std::future::pending().await,
    }
}

/// What the driver sends a socket task.
#[derive(Debug)]
enum Command {
    Send(Vec<u8>),
    Close(u16),
}

/// What socket tasks tell the driver.
#[derive(Debug)]
enum NetEvent {
    Opened {
        side: Side,
        socket: SocketId,
        headers: Vec<(String, String)>,
    },
    Refused {
        side: Side,
        socket: SocketId,
        status: u16,
        reason: String,
        unreachable: Option<Unreachable>,
    },
    Message {
        side: Side,
        socket: SocketId,
        data: Vec<u8>,
    },
    Text {
        side: Side,
        socket: SocketId,
    },
    Closed {
        side: Side,
        socket: SocketId,
        code: u16,
    },
    Wake(String),
    WakeEnded(String),
}

/// Where one peer socket is, as the driver sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Upgrading,
    Open,
    Gone,
}

#[derive(Debug)]
struct SocketEntry {
    commands: UnboundedSender<Command>,
    path: String,
    phase: Phase,
    sent: usize,
    received: usize,
}

/// The wake channel.
#[derive(Debug)]
enum WakeState {
    /// Not a linked run (or switched off).
    Unused,
    /// Registered and listening; dropping the sender closes it.
    Open {
        _close_on_drop: UnboundedSender<Command>,
    },
    /// Refused or ended, and why.
    Failed(String),
}

struct Driver<'a, H: CtapHandler> {
    started: Instant,
    route: TunnelRoute,
    options: DriveOptions,
    desktop: Option<&'a mut Desktop>,
    phone: Option<&'a mut Phone<H>>,
    links: Links,
    events: UnboundedSender<NetEvent>,
    inbox: UnboundedReceiver<NetEvent>,
    tasks: JoinSet<()>,
    sockets: BTreeMap<(Side, SocketId), SocketEntry>,
    log: Vec<LogEntry>,
    /// When each peer finished (its `Finished` output).
    finished: BTreeMap<Side, Millis>,
    /// Errors the driver gave a peer that did not finish on its own.
    forced: BTreeMap<Side, PeerError>,
    wake: WakeState,
    /// When to abandon the peers still running after a failure.
    cut_at: Option<Instant>,
    timed_out: bool,
    /// The first socket whose host could not be reached.
    unreachable: Option<Unreachable>,
}

impl<H: CtapHandler> Driver<'_, H> {
    fn now(&self) -> Millis {
        Millis::from(self.started.elapsed())
    }

    fn instant_of(&self, at: Millis) -> Instant {
        self.started + Duration::from_millis(at.as_millis())
    }

    fn note(&mut self, side: Side, layer: Layer, what: impl Into<String>, bytes: &[u8]) {
        let at = self.now();
        self.log.push(LogEntry {
            at,
            side,
            layer,
            what: what.into(),
            bytes: hex::encode(bytes),
            peer_event: false,
            secret_len: None,
        });
    }

    fn is_done(&self, side: Side) -> bool {
        // An absent peer (it runs elsewhere) has nothing left to do here.
        self.forced.contains_key(&side)
            || match side {
                Side::Desktop => self.desktop.as_ref().is_none_or(|d| d.is_finished()),
                Side::Phone => self.phone.as_ref().is_none_or(|p| p.is_finished()),
            }
    }

    async fn run(&mut self) {
        let deadline = self.started + self.options.timeout;
        let linked = self
            .desktop
            .as_ref()
            .is_some_and(|d| d.config().linked_device.is_some());
        if self.options.wake_channel && linked && self.phone.is_some() {
            self.open_wake_channel(deadline).await;
        }
        loop {
            self.pump();
            if self.is_done(Side::Desktop) && self.is_done(Side::Phone) {
                return;
            }
            let timer = [
                self.desktop.as_ref().and_then(|d| d.poll_timeout()),
                self.phone.as_ref().and_then(|p| p.poll_timeout()),
            ]
            .into_iter()
            .flatten()
            .min();
            let timer_at = timer.map(|at| self.instant_of(at));
            let cut_at = self.cut_at;
            tokio::select! {
                event = self.inbox.recv() => match event {
                    Some(event) => self.on_event(event),
                    // Unreachable while the driver holds a sender; treat as stuck.
                    None => return self.abandon_all(false),
                },
                fed = next_fed(&mut self.links.adverts_in), if self.links.adverts_in.is_some() => {
                    self.on_fed(fed);
                }
                () = sleep_until(timer_at.unwrap_or(deadline)), if timer_at.is_some() => {
                    let now = self.now().max(timer.unwrap_or_default());
                    if let Some(desktop) = self.desktop.as_mut() {
                        desktop.handle_timeout(now);
                    }
                    if let Some(phone) = self.phone.as_mut() {
                        phone.handle_timeout(now);
                    }
                }
                () = sleep_until(cut_at.unwrap_or(deadline)), if cut_at.is_some() => {
                    return self.abandon_all(false);
                }
                () = sleep_until(deadline) => {
                    self.timed_out = true;
                    return self.abandon_all(true);
                }
            }
        }
    }

    /// Drains both peers' outputs until neither has any left (carrying one out may feed the
    /// other peer).
    fn pump(&mut self) {
        loop {
            let mut progress = false;
            while let Some(output) = self.desktop.as_mut().and_then(|d| d.poll_output()) {
                progress = true;
                self.carry_out(Side::Desktop, output);
            }
            while let Some(output) = self.phone.as_mut().and_then(|p| p.poll_output()) {
                progress = true;
                self.carry_out(Side::Phone, output);
            }
            if !progress {
                return;
            }
        }
    }

    fn carry_out(&mut self, side: Side, output: Output) {
        let now = self.now();
        match output {
            Output::ShowQr(text) => match self.phone.as_mut() {
                Some(phone) => {
                    phone.handle_input(now, Input::QrScanned(text));
                    self.note(side, Layer::Qr, "QR code shown; the phone scans it", &[]);
                }
                None => self.note(
                    side,
                    Layer::Qr,
                    "QR code shown, for a phone outside this process",
                    text.as_bytes(),
                ),
            },
            Output::Advertise { uuid, data } => {
                if let Some(desktop) = self.desktop.as_mut() {
                    let input = Input::Advert {
                        uuid,
                        data: data.clone(),
                        rssi: ADVERT_RSSI,
                    };
                    desktop.handle_input(now, input);
                    let what = format!("advertising under {uuid:#06x}; the desktop hears it");
                    self.note(side, Layer::Ble, what, &data);
                } else if let Some(out) = &self.links.adverts_out {
                    let line = AdvertLine {
                        uuid,
                        data: data.clone(),
                    };
                    let what = if out.send(line).is_ok() {
                        format!("advertising under {uuid:#06x}; handed out for the desktop's radio")
                    } else {
                        format!("advertising under {uuid:#06x}; nobody takes the advert out")
                    };
                    self.note(side, Layer::Ble, what, &data);
                }
            }
            Output::StopAdvertising => {
                self.note(side, Layer::Ble, "advertising stopped", &[]);
            }
            Output::Connect {
                socket,
                url,
                headers,
            } => self.connect(side, socket, &url, headers),
            Output::Send { socket, data } => {
                self.note(side, Layer::Tunnel, format!("sent {} B", data.len()), &data);
                match self.sockets.get_mut(&(side, socket)) {
                    Some(entry) if entry.phase != Phase::Gone => {
                        entry.sent += 1;
                        let _ = entry.commands.send(Command::Send(data));
                    }
                    _ => self.note(side, Layer::Tunnel, "send on a socket that is gone", &[]),
                }
            }
            Output::Close { socket, code } => {
                self.note(side, Layer::Tunnel, format!("close {code}"), &[]);
                if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
                    if entry.phase != Phase::Gone {
                        entry.phase = Phase::Gone;
                        let _ = entry.commands.send(Command::Close(code));
                    }
                }
            }
            Output::Event(event) => self.peer_event(side, event),
            Output::Finished(result) => {
                self.finished.insert(side, now);
                match result {
                    Ok(()) => self.note(side, Layer::Tunnel, "finished: ok", &[]),
                    Err(error) => {
                        let what = format!("{FAILED_PREFIX}: {error}");
                        self.note(side, error.layer, what, &[]);
                        self.start_grace();
                    }
                }
            }
        }
    }

    fn peer_event(&mut self, side: Side, event: PeerEvent) {
        let hidden = event.secret && !self.options.log_secrets && !event.bytes.is_empty();
        let bytes = if hidden {
            format!("(secret, {} B)", event.bytes.len())
        } else {
            hex::encode(&event.bytes)
        };
        let at = self.now();
        self.log.push(LogEntry {
            at,
            side,
            layer: event.layer,
            what: event.what,
            bytes,
            peer_event: true,
            secret_len: hidden.then_some(event.bytes.len()),
        });
    }

    fn start_grace(&mut self) {
        if self.cut_at.is_none() {
            self.cut_at = Some(Instant::now() + self.options.failure_grace);
        }
    }

    fn connect(
        &mut self,
        side: Side,
        socket: SocketId,
        url: &TunnelUrl,
        headers: Vec<(String, String)>,
    ) {
        let path = url.route.path();
        let target = match self.route.clone() {
            TunnelRoute::Server(target) => {
                let mapped = endpoint_of(&target);
                if url.host != mapped.host || url.port != mapped.port || url.scheme != mapped.scheme
                {
                    self.note(
                        side,
                        Layer::Tunnel,
                        format!("{url} mapped to {target}{path}"),
                        &[],
                    );
                }
                Ok(target)
            }
            TunnelRoute::PeerUrls(tls) => url_target(url, &tls),
        };
        let shown = match &target {
            Ok(target) => format!("{target}{path}"),
            Err(_) => url.to_string(),
        };
        self.note(side, Layer::Tunnel, format!("upgrade {shown}"), &[]);
        let (commands, receiver) = unbounded_channel();
        self.sockets.insert(
            (side, socket),
            SocketEntry {
                commands,
                path: path.clone(),
                phase: Phase::Upgrading,
                sent: 0,
                received: 0,
            },
        );
        let target = match target {
            Ok(target) => target,
            Err(e) => {
                let _ = self.events.send(NetEvent::Refused {
                    side,
                    socket,
                    status: 0,
                    reason: e.to_string(),
                    unreachable: None,
                });
                return;
            }
        };
        let task = SocketTask {
            target,
            side,
            socket,
            path,
            headers,
            upgrade_timeout: self.options.upgrade_timeout,
            close_linger: self.options.close_linger,
            events: self.events.clone(),
        };
        self.tasks.spawn(task.run(receiver));
    }

    fn on_event(&mut self, event: NetEvent) {
        let now = self.now();
        match event {
            NetEvent::Opened {
                side,
                socket,
                headers,
            } => {
                let listed: Vec<String> =
                    headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                self.note(
                    side,
                    Layer::Tunnel,
                    format!("upgraded (101; {})", listed.join("; ")),
                    &[],
                );
                if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
                    if entry.phase == Phase::Upgrading {
                        entry.phase = Phase::Open;
                    }
                }
                self.input(side, now, Input::SocketOpened { socket, headers });
            }
            NetEvent::Refused {
                side,
                socket,
                status,
                reason,
                unreachable,
            } => {
                if self.unreachable.is_none() {
                    self.unreachable = unreachable;
                }
                self.note(
                    side,
                    Layer::Tunnel,
                    format!("upgrade refused: status {status}, {}", one_line(&reason)),
                    &[],
                );
                self.set_gone(side, socket);
                self.input(
                    side,
                    now,
                    Input::SocketRefused {
                        socket,
                        status,
                        reason,
                    },
                );
            }
            NetEvent::Message { side, socket, data } => {
                self.note(
                    side,
                    Layer::Tunnel,
                    format!("received {} B", data.len()),
                    &data,
                );
                if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
                    entry.received += 1;
                }
                self.input(side, now, Input::Message { socket, data });
            }
            NetEvent::Text { side, socket } => {
                self.note(side, Layer::Tunnel, "received a text message", &[]);
                self.input(side, now, Input::TextMessage { socket });
            }
            NetEvent::Closed { side, socket, code } => {
                self.note(
                    side,
                    Layer::Tunnel,
                    format!("closed by the server: {code}"),
                    &[],
                );
                self.set_gone(side, socket);
                self.input(side, now, Input::SocketClosed { socket, code });
            }
            NetEvent::Wake(text) => match WakeUp::from_json(&text) {
                Ok(wake) => {
                    self.note(
                        Side::Phone,
                        Layer::Tunnel,
                        "wake-up received on the wake socket",
                        text.as_bytes(),
                    );
                    self.input(
                        Side::Phone,
                        now,
                        Input::WakeUp {
                            tunnel_id: wake.tunnel_id,
                            routing_id: wake.routing_id,
                            client_payload: wake.client_payload,
                        },
                    );
                }
                Err(e) => self.note(
                    Side::Phone,
                    Layer::Tunnel,
                    format!("unreadable wake-up ignored: {e}"),
                    text.as_bytes(),
                ),
            },
            NetEvent::WakeEnded(why) => {
                self.note(
                    Side::Phone,
                    Layer::Tunnel,
                    format!("wake socket {why}"),
                    &[],
                );
                self.wake = WakeState::Failed(format!("the wake socket {why}"));
            }
        }
    }

    fn set_gone(&mut self, side: Side, socket: SocketId) {
        if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
            entry.phase = Phase::Gone;
        }
    }

    fn input(&mut self, side: Side, now: Millis, input: Input) {
        match side {
            Side::Desktop => {
                if let Some(desktop) = self.desktop.as_mut() {
                    desktop.handle_input(now, input);
                }
            }
            Side::Phone => {
                if let Some(phone) = self.phone.as_mut() {
                    phone.handle_input(now, input);
                }
            }
        }
    }

    /// An advert (or an unreadable line) from outside, for the desktop running alone.
    fn on_fed(&mut self, fed: Option<FedAdvert>) {
        let now = self.now();
        match fed {
            Some(Ok(advert)) => {
                let what = format!("advert heard under {:#06x} (from outside)", advert.uuid);
                self.note(Side::Desktop, Layer::Ble, what, &advert.data);
                let input = Input::Advert {
                    uuid: advert.uuid,
                    data: advert.data,
                    rssi: ADVERT_RSSI,
                };
                self.input(Side::Desktop, now, input);
            }
            Some(Err(why)) => {
                let what = format!("advert input ignored: {}", one_line(&why));
                self.note(Side::Desktop, Layer::Ble, what, &[]);
            }
            None => {
                self.links.adverts_in = None;
                self.note(Side::Desktop, Layer::Ble, "advert input ended", &[]);
                let waiting = self.desktop.as_ref().is_some_and(|d| {
                    matches!(
                        state_name(&format!("{d:?}")).as_str(),
                        "AwaitingAdvert" | "AwaitingLinkedAdvert"
                    )
                });
                if waiting && !self.forced.contains_key(&Side::Desktop) {
                    let message = "the advert input ended without an advert for this QR code";
                    self.note(
                        Side::Desktop,
                        Layer::Ble,
                        format!("{FAILED_PREFIX}: {message}"),
                        &[],
                    );
                    self.forced.insert(
                        Side::Desktop,
                        PeerError::new(Party::Desktop, Reason::AdvertsEnded),
                    );
                }
            }
        }
    }

    /// Registers the phone's contact id on the wake socket before the desktop contacts it.
    async fn open_wake_channel(&mut self, deadline: Instant) {
        let Some(contact) = self.phone.as_ref().map(|p| p.config().contact_id.clone()) else {
            return;
        };
        // The wake channel is this server's own extension; a real tunnel domain has none.
        let TunnelRoute::Server(target) = &self.route else {
            return;
        };
        let target = target.clone();
        let path = wake_path(&contact);
        self.note(
            Side::Phone,
            Layer::Tunnel,
            format!("wake socket {target}{path}"),
            &[],
        );
        let wait = self
            .options
            .upgrade_timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        match target.upgrade(&path, &[], wait).await {
            Ok(upgraded) => {
                self.note(Side::Phone, Layer::Tunnel, "wake socket registered", &[]);
                let ws = upgraded.into_websocket().await;
                let (commands, receiver) = unbounded_channel();
                self.wake = WakeState::Open {
                    _close_on_drop: commands,
                };
                self.tasks.spawn(wake_task(
                    ws,
                    receiver,
                    self.events.clone(),
                    self.options.close_linger,
                ));
            }
            Err(refusal) => {
                let why = format!("wake socket {path} refused: {refusal}");
                self.note(Side::Phone, Layer::Tunnel, why.clone(), &[]);
                self.wake = WakeState::Failed(why.clone());
                self.forced.insert(
                    Side::Phone,
                    PeerError::new(Party::Phone, Reason::NeverWoken(why)),
                );
                self.start_grace();
            }
        }
    }

    /// Gives every peer still running an error saying what it was waiting for.
    fn abandon_all(&mut self, timed_out: bool) {
        for side in [Side::Desktop, Side::Phone] {
            if self.is_done(side) {
                continue;
            }
            let (layer, waiting) = self.waiting_for(side);
            let message = if timed_out {
                format!(
                    "no result within {}: {waiting}",
                    crate::check::format_duration(self.options.timeout)
                )
            } else {
                let cause = self
                    .log
                    .iter()
                    .find(|e| e.what.starts_with(FAILED_PREFIX) && e.side != side)
                    .map(|e| {
                        e.what
                            .trim_start_matches(FAILED_PREFIX)
                            .trim_start_matches(": ")
                    })
                    .map(str::to_owned)
                    .or_else(|| self.forced.get(&side.other()).map(ToString::to_string))
                    .unwrap_or_else(|| "the other peer failed".to_owned());
                format!(
                    "abandoned after the {} failed ({cause}): {waiting}",
                    side.other()
                )
            };
            self.note(side, layer, format!("abandoned: {message}"), &[]);
            let error = PeerError::at(side.party(), layer, Reason::Abandoned(message));
            self.forced.insert(side, error);
        }
    }

    /// The layer and a sentence for what `side` is waiting for, from its state, its socket
    /// and its last event.
    fn waiting_for(&self, side: Side) -> (Layer, String) {
        let state = match side {
            Side::Desktop => state_name(&format!("{:?}", self.desktop)),
            Side::Phone => state_name(&format!("{:?}", self.phone)),
        };
        let alone = self.desktop.is_none() || self.phone.is_none();
        let socket = self
            .sockets
            .iter()
            .filter(|((s, _), _)| *s == side)
            .map(|(_, entry)| entry)
            .next_back();
        let (layer, what) = match (side, state.as_str()) {
            (_, _) if socket.is_some_and(|s| s.phase == Phase::Upgrading) => (
                Layer::Tunnel,
                format!(
                    "the tunnel server's answer to the upgrade of {}",
                    socket.map(|s| s.path.as_str()).unwrap_or_default()
                ),
            ),
            (Side::Phone, "AwaitingHandshake") if alone => (
                Layer::Noise,
                "Noise handshake message 1 from the desktop (did it hear the advert?)".to_owned(),
            ),
            (Side::Phone, "Idle") => match &self.wake {
                WakeState::Open { .. } => (
                    Layer::Tunnel,
                    "a wake-up on its wake socket (none arrived)".to_owned(),
                ),
                WakeState::Failed(why) => (Layer::Tunnel, format!("a wake-up, but {why}")),
                WakeState::Unused => (Layer::Qr, "a QR code to scan (none was shown)".to_owned()),
            },
            (Side::Phone, "Starting") => (
                Layer::Tunnel,
                "its connect delay before opening the tunnel".to_owned(),
            ),
            (Side::Phone, "AwaitingHandshake") => (
                Layer::Noise,
                "Noise handshake message 1 from the desktop".to_owned(),
            ),
            (Side::Phone, "AwaitingRequest") => {
                (Layer::Ctap, "the desktop's CTAP request".to_owned())
            }
            (Side::Phone, "AwaitingShutdown") => (
                Layer::Transport,
                "the desktop's shutdown message or close".to_owned(),
            ),
            (Side::Desktop, "AwaitingAdvert" | "AwaitingLinkedAdvert") => {
                (Layer::Ble, "the phone's advert (none matched)".to_owned())
            }
            (Side::Desktop, "AwaitingConnectSignal") => (
                Layer::Tunnel,
                "the server's 00 connect signal (the phone joining the tunnel)".to_owned(),
            ),
            (Side::Desktop, "AwaitingHandshake") => (
                Layer::Noise,
                "Noise handshake message 2 from the phone".to_owned(),
            ),
            (Side::Desktop, "AwaitingPostHandshake") => (
                Layer::Transport,
                "the phone's post-handshake message".to_owned(),
            ),
            (Side::Desktop, "AwaitingCtapResponse") => {
                (Layer::Ctap, "the phone's CTAP response".to_owned())
            }
            (Side::Desktop, "Lingering") => (
                Layer::Transport,
                "the phone to close the tunnel after the shutdown message".to_owned(),
            ),
            _ => (Layer::Tunnel, "its next input".to_owned()),
        };
        let mut text = format!("{side} in state {state}, waiting for {what}");
        if let Some(entry) = socket {
            let phase = match entry.phase {
                Phase::Upgrading => "upgrading",
                Phase::Open => "open",
                Phase::Gone => "closed",
            };
            text.push_str(&format!(
                " (socket {phase}: {} sent, {} received",
                entry.sent, entry.received
            ));
            text.push(')');
        }
        if let Some(last) = self.log.iter().rev().find(|e| e.side == side) {
            text.push_str(&format!("; last: {} at {}", last.what, last.at));
        }
        (layer, text)
    }

    /// Lets the socket tasks send their close frames (bounded), then reports.
    async fn finish(mut self) -> Report {
        // Dropping the command senders tells each socket task to close (if the peer did not)
        // and to finish once the server answered or the linger is over.
        self.sockets.clear();
        self.wake = match self.wake {
            WakeState::Open { .. } => WakeState::Unused,
            other => other,
        };
        let linger = self.options.close_linger + Duration::from_millis(100);
        let _ = timeout(linger, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        self.tasks.abort_all();
        let result = |side: Side, own: Option<&Result<(), PeerError>>| match own {
            Some(result) => result.clone(),
            None => Err(self.forced.get(&side).cloned().unwrap_or(PeerError::new(
                side.party(),
                Reason::DidNotFinish(side.party()),
            ))),
        };
        // A peer that finished on its own reports its own result, even if the driver had
        // given up on it for another reason (the wake channel) before.
        let desktop_result = result(
            Side::Desktop,
            self.desktop.as_ref().and_then(|d| d.result()),
        );
        let phone_result = result(Side::Phone, self.phone.as_ref().and_then(|p| p.result()));
        Report {
            desktop_result,
            phone_result,
            log: self.log,
            timed_out: self.timed_out,
            unreachable: self.unreachable,
            elapsed: self.started.elapsed(),
        }
    }
}

/// The target for a peer's own URL: its scheme, host and port (443 or 80 when it has none).
fn url_target(url: &TunnelUrl, tls: &TlsClient) -> Result<Target, TargetError> {
    let scheme = match url.scheme {
        Scheme::Wss => "wss",
        Scheme::Ws => "ws",
    };
    let host = if url.host.contains(':') && !url.host.starts_with('[') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    Target::parse_with(&format!("{scheme}://{host}{port}"), tls)
}

/// The state's name from a peer's `Debug` text (`… state: AwaitingHandshake(…) …`).
fn state_name(debug: &str) -> String {
    debug
        .split_once("state: ")
        .map(|(_, rest)| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// One peer WebSocket: the upgrade, then reading and writing until it closes.
struct SocketTask {
    target: Target,
    side: Side,
    socket: SocketId,
    path: String,
    headers: Vec<(String, String)>,
    upgrade_timeout: Duration,
    close_linger: Duration,
    events: UnboundedSender<NetEvent>,
}

impl SocketTask {
    async fn run(self, mut commands: UnboundedReceiver<Command>) {
        let (side, socket) = (self.side, self.socket);
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let upgraded = match self
            .target
            .upgrade(&self.path, &headers, self.upgrade_timeout)
            .await
        {
            Ok(upgraded) => upgraded,
            Err(refusal) => {
                let (status, reason) = match &refusal {
                    Refusal::Status(head) => (head.status, head.body.trim().to_owned()),
                    other => (0, other.to_string()),
                };
                let unreachable = match refusal {
                    Refusal::Connect(error) => Some(Unreachable {
                        url: format!("{}{}", self.target, self.path),
                        error,
                    }),
                    _ => None,
                };
                let _ = self.events.send(NetEvent::Refused {
                    side,
                    socket,
                    status,
                    reason,
                    unreachable,
                });
                return;
            }
        };
        let headers = upgraded
            .head
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        let ws = upgraded.into_websocket().await;
        let _ = self.events.send(NetEvent::Opened {
            side,
            socket,
            headers,
        });
        let (mut sink, mut stream) = ws.split();
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Send(data)) => {
                        // A failed send shows up as the stream ending; nothing to do here.
                        let _ = sink.send(Message::Binary(data.into())).await;
                    }
                    Some(Command::Close(code)) => {
                        let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        drain(&mut stream, self.close_linger).await;
                        return;
                    }
                    None => {
                        let frame = CloseFrame { code: CloseCode::Away, reason: "".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        drain(&mut stream, self.close_linger).await;
                        return;
                    }
                },
                incoming = stream.next() => {
                    let event = match incoming {
                        Some(Ok(Message::Binary(data))) => NetEvent::Message { side, socket, data: data.to_vec() },
                        Some(Ok(Message::Text(_))) => NetEvent::Text { side, socket },
                        Some(Ok(Message::Close(frame))) => {
                            let code = frame.map_or(CLOSE_NO_STATUS, |f| u16::from(f.code));
                            let _ = self.events.send(NetEvent::Closed { side, socket, code });
                            // Reading on lets tungstenite send its close reply.
                            drain(&mut stream, self.close_linger).await;
                            return;
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                        Some(Err(_)) | None => {
                            let _ = self.events.send(NetEvent::Closed { side, socket, code: CLOSE_ABNORMAL });
                            return;
                        }
                    };
                    let _ = self.events.send(event);
                }
            }
        }
    }
}

/// Reads and discards until the connection ends or `linger` passes.
async fn drain(stream: &mut futures_util::stream::SplitStream<ClientSocket>, linger: Duration) {
    let _ = timeout(linger, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}

/// The wake socket: forwards text messages until it ends or the driver drops its sender.
async fn wake_task(
    ws: ClientSocket,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<NetEvent>,
    linger: Duration,
) {
    let (mut sink, mut stream) = ws.split();
    loop {
        tokio::select! {
            command = commands.recv() => {
                if command.is_none() {
                    let frame = CloseFrame { code: CloseCode::Normal, reason: "".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    drain(&mut stream, linger).await;
                    return;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let _ = events.send(NetEvent::Wake(text.as_str().to_owned()));
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map_or(CLOSE_NO_STATUS, |f| u16::from(f.code));
                    let _ = events.send(NetEvent::WakeEnded(format!("closed by the server: {code}")));
                    drain(&mut stream, linger).await;
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    let _ = events.send(NetEvent::WakeEnded(format!("failed: {}", one_line(&e.to_string()))));
                    return;
                }
                None => {
                    let _ = events.send(NetEvent::WakeEnded("ended".to_owned()));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_come_from_the_debug_text() {
        assert_eq!(
            state_name("Phone { config: PhoneConfig { name: \"x\" }, state: AwaitingRequest(Session { .. }), socket: Open }"),
            "AwaitingRequest"
        );
        assert_eq!(state_name("Phone { state: Idle, socket: None }"), "Idle");
        assert_eq!(state_name("nothing here"), "unknown");
    }

    #[test]
    fn endpoints_name_the_tunnel() {
        let endpoint = tunnel_endpoint("ws://127.0.0.1:8080").unwrap();
        assert_eq!(
            endpoint,
            TunnelEndpoint::new(Scheme::Ws, "127.0.0.1", Some(8080))
        );
        let v6 = tunnel_endpoint("ws://[::1]:9").map(|e| e.host);
        assert_eq!(v6, Ok("[::1]".to_owned()));
        assert_eq!(
            tunnel_endpoint("wss://example.com"),
            Ok(TunnelEndpoint::new(Scheme::Wss, "example.com", Some(443)))
        );
        assert!(tunnel_endpoint("https://example.com").is_err());
    }

    #[test]
    fn peer_urls_keep_their_scheme_host_and_default_port() {
        let tls = TlsClient::webpki().unwrap();
        let route = hybridsim_proto::tunnel_url::Route::New {
            tunnel_id: [0xab; 16],
        };
        let real = TunnelEndpoint::new(Scheme::Wss, "cable.ua5v.com", None).url(route.clone());
        let target = url_target(&real, &tls).unwrap();
        assert_eq!(
            (target.to_string(), target.port(), target.is_tls()),
            ("wss://cable.ua5v.com".to_owned(), 443, true)
        );
        let plain = TunnelEndpoint::new(Scheme::Ws, "127.0.0.1", Some(8080)).url(route);
        let target = url_target(&plain, &tls).unwrap();
        assert_eq!(target.to_string(), "ws://127.0.0.1:8080");
    }

    #[test]
    fn log_lines_shorten_their_bytes() {
        let entry = LogEntry {
            at: Millis(1_234),
            side: Side::Phone,
            layer: Layer::Tunnel,
            what: "sent 81 B".into(),
            bytes: "ab".repeat(81),
            peer_event: false,
            secret_len: None,
        };
        let line = entry.to_string();
        assert!(
            line.starts_with("   1.234s phone   Tunnel    sent 81 B  abab"),
            "{line}"
        );
        assert!(line.ends_with('…'));
    }
}
