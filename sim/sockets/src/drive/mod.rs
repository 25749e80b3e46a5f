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
//!   [`/hybridsim/wake/{contact id}`](hybridsim_tunnel::wake_path) side channel: before the desktop's first
//!   output is carried out, the driver opens the wake socket for the phone's contact id
//!   (which registers it), and every wake-up that arrives becomes [`Input::WakeUp`];
//! - the peers' [`Millis`] clock is the [`tokio::time::Instant`] elapsed since the run
//!   started (build the desktop at [`Millis::ZERO`]), and their `poll_timeout` deadlines are
//!   awaited with tokio timers.
//!
//! [`run_desktop`] and [`run_phone`] take a [`TunnelRoute`]: one server for every socket as
//! above, or the URLs the peers make themselves, i.e. `wss://` to the tunnel domain the QR
//! code or advert names (docs/protocol.md §5.1), as a real desktop or phone
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
//! use hybridsim_sockets::drive::{run_peers, tunnel_endpoint, DriveOptions};
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

//! The driver is in modules of one job each: [`options`] (what a run takes), [`log`] (its
//! log), [`results`] (what it produced), `driver` (the peers and their outputs), `events`
//! (socket events, adverts from outside, the wake channel), `abandon` (giving up on a peer),
//! `socket_task` (the tasks that own the sockets) and `outcome` (reading a peer's state).

mod abandon;
mod driver;
mod events;
pub mod log;
pub mod options;
mod outcome;
pub mod results;
mod socket_task;
pub mod wire;

pub use log::{served, trace_json_lines, LogEntry, Side};
pub use options::{
    desktop_seed, tunnel_endpoint, DriveOptions, TunnelRoute, Unreachable, ADVERT_RSSI,
    DEFAULT_CLOSE_LINGER, DEFAULT_DRIVE_TIMEOUT, DEFAULT_FAILURE_GRACE, DEFAULT_UPGRADE_TIMEOUT,
};
pub use results::{DesktopOutcome, PeersOutcome, PhoneOutcome};
pub use wire::WireRecord;

use crate::client::Target;
use driver::{drive, Links};
use hybridsim_ctap::Authenticator;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{Desktop, FedAdvert, Input, Millis, Peer, Phone};
#[cfg(doc)]
use hybridsim_peers::{Layer, Output};
use hybridsim_proto::advert_line::AdvertLine;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

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
        failed_first: report.failed_first,
        desktop_finished_at: report.finished.get(&Side::Desktop).copied(),
        phone_finished_at: report.finished.get(&Side::Phone).copied(),
        timed_out: report.timed_out,
        unreachable: report.unreachable,
        elapsed: report.elapsed,
        wire: report.wire,
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
        stop: None,
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
        wire: report.wire,
        desktop,
    }
}

/// Runs only the phone, its tunnel sockets opened as `route` says: it scans
/// `qr` (a `FIDO:/` string from a desktop elsewhere), and every advert it starts is sent on
/// `adverts` for the other side's radio (see
/// [`write_advert_lines`](crate::advert_feed::write_advert_lines)); `adverts` is dropped
/// when the phone stops advertising (after the handshake). The run ends when the phone
/// finishes, or at [`DriveOptions::timeout`].
pub async fn run_phone<H: CtapHandler>(
    route: &TunnelRoute,
    phone: Phone<H>,
    qr: &str,
    adverts: UnboundedSender<AdvertLine>,
    options: DriveOptions,
) -> PhoneOutcome<H> {
    run_phone_until(route, phone, qr, adverts, std::future::pending(), options).await
}

/// [`run_phone`] with its adverts written as lines to `sink` (`-` for stdout, or a file),
/// as [`write_advert_sink`](crate::advert_feed::write_advert_sink) does; the run's outcome
/// and how the writing went.
pub async fn run_phone_writing<H: CtapHandler>(
    route: &TunnelRoute,
    phone: Phone<H>,
    qr: &str,
    sink: &str,
    options: DriveOptions,
) -> (PhoneOutcome<H>, std::io::Result<()>) {
    let (adverts, to_write) = tokio::sync::mpsc::unbounded_channel();
    let sink = sink.to_owned();
    let writer =
        tokio::spawn(async move { crate::advert_feed::write_advert_sink(to_write, &sink).await });
    let outcome = run_phone(route, phone, qr, adverts, options).await;
    let written = match writer.await {
        Ok(result) => result,
        Err(e) => Err(std::io::Error::other(e.to_string())),
    };
    (outcome, written)
}

/// [`run_phone`], also ended when `stop` resolves (a real radio that failed, Ctrl-C): the
/// phone, if still running, is then abandoned with an error naming the reason `stop` gave
/// and what it was waiting for, and its log kept up to there, as on a timeout.
pub async fn run_phone_until<H: CtapHandler>(
    route: &TunnelRoute,
    phone: Phone<H>,
    qr: &str,
    adverts: UnboundedSender<AdvertLine>,
    stop: impl std::future::Future<Output = String> + Send + 'static,
    options: DriveOptions,
) -> PhoneOutcome<H> {
    let mut phone = phone;
    phone.handle_input(Millis::ZERO, Input::QrScanned(qr.to_owned()));
    let links = Links {
        adverts_in: None,
        adverts_out: Some(adverts),
        stop: Some(Box::pin(stop)),
    };
    let mut report = drive(Ok(route.clone()), None, Some(&mut phone), links, options).await;
    report.wire.qr(qr);
    PhoneOutcome {
        result: report.phone_result,
        log: report.log,
        timed_out: report.timed_out,
        unreachable: report.unreachable,
        elapsed: report.elapsed,
        wire: report.wire,
        phone,
    }
}

#[cfg(test)]
mod tests {
    use super::options::url_target;
    use super::*;
    use crate::tls_client::TlsClient;
    use hybridsim_peers::{Layer, Millis, TunnelEndpoint};
    use hybridsim_proto::tunnel_url::Scheme;

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
    fn a_route_goes_to_the_server_given_or_to_the_peers_domains() {
        let tls = TlsClient::webpki().unwrap();
        let (route, endpoint) = TunnelRoute::choose(None, tls.clone()).unwrap();
        assert!(matches!(route, TunnelRoute::PeerUrls(_)) && endpoint.is_none());
        let (route, endpoint) =
            TunnelRoute::choose(Some("ws://127.0.0.1:8080"), tls.clone()).unwrap();
        assert_eq!(route.to_string(), "ws://127.0.0.1:8080");
        assert_eq!(
            endpoint,
            Some(TunnelEndpoint::new(Scheme::Ws, "127.0.0.1", Some(8080)))
        );
        assert!(TunnelRoute::choose(Some("https://example.com"), tls).is_err());
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
