//! The invariants every run must keep, and a violation of one.

use serde::Serialize;
use std::fmt;

/// What must hold on every run (issue 19): a violation of any is a bug in the simulator,
/// the peers or the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invariant {
    /// Nothing panics.
    NoPanic,
    /// Every party reaches a terminal state by its own deadline (a party a fault silenced,
    /// or a phone never woken, has none), and the world never livelocks.
    Deadline,
    /// The desktop reports success exactly when the phone served one request and the
    /// relying party accepted the response.
    Agreement,
    /// A failed ceremony names one party, one layer and a typed reason.
    Blame,
    /// No secret byte of the revealed trace is in the default trace.
    Secrets,
    /// Replaying the run's seed gives a byte-identical trace and the same outcome.
    Replay,
}

impl Invariant {
    /// Every invariant.
    pub const ALL: &'static [Invariant] = &[
        Invariant::NoPanic,
        Invariant::Deadline,
        Invariant::Agreement,
        Invariant::Blame,
        Invariant::Secrets,
        Invariant::Replay,
    ];

    /// Its name in reports (`no-panic`, `deadline`, …).
    pub fn name(self) -> &'static str {
        match self {
            Invariant::NoPanic => "no-panic",
            Invariant::Deadline => "deadline",
            Invariant::Agreement => "agreement",
            Invariant::Blame => "blame",
            Invariant::Secrets => "secrets",
            Invariant::Replay => "replay",
        }
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One invariant broken by one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// Which invariant.
    pub invariant: Invariant,
    /// The 1-based scenario step it broke in (0: the run as a whole).
    pub step: usize,
    /// What was seen, one line.
    pub detail: String,
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.step == 0 {
            write!(f, "{}: {}", self.invariant, self.detail)
        } else {
            write!(
                f,
                "{} (step {}): {}",
                self.invariant, self.step, self.detail
            )
        }
    }
}
