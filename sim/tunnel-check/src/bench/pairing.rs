//! The pairing phase: `/cable/new` + `/cable/connect` pairs, as fast as the server takes them.

use super::idle::{open_many, reset_on_drop};
use super::options::{BenchOptions, HANDSHAKE_WAIT};
use super::report::{PairingFigures, Percentiles, Phase};
use hybridsim_sockets::client::{
    connect_path, new_path, random_bytes, Target, Upgraded, CABLE_HEADERS,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// `/cable/new` then `/cable/connect` on a fresh id; both upgraded streams and how long
/// the two handshakes took.
pub(super) async fn open_pair(
    target: Arc<Target>,
) -> Result<(Upgraded, Upgraded, Duration), String> {
    let started = Instant::now();
    let tunnel_id = random_bytes::<16>();
    let new = target
        .upgrade(&new_path(&tunnel_id), CABLE_HEADERS, HANDSHAKE_WAIT)
        .await
        .map_err(|r| format!("/cable/new: {r}"))?;
    let routing = new
        .head
        .header("x-cable-routing-id")
        .ok_or("/cable/new: no X-caBLE-Routing-ID")?
        .to_owned();
    let connect = target
        .upgrade(
            &connect_path(&routing, &tunnel_id),
            CABLE_HEADERS,
            HANDSHAKE_WAIT,
        )
        .await
        .map_err(|r| format!("/cable/connect: {r}"))?;
    Ok((new, connect, started.elapsed()))
}

pub(super) async fn pairing_phase(
    target: &Target,
    options: &BenchOptions,
) -> Phase<PairingFigures> {
    let started = Instant::now();
    let shared = Arc::new(target.clone());
    let (pairs, refused, _) = open_many(
        options.pairs,
        options.connecting,
        started + options.phase_timeout,
        move |_| open_pair(Arc::clone(&shared)),
    )
    .await;
    for (new, connect, _) in &pairs {
        reset_on_drop(new.stream.tcp());
        reset_on_drop(connect.stream.tcp());
    }
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = pairs.iter().map(|(_, _, took)| *took).collect();
    let paired = pairs.len();
    drop(pairs);
    Phase::Done(PairingFigures {
        requested: options.pairs,
        paired,
        refused: refused.into_tally(),
        elapsed,
        latency: Percentiles::of(&mut latencies),
    })
}
