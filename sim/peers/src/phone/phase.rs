//! The phone's state by name, for drivers and reports ([`PhonePhase`]).

use super::state::State;
use crate::outcome::PhonePhase;

impl State {
    /// The state's name.
    pub(super) fn phase(&self) -> PhonePhase {
        match self {
            State::Idle => PhonePhase::Idle,
            State::Starting(_) => PhonePhase::Starting,
            State::Connecting(_) => PhonePhase::Connecting,
            State::AwaitingHandshake(_) => PhonePhase::AwaitingHandshake,
            State::AwaitingRequest(_) => PhonePhase::AwaitingRequest,
            State::AwaitingShutdown(_) => PhonePhase::AwaitingShutdown,
            State::Finished => PhonePhase::Finished,
        }
    }
}
