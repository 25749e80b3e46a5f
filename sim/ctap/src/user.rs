//! The user in front of the simulated phone: presence, verification and account choice are
//! answers the caller scripts, never prompts.

use crate::store::Account;
use std::collections::VecDeque;

/// Why the authenticator is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Creating a credential.
    MakeCredential,
    /// A credential of the excludeList exists (CTAP asks for presence before answering
    /// `CTAP2_ERR_CREDENTIAL_EXCLUDED`).
    ExcludedCredential,
    /// Signing in.
    GetAssertion,
    /// authenticatorSelection.
    Selection,
}

/// Outcome of built-in user verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Verified (biometric or screen lock accepted).
    Verified,
    /// Tried and failed: `CTAP2_ERR_UV_INVALID`.
    Failed,
    /// Dismissed by the user: `CTAP2_ERR_OPERATION_DENIED`.
    Cancelled,
}

/// What the authenticator asked, in order (for traces and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// A user presence test.
    Presence(Purpose),
    /// Built-in user verification.
    Verification(Purpose),
    /// An account choice among `count` accounts of `rp_id`.
    Account {
        /// The RP.
        rp_id: String,
        /// How many accounts were offered.
        count: usize,
    },
}

/// The user's answers.
pub trait UserDecisions {
    /// Is the user present (touch, tap "continue")? `false` means declined.
    fn presence(&mut self, purpose: Purpose, rp_id: &str) -> bool;
    /// Result of built-in user verification.
    fn verify(&mut self, purpose: Purpose, rp_id: &str) -> Verification;
    /// Which of `accounts` (most recent first, at least two) the user picks; `None` cancels.
    fn select_account(&mut self, rp_id: &str, accounts: &[Account]) -> Option<usize>;
}

/// Scripted answers: queued answers are used first, then the defaults (present, verified, the
/// first account). Every question is recorded in [`asked`](Self::asked).
#[derive(Debug, Clone, Default)]
pub struct ScriptedUser {
    presence: VecDeque<bool>,
    verification: VecDeque<Verification>,
    selection: VecDeque<Option<usize>>,
    /// Every question asked so far.
    pub asked: Vec<Asked>,
}

impl ScriptedUser {
    /// A user who approves everything and picks the first account.
    pub fn approving() -> Self {
        Self::default()
    }

    /// Queues the answer to the next presence test.
    pub fn then_presence(mut self, present: bool) -> Self {
        self.presence.push_back(present);
        self
    }

    /// Queues the result of the next user verification.
    pub fn then_verification(mut self, result: Verification) -> Self {
        self.verification.push_back(result);
        self
    }

    /// Queues the next account choice (`None` cancels).
    pub fn then_account(mut self, choice: Option<usize>) -> Self {
        self.selection.push_back(choice);
        self
    }
}

impl UserDecisions for ScriptedUser {
    fn presence(&mut self, purpose: Purpose, _rp_id: &str) -> bool {
        self.asked.push(Asked::Presence(purpose));
        self.presence.pop_front().unwrap_or(true)
    }

    fn verify(&mut self, purpose: Purpose, _rp_id: &str) -> Verification {
        self.asked.push(Asked::Verification(purpose));
        self.verification
            .pop_front()
            .unwrap_or(Verification::Verified)
    }

    fn select_account(&mut self, rp_id: &str, accounts: &[Account]) -> Option<usize> {
        self.asked.push(Asked::Account {
            rp_id: rp_id.to_owned(),
            count: accounts.len(),
        });
        self.selection.pop_front().unwrap_or(Some(0))
    }
}
