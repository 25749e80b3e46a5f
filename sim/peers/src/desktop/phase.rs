//! The desktop's state by name, for drivers and reports ([`DesktopPhase`]).

use super::state::State;
use crate::outcome::DesktopPhase;

impl State {
    /// The state's name.
    pub(super) fn phase(&self) -> DesktopPhase {
        match self {
            State::AwaitingAdvert(_) => DesktopPhase::AwaitingAdvert,
            State::Connecting(_) => DesktopPhase::Connecting,
            State::Contacting(_) => DesktopPhase::Contacting,
            State::AwaitingLinkedAdvert(_) => DesktopPhase::AwaitingLinkedAdvert,
            State::AwaitingConnectSignal(_) => DesktopPhase::AwaitingConnectSignal,
            State::AwaitingHandshake(_) => DesktopPhase::AwaitingHandshake,
            State::AwaitingPostHandshake(_) => DesktopPhase::AwaitingPostHandshake,
            State::AwaitingCtapResponse(_) => DesktopPhase::AwaitingCtapResponse,
            State::Lingering(_) => DesktopPhase::Lingering,
            State::Finished => DesktopPhase::Finished,
        }
    }
}
