//! The tunnel server over `wss://`: TLS with the self-signed test certificate in
//! `fixtures/tls/` (for `localhost` and 127.0.0.1), clients that trust exactly that
//! certificate. Every test binds port 0 on 127.0.0.1 and runs under a timeout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::{SinkExt, StreamExt};
use hybridsim_tunnel_server::{bind, NetError, ServeConfig, TlsFiles};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::Response;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

mod common;
use common::{bounded, Running, STEP};

type Wss = WebSocketStream<TlsStream<TcpStream>>;

const TID: &str = "68656C6C6F2C20776562617574686E21";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/tls/{name}"))
}

fn test_files() -> TlsFiles {
    TlsFiles::new(fixture("cert.pem"), fixture("key.pem"))
}

/// A server speaking `wss://` with the test certificate, then `configure`d.
async fn start(configure: impl FnOnce(&mut ServeConfig)) -> Running {
    common::start(|config| {
        config.tls = Some(test_files());
        configure(config);
    })
    .await
}

/// A TLS connection to `addr` that trusts only the test certificate, verifying `name`.
async fn tls_connect(addr: SocketAddr, name: &str) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(fixture("cert.pem")).unwrap())
        .unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(name.to_owned()).unwrap();
    timeout(
        STEP,
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .expect("TLS handshake timed out")
}

/// Opens a tunnel route over `wss://` with `Sec-WebSocket-Protocol: fido.cable`.
async fn cable(addr: SocketAddr, host: &str, path: &str) -> (Wss, Response<Option<Vec<u8>>>) {
    let tls = tls_connect(addr, host).await.unwrap();
    let mut request = format!("wss://{host}:{}{path}", addr.port())
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "fido.cable".parse().unwrap());
    timeout(STEP, tokio_tungstenite::client_async(request, tls))
        .await
        .expect("WebSocket handshake timed out")
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn recv_binary(ws: &mut Wss) -> Vec<u8> {
    match timeout(STEP, ws.next()).await.expect("nothing in time") {
        Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
        other => panic!("expected a binary message, got {other:?}"),
    }
}

fn header<T>(response: &Response<T>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A phone on /cable/new and a desktop on /cable/connect, both over `wss://`.
async fn pair(addr: SocketAddr) -> (Wss, Wss) {
    let (phone, response) = cable(addr, "localhost", &format!("/cable/new/{TID}")).await;
    let routing = header(&response, "x-cable-routing-id");
    let (desktop, _) = cable(
        addr,
        "127.0.0.1",
        &format!("/cable/connect/{routing}/{TID}"),
    )
    .await;
    (phone, desktop)
}

#[tokio::test]
async fn wss_pairs_and_relays_and_serves_metrics() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        desktop
            .send(Message::Binary(vec![1; 81].into()))
            .await
            .unwrap();
        assert_eq!(recv_binary(&mut phone).await, vec![1; 81]);
        phone
            .send(Message::Binary(vec![2; 1000].into()))
            .await
            .unwrap();
        assert_eq!(recv_binary(&mut desktop).await, vec![2; 1000]);

        // GET /metrics over the same TLS port.
        let mut tls = tls_connect(server.addr, "localhost").await.unwrap();
        tls.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut response = Vec::new();
        let _ = timeout(STEP, tls.read_to_end(&mut response))
            .await
            .expect("metrics in time");
        let response = String::from_utf8(response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(
            response
                .lines()
                .any(|l| l == "hybridsim_tunnel_messages_relayed_total 2"),
            "{response}"
        );

        phone.close(None).await.unwrap();
        let report = server.stop().await;
        assert_eq!(report.metrics.tunnels_paired, 1);
        assert_eq!(report.metrics.messages_relayed, 2);
    })
    .await;
}

#[tokio::test]
async fn a_sec1_key_works_too() {
    bounded(async {
        let server =
            start(|c| c.tls = Some(TlsFiles::new(fixture("cert.pem"), fixture("key-sec1.pem"))))
                .await;
        let (_ws, response) = cable(server.addr, "localhost", &format!("/cable/new/{TID}")).await;
        assert_eq!(header(&response, "sec-websocket-protocol"), "fido.cable");
        server.stop().await;
    })
    .await;
}

async fn bind_error(cert: &str, key: &str) -> NetError {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsFiles::new(fixture(cert), fixture(key)));
    bind(config).await.expect_err("bind should fail")
}

#[tokio::test]
async fn unusable_files_are_typed_errors_from_bind() {
    bounded(async {
        match bind_error("cert.pem", "cert.pem").await {
            NetError::TlsNoPrivateKey { path } => assert_eq!(path, fixture("cert.pem")),
            other => panic!("expected TlsNoPrivateKey, got {other:?}"),
        }
        match bind_error("key.pem", "key.pem").await {
            e @ NetError::TlsNoCertificate { .. } => {
                assert!(e.to_string().starts_with("no certificate in "), "{e}");
                assert!(e.to_string().ends_with("key.pem"), "{e}");
            }
            other => panic!("expected TlsNoCertificate, got {other:?}"),
        }
        match bind_error("cert.pem", "other-key.pem").await {
            e @ NetError::TlsKeyMismatch { .. } => {
                assert!(e.to_string().contains("does not match certificate"), "{e}");
            }
            other => panic!("expected TlsKeyMismatch, got {other:?}"),
        }
        match bind_error("cert.pem", "missing.pem").await {
            NetError::TlsRead(e) => {
                assert_eq!(e.path, fixture("missing.pem"));
                assert!(e.is_missing(), "{e}");
            }
            other => panic!("expected TlsRead, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn plain_ws_to_a_tls_server_fails_fast_and_the_server_keeps_serving() {
    bounded(async {
        let server = start(|_| {}).await;
        let began = Instant::now();
        let request = format!("ws://{}/cable/new/{TID}", server.addr)
            .into_client_request()
            .unwrap();
        let result = timeout(STEP, tokio_tungstenite::connect_async(request))
            .await
            .expect("plain ws:// to a TLS server hung");
        assert!(result.is_err(), "plain ws:// upgraded on a TLS port");
        assert!(began.elapsed() < Duration::from_secs(2));
        // A client that trusts another name is refused too, without a hang.
        assert!(tls_connect(server.addr, "example.com").await.is_err());
        // The server still serves wss://.
        let (_ws, _) = cable(server.addr, "localhost", &format!("/cable/new/{TID}")).await;
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_silent_client_is_dropped_after_the_handshake_timeout() {
    bounded(async {
        let server = start(|c| c.handshake_timeout = Duration::from_millis(300)).await;
        let mut tcp = TcpStream::connect(server.addr).await.unwrap();
        let mut buf = [0u8; 16];
        let read = timeout(STEP, tcp.read(&mut buf))
            .await
            .expect("silent client not dropped");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        server.stop().await;
    })
    .await;
}
