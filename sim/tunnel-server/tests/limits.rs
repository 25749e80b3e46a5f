//! The server's bounds on hostile or careless clients (issue 20, items 4-6 and 14): every
//! connection counted per address and in total, idle wake sockets closed, wake-ups rate
//! limited per contact id, control frames budgeted, zero limits refused. Each test waits on
//! events with a bound, never on a sleep.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::{SinkExt, StreamExt};
use hybridsim_proto::linking::ClientPayload;
use hybridsim_sockets::client::{ClientSocket, Refusal, Target, CABLE_HEADERS};
use hybridsim_tunnel_server::{bind, wake_path, NetError, ServeConfig, ServerHandle};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{bounded, STEP};

/// A server with `configure`d limits, stopped when the sender is dropped.
async fn start(
    configure: impl FnOnce(&mut ServeConfig),
) -> (SocketAddr, ServerHandle, oneshot::Sender<()>) {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
    config.close_linger = Duration::from_millis(200);
    config.shutdown_grace = Duration::from_millis(500);
    configure(&mut config);
    let server = bind(config).await.unwrap();
    let (addr, handle) = (server.local_addr(), server.handle());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    (addr, handle, stop)
}

async fn upgrade(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<ClientSocket, Refusal> {
    let upgraded = Target::from_addr(addr).upgrade(path, headers, STEP).await?;
    Ok(upgraded.into_websocket().await)
}

fn status(result: Result<ClientSocket, Refusal>) -> Option<u16> {
    match result {
        Ok(_) => Some(101),
        Err(refusal) => refusal.status(),
    }
}

/// The close code the server sends next, skipping anything else.
async fn close_code(ws: &mut ClientSocket) -> Option<u16> {
    timeout(STEP, async {
        while let Some(message) = ws.next().await {
            if let Ok(Message::Close(frame)) = message {
                return frame.map(|f| u16::from(f.code));
            }
            if message.is_err() {
                return None;
            }
        }
        None
    })
    .await
    .expect("the server did not close the socket in time")
}

/// Waits until the server counts `n` open connections.
async fn open_connections(handle: &ServerHandle, n: usize) {
    timeout(STEP, async {
        while handle.open_connections() != n {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{} open, not {n}", handle.open_connections()));
}

#[tokio::test]
async fn wake_sockets_count_in_the_per_address_limit() {
    bounded(async {
        let (addr, handle, _stop) = start(|c| c.tunnel.max_connections_per_ip = 3).await;
        let mut held = Vec::new();
        for n in 0..3u8 {
            held.push(upgrade(addr, &wake_path(&[n + 1; 4]), &[]).await.unwrap());
        }
        open_connections(&handle, 3).await;
        let fourth = upgrade(addr, &wake_path(&[9; 4]), &[]).await;
        assert_eq!(status(fourth), Some(429));
        let tunnel = upgrade(
            addr,
            &format!("/cable/new/{}", "AB".repeat(16)),
            CABLE_HEADERS,
        )
        .await;
        assert_eq!(status(tunnel), Some(429));
        drop(held.pop());
        open_connections(&handle, 2).await;
        assert_eq!(
            status(upgrade(addr, &wake_path(&[9; 4]), &[]).await),
            Some(101)
        );
    })
    .await;
}

#[tokio::test]
async fn unfinished_request_heads_count_in_the_global_cap() {
    bounded(async {
        let (addr, handle, _stop) = start(|c| c.max_connections = 2).await;
        let _a = TcpStream::connect(addr).await.unwrap();
        let _b = TcpStream::connect(addr).await.unwrap();
        open_connections(&handle, 2).await;
        let mut third = TcpStream::connect(addr).await.unwrap();
        let mut answer = String::new();
        timeout(STEP, third.read_to_string(&mut answer))
            .await
            .unwrap()
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(
            answer.ends_with("tunnel server is full (2 connections)\n"),
            "{answer}"
        );
        assert_eq!(handle.open_connections(), 2);
    })
    .await;
}

#[tokio::test]
async fn an_idle_wake_socket_is_closed() {
    bounded(async {
        let (addr, handle, _stop) =
            start(|c| c.wake_idle_timeout = Duration::from_millis(200)).await;
        let mut ws = upgrade(addr, &wake_path(b"idle phone"), &[]).await.unwrap();
        assert_eq!(close_code(&mut ws).await, Some(1000));
        open_connections(&handle, 0).await;
        assert_eq!(handle.metrics().contacts_registered, 0);
    })
    .await;
}

fn client_payload() -> String {
    ClientPayload {
        link_id: [1; 8],
        client_nonce: [2; 16],
        request_type: "ga".to_owned(),
    }
    .to_header_value()
}

#[tokio::test]
async fn wake_ups_of_one_contact_id_are_rate_limited() {
    bounded(async {
        let (addr, _handle, _stop) = start(|c| {
            c.wake_interval = Duration::from_secs(600);
            c.wake_burst = 2;
        })
        .await;
        let contact = b"rate limited phone";
        let mut phone = upgrade(addr, &wake_path(contact), &[]).await.unwrap();
        let path = format!(
            "/cable/contact/{}",
            wake_path(contact).trim_start_matches("/hybridsim/wake/")
        );
        let payload = client_payload();
        let headers = [
            CABLE_HEADERS[0],
            ("X-caBLE-Client-Payload", payload.as_str()),
        ];
        for _ in 0..2 {
            let desktop = upgrade(addr, &path, &headers).await;
            assert_eq!(status(desktop), Some(101));
            let woken = timeout(STEP, phone.next()).await.unwrap();
            assert!(matches!(woken, Some(Ok(Message::Text(_)))), "{woken:?}");
        }
        let third = upgrade(addr, &path, &headers).await;
        assert_eq!(status(third), Some(429));
    })
    .await;
}

#[tokio::test]
async fn a_ping_flood_is_closed_with_1008() {
    bounded(async {
        let (addr, handle, _stop) = start(|c| c.max_control_frames = 5).await;
        let mut ws = upgrade(
            addr,
            &format!("/cable/new/{}", "CD".repeat(16)),
            CABLE_HEADERS,
        )
        .await
        .unwrap();
        for _ in 0..6 {
            ws.send(Message::Ping(vec![0; 8].into())).await.unwrap();
        }
        assert_eq!(
            close_code(&mut ws).await,
            Some(u16::from(CloseCode::Policy))
        );
        let mut wake = upgrade(addr, &wake_path(b"pinging phone"), &[])
            .await
            .unwrap();
        for _ in 0..6 {
            wake.send(Message::Ping(vec![0; 8].into())).await.unwrap();
        }
        assert_eq!(
            close_code(&mut wake).await,
            Some(u16::from(CloseCode::Policy))
        );
        open_connections(&handle, 0).await;
    })
    .await;
}

#[tokio::test]
async fn zero_limits_are_refused_before_listening() {
    type Zero = fn(&mut ServeConfig);
    let zeroed: [(&str, Zero); 5] = [
        ("max_message_size", |c| c.tunnel.max_message_size = 0),
        ("max_messages_per_peer", |c| {
            c.tunnel.max_messages_per_peer = 0
        }),
        ("pending_ttl", |c| c.tunnel.pending_ttl = Duration::ZERO),
        ("max_connections_per_ip", |c| {
            c.tunnel.max_connections_per_ip = 0
        }),
        ("max_connections", |c| c.max_connections = 0),
    ];
    for (name, zero) in zeroed {
        let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
        zero(&mut config);
        match bind(config).await {
            Err(NetError::ZeroLimit { limit }) => assert_eq!(limit, name),
            other => panic!("{name} = 0 was not refused: {other:?}"),
        }
    }
}
