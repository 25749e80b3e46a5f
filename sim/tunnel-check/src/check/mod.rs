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
//! | `relay/boundaries` | 1, 81 and 1000 bytes keep their boundaries; [`HYBRID_BURST`] messages sent back to back (as hybrid peers do) arrive as sent |
//! | `relay/burst-depth (informational)` | [`DEPTH_PROBE`] messages in one write: how many the server relays before it gives up (INFO, never a failure unless a message arrives altered) |
//! | `relay/buffered-in-order` | messages sent before the peer arrives are delivered, in order |
//! | `close/propagates` | a close on one side reaches the other |
//! | `frame/text-refused` | a text frame closes its sender (1003, or the connection ends) and is not relayed |
//! | `frame/oversize-refused` | a message over the limit is refused; which sizes are is recorded |
//! | `path/lower-case-hex` | lower-case hex ids work for `/new` and `/connect` |
//! | `path/malformed-refused` | every malformed path of the vectors (or [`CheckOptions::malformed_paths`]) is refused |
//! | `contact/unknown-410` | `/cable/contact` with an unknown contact id: HTTP 410; skipped, saying so, where a 404 shows there is no contact route |
//! | `wake/contact-flow` | hybridsim extension: wake socket, `/cable/contact`, the `00` connect signal, relay; skipped where `/hybridsim/wake` is not served |
//! | `relay/ceremony-shaped` | a QR ceremony's byte pattern ([`CEREMONY_SHAPE`]) relayed intact |
//! | `ceremony/qr-registration` | a real desktop and phone register a passkey through the server; a relying party verifies it ([`crate::ceremony`]) |
//! | `ceremony/linked-sign-in` | link, then a linked sign-in woken through `/hybridsim/wake`; skipped where the wake socket is refused with a 4xx |
//!
//! Every request carries an `Origin` header: the one the peers send to the target, or
//! [`CheckOptions::origin`] ([`Origin`]). Every failure while waiting names the socket and
//! the message it waited for.
//!
//! The two `ceremony/…` cases are [`CheckOptions::extra_cases`] by default
//! ([`crate::ceremony_cases`]); callers append their own cases there (or replace the list);
//! each gets a [`Probe`] to open tunnels with. The report renders as an aligned table ([`CheckReport`]'s `Display`) or
//! as JUnit XML ([`CheckReport::to_junit_xml`]).

mod burst;
pub(crate) mod case;
mod cases;
mod junit;
mod options;
mod origin;
pub(crate) mod probe;
mod report;

pub use burst::{DEPTH_PROBE, HYBRID_BURST};
pub use case::{CaseResultFuture, ExtraCase, Outcome, Verdict};
pub use options::{
    default_malformed_paths, CheckOptions, DEFAULT_CASE_TIMEOUT, DEFAULT_OVERSIZE_PROBES,
    DEFAULT_STEP_TIMEOUT,
};
pub use origin::{Origin, OriginError};
pub use probe::{ceremony_message, Event, Pair, Probe, Sender, CEREMONY_SHAPE};
pub use report::{CaseResult, CheckReport};

use hybridsim_sockets::client::Target;
use hybridsim_sockets::text::{format_duration, one_line};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::timeout;

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
    let mut probe = Probe::new(parsed, options.step_timeout);
    if let Some(origin) = &options.origin {
        probe = probe.with_origin(origin.clone());
    }
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
