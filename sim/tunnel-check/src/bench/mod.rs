//! A load generator for any caBLE v2 tunnel server: how fast it pairs, how fast and how
//! promptly it relays, and what an idle pending tunnel costs it in memory.
//!
//! [`bench()`] runs three phases against a `ws://HOST:PORT` target, each bounded by
//! [`BenchOptions::phase_timeout`] and skipped when its count is 0:
//!
//! 1. **Idle pending tunnels** (runs first, so the server's memory is measured from a fresh
//!    start): opens [`BenchOptions::idle`] `/cable/new` sockets that never send, reads the
//!    server's resident memory (`VmRSS` of `/proc/{pid}/status`, when
//!    [`BenchOptions::server_pid`] is given) before and after, and reports the RSS per
//!    pending tunnel. The client side of each idle socket is a bare TCP stream after a
//!    hand-written upgrade, so an in-process run adds little of its own.
//! 2. **Pairings**: [`BenchOptions::pairs`] `/cable/new` + `/cable/connect` pairs, at most
//!    [`BenchOptions::connecting`] handshakes in flight, all held open until the last has
//!    paired; pairs per second and the time one pairing takes.
//! 3. **Relay**: messages at [`BenchOptions::rate`] per second for
//!    [`BenchOptions::seconds`], scheduled open-loop (each at its own time, whether or not
//!    earlier ones have arrived), spread over enough pre-opened pairs that no peer sends
//!    more than [`BenchOptions::messages_per_peer`] (servers cap it: webauthn-rs and ours
//!    at 16). Sizes cycle through real hybrid traffic's (48..1024 bytes). Each message
//!    carries its send time; latency is send → receive on the paired socket, measured with
//!    one monotonic clock. Also: messages lost or delivered to the wrong socket, how late
//!    the generator itself sent (if it lags, the machine is saturated), and the CPU time
//!    the server and the bench used. A hybridsim server's `/metrics`, read before and
//!    after, adds its own view: each message's time inside it (read to write, without the
//!    load generator's scheduling in the figure) and its CPU time per relayed message.
//!
//! Open files: every socket is a file descriptor, twice over when the server runs in the
//! same process. The idle phase shrinks its count to what the soft limit allows and says so
//! in [`BenchReport::notes`]; raise the limit with `ulimit -n` before running.
//! Our server's defaults refuse more than 256 connections from one address (429), more
//! than 4,096 connections in all (503) and more than 10,000 tunnels (503): run it with
//! `--max-connections-per-ip`, `--max-connections` and `--max-tunnels` above the bench's
//! counts. Refusals are counted by answer in the report.

mod idle;
pub mod options;
mod pairing;
mod proc;
mod relay;
pub mod report;
mod server_view;
mod tally;

pub use options::{
    BenchOptions, DEFAULT_CONNECTING, DEFAULT_IDLE, DEFAULT_MESSAGES_PER_PEER, DEFAULT_PAIRS,
    DEFAULT_PHASE_TIMEOUT, DEFAULT_RATE, DEFAULT_SECONDS,
};
pub use report::{
    BenchReport, IdleFigures, PairingFigures, Percentiles, Phase, RelayFigures, ServerRelayTimes,
    Tally,
};

use hybridsim_sockets::client::Target;
use idle::{idle_phase, settle};
use pairing::pairing_phase;
use relay::relay_phase;
use std::time::Duration;
use tokio::time::Instant;

/// Runs the phases against `target` (`ws://HOST:PORT`). Never fails as a whole: a phase
/// that cannot run says why in its [`Phase::Failed`].
pub async fn bench(target: &str, options: BenchOptions) -> BenchReport {
    let started = Instant::now();
    let in_process = options.server_pid == Some(std::process::id());
    let mut report = BenchReport {
        target: target.to_owned(),
        server_pid: options.server_pid,
        in_process,
        idle: Phase::Skipped,
        pairing: Phase::Skipped,
        relay: Phase::Skipped,
        notes: Vec::new(),
        duration: Duration::ZERO,
    };
    let parsed = match Target::parse(target) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.notes.push(e.to_string());
            report.duration = started.elapsed();
            return report;
        }
    };
    if options.idle > 0 {
        report.idle = idle_phase(&parsed, &options, &mut report.notes).await;
        settle(&parsed).await;
    }
    if options.pairs > 0 {
        report.pairing = pairing_phase(&parsed, &options).await;
        settle(&parsed).await;
    }
    if options.rate > 0 && !options.seconds.is_zero() {
        report.relay = relay_phase(&parsed, &options, &mut report.notes).await;
        settle(&parsed).await;
    }
    report.duration = started.elapsed();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=1000).rev().map(Duration::from_micros).collect();
        let p = Percentiles::of(&mut samples);
        assert_eq!(p.samples, 1000);
        assert_eq!(p.p50, Duration::from_micros(500));
        assert_eq!(p.p99, Duration::from_micros(990));
        assert_eq!(p.p999, Duration::from_micros(999));
        assert_eq!(p.max, Duration::from_micros(1000));
        assert_eq!(Percentiles::of(&mut []), Percentiles::default());
    }
}
