//! The relay phase: messages on an open-loop schedule over pre-opened pairs, with
//! latencies measured on one monotonic clock.

use super::idle::open_many;
use super::options::BenchOptions;
use super::pairing::open_pair;
use super::proc;
use super::report::{tally_text, Percentiles, Phase, RelayFigures};
use super::server_view::ServerView;
use super::tally::Counter;
use futures_util::{SinkExt, StreamExt};
use hybridsim_sockets::client::{ClientSocket, Target};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Message sizes of the relay phase, cycled: handshake, post-handshake, CTAP requests and
/// replies, linking update, shutdown (see [`crate::check::CEREMONY_SHAPE`]).
const RELAY_SIZES: [usize; 10] = [81, 272, 336, 1008, 544, 208, 112, 1024, 48, 80];
/// Header of a relay-phase message: send time (ns), slot, pair.
const STAMP: usize = 8 + 8 + 4;
/// How long the relay phase waits for the last messages after the last send.
const RELAY_DRAIN: Duration = Duration::from_secs(3);

/// One socket of the relay phase: the slots it sends and what it expects back.
pub(super) struct Lane {
    ws: ClientSocket,
    pair: u32,
    /// 0: the `/new` side, 1: the `/connect` side.
    side: u64,
}

/// What one lane saw.
#[derive(Default)]
pub(super) struct LaneResult {
    sent: u64,
    received: u64,
    misdelivered: u64,
    latencies: Vec<Duration>,
    lags: Vec<Duration>,
    last_receive: Duration,
    failure: Option<String>,
}

/// The relay schedule: slot `i` is sent at `i / rate` seconds by pair `i % pairs`, from
/// side `(i / pairs) % 2`.
#[derive(Clone, Copy)]
pub(super) struct Schedule {
    total: u64,
    pairs: u64,
    rate: u64,
}

impl Schedule {
    fn at(&self, slot: u64) -> Duration {
        Duration::from_nanos(
            u64::try_from(u128::from(slot) * 1_000_000_000 / u128::from(self.rate.max(1)))
                .unwrap_or(u64::MAX),
        )
    }

    /// The slots pair `pair` sends from `side`, in order.
    fn slots(&self, pair: u64, side: u64) -> impl Iterator<Item = u64> {
        let step = self.pairs.saturating_mul(2).max(1);
        let first = pair.saturating_add(self.pairs.saturating_mul(side));
        let total = self.total;
        (0..)
            .map(move |k: u64| first.saturating_add(k.saturating_mul(step)))
            .take_while(move |slot| *slot < total)
    }
}

pub(super) fn stamp(clock: std::time::Instant, slot: u64, pair: u32) -> Vec<u8> {
    let size = RELAY_SIZES
        .get((slot % RELAY_SIZES.len() as u64) as usize)
        .copied()
        .unwrap_or(81)
        .max(STAMP);
    let nanos = u64::try_from(clock.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut message = Vec::with_capacity(size);
    message.extend_from_slice(&nanos.to_be_bytes());
    message.extend_from_slice(&slot.to_be_bytes());
    message.extend_from_slice(&pair.to_be_bytes());
    message.resize(size, 0xA5);
    message
}

pub(super) fn read_stamp(message: &[u8]) -> Option<(u64, u64, u32)> {
    let nanos = u64::from_be_bytes(message.get(0..8)?.try_into().ok()?);
    let slot = u64::from_be_bytes(message.get(8..16)?.try_into().ok()?);
    let pair = u32::from_be_bytes(message.get(16..20)?.try_into().ok()?);
    Some((nanos, slot, pair))
}

pub(super) async fn run_lane(
    mut lane: Lane,
    schedule: Schedule,
    start: Instant,
    clock: std::time::Instant,
    deadline: Instant,
) -> LaneResult {
    let mut result = LaneResult::default();
    let pair = u64::from(lane.pair);
    let mut sends = schedule.slots(pair, lane.side).peekable();
    let mut expected = schedule.slots(pair, 1 - lane.side).peekable();
    loop {
        let next_send = sends.peek().map(|slot| start + schedule.at(*slot));
        if next_send.is_none() && expected.peek().is_none() {
            break;
        }
        tokio::select! {
            biased;
            () = sleep_until(deadline) => {
                if expected.peek().is_some() {
                    result.failure = Some("messages still missing at the end".to_owned());
                }
                break;
            }
            () = async {
                match next_send {
                    Some(at) => sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => {
                let Some(slot) = sends.next() else { continue };
                let scheduled = start + schedule.at(slot);
                result.lags.push(Instant::now().saturating_duration_since(scheduled));
                let message = stamp(clock, slot, lane.pair);
                if let Err(e) = lane.ws.send(Message::Binary(message.into())).await {
                    result.failure = Some(format!("send failed: {e}"));
                    break;
                }
                result.sent = result.sent.saturating_add(1);
            }
            incoming = lane.ws.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    let now = clock.elapsed();
                    match read_stamp(&bytes) {
                        Some((sent_at, slot, from_pair))
                            if from_pair == lane.pair && expected.peek() == Some(&slot) =>
                        {
                            expected.next();
                            result.received = result.received.saturating_add(1);
                            result.latencies.push(now.saturating_sub(Duration::from_nanos(sent_at)));
                            result.last_receive = now;
                        }
                        _ => result.misdelivered = result.misdelivered.saturating_add(1),
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    result.failure = Some(match frame {
                        Some(f) => format!("closed {} '{}'", u16::from(f.code), f.reason.as_str()),
                        None => "closed".to_owned(),
                    });
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    result.failure = Some(format!("socket error: {e}"));
                    break;
                }
                None => {
                    result.failure = Some("connection ended".to_owned());
                    break;
                }
            },
        }
    }
    result
}

/// Opens the pairs the schedule needs (fewer if the server refuses some, noted) and their
/// two lanes each.
async fn open_lanes(
    target: &Target,
    options: &BenchOptions,
    notes: &mut Vec<String>,
) -> Result<(Vec<Lane>, Counter, Schedule), String> {
    let total = (options.seconds.as_secs_f64() * f64::from(options.rate)).round() as u64;
    let per_pair = u64::from(options.messages_per_peer.max(1)) * 2;
    let pairs_needed = total.div_ceil(per_pair).max(1);
    let Ok(pairs_needed) = usize::try_from(pairs_needed) else {
        return Err("too many pairs needed".to_owned());
    };
    let shared = Arc::new(target.clone());
    let opening = Instant::now();
    let (pairs, refused, _) = open_many(
        pairs_needed,
        options.connecting,
        opening + options.phase_timeout,
        move |_| open_pair(Arc::clone(&shared)),
    )
    .await;
    if pairs.is_empty() {
        return Err(format!(
            "no pair could be opened: {}",
            tally_text(&refused.into_tally())
        ));
    }
    if pairs.len() < pairs_needed {
        notes.push(format!(
            "relay: {} of {pairs_needed} pairs opened; the schedule is spread over those",
            pairs.len()
        ));
    }
    let schedule = Schedule {
        total,
        pairs: pairs.len() as u64,
        rate: u64::from(options.rate),
    };
    let mut lanes = Vec::with_capacity(pairs.len() * 2);
    for (index, (new, connect, _)) in pairs.into_iter().enumerate() {
        let pair = u32::try_from(index).unwrap_or(u32::MAX);
        lanes.push(Lane {
            ws: new.into_websocket().await,
            pair,
            side: 0,
        });
        lanes.push(Lane {
            ws: connect.into_websocket().await,
            pair,
            side: 1,
        });
    }
    Ok((lanes, refused, schedule))
}

pub(super) async fn relay_phase(
    target: &Target,
    options: &BenchOptions,
    notes: &mut Vec<String>,
) -> Phase<RelayFigures> {
    let (lanes, refused, schedule) = match open_lanes(target, options, notes).await {
        Ok(opened) => opened,
        Err(why) => return Phase::Failed(why),
    };
    let total = schedule.total;
    let pair_count = lanes.len() / 2;
    let server_cpu_before = options.server_pid.and_then(proc::cpu_time);
    let view_before = ServerView::read(target).await;
    let bench_cpu_before = proc::cpu_time(std::process::id());
    // Start a little ahead so every lane task is parked before the first slot.
    let start = Instant::now() + Duration::from_millis(100);
    let clock = start.into_std();
    let send_end = start + schedule.at(total);
    let deadline = (send_end + RELAY_DRAIN).min(start + options.phase_timeout);
    let tasks: Vec<_> = lanes
        .into_iter()
        .map(|lane| tokio::spawn(run_lane(lane, schedule, start, clock, deadline)))
        .collect();
    let mut seen = collect(tasks, total).await;
    let wall = start.elapsed();
    let cpu = |before: Option<Duration>, after: Option<Duration>| {
        let used = after?.checked_sub(before?)?;
        Some(used.as_secs_f64() / wall.as_secs_f64().max(1e-9))
    };
    let server_cpu_after = options.server_pid.and_then(proc::cpu_time);
    let server_cpu = cpu(server_cpu_before, server_cpu_after);
    let bench_cpu = cpu(bench_cpu_before, proc::cpu_time(std::process::id()));
    let view_after = match view_before {
        Some(_) => ServerView::read(target).await,
        None => None,
    };
    let views = view_before.as_ref().zip(view_after.as_ref());
    // The server's CPU from /proc when its pid is known, else from its own /metrics; not
    // per message when it shares this process (both clocks then count the bench too).
    let server_cpu_used = match (server_cpu_before, server_cpu_after) {
        (Some(before), Some(after)) => after.checked_sub(before),
        _ => views.and_then(|(before, after)| after.cpu_since(before)),
    };
    let server_cpu_per_message = server_cpu_used
        .filter(|_| seen.received > 0 && options.server_pid != Some(std::process::id()))
        .map(|used| used.div_f64(seen.received as f64));
    Phase::Done(RelayFigures {
        target_rate: options.rate,
        duration: schedule.at(total),
        pairs: pair_count,
        refused: refused.into_tally(),
        sent: seen.sent,
        received: seen.received,
        misdelivered: seen.misdelivered,
        failures: seen.failures.into_tally(),
        elapsed: seen.last_receive,
        latency: Percentiles::of(&mut seen.latencies),
        send_lag: Percentiles::of(&mut seen.lags),
        server_cpu,
        bench_cpu,
        server_cpu_per_message,
        server_relay: views.map(|(before, after)| after.relay_since(before)),
    })
}

/// What every lane saw, added up.
struct Seen {
    sent: u64,
    received: u64,
    misdelivered: u64,
    latencies: Vec<Duration>,
    lags: Vec<Duration>,
    last_receive: Duration,
    failures: Counter,
}

/// Waits for every lane task and adds up what they saw.
async fn collect(tasks: Vec<tokio::task::JoinHandle<LaneResult>>, total: u64) -> Seen {
    let mut latencies = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut lags = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut failures = Counter::default();
    let (mut sent, mut received, mut misdelivered) = (0u64, 0u64, 0u64);
    let mut last_receive = Duration::ZERO;
    for task in tasks {
        match task.await {
            Ok(lane) => {
                sent = sent.saturating_add(lane.sent);
                received = received.saturating_add(lane.received);
                misdelivered = misdelivered.saturating_add(lane.misdelivered);
                latencies.extend(lane.latencies);
                lags.extend(lane.lags);
                last_receive = last_receive.max(lane.last_receive);
                if let Some(why) = lane.failure {
                    failures.add(&why);
                }
            }
            Err(e) => failures.add(&format!("task failed: {e}")),
        }
    }
    Seen {
        sent,
        received,
        misdelivered,
        latencies,
        lags,
        last_receive,
        failures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_spreads_slots_within_the_per_peer_budget() {
        let schedule = Schedule {
            total: 50_000,
            pairs: 1563,
            rate: 10_000,
        };
        let mut seen = vec![false; 50_000];
        for pair in 0..1563 {
            for side in 0..2 {
                let slots: Vec<u64> = schedule.slots(pair, side).collect();
                assert!(slots.len() <= 16, "{pair}/{side}: {}", slots.len());
                for slot in slots {
                    assert!(!seen[slot as usize]);
                    seen[slot as usize] = true;
                    assert_eq!(slot % 1563, pair);
                }
            }
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(schedule.at(10_000), Duration::from_secs(1));
    }

    #[test]
    fn stamps_round_trip_and_sizes_cycle() {
        let clock = std::time::Instant::now();
        let m = stamp(clock, 3, 7);
        assert_eq!(m.len(), RELAY_SIZES[3]);
        let (_, slot, pair) = read_stamp(&m).unwrap();
        assert_eq!((slot, pair), (3, 7));
        assert_eq!(read_stamp(&[0; 5]), None);
    }
}
