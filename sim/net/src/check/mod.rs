//! Conformance check of any caBLE v2 tunnel server, over real sockets.
//!
//! [`check`] runs one named case per rule of docs/protocol.md §5 against a `ws://HOST:PORT`
//! target, each under [`CheckOptions::case_timeout`] (a case never hangs: on timeout it is
//! aborted, its sockets dropped, and it fails with "timed out"). Every case uses fresh random
//! tunnel and contact ids, so a shared server can be checked while in use, and cases run one
//! after the other so their observations do not depend on each other's load.
//!
//! | case | rule |
//! |---|---|
//! | `new/upgrade` | `/cable/new` answers 101, selects `fido.cable`, sends one `X-caBLE-Routing-ID` of exactly 6 hex digits |
//! | `new/no-subprotocol` | without `fido.cable`: HTTP 400 |
//! | `connect/unknown-tunnel` | `/cable/connect` to a tunnel no one registered: refused (4xx) |
//! | `new/duplicate` | a second `/cable/new` of a pending id: the status is recorded (webauthn-rs: 409), or "accepted" |
//! | `relay/both-ways` | `/connect` pairs with `/new`; binary messages relay both ways |
//! | `relay/boundaries` | 1, 81 and 1000 bytes keep their boundaries; a burst of 10 arrives as 10 |
//! | `relay/buffered-in-order` | messages sent before the peer arrives are delivered, in order |
//! | `close/propagates` | a close on one side reaches the other |
//! | `frame/text-refused` | a text frame closes its sender (1003, or the connection ends) and is not relayed |
//! | `frame/oversize-refused` | a message over the limit is refused; which sizes are is recorded |
//! | `path/lower-case-hex` | lower-case hex ids work for `/new` and `/connect` |
//! | `path/malformed-refused` | every malformed path of the vectors (or [`CheckOptions::malformed_paths`]) is refused |
//! | `contact/unknown-410` | `/cable/contact` with an unknown contact id: HTTP 410 |
//! | `wake/contact-flow` | hybridsim extension: wake socket, `/cable/contact`, the `00` connect signal, relay; skipped where `/hybridsim/wake` is not served |
//! | `relay/ceremony-shaped` | a QR ceremony's byte pattern ([`CEREMONY_SHAPE`]) relayed intact |
//! | `ceremony/qr-registration` | a real desktop and phone register a passkey through the server; a relying party verifies it ([`crate::ceremony`]) |
//! | `ceremony/linked-sign-in` | link, then a linked sign-in woken through `/hybridsim/wake`; skipped where the wake socket is refused with a 4xx |
//!
//! The two `ceremony/…` cases are [`CheckOptions::extra_cases`] by default
//! ([`crate::ceremony_cases`]); callers append their own cases there (or replace the list);
//! each gets a [`Probe`] to open tunnels with. The report renders as an aligned table ([`CheckReport`]'s `Display`) or
//! as JUnit XML ([`CheckReport::to_junit_xml`]).

mod cases;
mod junit;

/// XML 1.0 escaping for element text and attributes, as every JUnit report of the project
/// writes it (this check's, the scenario runner's, `rp check`'s).
pub use junit::escape as xml_escape;

use crate::client::{
    connect_path, new_path, one_line, random_bytes, shorten, ClientSocket, Refusal, Target,
    Upgraded, CABLE_HEADERS, FIDO_CABLE,
};
use core::fmt;
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// The malformed tunnel paths of `fixtures/vectors/tunnel_paths.json` (its `invalid` list,
/// from webauthn-rs' tunnel server tests).
const TUNNEL_PATH_VECTORS: &str = include_str!("../../../../fixtures/vectors/tunnel_paths.json");

/// Default for [`CheckOptions::case_timeout`].
pub const DEFAULT_CASE_TIMEOUT: Duration = Duration::from_secs(15);
/// Default for [`CheckOptions::step_timeout`].
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(3);
/// The oversize probes when no limit is given: 16 KiB + 1 (webauthn-rs' limit) and
/// 1 MiB + 1 (Chromium's).
pub const DEFAULT_OVERSIZE_PROBES: [usize; 2] = [16 * 1024 + 1, (1 << 20) + 1];

/// What [`check`] takes besides the target.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Longest a case may take; then it fails as "timed out". Default 15 s.
    pub case_timeout: Duration,
    /// Longest one step (an upgrade, waiting for one message) may take. Default 3 s.
    pub step_timeout: Duration,
    /// The server's message size limit, if known: the oversize case then expects exactly
    /// this many bytes relayed and one more refused. `None` probes
    /// [`DEFAULT_OVERSIZE_PROBES`] and records which are refused (the 1 MiB + 1 one must be).
    pub message_limit: Option<usize>,
    /// Paths that must be refused. Default: the `invalid` list of the tunnel path vectors
    /// ([`default_malformed_paths`]). Each goes into the request line as given.
    pub malformed_paths: Vec<String>,
    /// Run the built-in cases (default `true`); `false` runs only [`Self::extra_cases`].
    pub builtin_cases: bool,
    /// Cases run after the built-in ones, in order. Default: the full ceremonies of
    /// [`crate::ceremony_cases`]; push to keep them, assign to replace them.
    pub extra_cases: Vec<ExtraCase>,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            case_timeout: DEFAULT_CASE_TIMEOUT,
            step_timeout: DEFAULT_STEP_TIMEOUT,
            message_limit: None,
            malformed_paths: default_malformed_paths(),
            builtin_cases: true,
            extra_cases: crate::ceremony::ceremony_cases(),
        }
    }
}

/// The `invalid` paths of `fixtures/vectors/tunnel_paths.json`, compiled in.
pub fn default_malformed_paths() -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(TUNNEL_PATH_VECTORS)
        .ok()
        .and_then(|v| {
            v.get("invalid").and_then(|list| {
                list.as_array().map(|items| {
                    items
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect()
                })
            })
        })
        .unwrap_or_default()
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server did what the rule says.
    Pass,
    /// It did not, or the case could not complete.
    Fail,
    /// The case does not apply to this server (e.g. an extension it does not serve).
    Skip,
}

impl fmt::Display for Outcome {
    /// `PASS`, `FAIL` or `SKIP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        })
    }
}

/// What a case concluded: the outcome and what was observed, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// What the server did, e.g. `HTTP 404 'unknown tunnel …'`.
    pub observed: String,
}

impl Verdict {
    /// A pass, saying what was seen.
    pub fn pass(observed: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Pass,
            observed: observed.into(),
        }
    }

    /// A failure, saying what was seen instead.
    pub fn fail(observed: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Fail,
            observed: observed.into(),
        }
    }

    /// Does not apply, saying why.
    pub fn skip(observed: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Skip,
            observed: observed.into(),
        }
    }
}

/// What a case's future yields: a verdict, or `Err(observation)` for a failure (so cases
/// can use `?` on [`Probe`]'s helpers).
pub type CaseResultFuture = Pin<Box<dyn Future<Output = Result<Verdict, String>> + Send>>;

/// A case a caller adds to the run ([`CheckOptions::extra_cases`]).
#[derive(Clone)]
pub struct ExtraCase {
    name: String,
    run: Arc<dyn Fn(Probe) -> CaseResultFuture + Send + Sync>,
}

impl ExtraCase {
    /// A case called `name` that runs `run` with a [`Probe`] of the target. It runs under
    /// the same timeout as the built-in cases; a panic in it fails the case.
    ///
    /// ```
    /// use hybridsim_net::check::{ExtraCase, Verdict};
    /// let case = ExtraCase::new("qr/ceremony", |probe| async move {
    ///     let mut pair = probe.pair().await?;
    ///     probe.send(&mut pair.desktop, &[0; 81]).await?;
    ///     let got = probe.recv_binary(&mut pair.phone, "phone").await?;
    ///     Ok(Verdict::pass(format!("{} B relayed", got.len())))
    /// });
    /// assert_eq!(case.name(), "qr/ceremony");
    /// ```
    pub fn new<F, Fut>(name: impl Into<String>, run: F) -> ExtraCase
    where
        F: Fn(Probe) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Verdict, String>> + Send + 'static,
    {
        ExtraCase {
            name: name.into(),
            run: Arc::new(move |probe| Box::pin(run(probe))),
        }
    }

    /// The case's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for ExtraCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraCase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// One row of a [`CheckReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name, e.g. `relay/boundaries`.
    pub name: String,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// What was observed, one line.
    pub observed: String,
    /// How long the case took.
    pub duration: Duration,
}

/// What [`check`] found: one row per case, in the order run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The target as given.
    pub target: String,
    /// Every case, in order.
    pub cases: Vec<CaseResult>,
    /// The whole run.
    pub duration: Duration,
}

impl CheckReport {
    /// No case failed (skips are fine). The CLI turns this into its exit status.
    pub fn passed(&self) -> bool {
        !self.cases.iter().any(|c| c.outcome == Outcome::Fail)
    }

    /// How many cases ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The row of case `name`, if it ran.
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// The report as JUnit XML: one `<testsuite>`, one `<testcase>` per case, a failure as
    /// `<failure message="observation">`, a skip as `<skipped message="…"/>`, and every
    /// observation also in `<system-out>`.
    pub fn to_junit_xml(&self) -> String {
        junit::render(self)
    }
}

impl fmt::Display for CheckReport {
    /// An aligned table (outcome, case, duration, observation) and a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tunnel server conformance: {}", self.target)?;
        let width = self
            .cases
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        for case in &self.cases {
            writeln!(
                f,
                "  {}  {:<width$}  {:>8}  {}",
                case.outcome,
                case.name,
                format_duration(case.duration),
                case.observed,
            )?;
        }
        write!(
            f,
            "{} cases: {} passed, {} failed, {} skipped in {}",
            self.cases.len(),
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Skip),
            format_duration(self.duration),
        )
    }
}

/// `850 µs`, `12 ms`, `1.25 s`.
pub(crate) fn format_duration(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// Runs every built-in case, then the extra ones, against `target` (`ws://HOST:PORT`).
/// A target that does not parse gives a report with one failed `target` row.
pub async fn check(target: &str, options: CheckOptions) -> CheckReport {
    let started = Instant::now();
    let parsed = match Target::parse(target) {
        Ok(parsed) => parsed,
        Err(e) => {
            return CheckReport {
                target: target.to_owned(),
                cases: vec![CaseResult {
                    name: "target".to_owned(),
                    outcome: Outcome::Fail,
                    observed: e.to_string(),
                    duration: started.elapsed(),
                }],
                duration: started.elapsed(),
            }
        }
    };
    let probe = Probe::new(parsed, options.step_timeout);
    let settings = Arc::new(cases::Settings {
        message_limit: options.message_limit,
        malformed_paths: options.malformed_paths.clone(),
    });
    let mut all = if options.builtin_cases {
        cases::builtin(&settings)
    } else {
        Vec::new()
    };
    all.extend(options.extra_cases.iter().cloned());
    let mut results = Vec::with_capacity(all.len());
    for case in all {
        results.push(run_case(&case, probe.clone(), options.case_timeout).await);
    }
    CheckReport {
        target: target.to_owned(),
        cases: results,
        duration: started.elapsed(),
    }
}

/// Runs one case in its own task (so a panic fails just that case) under `limit`.
async fn run_case(case: &ExtraCase, probe: Probe, limit: Duration) -> CaseResult {
    let started = Instant::now();
    let mut task = tokio::spawn((case.run)(probe));
    let verdict = match timeout(limit, &mut task).await {
        Ok(Ok(Ok(verdict))) => verdict,
        Ok(Ok(Err(observed))) => Verdict::fail(observed),
        Ok(Err(e)) if e.is_panic() => Verdict::fail("the case panicked"),
        Ok(Err(e)) => Verdict::fail(format!("the case did not finish: {e}")),
        Err(_) => {
            task.abort();
            Verdict::fail(format!("timed out after {}", format_duration(limit)))
        }
    };
    CaseResult {
        name: case.name.clone(),
        outcome: verdict.outcome,
        observed: one_line(verdict.observed.trim()),
        duration: started.elapsed(),
    }
}

/// Opens tunnels on a target and waits for messages, every step bounded by the step
/// timeout. What each case (built-in or extra) works with.
#[derive(Debug, Clone)]
pub struct Probe {
    target: Target,
    step: Duration,
}

/// A paired tunnel: the phone's `/cable/new` socket and the desktop's `/cable/connect` one.
#[derive(Debug)]
pub struct Pair {
    /// The `/cable/new` side.
    pub phone: ClientSocket,
    /// The `/cable/connect` side.
    pub desktop: ClientSocket,
    /// The tunnel id both named.
    pub tunnel_id: [u8; 16],
    /// The routing id the server announced.
    pub routing_id: String,
}

/// What arrived on a socket next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A binary message.
    Binary(Vec<u8>),
    /// A text message.
    Text(String),
    /// A close frame: code and reason (`None`: a close frame without a code).
    Close(Option<(u16, String)>),
    /// The connection ended without a close frame.
    Ended,
    /// The socket failed (e.g. reset).
    Failed(String),
    /// Nothing within the wait.
    Quiet(Duration),
}

impl fmt::Display for Event {
    /// One line, e.g. `close 1003 'text frame'`, `a 81 B binary message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Binary(b) => write!(f, "a {} B binary message", b.len()),
            Event::Text(t) => write!(f, "a text message '{}'", shorten(&one_line(t), 40)),
            Event::Close(Some((code, reason))) if reason.is_empty() => write!(f, "close {code}"),
            Event::Close(Some((code, reason))) => {
                write!(f, "close {code} '{}'", shorten(&one_line(reason), 50))
            }
            Event::Close(None) => f.write_str("close without a code"),
            Event::Ended => f.write_str("connection ended without a close frame"),
            Event::Failed(e) => write!(f, "socket error: {}", shorten(&one_line(e), 60)),
            Event::Quiet(wait) => write!(f, "nothing within {}", format_duration(*wait)),
        }
    }
}

impl Event {
    /// A close frame, the end of the connection, or a socket failure.
    pub fn is_closed(&self) -> bool {
        matches!(self, Event::Close(_) | Event::Ended | Event::Failed(_))
    }
}

impl Probe {
    /// A probe of `target` whose every step waits at most `step`.
    pub fn new(target: Target, step: Duration) -> Probe {
        Probe { target, step }
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The step timeout.
    pub fn step_timeout(&self) -> Duration {
        self.step
    }

    /// An upgrade request for `path` with `headers` (see [`Target::upgrade`]).
    pub async fn upgrade(&self, path: &str, headers: &[(&str, &str)]) -> Result<Upgraded, Refusal> {
        self.target.upgrade(path, headers, self.step).await
    }

    /// `/cable/new/{tunnel id}` with `fido.cable`. Fails unless the server answers 101,
    /// selects `fido.cable` and sends `X-caBLE-Routing-ID`; returns the socket and the
    /// routing id as sent.
    pub async fn open_new(&self, tunnel_id: &[u8; 16]) -> Result<(ClientSocket, String), String> {
        self.open_new_at(&new_path(tunnel_id)).await
    }

    async fn open_new_at(&self, path: &str) -> Result<(ClientSocket, String), String> {
        let upgraded = self
            .upgrade(path, CABLE_HEADERS)
            .await
            .map_err(|r| format!("/cable/new: {r}"))?;
        check_subprotocol("/cable/new", &upgraded)?;
        let routing = upgraded
            .head
            .header("x-cable-routing-id")
            .map(str::to_owned)
            .ok_or("/cable/new: 101 without X-caBLE-Routing-ID")?;
        Ok((upgraded.into_websocket().await, routing))
    }

    /// `/cable/connect/{routing id}/{tunnel id}` with `fido.cable`; fails unless the server
    /// answers 101 and selects `fido.cable`.
    pub async fn open_connect(
        &self,
        routing_id: &str,
        tunnel_id: &[u8; 16],
    ) -> Result<ClientSocket, String> {
        self.open_connect_at(&connect_path(routing_id, tunnel_id))
            .await
    }

    async fn open_connect_at(&self, path: &str) -> Result<ClientSocket, String> {
        let upgraded = self
            .upgrade(path, CABLE_HEADERS)
            .await
            .map_err(|r| format!("/cable/connect: {r}"))?;
        check_subprotocol("/cable/connect", &upgraded)?;
        Ok(upgraded.into_websocket().await)
    }

    /// A fresh tunnel: `/cable/new` with a random id, then `/cable/connect` to it.
    pub async fn pair(&self) -> Result<Pair, String> {
        let tunnel_id = random_bytes::<16>();
        let (phone, routing_id) = self.open_new(&tunnel_id).await?;
        let desktop = self.open_connect(&routing_id, &tunnel_id).await?;
        Ok(Pair {
            phone,
            desktop,
            tunnel_id,
            routing_id,
        })
    }

    /// Sends one binary message (bounded by the step timeout).
    pub async fn send(&self, ws: &mut ClientSocket, bytes: &[u8]) -> Result<(), String> {
        match timeout(self.step, ws.send(Message::Binary(bytes.to_vec().into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!(
                "sending {} B failed: {}",
                bytes.len(),
                one_line(&e.to_string())
            )),
            Err(_) => Err(format!(
                "sending {} B did not finish within {}",
                bytes.len(),
                format_duration(self.step)
            )),
        }
    }

    /// The next event on `ws` within the step timeout (pings and pongs skipped).
    pub async fn next_event(&self, ws: &mut ClientSocket) -> Event {
        self.next_event_within(ws, self.step).await
    }

    /// The next event on `ws` within `wait`.
    pub async fn next_event_within(&self, ws: &mut ClientSocket, wait: Duration) -> Event {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, ws.next()).await;
            return match next {
                Err(_) => Event::Quiet(wait),
                Ok(None) => Event::Ended,
                Ok(Some(Ok(Message::Binary(b)))) => Event::Binary(b.to_vec()),
                Ok(Some(Ok(Message::Text(t)))) => Event::Text(t.as_str().to_owned()),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    Event::Close(frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned())))
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
                Ok(Some(Err(e))) => Event::Failed(e.to_string()),
            };
        }
    }

    /// The next message on `ws`, which must be binary; `who` names the socket in the error.
    pub async fn recv_binary(&self, ws: &mut ClientSocket, who: &str) -> Result<Vec<u8>, String> {
        match self.next_event(ws).await {
            Event::Binary(bytes) => Ok(bytes),
            other => Err(format!("{who}: expected a binary message, got {other}")),
        }
    }

    /// Receives on `ws` and compares with `expected`; `what` describes the message.
    pub async fn expect_binary(
        &self,
        ws: &mut ClientSocket,
        who: &str,
        what: &str,
        expected: &[u8],
    ) -> Result<(), String> {
        let got = self.recv_binary(ws, who).await?;
        if got == expected {
            Ok(())
        } else if got.len() != expected.len() {
            Err(format!(
                "{who}: {what}: got {} B, expected {} B",
                got.len(),
                expected.len()
            ))
        } else {
            Err(format!("{who}: {what}: {} B arrived altered", got.len()))
        }
    }

    /// Relays [`CEREMONY_SHAPE`] over `pair` in lock step (each message received before the
    /// next is sent), checking every byte. The contents derive from the tunnel id, so a
    /// message that reaches another tunnel's peer is caught.
    pub async fn ceremony_shaped_relay(&self, pair: &mut Pair) -> Result<(), String> {
        for (index, (sender, len)) in CEREMONY_SHAPE.iter().enumerate() {
            let message = ceremony_message(&pair.tunnel_id, index, *len);
            let what = format!("ceremony message {} ({} B)", index + 1, len);
            let (from, to, who) = match sender {
                Sender::Desktop => (&mut pair.desktop, &mut pair.phone, "phone"),
                Sender::Phone => (&mut pair.phone, &mut pair.desktop, "desktop"),
            };
            self.send(from, &message).await?;
            self.expect_binary(to, who, &what, &message).await?;
        }
        Ok(())
    }
}

fn check_subprotocol(route: &str, upgraded: &Upgraded) -> Result<(), String> {
    match upgraded.head.header("sec-websocket-protocol") {
        Some(p) if p.trim() == FIDO_CABLE => Ok(()),
        Some(p) => Err(format!(
            "{route}: 101 selecting '{}' instead of fido.cable",
            shorten(&one_line(p), 30)
        )),
        None => Err(format!("{route}: 101 without selecting fido.cable")),
    }
}

/// Which side sends a message of [`CEREMONY_SHAPE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The `/cable/connect` side (the QR flow's desktop).
    Desktop,
    /// The `/cable/new` side (the QR flow's phone).
    Phone,
}

/// The byte pattern of a QR-initiated transaction as the tunnel sees it (docs/protocol.md
/// §6–§8): the 81-byte Noise handshake messages both ways, then five encrypted messages each
/// way of the sizes padding and AEAD give real traffic: post-handshake message, CTAP requests
/// and replies, linking update, shutdown.
pub const CEREMONY_SHAPE: [(Sender, usize); 12] = [
    (Sender::Desktop, 81),   // Noise handshake, message 1
    (Sender::Phone, 81),     // Noise handshake, message 2
    (Sender::Phone, 272),    // post-handshake message (getInfo)
    (Sender::Desktop, 336),  // CTAP makeCredential request
    (Sender::Phone, 1008),   // its reply, with attestation
    (Sender::Phone, 544),    // linking update
    (Sender::Desktop, 208),  // CTAP getAssertion request
    (Sender::Phone, 112),    // a short reply
    (Sender::Desktop, 1024), // a large request (long allow list)
    (Sender::Phone, 48),     // its reply
    (Sender::Desktop, 80),   // a last request
    (Sender::Desktop, 48),   // shutdown
];

/// Message `index` of a ceremony-shaped relay on `tunnel_id`: `len` bytes that depend on
/// both, so a misrouted or reordered message never matches.
pub fn ceremony_message(tunnel_id: &[u8; 16], index: usize, len: usize) -> Vec<u8> {
    let half = |range: core::ops::Range<usize>| {
        tunnel_id
            .get(range)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or_default()
    };
    let mut state = splitmix(half(0..8) ^ splitmix(half(8..16) ^ splitmix(index as u64))) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// SplitMix64's output function: spreads every input bit over the whole word.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vectors_give_the_malformed_paths() {
        let paths = default_malformed_paths();
        assert_eq!(paths.len(), 19);
        assert!(paths.contains(&"../../../etc/passwd".to_owned()));
    }

    #[test]
    fn ceremony_shape_is_handshake_then_five_each_way() {
        assert_eq!(CEREMONY_SHAPE[0], (Sender::Desktop, 81));
        assert_eq!(CEREMONY_SHAPE[1], (Sender::Phone, 81));
        let encrypted = &CEREMONY_SHAPE[2..];
        for side in [Sender::Desktop, Sender::Phone] {
            let sizes: Vec<usize> = encrypted
                .iter()
                .filter(|(s, _)| *s == side)
                .map(|(_, n)| *n)
                .collect();
            assert_eq!(sizes.len(), 5);
            assert!(sizes.iter().all(|n| (48..=1024).contains(n)), "{sizes:?}");
        }
        let a = ceremony_message(&[1; 16], 0, 81);
        assert_eq!(a.len(), 81);
        assert_ne!(a, ceremony_message(&[2; 16], 0, 81));
        assert_ne!(a, ceremony_message(&[1; 16], 1, 81));
    }

    #[test]
    fn report_table_is_aligned_and_counts() {
        let report = CheckReport {
            target: "ws://127.0.0.1:1".into(),
            cases: vec![
                CaseResult {
                    name: "a".into(),
                    outcome: Outcome::Pass,
                    observed: "fine".into(),
                    duration: Duration::from_millis(3),
                },
                CaseResult {
                    name: "longer/name".into(),
                    outcome: Outcome::Skip,
                    observed: "n/a".into(),
                    duration: Duration::from_micros(40),
                },
            ],
            duration: Duration::from_millis(1500),
        };
        let text = report.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], format!("  PASS  a{}3 ms  fine", " ".repeat(16)));
        assert_eq!(lines[2], "  SKIP  longer/name     40 µs  n/a");
        assert_eq!(lines[3], "2 cases: 1 passed, 0 failed, 1 skipped in 1.50 s");
        assert!(report.passed());
    }
}
