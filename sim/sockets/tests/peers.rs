//! The real desktop and phone through our tunnel server on loopback ([`run_peers`]): a QR
//! registration and a QR sign-in verified by the relying party, linking and a linked
//! sign-in woken through the wake channel, and runs that fail (nothing listening, a server
//! that never answers, a bad target) quickly and saying why. Every test is bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::profile::Profile;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::{GetAssertionResponse, MakeCredentialResponse};
use hybridsim_peers::{
    Desktop, DesktopConfig, Layer, LinkedDevice, Millis, Phone, PhoneConfig, ReasonKind,
    TunnelEndpoint,
};
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_sockets::drive::{
    run_peers, tunnel_endpoint, DriveOptions, PeersOutcome, Side, TunnelRoute,
};
use hybridsim_sockets::tls_client::TlsClient;
use hybridsim_sockets::{run_desktop, run_phone_until};
use hybridsim_tunnel_server::{bind, ServeConfig, ServeReport};
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller, PendingCreate};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{
    AttestationConveyance, AttestationType, AuthenticationRequest, RegisteredCredential,
    RegistrationRequest, RegistrationState, RelyingParty, ResidentKey,
};
use hybridsim_webauthn::x509::pem_to_der;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const ORIGIN: &str = "https://login.example";
const RP_ID: &str = "login.example";

async fn bounded<T>(body: impl Future<Output = T>) -> T {
    timeout(Duration::from_secs(60), body)
        .await
        .expect("test took too long")
}

struct Running {
    url: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<ServeReport>,
}

impl Running {
    async fn stop(self) -> ServeReport {
        let _ = self.stop.send(());
        timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap()
    }
}

async fn start() -> Running {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
    config.close_linger = Duration::from_millis(300);
    config.shutdown_grace = Duration::from_secs(2);
    let server = bind(config).await.unwrap();
    let url = format!("ws://{}", server.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running { url, stop, task }
}

fn fixture(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn authenticator(name: &str, seed: u8) -> Authenticator {
    let profile = Profile::from_toml_str(&fixture(&format!("profiles/{name}.toml"))).unwrap();
    let attester = profile
        .attester(|file| Some(fixture(&format!("attestation/{file}"))))
        .unwrap();
    Authenticator::new(profile, attester, [seed; 32], ScriptedUser::approving())
}

fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new(RP_ID, "Login", &[ORIGIN]);
    rp.attestation = AttestationConveyance::Direct;
    rp.trusted_roots = vec![pem_to_der(&fixture("attestation/ca.pem")).unwrap()];
    rp
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn registration(rp: &RelyingParty) -> (PendingCreate, RegistrationState) {
    let user = UserEntity {
        id: Base64Url(b"user-0001".to_vec()),
        name: "alex@login.example".into(),
        display_name: "Alex".into(),
    };
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (options, state) = rp.start_registration(user, [1; 32], &request);
    (
        client::create(&options, &Caller::new(ORIGIN)).unwrap(),
        state,
    )
}

fn ok_body(response: Option<&[u8]>) -> &[u8] {
    let response = response.expect("a CTAP response");
    assert_eq!(response.first(), Some(&0), "CTAP status {response:02x?}");
    &response[1..]
}

fn phone_config(authenticator: Authenticator, seed: u8, endpoint: &TunnelEndpoint) -> PhoneConfig {
    let mut config = PhoneConfig::new(authenticator, [seed; 32]);
    config.tunnel = Some(endpoint.clone());
    config
}

fn assert_ok(outcome: &PeersOutcome) {
    assert!(
        outcome.ok().is_ok(),
        "{:?}\n{}",
        outcome.ok(),
        outcome.log_text()
    );
}

/// A QR registration through `server`, verified by the relying party.
async fn register(
    server: &Running,
    linking: bool,
) -> (RelyingParty, RegisteredCredential, PeersOutcome) {
    let endpoint = tunnel_endpoint(&server.url).unwrap();
    let rp = relying_party();
    let (pending, state) = registration(&rp);
    let mut config = DesktopConfig::new(0x01, pending.request.encode(), [7; 32]);
    config.tunnel = Some(endpoint.clone());
    config.qr.linking = Some(linking);
    let phone = phone_config(
        authenticator("microsoft-authenticator-ios", 3),
        9,
        &endpoint,
    );
    let outcome = run_peers(
        &server.url,
        Desktop::new(config, Millis::ZERO),
        Phone::new(phone),
        DriveOptions::default(),
    )
    .await;
    assert_ok(&outcome);
    let response =
        MakeCredentialResponse::decode(ok_body(outcome.ctap_response.as_deref())).unwrap();
    let transports = ["hybrid".to_owned(), "internal".to_owned()];
    let json = client::registration_response(&pending, &response, &transports).unwrap();
    let credential = rp.finish_registration(&state, &json, now()).unwrap();
    (rp, credential, outcome)
}

fn logged(outcome: &PeersOutcome, side: Side, needle: &str) -> usize {
    outcome
        .log
        .iter()
        .filter(|e| e.side == side && e.what.contains(needle))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_registration_through_the_server_is_verified_by_the_relying_party() {
    bounded(async {
        let server = start().await;
        let (_, credential, outcome) = register(&server, false).await;
        assert_eq!(credential.attestation_format, "packed");
        assert_eq!(credential.attestation, AttestationType::Basic);
        assert!(!outcome.timed_out);
        assert!(outcome.linked_device.is_none());
        assert_eq!(outcome.desktop.revision(), Some(ProtocolRevision::V1));
        assert!(outcome.desktop.handshake_hash().is_some());
        assert_eq!(
            outcome.desktop.handshake_hash(),
            outcome.phone.handshake_hash()
        );
        // The path stays /cable/…, on the tunnel's host and port; the server answered both.
        assert_eq!(
            logged(
                &outcome,
                Side::Phone,
                &format!("upgrade {}/cable/new/", server.url)
            ),
            1
        );
        assert_eq!(
            logged(
                &outcome,
                Side::Desktop,
                &format!("upgrade {}/cable/connect/2A0000/", server.url)
            ),
            1
        );
        assert_eq!(logged(&outcome, Side::Desktop, "mapped to"), 0);
        assert_eq!(logged(&outcome, Side::Desktop, "upgraded (101;"), 1);
        // Real messages crossed the wire: both 81-byte handshake messages.
        assert_eq!(logged(&outcome, Side::Desktop, "sent 81 B"), 1);
        assert_eq!(logged(&outcome, Side::Desktop, "received 81 B"), 1);
        assert!(logged(&outcome, Side::Phone, "received") >= 3);
        // Secrets are hidden in the log.
        assert!(outcome.log.iter().any(|e| e.bytes.starts_with("(secret, ")));
        // On loopback the ceremony takes the phone's 250 ms connect delay plus little more.
        assert!(
            outcome.elapsed < Duration::from_secs(5),
            "{:?}",
            outcome.elapsed
        );
        let report = server.stop().await;
        assert_eq!(report.metrics.connections_open, 0);
        // Message 1 and 2, post-handshake, update, request, reply, shutdown.
        assert_eq!(report.metrics.messages_relayed, 7, "{:?}", report.metrics);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_sign_in_with_the_registered_credential() {
    bounded(async {
        let server = start().await;
        let (rp, mut credential, registered) = register(&server, false).await;
        let authenticator = registered.phone.into_authenticator();
        let endpoint = tunnel_endpoint(&server.url).unwrap();
        let (options, state) = rp.start_authentication(
            std::slice::from_ref(&credential),
            [2; 32],
            &AuthenticationRequest::default(),
        );
        let pending = client::get(&options, &Caller::new(ORIGIN)).unwrap();
        let mut config = DesktopConfig::new(0x02, pending.request.encode(), [8; 32]);
        config.tunnel = Some(endpoint.clone());
        let outcome = run_peers(
            &server.url,
            Desktop::new(config, Millis::ZERO),
            Phone::new(phone_config(authenticator, 10, &endpoint)),
            DriveOptions::default(),
        )
        .await;
        assert_ok(&outcome);
        let response =
            GetAssertionResponse::decode(ok_body(outcome.ctap_response.as_deref())).unwrap();
        let json = client::authentication_response(&pending, &response).unwrap();
        let result = rp
            .finish_authentication(&state, &json, &mut credential)
            .unwrap();
        assert!(result.user_verified);
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_then_a_linked_sign_in_woken_through_the_wake_channel() {
    bounded(async {
        let server = start().await;
        let (rp, mut credential, registered) = register(&server, true).await;
        let device: LinkedDevice = registered.linked_device.clone().expect("linked");
        assert!(registered.phone.linking_sent());
        assert_eq!(device.contact_id, registered.phone.config().contact_id);
        let root_secret = registered.phone.config().root_secret;
        let contact_id = registered.phone.config().contact_id.clone();
        let authenticator = registered.phone.into_authenticator();

        let endpoint = tunnel_endpoint(&server.url).unwrap();
        let (options, state) = rp.start_authentication(
            std::slice::from_ref(&credential),
            [5; 32],
            &AuthenticationRequest::default(),
        );
        let pending = client::get(&options, &Caller::new(ORIGIN)).unwrap();
        let mut config = DesktopConfig::new(0x02, pending.request.encode(), [11; 32]);
        config.tunnel = Some(endpoint.clone());
        config.linked_device = Some(device);
        let mut phone = phone_config(authenticator, 12, &endpoint);
        phone.root_secret = root_secret;
        phone.contact_id = contact_id;
        let outcome = run_peers(
            &server.url,
            Desktop::new(config, Millis::ZERO),
            Phone::new(phone),
            DriveOptions::default(),
        )
        .await;
        assert_ok(&outcome);
        assert_eq!(logged(&outcome, Side::Phone, "wake socket registered"), 1);
        assert_eq!(
            logged(&outcome, Side::Phone, "wake-up received on the wake socket"),
            1
        );
        assert_eq!(
            logged(
                &outcome,
                Side::Desktop,
                &format!("upgrade {}/cable/contact/", server.url)
            ),
            1
        );
        assert_eq!(logged(&outcome, Side::Phone, "/cable/connect/2A0000/"), 1);
        // The server's 00 connect signal reached the desktop.
        assert_eq!(logged(&outcome, Side::Desktop, "received 1 B"), 1);
        let response =
            GetAssertionResponse::decode(ok_body(outcome.ctap_response.as_deref())).unwrap();
        let json = client::authentication_response(&pending, &response).unwrap();
        rp.finish_authentication(&state, &json, &mut credential)
            .unwrap();
        let report = server.stop().await;
        assert_eq!(report.metrics.connections_open, 0);
    })
    .await;
}

/// A loopback port with nothing listening on it.
async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("ws://{addr}")
}

fn qr_peers(url: &str) -> (Desktop, Phone) {
    let endpoint = tunnel_endpoint(url).unwrap();
    let mut config = DesktopConfig::new(0x02, vec![0xa0], [7; 32]);
    config.tunnel = Some(endpoint.clone());
    let phone = phone_config(
        authenticator("microsoft-authenticator-ios", 3),
        9,
        &endpoint,
    );
    (Desktop::new(config, Millis::ZERO), Phone::new(phone))
}

#[tokio::test]
async fn nothing_listening_fails_fast_at_the_tunnel_layer() {
    bounded(async {
        let url = closed_port().await;
        let (desktop, phone) = qr_peers(&url);
        let outcome = run_peers(&url, desktop, phone, DriveOptions::default()).await;
        println!("{}", outcome.log_text());
        assert!(
            outcome.elapsed < Duration::from_secs(3),
            "{:?}",
            outcome.elapsed
        );
        assert!(!outcome.timed_out);
        let (side, error) = outcome.first_failure().unwrap();
        assert_eq!((side, error.layer), (Side::Phone, Layer::Tunnel), "{error}");
        assert_eq!(
            outcome.phone_result.as_ref().unwrap_err().layer,
            Layer::Tunnel
        );
        // The desktop, still waiting for an advert, is abandoned and says so.
        let desktop = outcome.desktop_result.as_ref().unwrap_err();
        assert!(
            desktop
                .reason
                .to_string()
                .starts_with("abandoned after the phone failed"),
            "{desktop}"
        );
        assert!(
            desktop
                .reason
                .to_string()
                .contains("waiting for the phone's advert"),
            "{desktop}"
        );
        assert!(outcome.ok().unwrap_err().starts_with("phone: Tunnel: "));
        // Who failed first and how the desktop ended are values, not log text.
        assert_eq!(outcome.failed_first, Some(Side::Phone));
        // The phone finished on its own (with its failure); the abandoned desktop never did.
        assert!(outcome.phone_finished_at.is_some());
        assert_eq!(outcome.desktop_finished_at, None);
        assert_eq!(
            outcome.phone_result.as_ref().unwrap_err().kind(),
            ReasonKind::Refused
        );
        assert_eq!(desktop.kind(), ReasonKind::Abandoned);
        assert_eq!((desktop.party, desktop.layer), (Side::Desktop, Layer::Ble));

        // Linked: the wake socket itself cannot be opened.
        let endpoint = tunnel_endpoint(&url).unwrap();
        let mut config = DesktopConfig::new(0x02, vec![0xa0], [7; 32]);
        config.tunnel = Some(endpoint.clone());
        config.linked_device = Some(LinkedDevice {
            contact_id: b"contact".to_vec(),
            link_id: [1; 8],
            link_secret: [2; 32],
            public_key: [4; 65],
            domain_id: 0,
            name: "phone".into(),
        });
        let phone = phone_config(
            authenticator("microsoft-authenticator-ios", 3),
            9,
            &endpoint,
        );
        let outcome = run_peers(
            &url,
            Desktop::new(config, Millis::ZERO),
            Phone::new(phone),
            DriveOptions::default(),
        )
        .await;
        assert!(
            outcome.elapsed < Duration::from_secs(3),
            "{:?}",
            outcome.elapsed
        );
        let (_, error) = outcome.first_failure().unwrap();
        assert_eq!(error.layer, Layer::Tunnel, "{error}");
        assert_eq!(
            outcome.desktop_result.as_ref().unwrap_err().layer,
            Layer::Tunnel
        );
        let phone = outcome.phone_result.as_ref().unwrap_err();
        assert!(
            phone
                .reason
                .to_string()
                .starts_with("never woken: wake socket /hybridsim/wake/"),
            "{phone}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stuck_run_reports_what_each_peer_waited_for() {
    bounded(async {
        // Accepts TCP connections and never answers.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((tcp, _)) = listener.accept().await {
                held.push(tcp);
            }
        });
        let (desktop, phone) = qr_peers(&url);
        let options = DriveOptions {
            timeout: Duration::from_millis(800),
            ..DriveOptions::default()
        };
        let started = std::time::Instant::now();
        let outcome = run_peers(&url, desktop, phone, options).await;
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(outcome.timed_out);
        let phone = outcome.phone_result.as_ref().unwrap_err();
        assert_eq!(phone.layer, Layer::Tunnel);
        assert!(
            phone.reason.to_string().starts_with("no result within 800 ms: phone in state Connecting, waiting for the tunnel server's answer to the upgrade of /cable/new/"),
            "{phone}"
        );
        let desktop = outcome.desktop_result.as_ref().unwrap_err();
        assert_eq!(desktop.layer, Layer::Ble);
        assert!(
            desktop.reason.to_string().starts_with("no result within 800 ms: desktop in state AwaitingAdvert, waiting for the phone's advert"),
            "{desktop}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_target_that_is_not_ws_or_wss_fails_both_at_once() {
    let (desktop, phone) = qr_peers("ws://127.0.0.1:9");
    let outcome = run_peers(
        "https://example.invalid",
        desktop,
        phone,
        DriveOptions::default(),
    )
    .await;
    for result in [&outcome.desktop_result, &outcome.phone_result] {
        let error = result.as_ref().unwrap_err();
        assert_eq!(error.layer, Layer::Tunnel);
        assert!(
            error
                .reason
                .to_string()
                .contains("not a ws:// or wss:// URL"),
            "{error}"
        );
    }
    assert!(outcome.log.is_empty());
}

#[tokio::test]
async fn a_lone_phone_stopped_from_outside_keeps_its_log_and_says_why() {
    bounded(async {
        let url = closed_port().await;
        let (desktop, phone) = qr_peers(&url);
        let qr = desktop.qr_url().unwrap().to_owned();
        let (route, _) = TunnelRoute::choose(Some(&url), TlsClient::webpki().unwrap()).unwrap();
        let (adverts, _radio) = tokio::sync::mpsc::unbounded_channel();
        let stop = std::future::ready("the radio failed: gone".to_owned());
        let options = DriveOptions::default();
        let outcome = run_phone_until(&route, phone, &qr, adverts, stop, options).await;
        assert!(!outcome.timed_out);
        let error = outcome.result.as_ref().unwrap_err();
        assert!(
            error
                .reason
                .to_string()
                .starts_with("the radio failed: gone: phone in state "),
            "{error}"
        );
        let last = outcome.log.last().unwrap();
        assert!(
            last.what.starts_with("abandoned: the radio failed: gone"),
            "{last:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_lone_phone_closes_its_advert_link_once_it_stops_advertising() {
    bounded(async {
        let server = start().await;
        let (desktop, phone) = qr_peers(&server.url);
        let qr = desktop.qr_url().unwrap().to_owned();
        let tls = TlsClient::webpki().unwrap();
        let (route, _) = TunnelRoute::choose(Some(&server.url), tls).unwrap();
        let (feed, desktop_adverts) = tokio::sync::mpsc::unbounded_channel();
        let (adverts, mut phone_adverts) = tokio::sync::mpsc::unbounded_channel();
        let (closed, on_close) = oneshot::channel();
        // The air between them; when the phone's link closes, the phone is stopped: so it is
        // stopped mid-run only if the link closed before its run ended.
        tokio::spawn(async move {
            while let Some(advert) = phone_adverts.recv().await {
                let _ = feed.send(Ok(advert));
            }
            let _ = closed.send("the advert link closed".to_owned());
        });
        let stop = async move { on_close.await.unwrap_or_default() };
        let desktop_route = route.clone();
        let options = DriveOptions::default();
        let desktop_run = tokio::spawn(async move {
            run_desktop(&desktop_route, desktop, desktop_adverts, options).await
        });
        let options = DriveOptions::default();
        let outcome = run_phone_until(&route, phone, &qr, adverts, stop, options).await;
        let error = outcome.result.as_ref().unwrap_err().to_string();
        assert!(
            error.contains("the advert link closed: phone in state "),
            "{error}"
        );
        assert!(!error.contains("AwaitingHandshake"), "{error}");
        let stopped = outcome
            .log
            .iter()
            .position(|e| e.what == "advertising stopped");
        let abandoned = outcome
            .log
            .iter()
            .position(|e| e.what.starts_with("abandoned: "));
        assert!(
            stopped.is_some() && stopped < abandoned,
            "{stopped:?} {abandoned:?}"
        );
        desktop_run.abort();
        server.stop().await;
    })
    .await;
}
