//! What a run produced: both peers ([`PeersOutcome`]) or one ([`DesktopOutcome`],
//! [`PhoneOutcome`]).

use super::log::{LogEntry, Side};
#[cfg(doc)]
use super::options::DriveOptions;
use super::options::Unreachable;
use super::wire::WireRecord;
use core::fmt;
use hybridsim_ctap::Authenticator;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::trace::TraceRecord;
use hybridsim_peers::{Desktop, LinkedDevice, Millis, PeerError, Phone};
use std::time::Duration;

/// What a run produced.
pub struct PeersOutcome<H: CtapHandler = Authenticator> {
    /// How the desktop's transaction ended: its own result, or why the driver gave up on it.
    pub desktop_result: Result<(), PeerError>,
    /// How the phone's transaction ended: its own result, or why the driver gave up on it.
    pub phone_result: Result<(), PeerError>,
    /// The phone's CTAP response as the desktop received it, `status ‖ CBOR`
    /// ([`Desktop::ctap_response`]).
    pub ctap_response: Option<Vec<u8>>,
    /// The link the desktop stored, when the phone offered linking and it verified
    /// ([`Desktop::linked_device`]).
    pub linked_device: Option<LinkedDevice>,
    /// Every peer event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// The peer that failed on its own (or whose advert input ended) first, if any did.
    pub failed_first: Option<Side>,
    /// When the desktop finished on its own (success or failure), on the run's clock; `None`
    /// when the driver gave up on it.
    pub desktop_finished_at: Option<Millis>,
    /// When the phone finished on its own, as for the desktop.
    pub phone_finished_at: Option<Millis>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// What went on the wire and the air ([`WireRecord::session`] for captures).
    pub wire: WireRecord,
    /// The desktop after the run (for its other accessors: handshake hash, revision, …).
    pub desktop: Desktop,
    /// The phone after the run (for its authenticator, configuration, handshake hash, …).
    pub phone: Phone<H>,
}

impl<H: CtapHandler> PeersOutcome<H> {
    /// `Ok` when both peers finished successfully; otherwise the first failure (in time
    /// order: the cause rather than its echo), as `side: Layer: message`.
    pub fn ok(&self) -> Result<(), String> {
        match self.first_failure() {
            None => Ok(()),
            Some((side, error)) => Err(format!("{side}: {error}")),
        }
    }

    /// The failure that came first: the peer that failed on its own first, or else (both
    /// abandoned) the desktop's.
    pub fn first_failure(&self) -> Option<(Side, &PeerError)> {
        let result = |side: Side| match side {
            Side::Desktop => self.desktop_result.as_ref().err(),
            Side::Phone => self.phone_result.as_ref().err(),
        };
        let order = match self.failed_first {
            Some(side) => [side, side.other()],
            None => [Side::Desktop, Side::Phone],
        };
        order
            .into_iter()
            .find_map(|side| result(side).map(|e| (side, e)))
    }

    /// The log as trace records, one per entry ([`LogEntry::to_record`]).
    pub fn trace(&self, reveal_secrets: bool) -> Vec<TraceRecord> {
        self.log
            .iter()
            .map(|e| e.to_record(reveal_secrets))
            .collect()
    }

    /// How long the run took, in whole milliseconds (saturating).
    pub fn elapsed_millis(&self) -> Millis {
        Millis(u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX))
    }

    /// The log as text, one [`LogEntry`] per line.
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        for entry in &self.log {
            text.push_str(&entry.to_string());
            text.push('\n');
        }
        text
    }
}

impl<H: CtapHandler> fmt::Debug for PeersOutcome<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeersOutcome")
            .field("desktop_result", &self.desktop_result)
            .field("phone_result", &self.phone_result)
            .field(
                "ctap_response",
                &self.ctap_response.as_ref().map(hex::encode),
            )
            .field("linked_device", &self.linked_device)
            .field("timed_out", &self.timed_out)
            .field("elapsed", &self.elapsed)
            .field("log", &self.log.len())
            .finish_non_exhaustive()
    }
}

/// What [`run_desktop`](super::run_desktop) produced.
#[derive(Debug)]
pub struct DesktopOutcome {
    /// How the desktop's transaction ended: its own result, or why the driver gave up on it.
    pub result: Result<(), PeerError>,
    /// The phone's CTAP response, `status ‖ CBOR` ([`Desktop::ctap_response`]).
    pub ctap_response: Option<Vec<u8>>,
    /// The link the desktop stored, when the phone offered linking and it verified.
    pub linked_device: Option<LinkedDevice>,
    /// Every desktop event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// What went on the wire and the air ([`WireRecord::session`] for captures).
    pub wire: WireRecord,
    /// The desktop after the run.
    pub desktop: Desktop,
}

/// What [`run_phone`](super::run_phone) produced.
pub struct PhoneOutcome<H: CtapHandler = Authenticator> {
    /// How the phone's transaction ended: its own result, or why the driver gave up on it.
    pub result: Result<(), PeerError>,
    /// Every phone event and socket action, in order.
    pub log: Vec<LogEntry>,
    /// Whether the run hit [`DriveOptions::timeout`].
    pub timed_out: bool,
    /// The first tunnel host that could not be reached at all, if any.
    pub unreachable: Option<Unreachable>,
    /// How long the run took.
    pub elapsed: Duration,
    /// What went on the wire and the air ([`WireRecord::session`] for captures).
    pub wire: WireRecord,
    /// The phone after the run (its authenticator holds any new credential).
    pub phone: Phone<H>,
}

impl<H: CtapHandler> fmt::Debug for PhoneOutcome<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneOutcome")
            .field("result", &self.result)
            .field("timed_out", &self.timed_out)
            .field("unreachable", &self.unreachable)
            .field("elapsed", &self.elapsed)
            .field("log", &self.log.len())
            .finish_non_exhaustive()
    }
}
