//! Giving up on a peer: when the run times out, or the other peer failed and the grace
//! period is over, each unfinished peer gets an error saying what it was waiting for.

use super::driver::Driver;
use super::log::Side;
use super::outcome::{self, PeerPhase};
use super::socket_task::Phase;
use crate::text::format_duration;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{Layer, PeerError, Reason};

impl<H: CtapHandler> Driver<'_, H> {
    /// Gives every peer still running an error saying what it was waiting for.
    pub(super) fn abandon_all(&mut self, timed_out: bool) {
        for side in [Side::Desktop, Side::Phone] {
            if self.is_done(side) {
                continue;
            }
            let (layer, waiting) = self.waiting_for(side);
            let message = if timed_out {
                format!(
                    "no result within {}: {waiting}",
                    format_duration(self.options.timeout)
                )
            } else {
                let cause = self
                    .failed
                    .iter()
                    .find(|f| f.side != side)
                    .map(outcome::Failed::cause)
                    .or_else(|| self.forced.get(&side.other()).map(ToString::to_string))
                    .unwrap_or_else(|| "the other peer failed".to_owned());
                format!(
                    "abandoned after the {} failed ({cause}): {waiting}",
                    side.other()
                )
            };
            self.note(side, layer, format!("abandoned: {message}"), &[]);
            let error = PeerError::at(side, layer, Reason::Abandoned(message));
            self.forced.insert(side, error);
        }
    }
    /// Gives every peer still running an error saying why the run was stopped from outside
    /// (`reason`) and what it was waiting for.
    pub(super) fn stop_all(&mut self, reason: &str) {
        for side in [Side::Desktop, Side::Phone] {
            if self.is_done(side) {
                continue;
            }
            let (layer, waiting) = self.waiting_for(side);
            let message = format!("{reason}: {waiting}");
            self.note(side, layer, format!("abandoned: {message}"), &[]);
            let error = PeerError::at(side, layer, Reason::Abandoned(message));
            self.forced.insert(side, error);
        }
    }
    /// The layer and a sentence for what `side` is waiting for, from its state, its socket
    /// and its last event.
    fn waiting_for(&self, side: Side) -> (Layer, String) {
        let phase = match side {
            Side::Desktop => PeerPhase::of_desktop(self.desktop.as_ref()),
            Side::Phone => PeerPhase::of_phone(self.phone.as_ref()),
        };
        let alone = self.desktop.is_none() || self.phone.is_none();
        let socket = self
            .sockets
            .iter()
            .filter(|((s, _), _)| *s == side)
            .map(|(_, entry)| entry)
            .next_back();
        let (layer, what) = match socket {
            Some(s) if s.phase == Phase::Upgrading => (
                Layer::Tunnel,
                format!("the tunnel server's answer to the upgrade of {}", s.path),
            ),
            _ => outcome::waiting_in(phase, alone, &self.wake),
        };
        let mut text = format!("{side} in state {}, waiting for {what}", phase.name());
        if let Some(entry) = socket {
            let phase = match entry.phase {
                Phase::Upgrading => "upgrading",
                Phase::Open => "open",
                Phase::Gone => "closed",
            };
            text.push_str(&format!(
                " (socket {phase}: {} sent, {} received)",
                entry.sent, entry.received
            ));
        }
        if let Some(last) = self.log.iter().rev().find(|e| e.side == side) {
            text.push_str(&format!("; last: {} at {}", last.what, last.at));
        }
        (layer, text)
    }
}
