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
//!    the server and the bench used.
//!
//! Open files: every socket is a file descriptor, twice over when the server runs in the
//! same process. The idle phase shrinks its count to what the soft limit allows and says so
//! in [`BenchReport::notes`]; raise the limit with `ulimit -n` before running.
//! Our server's defaults refuse more than 256 connections from one address (429) and more
//! than 10,000 tunnels (503): run it with `--max-connections-per-ip` and `--max-tunnels`
//! above the bench's counts. Refusals are counted by answer in the report.

mod proc;

use core::fmt;
use futures_util::{SinkExt, StreamExt};
use hybridsim_sockets::client::{
    connect_path, new_path, random_bytes, ClientSocket, Target, Upgraded, CABLE_HEADERS,
};
use hybridsim_sockets::text::format_duration;
use hybridsim_sockets::text::{one_line, shorten};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, sleep_until, timeout_at, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Default for [`BenchOptions::pairs`].
pub const DEFAULT_PAIRS: usize = 1000;
/// Default for [`BenchOptions::rate`].
pub const DEFAULT_RATE: u32 = 10_000;
/// Default for [`BenchOptions::seconds`].
pub const DEFAULT_SECONDS: Duration = Duration::from_secs(5);
/// Default for [`BenchOptions::idle`].
pub const DEFAULT_IDLE: usize = 20_000;
/// Default for [`BenchOptions::connecting`].
pub const DEFAULT_CONNECTING: usize = 256;
/// Default for [`BenchOptions::messages_per_peer`]: webauthn-rs' and our server's limit.
pub const DEFAULT_MESSAGES_PER_PEER: u32 = 16;
/// Default for [`BenchOptions::phase_timeout`].
pub const DEFAULT_PHASE_TIMEOUT: Duration = Duration::from_secs(120);

/// Message sizes of the relay phase, cycled: handshake, post-handshake, CTAP requests and
/// replies, linking update, shutdown (see [`crate::check::CEREMONY_SHAPE`]).
const RELAY_SIZES: [usize; 10] = [81, 272, 336, 1008, 544, 208, 112, 1024, 48, 80];
/// Header of a relay-phase message: send time (ns), slot, pair.
const STAMP: usize = 8 + 8 + 4;
/// How long the relay phase waits for the last messages after the last send.
const RELAY_DRAIN: Duration = Duration::from_secs(3);
/// How long one handshake may take.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(15);
/// Sockets kept in reserve when sizing the idle phase to the open-files limit.
const SPARE_FILES: u64 = 64;
/// Longest wait for the server to drop a phase's connections before the next phase.
const SETTLE_WAIT: Duration = Duration::from_secs(15);

/// What [`bench()`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// Pairs opened in the pairing phase (default 1000; 0 skips it).
    pub pairs: usize,
    /// Messages per second in the relay phase (default 10,000; 0 skips it).
    pub rate: u32,
    /// How long the relay phase sends (default 5 s).
    pub seconds: Duration,
    /// Idle pending tunnels opened (default 20,000; 0 skips the phase).
    pub idle: usize,
    /// The server's process id, to read its memory and CPU time from `/proc`; pass
    /// `std::process::id()` when the server runs in-process (its figures then include the
    /// bench's own share).
    pub server_pid: Option<u32>,
    /// Handshakes in flight at once (default 256).
    pub connecting: usize,
    /// Messages one peer sends at most in the relay phase (default 16).
    pub messages_per_peer: u32,
    /// Longest any phase may take (default 120 s); a phase cut short reports what it had.
    pub phase_timeout: Duration,
}

impl Default for BenchOptions {
    fn default() -> BenchOptions {
        BenchOptions {
            pairs: DEFAULT_PAIRS,
            rate: DEFAULT_RATE,
            seconds: DEFAULT_SECONDS,
            idle: DEFAULT_IDLE,
            server_pid: None,
            connecting: DEFAULT_CONNECTING,
            messages_per_peer: DEFAULT_MESSAGES_PER_PEER,
            phase_timeout: DEFAULT_PHASE_TIMEOUT,
        }
    }
}

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
}

impl RelayFigures {
    /// Messages received per second of the phase.
    pub fn relayed_per_second(&self) -> f64 {
        per_second(self.received, self.elapsed)
    }
}

/// What [`bench()`] measured.
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

fn tally_text(tally: &Tally) -> String {
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
        match &self.idle {
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
        match &self.pairing {
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
        match &self.relay {
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
                match (r.server_cpu, r.bench_cpu, self.in_process) {
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
                    (None, Some(b), _) => {
                        writeln!(f, "  CPU: bench {:.0}% of one core", b * 100.0)?
                    }
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
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

/// Counts outcomes by their text, with long hex runs (tunnel ids) elided so equal answers
/// group together.
#[derive(Debug, Default)]
struct Counter(BTreeMap<String, usize>);

impl Counter {
    fn add(&mut self, what: &str) {
        let key = elide_hex(&shorten(&one_line(what), 90));
        let n = self.0.entry(key).or_default();
        *n = n.saturating_add(1);
    }

    fn into_tally(self) -> Tally {
        let mut tally: Tally = self.0.into_iter().collect();
        tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        tally
    }
}

fn elide_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push('…');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

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

/// Runs `make(i)` for `i` in `0..n` as tasks, at most `in_flight` at a time, until all are
/// done or `deadline`; returns the successes, a count of the failures, and whether the
/// deadline cut it short (tasks still running then are aborted).
async fn open_many<T, F, Fut>(
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
async fn settle(target: &Target) {
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
async fn server_gauge(target: &Target, name: &str) -> Option<u64> {
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

async fn idle_phase(
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
fn reset_on_drop(stream: &tokio::net::TcpStream) {
    let _ = stream.set_zero_linger();
}

/// `/cable/new` then `/cable/connect` on a fresh id; both upgraded streams and how long
/// the two handshakes took.
async fn open_pair(target: Arc<Target>) -> Result<(Upgraded, Upgraded, Duration), String> {
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

async fn pairing_phase(target: &Target, options: &BenchOptions) -> Phase<PairingFigures> {
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

/// One socket of the relay phase: the slots it sends and what it expects back.
struct Lane {
    ws: ClientSocket,
    pair: u32,
    /// 0: the `/new` side, 1: the `/connect` side.
    side: u64,
}

/// What one lane saw.
#[derive(Default)]
struct LaneResult {
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
struct Schedule {
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

fn stamp(clock: std::time::Instant, slot: u64, pair: u32) -> Vec<u8> {
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

fn read_stamp(message: &[u8]) -> Option<(u64, u64, u32)> {
    let nanos = u64::from_be_bytes(message.get(0..8)?.try_into().ok()?);
    let slot = u64::from_be_bytes(message.get(8..16)?.try_into().ok()?);
    let pair = u32::from_be_bytes(message.get(16..20)?.try_into().ok()?);
    Some((nanos, slot, pair))
}

async fn run_lane(
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

async fn relay_phase(
    target: &Target,
    options: &BenchOptions,
    notes: &mut Vec<String>,
) -> Phase<RelayFigures> {
    let total = (options.seconds.as_secs_f64() * f64::from(options.rate)).round() as u64;
    let per_pair = u64::from(options.messages_per_peer.max(1)) * 2;
    let pairs_needed = total.div_ceil(per_pair).max(1);
    let Ok(pairs_needed) = usize::try_from(pairs_needed) else {
        return Phase::Failed("too many pairs needed".to_owned());
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
        return Phase::Failed(format!(
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
    let pair_count = lanes.len() / 2;
    let server_cpu_before = options.server_pid.and_then(proc::cpu_time);
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
    let wall = start.elapsed();
    let cpu = |before: Option<Duration>, after: Option<Duration>| {
        let used = after?.checked_sub(before?)?;
        Some(used.as_secs_f64() / wall.as_secs_f64().max(1e-9))
    };
    let server_cpu = cpu(
        server_cpu_before,
        options.server_pid.and_then(proc::cpu_time),
    );
    let bench_cpu = cpu(bench_cpu_before, proc::cpu_time(std::process::id()));
    Phase::Done(RelayFigures {
        target_rate: options.rate,
        duration: schedule.at(total),
        pairs: pair_count,
        refused: refused.into_tally(),
        sent,
        received,
        misdelivered,
        failures: failures.into_tally(),
        elapsed: last_receive,
        latency: Percentiles::of(&mut latencies),
        send_lag: Percentiles::of(&mut lags),
        server_cpu,
        bench_cpu,
    })
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

    #[test]
    fn tallies_group_answers_that_differ_only_by_ids() {
        let mut counter = Counter::default();
        counter.add(&format!("HTTP 404 'unknown tunnel {}'", "AB".repeat(16)));
        counter.add(&format!("HTTP 404 'unknown tunnel {}'", "CD".repeat(16)));
        counter.add("HTTP 429 'too many connections from 127.0.0.1 (limit 256)'");
        assert_eq!(
            counter.into_tally(),
            vec![
                ("HTTP 404 'unknown tunnel …'".to_owned(), 2),
                (
                    "HTTP 429 'too many connections from 127.0.0.1 (limit 256)'".to_owned(),
                    1
                ),
            ]
        );
    }
}
