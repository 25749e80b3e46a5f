//! What a bench run reports: per phase its figures, shown as text blocks.

use core::fmt;
use hybridsim_sockets::text::format_duration;
use std::time::Duration;

/// How a phase went.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase<T> {
    /// Not run (its count was 0, or the target did not parse).
    Skipped,
    /// Run; the figures.
    Done(T),
    /// Could not run at all.
    Failed(String),
}

impl<T> Phase<T> {
    /// The figures, if the phase ran.
    pub fn figures(&self) -> Option<&T> {
        match self {
            Phase::Done(figures) => Some(figures),
            _ => None,
        }
    }
}

/// Latency percentiles of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    /// How many samples.
    pub samples: usize,
    /// Median.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// 99.9th percentile.
    pub p999: Duration,
    /// Largest sample.
    pub max: Duration,
}

impl Percentiles {
    /// Percentiles (nearest rank) of `samples`, which it sorts.
    pub fn of(samples: &mut [Duration]) -> Percentiles {
        samples.sort_unstable();
        let at = |q: f64| -> Duration {
            if samples.is_empty() {
                return Duration::ZERO;
            }
            let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples.get(rank - 1).copied().unwrap_or_default()
        };
        Percentiles {
            samples: samples.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

impl fmt::Display for Percentiles {
    /// `p50 120 µs, p90 …, p99 1.05 ms, p99.9 …, max …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {}, p90 {}, p99 {}, p99.9 {}, max {}",
            latency(self.p50),
            latency(self.p90),
            latency(self.p99),
            latency(self.p999),
            latency(self.max)
        )
    }
}

/// `850 µs`, `1.05 ms`, `120 ms`, `1.25 s`: three significant digits around a millisecond.
fn latency(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else if d < Duration::from_millis(100) {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    } else {
        format_duration(d)
    }
}

/// Refusals and failures, counted by what they were (ids in bodies elided).
pub type Tally = Vec<(String, usize)>;

/// The idle phase's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleFigures {
    /// Sockets asked for (after fitting the open-files limit).
    pub requested: usize,
    /// Pending tunnels opened and held.
    pub opened: usize,
    /// What the rest got instead.
    pub refused: Tally,
    /// How long opening took.
    pub open_time: Duration,
    /// Server RSS before opening, KiB.
    pub rss_before_kib: Option<u64>,
    /// Server RSS with every tunnel open, KiB.
    pub rss_after_kib: Option<u64>,
    /// Pending tunnels the server's `/metrics` reported, if it has that page.
    pub server_pending: Option<u64>,
}

impl IdleFigures {
    /// RSS growth per opened tunnel, in bytes.
    pub fn rss_per_tunnel_bytes(&self) -> Option<f64> {
        let (before, after) = (self.rss_before_kib?, self.rss_after_kib?);
        (self.opened > 0).then(|| after.saturating_sub(before) as f64 * 1024.0 / self.opened as f64)
    }
}

/// The pairing phase's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PairingFigures {
    /// Pairs asked for.
    pub requested: usize,
    /// Pairs that completed (`/connect` answered 101).
    pub paired: usize,
    /// What the rest got instead.
    pub refused: Tally,
    /// From the first handshake to the last pairing.
    pub elapsed: Duration,
    /// How long one pairing took (both handshakes).
    pub latency: Percentiles,
}

impl PairingFigures {
    /// Completed pairs per second.
    pub fn pairs_per_second(&self) -> f64 {
        per_second(self.paired as u64, self.elapsed)
    }
}

/// The relay phase's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayFigures {
    /// Messages per second asked for.
    pub target_rate: u32,
    /// How long it sent.
    pub duration: Duration,
    /// Pairs the messages were spread over.
    pub pairs: usize,
    /// Pairs that could not be opened, by answer.
    pub refused: Tally,
    /// Messages sent.
    pub sent: u64,
    /// Messages received intact on the right socket.
    pub received: u64,
    /// Messages that arrived on a socket they were not sent to, or out of order.
    pub misdelivered: u64,
    /// Sockets that ended early, by reason.
    pub failures: Tally,
    /// From the first scheduled send to the last receive.
    pub elapsed: Duration,
    /// Send → receive.
    pub latency: Percentiles,
    /// How late the generator sent against its schedule.
    pub send_lag: Percentiles,
    /// Server CPU time over the phase, as a fraction of one core.
    pub server_cpu: Option<f64>,
    /// The bench process's CPU time over the phase, as a fraction of one core.
    pub bench_cpu: Option<f64>,
    /// Server CPU time per message received: from `/proc` when the server's pid is known
    /// (and it is not this process), else from the server's own `/metrics`.
    pub server_cpu_per_message: Option<Duration>,
    /// The server's own relay times (read to write), from its `/metrics`, if it has them.
    pub server_relay: Option<ServerRelayTimes>,
}

/// Relay times as the server measured them itself (its `hybridsim_tunnel_relay_seconds`
/// histogram over the phase): each percentile is the upper bound of the bucket it falls
/// in, `None` beyond the largest bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRelayTimes {
    /// Messages the histogram counted over the phase.
    pub messages: u64,
    /// Median, at most this.
    pub p50: Option<Duration>,
    /// 99th percentile, at most this.
    pub p99: Option<Duration>,
    /// 99.9th percentile, at most this.
    pub p999: Option<Duration>,
}

impl fmt::Display for ServerRelayTimes {
    /// `p50 <= 40 µs, p99 <= 175 µs, p99.9 <= 1 ms over 50000 messages`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bound = |d: Option<Duration>| match d {
            Some(d) => format!("<= {}", format_duration(d)),
            None => "beyond the largest bucket".to_owned(),
        };
        write!(
            f,
            "p50 {}, p99 {}, p99.9 {} over {} messages",
            bound(self.p50),
            bound(self.p99),
            bound(self.p999),
            self.messages
        )
    }
}

impl RelayFigures {
    /// Messages received per second of the phase.
    pub fn relayed_per_second(&self) -> f64 {
        per_second(self.received, self.elapsed)
    }
}

/// What [`bench()`](super::bench()) measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// The target as given.
    pub target: String,
    /// The server's pid, when given.
    pub server_pid: Option<u32>,
    /// The server is this process (its figures include the bench's share).
    pub in_process: bool,
    /// Idle pending tunnels and memory.
    pub idle: Phase<IdleFigures>,
    /// Pairings per second.
    pub pairing: Phase<PairingFigures>,
    /// Relay rate and latency.
    pub relay: Phase<RelayFigures>,
    /// Anything the figures need to be read with (limits hit, counts reduced).
    pub notes: Vec<String>,
    /// The whole run.
    pub duration: Duration,
}

fn per_second(n: u64, over: Duration) -> f64 {
    if over.is_zero() {
        0.0
    } else {
        n as f64 / over.as_secs_f64()
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// `3× reason, 1× other`.
pub(super) fn tally_text(tally: &Tally) -> String {
    tally
        .iter()
        .map(|(what, n)| format!("{n}× {what}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for BenchReport {
    /// The figures, one block per phase.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tunnel server bench: {}", self.target)?;
        match (self.server_pid, self.in_process) {
            (Some(pid), true) => write!(f, " (server in-process, pid {pid})")?,
            (Some(pid), false) => write!(f, " (server pid {pid})")?,
            (None, _) => write!(f, " (no server pid: memory and CPU not measured)")?,
        }
        writeln!(f, ", {:.1} s", self.duration.as_secs_f64())?;
        fmt_idle(f, &self.idle)?;
        fmt_pairing(f, &self.pairing)?;
        fmt_relay(f, &self.relay, self.in_process)?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

fn fmt_idle(f: &mut fmt::Formatter<'_>, phase: &Phase<IdleFigures>) -> fmt::Result {
    match phase {
        Phase::Skipped => writeln!(f, "idle pending tunnels: skipped")?,
        Phase::Failed(why) => writeln!(f, "idle pending tunnels: failed: {why}")?,
        Phase::Done(idle) => {
            writeln!(
                f,
                "idle pending tunnels: {} of {} opened in {:.2} s",
                idle.opened,
                idle.requested,
                idle.open_time.as_secs_f64()
            )?;
            if let (Some(before), Some(after)) = (idle.rss_before_kib, idle.rss_after_kib) {
                write!(
                    f,
                    "  server RSS {} -> {} (+{})",
                    mib(before),
                    mib(after),
                    mib(after.saturating_sub(before))
                )?;
                if let Some(per) = idle.rss_per_tunnel_bytes() {
                    write!(f, ", {:.1} KiB per pending tunnel", per / 1024.0)?;
                }
                writeln!(f)?;
            }
            if let Some(pending) = idle.server_pending {
                writeln!(f, "  server reports {pending} tunnels pending")?;
            }
            if !idle.refused.is_empty() {
                writeln!(f, "  not opened: {}", tally_text(&idle.refused))?;
            }
        }
    }
    Ok(())
}

fn fmt_pairing(f: &mut fmt::Formatter<'_>, phase: &Phase<PairingFigures>) -> fmt::Result {
    match phase {
        Phase::Skipped => writeln!(f, "pairings: skipped")?,
        Phase::Failed(why) => writeln!(f, "pairings: failed: {why}")?,
        Phase::Done(p) => {
            writeln!(
                f,
                "pairings: {} of {} pairs in {:.2} s = {:.0} pairs/s",
                p.paired,
                p.requested,
                p.elapsed.as_secs_f64(),
                p.pairs_per_second()
            )?;
            writeln!(f, "  one pairing (2 handshakes): {}", p.latency)?;
            if !p.refused.is_empty() {
                writeln!(f, "  not paired: {}", tally_text(&p.refused))?;
            }
        }
    }
    Ok(())
}

fn fmt_relay(
    f: &mut fmt::Formatter<'_>,
    phase: &Phase<RelayFigures>,
    in_process: bool,
) -> fmt::Result {
    match phase {
        Phase::Skipped => writeln!(f, "relay: skipped")?,
        Phase::Failed(why) => writeln!(f, "relay: failed: {why}")?,
        Phase::Done(r) => {
            writeln!(
                f,
                "relay: {} msg/s asked for {:.1} s over {} pairs: {} sent, {} received, {} lost, {} misdelivered; {:.0} msg/s relayed",
                r.target_rate,
                r.duration.as_secs_f64(),
                r.pairs,
                r.sent,
                r.received,
                r.sent.saturating_sub(r.received),
                r.misdelivered,
                r.relayed_per_second()
            )?;
            writeln!(f, "  latency: {}", r.latency)?;
            writeln!(f, "  generator lag: {}", r.send_lag)?;
            if let Some(relay) = &r.server_relay {
                writeln!(
                    f,
                    "  server relay time (read to write, its /metrics): {relay}"
                )?;
            }
            if let Some(per) = r.server_cpu_per_message {
                writeln!(
                    f,
                    "  server CPU per relayed message: {:.1} µs",
                    per.as_secs_f64() * 1e6
                )?;
            }
            match (r.server_cpu, r.bench_cpu, in_process) {
                (Some(s), _, true) => writeln!(
                    f,
                    "  CPU: {:.0}% of one core (server and bench together)",
                    s * 100.0
                )?,
                (Some(s), Some(b), false) => writeln!(
                    f,
                    "  CPU: server {:.0}%, bench {:.0}% of one core",
                    s * 100.0,
                    b * 100.0
                )?,
                (None, Some(b), _) => writeln!(f, "  CPU: bench {:.0}% of one core", b * 100.0)?,
                _ => {}
            }
            if !r.refused.is_empty() {
                writeln!(f, "  pairs not opened: {}", tally_text(&r.refused))?;
            }
            if !r.failures.is_empty() {
                writeln!(f, "  sockets ended early: {}", tally_text(&r.failures))?;
            }
        }
    }
    Ok(())
}
