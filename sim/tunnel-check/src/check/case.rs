//! One case of a check: how it ends ([`Outcome`], [`Verdict`]) and a case callers add
//! ([`ExtraCase`]).

use super::probe::Probe;
use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server did what the rule says.
    Pass,
    /// It did not, or the case could not complete.
    Fail,
    /// The case does not apply to this server (e.g. an extension it does not serve).
    Skip,
    /// The case measured something about the server that no rule fixes (e.g. how deep a
    /// burst it takes); it never fails a check.
    Info,
}

impl fmt::Display for Outcome {
    /// `PASS`, `FAIL`, `SKIP` or `INFO`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
            Outcome::Info => "INFO",
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

    /// A measurement, not a judgement: what was seen.
    pub fn info(observed: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Info,
            observed: observed.into(),
        }
    }
}

/// What a case's future yields: a verdict, or `Err(observation)` for a failure (so cases
/// can use `?` on [`Probe`]'s helpers).
pub type CaseResultFuture = Pin<Box<dyn Future<Output = Result<Verdict, String>> + Send>>;

/// A case a caller adds to the run ([`CheckOptions::extra_cases`](super::CheckOptions::extra_cases)).
#[derive(Clone)]
pub struct ExtraCase {
    pub(super) name: String,
    pub(super) run: Arc<dyn Fn(Probe) -> CaseResultFuture + Send + Sync>,
}

impl ExtraCase {
    /// A case called `name` that runs `run` with a [`Probe`] of the target. It runs under
    /// the same timeout as the built-in cases; a panic in it fails the case.
    ///
    /// ```
    /// use hybridsim_tunnel_check::check::{ExtraCase, Verdict};
    /// let case = ExtraCase::new("qr/ceremony", |probe| async move {
    ///     let mut pair = probe.pair().await?;
    ///     probe.send(&mut pair.desktop, &[0; 81]).await?;
    ///     let got = probe.recv_binary(&mut pair.phone, "phone", "81 B").await?;
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
