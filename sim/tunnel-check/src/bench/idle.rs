//! The idle phase: many pending tunnels that never send, and what they cost the server;
//! and the helpers every phase opens sockets with.

use super::options::{BenchOptions, HANDSHAKE_WAIT};
use super::proc;
use super::report::{IdleFigures, Phase};
use super::tally::Counter;
use hybridsim_sockets::client::{new_path, random_bytes, Target, CABLE_HEADERS};
use hybridsim_sockets::text::format_duration;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout_at, Instant};

/// Sockets kept in reserve when sizing the idle phase to the open-files limit.
const SPARE_FILES: u64 = 64;
/// Longest wait for the server to drop a phase's connections before the next phase.
const SETTLE_WAIT: Duration = Duration::from_secs(15);

/// Runs `make(i)` for `i` in `0..n` as tasks, at most `in_flight` at a time, until all are
/// done or `deadline`; returns the successes, a count of the failures, and whether the
/// deadline cut it short (tasks still running then are aborted).
pub(super) async fn open_many<T, F, Fut>(
    n: usize,
    in_flight: usize,
    deadline: Instant,
    make: F,
) -> (Vec<T>, Counter, bool)
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let mut running = JoinSet::new();
    let mut next = 0;
    let mut ok = Vec::with_capacity(n);
    let mut failed = Counter::default();
    loop {
        while next < n && running.len() < in_flight.max(1) {
            running.spawn(make(next));
            next += 1;
        }
        match timeout_at(deadline, running.join_next()).await {
            Ok(Some(Ok(Ok(item)))) => ok.push(item),
            Ok(Some(Ok(Err(why)))) => failed.add(&why),
            Ok(Some(Err(e))) => failed.add(&format!("task failed: {e}")),
            Ok(None) => return (ok, failed, false),
            // Dropping the set aborts what is still running.
            Err(_) => return (ok, failed, true),
        }
    }
}

/// Waits until the server's `/metrics` shows no open tunnel connection (or, for a server
/// without that page, a second), so one phase's leftovers do not load the next.
pub(super) async fn settle(target: &Target) {
    let deadline = Instant::now() + SETTLE_WAIT;
    loop {
        match server_gauge(target, "hybridsim_tunnel_connections_open").await {
            None => return sleep(Duration::from_secs(1)).await,
            Some(0) => return,
            Some(_) if Instant::now() >= deadline => return,
            Some(_) => sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A gauge from the target's `/metrics`, if it serves one.
pub(super) async fn server_gauge(target: &Target, name: &str) -> Option<u64> {
    let head = target
        .get("/metrics", 256 * 1024, Duration::from_secs(5))
        .await
        .ok()?;
    if head.status != 200 {
        return None;
    }
    head.body.lines().find_map(|line| {
        let (key, value) = line.split_once(' ')?;
        (key == name).then(|| value.trim().parse().ok())?
    })
}

pub(super) async fn idle_phase(
    target: &Target,
    options: &BenchOptions,
    notes: &mut Vec<String>,
) -> Phase<IdleFigures> {
    let mut requested = options.idle;
    if let (Some(limit), Some(open)) = (proc::open_files_limit(), proc::open_files()) {
        let per_tunnel = if options.server_pid == Some(std::process::id()) {
            2
        } else {
            1
        };
        let budget = limit.saturating_sub(open.saturating_add(SPARE_FILES)) / per_tunnel;
        let budget = usize::try_from(budget).unwrap_or(usize::MAX);
        if requested > budget {
            notes.push(format!(
                "idle tunnels reduced from {requested} to {budget}: the open-files limit is {limit} and each idle tunnel takes {per_tunnel} descriptor(s) here; raise it with `ulimit -n {}`",
                (requested as u64).saturating_mul(per_tunnel).saturating_add(open).saturating_add(SPARE_FILES * 4)
            ));
            requested = budget;
        }
    }
    let rss_before_kib = options.server_pid.and_then(proc::rss_kib);
    let started = Instant::now();
    let deadline = started + options.phase_timeout;
    let shared = Arc::new(target.clone());
    let (sockets, refused, cut_short) =
        open_many(requested, options.connecting, deadline, move |_| {
            let target = Arc::clone(&shared);
            async move {
                let upgraded = target
                    .upgrade(&new_path(&random_bytes()), CABLE_HEADERS, HANDSHAKE_WAIT)
                    .await
                    .map_err(|r| format!("/cable/new: {r}"))?;
                reset_on_drop(upgraded.stream.tcp());
                Ok(upgraded.stream)
            }
        })
        .await;
    let open_time = started.elapsed();
    if cut_short {
        notes.push(format!(
            "idle phase cut short after {}",
            format_duration(options.phase_timeout)
        ));
    }
    // Let the server finish whatever the handshakes left (tasks parking, buffers shrinking).
    sleep(Duration::from_millis(500)).await;
    let rss_after_kib = options.server_pid.and_then(proc::rss_kib);
    let server_pending = server_gauge(target, "hybridsim_tunnel_tunnels_pending").await;
    let opened = sockets.len();
    drop(sockets);
    Phase::Done(IdleFigures {
        requested,
        opened,
        refused: refused.into_tally(),
        open_time,
        rss_before_kib,
        rss_after_kib,
        server_pending,
    })
}

/// Makes dropping `stream` reset the connection (`SO_LINGER` 0) instead of closing it:
/// the idle and pairing phases drop thousands of sockets that never carried data, and
/// closed ones would each leave a client port in TIME_WAIT for a minute, which slows every
/// later `connect` on this machine (measured: pairings fell from ~8,500/s to ~1,800/s right
/// after 20,000 idle sockets closed). The server sees a reset peer, as from a phone that
/// lost its network.
pub(super) fn reset_on_drop(stream: &tokio::net::TcpStream) {
    let _ = stream.set_zero_linger();
}
