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
use hybridsim_tunnel_server::{bind, ServeConfig};
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
        config.max_connections = config.tunnel.max_connections_per_ip;
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

mod mixed {
    //! 2000 legitimate tunnels open at once and relay ceremony-shaped traffic while other
    //! clients misbehave in every way the server must survive; afterwards every legitimate
    //! pair got exactly its own bytes, the server still answers, and its gauges are back
    //! to zero. Bounded: fixed counts, every step under a timeout, ~20 s on 2 cores.

    use futures_util::stream::{self, StreamExt};
    use futures_util::SinkExt;
    use hybridsim_sockets::client::{
        connect_path, contact_path, new_path, random_bytes, Refusal, Target, CABLE_HEADERS,
    };
    use hybridsim_tunnel_check::check::{default_malformed_paths, Event, Pair, Probe};
    use hybridsim_tunnel_server::{bind, ServeConfig, ServerHandle};
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;
    use tokio::time::{sleep, timeout, Instant};
    use tokio_tungstenite::tungstenite::Message;

    const PAIRS: usize = 2000;
    const CONNECTING: usize = 128;
    /// Rounds of each kind of abuse.
    const ROUNDS: usize = 40;
    const STEP: Duration = Duration::from_secs(20);

    fn probe(target: &Target) -> Probe {
        Probe::new(target.clone(), STEP)
    }

    async fn refused(target: &Target, path: &str, headers: &[(&str, &str)]) -> Refusal {
        match target.upgrade(path, headers, STEP).await {
            Err(refusal) => refusal,
            Ok(_) => panic!("{path}: upgraded"),
        }
    }

    fn status(refusal: &Refusal) -> u16 {
        refusal
            .status()
            .unwrap_or_else(|| panic!("expected an HTTP answer, got {refusal}"))
    }

    /// Waits for the sender's close frame; returns its code.
    async fn close_code(probe: &Probe, ws: &mut hybridsim_sockets::client::ClientSocket) -> u16 {
        loop {
            match probe.next_event(ws).await {
                Event::Close(Some((code, _))) => return code,
                Event::Binary(_) | Event::Text(_) => continue,
                other => panic!("expected a close frame, got {other}"),
            }
        }
    }

    /// Every kind of misbehaviour, `ROUNDS` times, concurrently with the legitimate
    /// traffic. Returns the half-open sockets so they stay open until the end.
    async fn abuse(target: Target) -> Vec<TcpStream> {
        let malformed = default_malformed_paths();
        let rounds = stream::iter(0..ROUNDS).map(|round| {
            let target = target.clone();
            let malformed = malformed.clone();
            async move {
                let p = probe(&target);
                let mut held = Vec::new();
                // Malformed paths: refused, never upgraded.
                for path in &malformed {
                    match target.upgrade(path, CABLE_HEADERS, STEP).await {
                        Err(Refusal::Status(h)) => assert!(h.status == 400 || h.status == 404),
                        other => panic!("{path}: {other:?}"),
                    }
                }
                // Missing headers: no subprotocol (400); contact without a payload (400).
                assert_eq!(
                    status(&refused(&target, &new_path(&random_bytes()), &[]).await),
                    400
                );
                let contact = contact_path(&random_bytes::<8>());
                assert_eq!(
                    status(&refused(&target, &contact, CABLE_HEADERS).await),
                    400
                );
                // Unpaired connects: 404.
                let path = connect_path("2A0000", &random_bytes());
                assert_eq!(status(&refused(&target, &path, CABLE_HEADERS).await), 404);
                // Tunnel id collisions: two /new of one id, then two /connect.
                let id = random_bytes::<16>();
                let (_first, routing) = p.open_new(&id).await.unwrap();
                assert_eq!(
                    status(&refused(&target, &new_path(&id), CABLE_HEADERS).await),
                    409
                );
                let _joined = p.open_connect(&routing, &id).await.unwrap();
                let again = connect_path(&routing, &id);
                assert_eq!(status(&refused(&target, &again, CABLE_HEADERS).await), 404);
                // Oversize: 1009, the peer 1000.
                let mut pair = p.pair().await.unwrap();
                let len = if round % 2 == 0 {
                    16 * 1024 + 1
                } else {
                    1 << 20
                };
                let _ = p.send(&mut pair.desktop, &vec![0x0f; len]).await;
                assert_eq!(close_code(&p, &mut pair.desktop).await, 1009);
                assert_eq!(close_code(&p, &mut pair.phone).await, 1000);
                // Text frames: 1003, the peer 1000.
                let mut pair = p.pair().await.unwrap();
                pair.phone
                    .send(Message::Text("not binary".into()))
                    .await
                    .unwrap();
                assert_eq!(close_code(&p, &mut pair.phone).await, 1003);
                assert_eq!(close_code(&p, &mut pair.desktop).await, 1000);
                // A slow reader: the phone sends 16 messages of 16 KiB that the desktop
                // only reads after a pause; all arrive, in order.
                let mut pair = p.pair().await.unwrap();
                for i in 0..16u8 {
                    p.send(&mut pair.phone, &vec![i; 16 * 1024]).await.unwrap();
                }
                sleep(Duration::from_millis(300)).await;
                for i in 0..16u8 {
                    let got = p
                        .recv_binary(&mut pair.desktop, "slow reader", "16 KiB")
                        .await
                        .unwrap();
                    assert_eq!(got, vec![i; 16 * 1024]);
                }
                // A pair that vanishes mid-ceremony without a close frame.
                let mut pair = p.pair().await.unwrap();
                p.send(&mut pair.desktop, &[0x11; 81]).await.unwrap();
                drop(pair.phone);
                drop(pair.desktop);
                // Half-open sockets: one says nothing, one stops mid-request.
                held.push(
                    TcpStream::connect((target.host(), target.port()))
                        .await
                        .unwrap(),
                );
                let mut partial = TcpStream::connect((target.host(), target.port()))
                    .await
                    .unwrap();
                partial
                    .write_all(b"GET /cable/new/00 HTTP/1.1\r\nHost: x\r\n")
                    .await
                    .unwrap();
                held.push(partial);
                held
            }
        });
        rounds.buffer_unordered(8).concat().await
    }

    async fn wait_for_zero(handle: &ServerHandle) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let m = handle.metrics();
            if m.connections_open == 0 && m.tunnels_pending == 0 && m.tunnels_active == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "gauges not back to zero: {} open, {} pending, {} active",
                m.connections_open,
                m.tunnels_pending,
                m.tunnels_active
            );
            sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_thousand_ceremonies_survive_every_kind_of_abuse() {
        timeout(Duration::from_secs(120), async {
            let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
            config.tunnel.max_connections_per_ip = 4 * PAIRS + 4096;
            config.max_connections = config.tunnel.max_connections_per_ip;
            config.close_linger = Duration::from_millis(200);
            config.handshake_timeout = Duration::from_secs(2);
            let server = bind(config).await.unwrap();
            let handle = server.handle();
            let target = Target::from_addr(server.local_addr());
            let (stop, stopped) = oneshot::channel::<()>();
            let running = tokio::spawn(server.run(async {
                let _ = stopped.await;
            }));
            let started = Instant::now();

            let abusers = tokio::spawn(abuse(target.clone()));

            // Open every legitimate pair and hold them all open at once.
            let pairs: Vec<Pair> = stream::iter(0..PAIRS)
                .map(|_| {
                    let p = probe(&target);
                    async move { p.pair().await.unwrap() }
                })
                .buffer_unordered(CONNECTING)
                .collect()
                .await;
            assert_eq!(pairs.len(), PAIRS);
            assert!(handle.metrics().tunnels_active >= PAIRS as u64);

            // Every pair relays a ceremony at the same time; a message that reached
            // another tunnel's socket would not match (contents derive from the id).
            let ceremonies: Vec<_> = pairs
                .into_iter()
                .map(|mut pair| {
                    let p = probe(&target);
                    tokio::spawn(
                        async move { p.ceremony_shaped_relay(&mut pair).await.map(|()| pair) },
                    )
                })
                .collect();
            let mut done = Vec::with_capacity(PAIRS);
            for ceremony in ceremonies {
                done.push(ceremony.await.unwrap().unwrap());
            }

            let half_open = abusers.await.unwrap();
            assert_eq!(half_open.len(), 2 * ROUNDS);
            let relayed = handle.metrics().messages_relayed;
            assert!(
                relayed >= (PAIRS * hybridsim_tunnel_check::check::CEREMONY_SHAPE.len()) as u64,
                "{relayed}"
            );

            // Everyone hangs up; the server forgets them all.
            drop(done);
            wait_for_zero(&handle).await;
            // The half-open sockets were dropped by the handshake timeout.
            for mut socket in half_open {
                let mut buf = [0u8; 256];
                let n = timeout(
                    Duration::from_secs(5),
                    tokio::io::AsyncReadExt::read(&mut socket, &mut buf),
                )
                .await
                .expect("half-open socket still open")
                .unwrap_or(0);
                assert!(n == 0 || buf.starts_with(b"HTTP/1.1 "), "{n}");
            }

            // The server still answers.
            let p = probe(&target);
            let mut pair = p.pair().await.unwrap();
            p.ceremony_shaped_relay(&mut pair).await.unwrap();
            drop(pair);
            let page = target.get("/metrics", 64 * 1024, STEP).await.unwrap();
            assert_eq!(page.status, 200);
            wait_for_zero(&handle).await;
            let m = handle.metrics();
            assert_eq!(m.rejections["missing_subprotocol"], ROUNDS as u64);
            assert_eq!(m.rejections["duplicate_tunnel"], ROUNDS as u64);
            assert!(m.closes.values().sum::<u64>() > 0);
            println!(
                "{PAIRS} ceremonies and {ROUNDS} rounds of abuse in {:.1} s",
                started.elapsed().as_secs_f64()
            );

            let _ = stop.send(());
            let report = timeout(STEP, running).await.unwrap().unwrap();
            assert_eq!(report.metrics.connections_open, 0);
        })
        .await
        .expect("abuse test took too long");
    }
}
