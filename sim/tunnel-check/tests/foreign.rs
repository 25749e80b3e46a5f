//! The check against a server we did not write, modelled by a stand-in that behaves as
//! webauthn-rs' `cable-tunnel-server-backend` does where it differs from ours: it insists on
//! an `Origin` host (403 otherwise), queues at most 6 messages per direction and closes a
//! sender that overflows the queue (1008), and has no `/cable/contact` route (404). The real
//! server is checked by hand (docs/tunnel-check.md); these tests pin what the check says to
//! such a server, and that it says the same every time. Loopback only; every test is bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::{SinkExt, StreamExt};
use hybridsim_tunnel_check::check::{check, CheckOptions, CheckReport, Origin, Outcome};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc::{channel, error::TrySendError, Receiver, Sender};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;

/// Messages queued per direction (webauthn-rs' `CHANNEL_BUFFER_SIZE`).
const QUEUE: usize = 6;

async fn bounded<T>(body: impl Future<Output = T>) -> T {
    timeout(Duration::from_secs(90), body)
        .await
        .expect("test took too long")
}

/// A pending tunnel: what the `/connect` side will use.
type Pending = (Sender<Vec<u8>>, Receiver<Vec<u8>>);

/// The stand-in: `/cable/new/{32 hex}` and `/cable/connect/{6 hex}/{32 hex}` only, the
/// `Origin` header's host must be `origin_host`.
async fn strict_server(origin_host: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let pending: Arc<Mutex<HashMap<String, Pending>>> = Arc::default();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let pending = Arc::clone(&pending);
            tokio::spawn(async move {
                let mut ends = None;
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, mut response: Response| {
                    let refuse = |status: StatusCode| {
                        let mut refusal = ErrorResponse::new(None);
                        *refusal.status_mut() = status;
                        Err(refusal)
                    };
                    let path = request.uri().path().to_owned();
                    let parts: Vec<&str> = path.split('/').collect();
                    let hex = |s: &str, n| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
                    let (new, id) = match parts.as_slice() {
                        ["", "cable", "new", id] if hex(id, 32) => (true, id.to_ascii_uppercase()),
                        ["", "cable", "connect", routing, id] if hex(routing, 6) && hex(id, 32) => {
                            (false, id.to_ascii_uppercase())
                        }
                        _ => return refuse(StatusCode::NOT_FOUND),
                    };
                    let headers = request.headers();
                    let protocol = headers.get("sec-websocket-protocol");
                    if !protocol.is_some_and(|p| p.to_str().unwrap_or("").contains("fido.cable")) {
                        return refuse(StatusCode::BAD_REQUEST);
                    }
                    let origin = headers.get("origin").and_then(|o| o.to_str().ok());
                    let host = origin
                        .and_then(|o| o.split_once("://"))
                        .map(|(_, rest)| rest.rsplit_once(':').map_or(rest, |(h, _)| h));
                    if host != Some(origin_host) {
                        return refuse(StatusCode::FORBIDDEN);
                    }
                    let mut table = pending.lock().unwrap();
                    ends = if new {
                        if table.contains_key(&id) {
                            return refuse(StatusCode::CONFLICT);
                        }
                        let (to_new, from_connect) = channel(QUEUE);
                        let (to_connect, from_new) = channel(QUEUE);
                        table.insert(id, (to_new, from_new));
                        response
                            .headers_mut()
                            .insert("x-cable-routing-id", HeaderValue::from_static("000000"));
                        Some((to_connect, from_connect))
                    } else {
                        match table.remove(&id) {
                            Some(ends) => Some(ends),
                            None => return refuse(StatusCode::NOT_FOUND),
                        }
                    };
                    response.headers_mut().insert(
                        "sec-websocket-protocol",
                        HeaderValue::from_static("fido.cable"),
                    );
                    Ok(response)
                };
                // webauthn-rs' default --max-length.
                let config = WebSocketConfig::default()
                    .max_message_size(Some(16 * 1024))
                    .max_frame_size(Some(16 * 1024));
                let accepted =
                    tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(config));
                let Ok(ws) = accepted.await else {
                    return;
                };
                if let Some((tx, rx)) = ends {
                    relay(ws, tx, rx).await;
                }
            });
        }
    });
    addr
}

/// One side of a tunnel: messages from the peer go out; messages in go to the peer's queue,
/// and one that does not fit closes this side with 1008; the peer gone closes it with 1001.
async fn relay(
    mut ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    tx: Sender<Vec<u8>>,
    mut rx: Receiver<Vec<u8>>,
) {
    let close = |code, reason: &str| {
        Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        })
    };
    let goodbye = loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(bytes) => {
                    if ws.send(Message::Binary(bytes.into())).await.is_err() {
                        return;
                    }
                }
                None => break close(CloseCode::Away, "remote peer abnormally disconnected"),
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => match tx.try_send(bytes.to_vec()) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        break close(CloseCode::Policy, "client sent too many messages")
                    }
                    Err(TrySendError::Closed(_)) => break close(CloseCode::Away, "peer gone"),
                },
                Some(Ok(Message::Text(_))) => break close(CloseCode::Unsupported, "text"),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                Some(Ok(_)) => {}
            },
        }
    };
    drop(tx);
    let _ = ws.close(goodbye).await;
    while let Some(Ok(_)) = ws.next().await {}
}

fn options() -> CheckOptions {
    CheckOptions {
        step_timeout: Duration::from_millis(1500),
        ..CheckOptions::default()
    }
}

fn observed(report: &CheckReport, name: &str) -> (Outcome, String) {
    let row = report
        .case(name)
        .unwrap_or_else(|| panic!("no {name}: {report}"));
    (row.outcome, row.observed.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_insisting_on_its_origin_gets_the_origin_the_peers_send() {
    bounded(async {
        // Reached under the name it insists on: the default origin is the target's own.
        let addr = strict_server("127.0.0.1").await;
        let report = check(&format!("ws://{addr}"), options()).await;
        println!("{report}");
        assert!(report.passed(), "{report}");
        // Reached under another name: 403 everywhere without --origin, and every case
        // passes, ceremonies included, with it.
        let addr = strict_server("cable.example.com").await;
        let report = check(&format!("ws://{addr}"), options()).await;
        assert_eq!(
            observed(&report, "new/upgrade"),
            (Outcome::Fail, "/cable/new: HTTP 403".to_owned())
        );
        let with_origin = CheckOptions {
            origin: Some(Origin::parse("wss://cable.example.com").unwrap()),
            ..options()
        };
        let report = check(&format!("ws://{addr}"), with_origin).await;
        println!("{report}");
        assert!(report.passed(), "{report}");
        assert_eq!(
            observed(&report, "ceremony/qr-registration").0,
            Outcome::Pass
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_six_message_queue_passes_the_boundaries_and_shows_its_depth_the_same_every_time() {
    bounded(async {
        let addr = strict_server("127.0.0.1").await;
        let mut depths = Vec::new();
        for _ in 0..3 {
            let report = check(&format!("ws://{addr}"), options()).await;
            assert_eq!(
                observed(&report, "relay/boundaries"),
                (
                    Outcome::Pass,
                    "1, 81, 1000 B each way as sent; 3 back-to-back messages arrived as 3"
                        .to_owned()
                )
            );
            depths.push(observed(&report, "relay/burst-depth (informational)"));
            assert!(report.passed(), "{report}");
        }
        let expected = (
            Outcome::Info,
            "16 messages in one write: 6 relayed in order, then the desktop got close 1001 'remote peer abnormally disconnected' waiting for message 7 (the sender: close 1008 'client sent too many messages')".to_owned(),
        );
        assert_eq!(depths, vec![expected.clone(), expected.clone(), expected]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_on_the_contact_route_says_there_is_none() {
    bounded(async {
        let addr = strict_server("127.0.0.1").await;
        let report = check(&format!("ws://{addr}"), options()).await;
        assert_eq!(
            observed(&report, "contact/unknown-410"),
            (
                Outcome::Skip,
                "HTTP 404: the server has no /cable/contact route, so linked phones cannot be reached through it".to_owned()
            )
        );
        // Nor the wake channel: the linked flow is skipped, not failed.
        assert_eq!(observed(&report, "wake/contact-flow (hybridsim extension)").0, Outcome::Skip);
        assert_eq!(observed(&report, "ceremony/linked-sign-in").0, Outcome::Skip);
    })
    .await;
}
