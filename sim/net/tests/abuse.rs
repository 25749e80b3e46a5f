//! Many tunnels at once on loopback: 1000 pairs open together, relay concurrently, and no
//! message reaches the wrong peer. Bounded: fixed counts, every step under a timeout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_util::stream::{self, StreamExt};
use futures_util::SinkExt;
use hybridsim_net::{bind, ServeConfig};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const PAIRS: u32 = 1000;
const MESSAGES: u32 = 3;
/// Handshakes in flight at once (the listen backlog is 1024).
const CONNECTING: usize = 64;
const STEP: Duration = Duration::from_secs(20);

async fn open(addr: SocketAddr, path: String) -> (Ws, Option<String>) {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "fido.cable".parse().unwrap());
    let (ws, response) = timeout(STEP, connect_async(request))
        .await
        .unwrap()
        .unwrap();
    let routing = response
        .headers()
        .get("x-cable-routing-id")
        .map(|v| v.to_str().unwrap().to_owned());
    (ws, routing)
}

fn tunnel_id(pair: u32) -> String {
    let mut id = [0x5a_u8; 16];
    id[..4].copy_from_slice(&pair.to_be_bytes());
    hex::encode_upper(id)
}

/// A message that names its pair, direction and sequence number, padded to a size that
/// varies with them.
fn message(pair: u32, from_phone: bool, seq: u32) -> Vec<u8> {
    let mut m = pair.to_be_bytes().to_vec();
    m.push(u8::from(from_phone));
    m.extend(seq.to_be_bytes());
    m.resize(9 + (pair as usize * 7 + seq as usize * 13) % 400, 0xee);
    m
}

async fn relay(pair: u32, mut phone: Ws, mut desktop: Ws) -> (Ws, Ws) {
    for seq in 0..MESSAGES {
        phone
            .send(Message::Binary(message(pair, true, seq).into()))
            .await
            .unwrap();
        desktop
            .send(Message::Binary(message(pair, false, seq).into()))
            .await
            .unwrap();
    }
    for seq in 0..MESSAGES {
        let got = timeout(STEP, desktop.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(
            got.into_data().to_vec(),
            message(pair, true, seq),
            "pair {pair}"
        );
        let got = timeout(STEP, phone.next()).await.unwrap().unwrap().unwrap();
        assert_eq!(
            got.into_data().to_vec(),
            message(pair, false, seq),
            "pair {pair}"
        );
    }
    (phone, desktop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_pairs_relay_without_cross_talk() {
    timeout(Duration::from_secs(180), async {
        let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
        config.tunnel.max_connections_per_ip = 2 * PAIRS as usize + 16;
        config.close_linger = Duration::from_millis(200);
        let server = bind(config).await.unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));

        // Open every pair (a bounded number of handshakes at a time) and keep them all open.
        let pairs: Vec<(u32, Ws, Ws)> = stream::iter(0..PAIRS)
            .map(|pair| async move {
                let (phone, routing) = open(addr, format!("/cable/new/{}", tunnel_id(pair))).await;
                let routing = routing.unwrap();
                let path = format!("/cable/connect/{routing}/{}", tunnel_id(pair));
                let (desktop, _) = open(addr, path).await;
                (pair, phone, desktop)
            })
            .buffer_unordered(CONNECTING)
            .collect()
            .await;
        assert_eq!(pairs.len(), PAIRS as usize);

        // All pairs relay at the same time.
        let relays: Vec<_> = pairs
            .into_iter()
            .map(|(pair, phone, desktop)| tokio::spawn(relay(pair, phone, desktop)))
            .collect();
        let mut sockets = Vec::new();
        for relay in relays {
            sockets.push(relay.await.unwrap());
        }

        let _ = stop.send(());
        let report = timeout(STEP, running).await.unwrap().unwrap();
        assert_eq!(report.metrics.tunnels_paired, u64::from(PAIRS));
        assert_eq!(
            report.metrics.messages_relayed,
            u64::from(PAIRS * MESSAGES * 2)
        );
        assert_eq!(report.metrics.rejections.values().sum::<u64>(), 0);
        drop(sockets);
    })
    .await
    .expect("abuse test took too long");
}
