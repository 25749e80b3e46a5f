//! The load generator, scaled down, against our server in-process: every phase runs and
//! reports figures that add up. (The full-size run is `examples/tunnel_bench.rs`; its
//! figures are in reports/BENCHMARKS.md.) Loopback only; bounded counts and time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_tunnel_check::bench::{bench, BenchOptions, Phase};
use hybridsim_tunnel_server::{bind, ServeConfig};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::timeout;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_bench_reports_every_phase() {
    timeout(Duration::from_secs(60), async {
        let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
        config.tunnel.max_connections_per_ip = 4096;
        config.close_linger = Duration::from_millis(200);
        let server = bind(config).await.unwrap();
        let handle = server.handle();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        let options = BenchOptions {
            pairs: 50,
            rate: 1000,
            seconds: Duration::from_millis(500),
            idle: 300,
            server_pid: Some(std::process::id()),
            connecting: 32,
            ..BenchOptions::default()
        };
        let report = bench(&format!("ws://{}", handle.local_addr()), options).await;
        println!("{report}");
        assert!(report.in_process);

        let idle = report.idle.figures().expect("idle phase ran");
        assert_eq!((idle.requested, idle.opened), (300, 300), "{report}");
        assert!(idle.refused.is_empty());
        assert_eq!(idle.server_pending, Some(300));
        assert!(idle.rss_after_kib.unwrap() >= idle.rss_before_kib.unwrap());
        assert!(idle.rss_per_tunnel_bytes().is_some());

        let pairing = report.pairing.figures().expect("pairing phase ran");
        assert_eq!(pairing.paired, 50, "{report}");
        assert!(pairing.pairs_per_second() > 0.0);
        assert_eq!(pairing.latency.samples, 50);

        let relay = report.relay.figures().expect("relay phase ran");
        // 500 messages over pairs of at most 16 per peer: 16 pairs.
        assert_eq!(relay.pairs, 16, "{report}");
        assert_eq!((relay.sent, relay.received, relay.misdelivered), (500, 500, 0), "{report}");
        assert!(relay.failures.is_empty(), "{report}");
        assert_eq!(relay.latency.samples, 500);
        assert!(relay.latency.p50 <= relay.latency.p99 && relay.latency.p99 <= relay.latency.max);
        assert!(relay.relayed_per_second() > 500.0, "{report}");

        let text = report.to_string();
        for needle in [
            "idle pending tunnels: 300 of 300 opened",
            "KiB per pending tunnel",
            "pairings: 50 of 50 pairs",
            "relay: 1000 msg/s asked for 0.5 s over 16 pairs: 500 sent, 500 received, 0 lost, 0 misdelivered",
            "latency: p50 ",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }

        // Every phase cleaned up after itself.
        let m = handle.metrics();
        assert_eq!((m.connections_open, m.tunnels_pending, m.tunnels_active), (0, 0, 0));
        assert_eq!(m.messages_relayed, 500);
        let _ = stop.send(());
        timeout(Duration::from_secs(10), running).await.unwrap().unwrap();
    })
    .await
    .expect("bench test took too long");
}

#[tokio::test]
async fn limits_and_bad_targets_are_reported_not_hidden() {
    timeout(Duration::from_secs(60), async {
        // Our server with its default per-address limit (256): the idle phase says what the
        // rest got instead of silently opening fewer.
        let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
        config.close_linger = Duration::from_millis(200);
        let server = bind(config).await.unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        let options = BenchOptions {
            pairs: 0,
            rate: 0,
            idle: 300,
            ..BenchOptions::default()
        };
        let report = bench(&format!("ws://{addr}"), options).await;
        let idle = report.idle.figures().unwrap();
        assert_eq!(idle.opened, 256, "{report}");
        assert_eq!(
            idle.refused,
            vec![(
                "/cable/new: HTTP 429 'too many connections from 127.0.0.1 (limit 256)'".to_owned(),
                44
            )]
        );
        assert_eq!(idle.rss_before_kib, None);
        assert!(matches!(report.pairing, Phase::Skipped));
        assert!(
            report.to_string().contains("44× /cable/new: HTTP 429"),
            "{report}"
        );
        let _ = stop.send(());
        timeout(Duration::from_secs(10), running)
            .await
            .unwrap()
            .unwrap();

        let report = bench("http://127.0.0.1:1", BenchOptions::default()).await;
        assert!(matches!(report.idle, Phase::Skipped));
        assert_eq!(report.notes.len(), 1, "{report}");
        assert!(report.notes[0].contains("not a ws:// or wss:// URL"));
    })
    .await
    .expect("bench test took too long");
}
