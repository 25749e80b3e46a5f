//! The tunnel server over real loopback sockets, driven by tokio-tungstenite clients. Every
//! test binds port 0 on 127.0.0.1 and runs under a timeout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::{SinkExt, StreamExt};
use hybridsim_proto::linking::ClientPayload;
use hybridsim_tunnel_server::{bind, serve, wake_path, NetError, ServeConfig, WakeUp};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::Response;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

mod common;
use common::{bounded, start, STEP};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const TID: &str = "68656C6C6F2C20776562617574686E21";

async fn open(
    addr: SocketAddr,
    path: &str,
    headers: &[(&'static str, &str)],
) -> Result<(Ws, Response<Option<Vec<u8>>>), WsError> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    timeout(STEP, connect_async(request))
        .await
        .expect("connect timed out")
}

/// Opens a tunnel route with `Sec-WebSocket-Protocol: fido.cable`.
async fn cable(addr: SocketAddr, path: &str) -> (Ws, Response<Option<Vec<u8>>>) {
    open(addr, path, &[("sec-websocket-protocol", "fido.cable")])
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Expects an HTTP error; returns its status and body.
async fn refused(addr: SocketAddr, path: &str, headers: &[(&'static str, &str)]) -> (u16, String) {
    match open(addr, path, headers).await {
        Err(WsError::Http(response)) => {
            let body = response.body().clone().unwrap_or_default();
            (response.status().as_u16(), String::from_utf8(body).unwrap())
        }
        Err(e) => panic!("{path}: expected an HTTP error, got {e}"),
        Ok(_) => panic!("{path}: expected an HTTP error, got an upgrade"),
    }
}

async fn refused_cable(addr: SocketAddr, path: &str) -> (u16, String) {
    refused(addr, path, &[("sec-websocket-protocol", "fido.cable")]).await
}

async fn send(ws: &mut Ws, bytes: &[u8]) {
    ws.send(Message::Binary(bytes.to_vec().into()))
        .await
        .unwrap();
}

async fn recv(ws: &mut Ws) -> Message {
    timeout(STEP, ws.next())
        .await
        .expect("nothing received in time")
        .expect("stream ended")
        .expect("receive failed")
}

async fn recv_binary(ws: &mut Ws) -> Vec<u8> {
    match recv(ws).await {
        Message::Binary(bytes) => bytes.to_vec(),
        other => panic!("expected a binary message, got {other:?}"),
    }
}

/// Reads until the close frame; returns its code and reason.
async fn recv_close(ws: &mut Ws) -> (u16, String) {
    loop {
        match recv(ws).await {
            Message::Close(Some(frame)) => {
                return (u16::from(frame.code), frame.reason.to_string())
            }
            Message::Close(None) => panic!("close without a code"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a close, got {other:?}"),
        }
    }
}

/// A paired tunnel: (phone on /new, desktop on /connect).
async fn pair(addr: SocketAddr) -> (Ws, Ws) {
    let (phone, response) = cable(addr, &format!("/cable/new/{TID}")).await;
    let routing = header(&response, "x-cable-routing-id");
    let (desktop, _) = cable(addr, &format!("/cable/connect/{routing}/{TID}")).await;
    (phone, desktop)
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

/// A plain HTTP request; returns the status line and headers, and the body.
async fn http_get(addr: SocketAddr, path: &str) -> (String, String) {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    timeout(STEP, tcp.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
}

fn payload_hex() -> String {
    ClientPayload {
        link_id: [1; 8],
        client_nonce: [2; 16],
        request_type: "mc".to_owned(),
    }
    .to_header_value()
}

#[tokio::test]
async fn new_returns_the_routing_id_header_and_selects_fido_cable() {
    bounded(async {
        let server = start(|c| c.tunnel.routing_id = [0x0a, 0x1b, 0xfc]).await;
        let (_phone, response) = cable(server.addr, &format!("/cable/new/{TID}")).await;
        assert_eq!(response.status().as_u16(), 101);
        assert_eq!(header(&response, "sec-websocket-protocol"), "fido.cable");
        let routing = header(&response, "x-cable-routing-id");
        assert_eq!(routing, "0A1BFC");
        assert!(
            routing.len() == 6
                && routing
                    .chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_eq!(
            response
                .headers()
                .get_all("x-cable-routing-id")
                .iter()
                .count(),
            1
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn missing_subprotocol_is_400() {
    bounded(async {
        let server = start(|_| {}).await;
        let (status, body) = refused(server.addr, &format!("/cable/new/{TID}"), &[]).await;
        assert_eq!(
            (status, body.as_str()),
            (400, "missing Sec-WebSocket-Protocol: fido.cable\n")
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn connect_pairs_and_relays_both_ways_keeping_boundaries() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        for (i, n) in [1usize, 81, 1000].into_iter().enumerate() {
            let from_desktop = vec![i as u8; n];
            let from_phone = vec![0x80 | i as u8; n];
            send(&mut desktop, &from_desktop).await;
            send(&mut phone, &from_phone).await;
            assert_eq!(recv_binary(&mut phone).await, from_desktop);
            assert_eq!(recv_binary(&mut desktop).await, from_phone);
        }
        // Several messages back to back still arrive one by one.
        for n in [1usize, 81, 1000] {
            send(&mut phone, &vec![n as u8; n]).await;
        }
        for n in [1usize, 81, 1000] {
            assert_eq!(recv_binary(&mut desktop).await, vec![n as u8; n]);
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn messages_sent_before_the_peer_arrives_are_delivered_in_order() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, response) = cable(server.addr, &format!("/cable/new/{TID}")).await;
        for i in 0..5u8 {
            send(&mut phone, &[i; 81]).await;
        }
        // Let the server read them all before the peer arrives.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let routing = header(&response, "x-cable-routing-id");
        let (mut desktop, _) = cable(server.addr, &format!("/cable/connect/{routing}/{TID}")).await;
        for i in 0..5u8 {
            assert_eq!(recv_binary(&mut desktop).await, [i; 81]);
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn close_on_one_side_closes_the_other_with_1000() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        let done = CloseFrame {
            code: CloseCode::Normal,
            reason: "done".into(),
        };
        phone.close(Some(done)).await.unwrap();
        assert_eq!(
            recv_close(&mut desktop).await,
            (1000, "remote peer cleanly disconnected".to_owned())
        );
        // The server answered the phone's close frame: a clean closing handshake, no reset.
        let mut replies = Vec::new();
        while let Some(item) = timeout(STEP, phone.next()).await.unwrap() {
            replies.push(item.unwrap());
        }
        assert!(
            matches!(replies.as_slice(), [Message::Close(Some(f))] if f.code == CloseCode::Normal),
            "{replies:?}"
        );
        // The desktop's reply to the server's close was read; then the server hung up.
        assert!(timeout(STEP, desktop.next()).await.unwrap().is_none());
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn text_frame_closes_the_sender_with_1003() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        desktop.send(Message::Text("hello".into())).await.unwrap();
        assert_eq!(recv_close(&mut desktop).await.0, 1003);
        assert_eq!(recv_close(&mut phone).await.0, 1000);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn oversize_message_closes_the_sender_with_1009() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        send(&mut desktop, &[7; 16384]).await;
        assert_eq!(recv_binary(&mut phone).await.len(), 16384);
        send(&mut desktop, &[7; 16385]).await;
        let (code, reason) = recv_close(&mut desktop).await;
        assert_eq!(code, 1009);
        assert_eq!(reason, "message of 16385 bytes exceeds the limit of 16384");
        assert_eq!(recv_close(&mut phone).await.0, 1000);
        // A far larger message: the server stops reading at the frame header, and still
        // the sender gets the close frame rather than a connection reset.
        let (_phone, mut desktop) = pair(server.addr).await;
        send(&mut desktop, &vec![7; 1 << 20]).await;
        assert_eq!(recv_close(&mut desktop).await.0, 1009);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn too_many_messages_close_the_sender_with_1008() {
    bounded(async {
        let server = start(|c| c.tunnel.max_messages_per_peer = 3).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        for i in 0..3u8 {
            send(&mut phone, &[i]).await;
            assert_eq!(recv_binary(&mut desktop).await, [i]);
        }
        send(&mut phone, b"one too many").await;
        assert_eq!(
            recv_close(&mut phone).await,
            (1008, "more than 3 messages from this peer".to_owned())
        );
        assert_eq!(recv_close(&mut desktop).await.0, 1000);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn unknown_tunnel_is_404_and_duplicate_new_is_409() {
    bounded(async {
        let server = start(|_| {}).await;
        let (status, body) =
            refused_cable(server.addr, &format!("/cable/connect/2A0000/{TID}")).await;
        assert_eq!((status, body), (404, format!("unknown tunnel {TID}\n")));
        let (_phone, _) = cable(server.addr, &format!("/cable/new/{TID}")).await;
        let (status, body) = refused_cable(server.addr, &format!("/cable/new/{TID}")).await;
        assert_eq!(
            (status, body),
            (409, format!("tunnel {TID} is already registered\n"))
        );
        let (status, body) = refused_cable(server.addr, "/cable/new/C0FFEE").await;
        assert_eq!(status, 400);
        assert!(
            body.starts_with("bad tunnel path: tunnel id is 6 hex digits"),
            "{body}"
        );
        let (status, _) = refused_cable(server.addr, "/elsewhere").await;
        assert_eq!(status, 404);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn lower_case_hex_paths_are_accepted() {
    bounded(async {
        let server = start(|_| {}).await;
        let lower = TID.to_lowercase();
        let (mut phone, _) = cable(server.addr, &format!("/cable/new/{lower}")).await;
        let (mut desktop, _) = cable(server.addr, &format!("/cable/connect/2a0000/{lower}")).await;
        send(&mut desktop, b"hi").await;
        assert_eq!(recv_binary(&mut phone).await, b"hi");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn contact_flow_end_to_end_through_the_wake_socket() {
    bounded(async {
        let server = start(|_| {}).await;
        let contact_id = b"fcm-token-of-the-phone";
        let (mut wake_socket, _) = open(server.addr, &wake_path(contact_id), &[])
            .await
            .unwrap();
        let contact_path = format!(
            "/cable/contact/{}",
            &wake_path(contact_id)["/hybridsim/wake/".len()..]
        );
        let payload = payload_hex();
        let (mut desktop, response) = open(
            server.addr,
            &contact_path,
            &[
                ("sec-websocket-protocol", "fido.cable"),
                ("x-cable-client-payload", &payload),
                ("x-cable-signal-connection", "true"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(header(&response, "x-cable-signal-connection"), "true");
        assert_eq!(header(&response, "sec-websocket-protocol"), "fido.cable");
        let wake = match recv_wake(&mut wake_socket).await {
            Message::Text(text) => WakeUp::from_json(text.as_str()).unwrap(),
            other => panic!("expected a text wake-up, got {other:?}"),
        };
        assert_eq!(wake.routing_id, [0x2a, 0, 0]);
        assert_eq!(hex::encode_upper(&wake.client_payload), payload);
        // Noise message 1 goes out before the phone is there; the server buffers it.
        send(&mut desktop, &[0x11; 81]).await;
        let (mut phone, _) = cable(server.addr, &wake.connect_path()).await;
        assert_eq!(recv_binary(&mut desktop).await, [0x00]);
        assert_eq!(recv_binary(&mut phone).await, [0x11; 81]);
        send(&mut phone, &[0x22; 81]).await;
        assert_eq!(recv_binary(&mut desktop).await, [0x22; 81]);
        server.stop().await;
    })
    .await;
}

async fn recv_wake(ws: &mut Ws) -> Message {
    recv(ws).await
}

#[tokio::test]
async fn contact_without_signal_header_gets_no_connect_signal() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut wake_socket, _) = open(server.addr, &wake_path(&[1, 2, 3]), &[])
            .await
            .unwrap();
        let payload = payload_hex();
        let (mut desktop, response) = open(
            server.addr,
            "/cable/contact/AQID",
            &[
                ("sec-websocket-protocol", "fido.cable"),
                ("x-cable-client-payload", &payload),
            ],
        )
        .await
        .unwrap();
        assert!(response
            .headers()
            .get("x-cable-signal-connection")
            .is_none());
        let Message::Text(text) = recv_wake(&mut wake_socket).await else {
            panic!()
        };
        let wake = WakeUp::from_json(text.as_str()).unwrap();
        let (mut phone, _) = cable(server.addr, &wake.connect_path()).await;
        send(&mut phone, b"first").await;
        // The first thing the desktop sees is the phone's message, not a 00 signal.
        assert_eq!(recv_binary(&mut desktop).await, b"first");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn unknown_contact_is_410() {
    bounded(async {
        let server = start(|_| {}).await;
        let payload = payload_hex();
        let headers = [
            ("sec-websocket-protocol", "fido.cable"),
            ("x-cable-client-payload", payload.as_str()),
        ];
        let (status, body) = refused(server.addr, "/cable/contact/AQID", &headers).await;
        assert_eq!((status, body.as_str()), (410, "unknown contact id\n"));
        // Registered only while the wake socket is open.
        let (mut wake_socket, _) = open(server.addr, &wake_path(&[1, 2, 3]), &[])
            .await
            .unwrap();
        let (status, _) = refused(server.addr, &wake_path(&[1, 2, 3]), &[]).await;
        assert_eq!(status, 409);
        wake_socket.close(None).await.unwrap();
        while timeout(STEP, wake_socket.next()).await.unwrap().is_some() {}
        let mut status = 0;
        for _ in 0..50 {
            status = refused(server.addr, "/cable/contact/AQID", &headers)
                .await
                .0;
            if status == 410 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(status, 410);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn metrics_page_shows_the_counts() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        send(&mut phone, &[1; 10]).await;
        recv_binary(&mut desktop).await;
        send(&mut desktop, &[2; 20]).await;
        recv_binary(&mut phone).await;
        refused_cable(
            server.addr,
            &format!("/cable/connect/2A0000/{}", "00".repeat(16)),
        )
        .await;
        let (head, body) = http_get(server.addr, "/metrics").await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains("Content-Type: text/plain; version=0.0.4"),
            "{head}"
        );
        for line in [
            "hybridsim_tunnel_tunnels_active 1",
            "hybridsim_tunnel_tunnels_pending 0",
            "hybridsim_tunnel_connections_open 2",
            "hybridsim_tunnel_tunnels_paired_total 1",
            "hybridsim_tunnel_messages_relayed_total 2",
            "hybridsim_tunnel_bytes_relayed_total 30",
            "hybridsim_tunnel_rejections_total{reason=\"unknown_tunnel\"} 1",
            "hybridsim_tunnel_rejections_total{reason=\"duplicate_tunnel\"} 0",
        ] {
            assert!(
                body.lines().any(|l| l == line),
                "missing {line:?} in\n{body}"
            );
        }
        let (head, _) = http_get(server.addr, &format!("/cable/new/{TID}")).await;
        assert!(head.starts_with("HTTP/1.1 426 "), "{head}");
        let (head, _) = http_get(server.addr, "/nothing-here").await;
        assert!(head.starts_with("HTTP/1.1 404 "), "{head}");
        let report = server.stop().await;
        assert_eq!(report.metrics.messages_relayed, 2);
    })
    .await;
}

#[tokio::test]
async fn two_servers_side_by_side_route_by_routing_id() {
    bounded(async {
        let a = start(|c| c.tunnel.routing_id = [0x0a, 0, 0]).await;
        let b = start(|c| c.tunnel.routing_id = [0x0b, 0, 0]).await;
        let (mut phone, response) = cable(a.addr, &format!("/cable/new/{TID}")).await;
        let routing = header(&response, "x-cable-routing-id");
        assert_eq!(routing, "0A0000");
        let connect = format!("/cable/connect/{routing}/{TID}");
        let (status, body) = refused_cable(b.addr, &connect).await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            "routing id 0A0000 is not this server's (this is 0B0000)\n"
        );
        let (mut desktop, _) = cable(a.addr, &connect).await;
        send(&mut desktop, b"ping").await;
        assert_eq!(recv_binary(&mut phone).await, b"ping");
        a.stop().await;
        b.stop().await;
    })
    .await;
}

#[tokio::test]
async fn pending_tunnel_is_closed_with_1008_when_no_peer_comes() {
    bounded(async {
        let server = start(|c| c.tunnel.pending_ttl = Duration::from_millis(200)).await;
        let (mut phone, _) = cable(server.addr, &format!("/cable/new/{TID}")).await;
        let started = std::time::Instant::now();
        assert_eq!(
            recv_close(&mut phone).await,
            (1008, "no peer joined within 200 ms".to_owned())
        );
        assert!(started.elapsed() >= Duration::from_millis(150));
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn paired_tunnel_expires_after_its_ttl() {
    bounded(async {
        let server = start(|c| c.tunnel.tunnel_ttl = Duration::from_millis(300)).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        assert_eq!(recv_close(&mut phone).await.0, 1008);
        assert_eq!(recv_close(&mut desktop).await.0, 1008);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bind_to_a_port_in_use_is_a_typed_error() {
    bounded(async {
        let server = start(|_| {}).await;
        let error = bind(ServeConfig::new(server.addr)).await.unwrap_err();
        assert!(
            matches!(error, NetError::AddressInUse { addr } if addr == server.addr),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("address {} is already in use", server.addr)
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_closes_open_connections_with_1001_and_reports() {
    bounded(async {
        let server = start(|_| {}).await;
        let (mut phone, mut desktop) = pair(server.addr).await;
        send(&mut phone, b"x").await;
        recv_binary(&mut desktop).await;
        let stopping = tokio::spawn(server.stop());
        assert_eq!(recv_close(&mut phone).await.0, 1001);
        let report = stopping.await.unwrap();
        assert_eq!(report.tcp_connections, 2);
        assert_eq!(report.metrics.tunnels_paired, 1);
        assert_eq!(report.metrics.connections_open, 0);
    })
    .await;
}

#[tokio::test]
async fn serve_returns_when_shutdown_resolves_and_reports_bind_errors() {
    bounded(async {
        let config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
        let report = serve(config, async {}).await.unwrap();
        assert_eq!(report.tcp_connections, 0);
        assert!(
            report.to_string().starts_with("served 127.0.0.1:"),
            "{report}"
        );
        let taken = start(|_| {}).await;
        let config = ServeConfig::new(taken.addr);
        let error = serve(config, std::future::pending()).await.unwrap_err();
        assert!(matches!(error, NetError::AddressInUse { .. }), "{error}");
        taken.stop().await;
    })
    .await;
}

#[tokio::test]
async fn silent_or_malformed_clients_are_dropped() {
    bounded(async {
        let server = start(|c| c.handshake_timeout = Duration::from_millis(200)).await;
        // Says nothing: dropped after the handshake timeout.
        let mut silent = TcpStream::connect(server.addr).await.unwrap();
        let mut buffer = Vec::new();
        let n = timeout(STEP, silent.read_to_end(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 0);
        // Not HTTP: 400.
        let mut garbage = TcpStream::connect(server.addr).await.unwrap();
        garbage
            .write_all(b"\x16\x03\x01\x02\x00\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        timeout(STEP, garbage.read_to_string(&mut response))
            .await
            .unwrap()
            .unwrap();
        assert!(
            response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{response}"
        );
        let report = server.stop().await;
        assert_eq!(report.tcp_connections, 2);
    })
    .await;
}
