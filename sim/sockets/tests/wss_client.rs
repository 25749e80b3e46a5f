//! The `wss://` tunnel client ([`hybridsim_sockets::client::Target`] over
//! [`hybridsim_sockets::tls_client`]) against the tunnel server with the self-signed test
//! certificate in `fixtures/tls/` (valid for `localhost` and 127.0.0.1): a trusted pair
//! relays, and every way of not getting there is its own typed error (untrusted certificate,
//! wrong name, refused port, plain server, unresolvable name).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::{SinkExt, StreamExt};
use hybridsim_sockets::client::{
    connect_path, new_path, Refusal, Target, TargetError, CABLE_HEADERS,
};
use hybridsim_sockets::tls_client::TrustError;
use hybridsim_sockets::tls_client::{ConnectError, TlsClient};
use hybridsim_tunnel_server::{bind, ServeConfig, TlsFiles};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const STEP: Duration = Duration::from_secs(5);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/tls/{name}"))
}

async fn bounded<T>(body: impl Future<Output = T>) -> T {
    timeout(Duration::from_secs(30), body)
        .await
        .expect("test took too long")
}

/// A tunnel server on `listen` (port 0), TLS with the test certificate unless `plain`. It
/// runs until the test's runtime ends.
async fn server(listen: &str, plain: bool) -> SocketAddr {
    let mut config = ServeConfig::new(listen.parse().unwrap());
    config.rng_seed = Some([3; 32]);
    if !plain {
        config.tls = Some(TlsFiles::new(fixture("cert.pem"), fixture("key.pem")));
    }
    let server = bind(config).await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run(std::future::pending::<()>()));
    addr
}

fn trusting_the_test_cert() -> TlsClient {
    TlsClient::with_extra_anchors(&fixture("cert.pem")).unwrap()
}

async fn connect_error(target: &Target) -> ConnectError {
    match target
        .upgrade(&new_path(&[1; 16]), CABLE_HEADERS, STEP)
        .await
    {
        Err(Refusal::Connect(e)) => e,
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_trusted_wss_pair_relays_both_ways() {
    bounded(async {
        let addr = server("127.0.0.1:0", false).await;
        let tls = trusting_the_test_cert();
        assert_eq!(tls.extra_anchors(), 1);
        let target = Target::parse_with(&format!("wss://localhost:{}", addr.port()), &tls).unwrap();
        assert!(target.is_tls());
        let tunnel_id = [0x42; 16];
        let new = target
            .upgrade(&new_path(&tunnel_id), CABLE_HEADERS, STEP)
            .await
            .unwrap();
        assert_eq!(
            new.head.header("sec-websocket-protocol"),
            Some("fido.cable")
        );
        let routing = new.head.header("x-cable-routing-id").unwrap().to_owned();
        let mut phone = new.into_websocket().await;
        let mut desktop = target
            .upgrade(&connect_path(&routing, &tunnel_id), CABLE_HEADERS, STEP)
            .await
            .unwrap()
            .into_websocket()
            .await;
        desktop
            .send(Message::Binary(b"to the phone".to_vec().into()))
            .await
            .unwrap();
        let got = phone.next().await.unwrap().unwrap();
        assert_eq!(got, Message::Binary(b"to the phone".to_vec().into()));
        phone
            .send(Message::Binary(b"to the desktop".to_vec().into()))
            .await
            .unwrap();
        let got = desktop.next().await.unwrap().unwrap();
        assert_eq!(got, Message::Binary(b"to the desktop".to_vec().into()));
    })
    .await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_trust_error_naming_the_host() {
    bounded(async {
        let addr = server("127.0.0.1:0", false).await;
        let target = Target::parse(&format!("wss://localhost:{}", addr.port())).unwrap();
        let error = connect_error(&target).await;
        assert!(matches!(error, ConnectError::Untrusted { .. }), "{error:?}");
        assert!(error.is_tls());
        let line = error.to_string();
        assert!(
            line.starts_with("TLS: the certificate of localhost is not trusted"),
            "{line}"
        );
        assert!(!line.contains('\n'));
    })
    .await;
}

#[tokio::test]
async fn a_trusted_certificate_for_another_name_is_a_name_mismatch() {
    bounded(async {
        // The certificate names localhost and 127.0.0.1; all of 127/8 is loopback on Linux.
        let addr = server("127.0.0.2:0", false).await;
        let tls = trusting_the_test_cert();
        let target = Target::parse_with(&format!("wss://127.0.0.2:{}", addr.port()), &tls).unwrap();
        let error = connect_error(&target).await;
        assert!(
            matches!(error, ConnectError::NameMismatch { .. }),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("TLS: the certificate of 127.0.0.2 is not valid for that name"),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_closed_port_is_refused_and_a_plain_server_is_not_tls() {
    bounded(async {
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let tls = trusting_the_test_cert();
        let target = Target::parse_with(&format!("wss://localhost:{closed}"), &tls).unwrap();
        let error = connect_error(&target).await;
        assert!(
            matches!(&error, ConnectError::Refused { host, port } if host == "localhost" && *port == closed),
            "{error:?}"
        );
        assert!(!error.is_tls());
        assert_eq!(
            error.to_string(),
            format!("connection to localhost:{closed} refused (nothing listens there)")
        );

        let plain = server("127.0.0.1:0", true).await;
        let target = Target::parse_with(&format!("wss://127.0.0.1:{}", plain.port()), &tls).unwrap();
        let error = connect_error(&target).await;
        assert!(matches!(error, ConnectError::Tls { .. }), "{error:?}");
        assert!(error.to_string().contains("try ws://"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn an_unresolvable_name_is_a_dns_error() {
    bounded(async {
        // .invalid never resolves (RFC 2606).
        let target = Target::parse("wss://tunnel.hybridsim.invalid").unwrap();
        let error = connect_error(&target).await;
        assert!(
            matches!(&error, ConnectError::Dns { host, .. } if host == "tunnel.hybridsim.invalid"),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .starts_with("DNS lookup of tunnel.hybridsim.invalid failed"));
    })
    .await;
}

#[test]
fn anchor_files_are_checked() {
    let missing = TlsClient::with_extra_anchors(&fixture("no-such.pem")).unwrap_err();
    assert!(matches!(missing, TrustError::Read { .. }), "{missing:?}");
    // A key file has no CERTIFICATE section.
    let no_cert = TlsClient::with_extra_anchors(&fixture("key.pem")).unwrap_err();
    assert!(
        matches!(no_cert, TrustError::NoCertificate { .. }),
        "{no_cert:?}"
    );
    assert!(matches!(
        Target::parse("https://example.com"),
        Err(TargetError::Scheme(_))
    ));
}
