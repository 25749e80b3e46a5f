//! How a peer is doing and how it ended, as typed values every driver, report and scenario
//! expectation shares: no one learns a peer's state or outcome from text.
//!
//! - [`Party`]: which end, the desktop or the phone.
//! - [`Layer`]: the protocol layer (one enum for the whole workspace).
//! - [`Reason`]: why a peer gave up, one variant per check; [`ReasonKind`] names the check
//!   without its details (what scenario expectations compare).
//! - [`PeerError`]: the three together, how a peer ended in failure.
//! - [`Waiting`], [`DesktopPhase`], [`PhonePhase`]: where a running peer is and what it waits
//!   for (`Desktop::phase`, `Phone::phase`).
//! - [`Vocabulary`]: the names these have in traces, reports and scenario files.

mod kind;
mod layer;
mod phase;
mod reason;

pub use kind::ReasonKind;
pub use layer::Layer;
pub use phase::{DesktopPhase, PhonePhase, Waiting};
pub use reason::Reason;

use core::fmt;

/// A closed set of values with the lower-case names traces, reports and scenario files give
/// them (`tunnel`, `desktop`, `timeout`).
pub trait Vocabulary: Copy + PartialEq + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The value's name.
    fn name(self) -> &'static str;

    /// The value named `name`, if any.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Which end of a hybrid transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// The client platform (browser), Noise initiator.
    Desktop,
    /// The authenticator, Noise responder.
    Phone,
}

impl Party {
    /// The other end.
    pub fn other(self) -> Party {
        match self {
            Party::Desktop => Party::Phone,
            Party::Phone => Party::Desktop,
        }
    }
}

impl Vocabulary for Party {
    const ALL: &'static [Party] = &[Party::Desktop, Party::Phone];

    fn name(self) -> &'static str {
        match self {
            Party::Desktop => "desktop",
            Party::Phone => "phone",
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a peer ended in failure: which party, at which layer, and why.
///
/// `Display` is `Layer: message` (`Tunnel: tunnel server refused the WebSocket: HTTP 404 …`),
/// the form traces record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{layer:?}: {reason}")]
pub struct PeerError {
    /// Who failed.
    pub party: Party,
    /// Where it failed: the reason's own layer, or where a driver found the peer stuck.
    pub layer: Layer,
    /// Why.
    pub reason: Reason,
}

impl PeerError {
    /// `party` failed for `reason`, at the reason's own layer.
    pub fn new(party: Party, reason: Reason) -> PeerError {
        PeerError {
            party,
            layer: reason.layer(),
            reason,
        }
    }

    /// `party` failed for `reason` at `layer` (a driver's reason where the peer was stuck).
    pub fn at(party: Party, layer: Layer, reason: Reason) -> PeerError {
        PeerError {
            party,
            layer,
            reason,
        }
    }

    /// The failure as reports say it: `the phone failed at the tunnel layer: …`.
    pub fn blamed(&self) -> Blamed<'_> {
        Blamed(self)
    }

    /// The check that failed, without its details.
    pub fn kind(&self) -> ReasonKind {
        self.reason.kind()
    }

    /// Whether the peer never finished on its own (silenced, stalled, or abandoned by its
    /// driver) rather than failing a check.
    pub fn is_unfinished(&self) -> bool {
        self.reason.kind().is_unfinished()
    }
}

/// A [`PeerError`] said as reports say it ([`PeerError::blamed`]).
#[derive(Debug, Clone, Copy)]
pub struct Blamed<'a>(&'a PeerError);

impl fmt::Display for Blamed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PeerError {
            party,
            layer,
            reason,
        } = self.0;
        write!(
            f,
            "the {party} failed at the {} layer: {reason}",
            layer.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_said_with_its_party_layer_and_reason() {
        let error = PeerError::at(
            Party::Desktop,
            Layer::Ble,
            Reason::Abandoned("the advert input ended".to_owned()),
        );
        assert_eq!(
            error.blamed().to_string(),
            "the desktop failed at the ble layer: the advert input ended"
        );
    }
}
