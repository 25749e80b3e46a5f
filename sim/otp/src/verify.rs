//! Site-side verification as sites do it (docs/migration.md §1.3): a TOTP window with optional
//! drift learning and replay rejection, and HOTP look-ahead with optional two-code resync.
//!
//! The verifiers are plain serde data so a simulated site can save them between logins; the
//! caller passes the time in.

use crate::account::{Algorithm, OtpAccount, OtpKind};
use crate::hotp::{hotp, OtpError, DIGITS};
use crate::totp::step;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// Why a verifier cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A TOTP verifier for an HOTP account or the other way round.
    #[error("the account is not {expected}")]
    WrongKind {
        /// `TOTP` or `HOTP`.
        expected: &'static str,
    },
    /// The account's parameters cannot produce codes.
    #[error(transparent)]
    Otp(#[from] OtpError),
}

/// What a verification decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The code is good; `step` is the TOTP step or HOTP counter it was made for, `drift` how
    /// far that is from the site's own expectation (TOTP: from the step of the site's clock;
    /// HOTP: ahead of the site's counter).
    Accepted {
        /// The matching step or counter.
        step: u64,
        /// Steps away from the expected one.
        drift: i64,
    },
    /// HOTP: two consecutive codes beyond the look-ahead put the counter back in sync.
    Resynced {
        /// The counter of the second code.
        step: u64,
    },
    /// The code is refused.
    Rejected(Rejection),
}

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rejection {
    /// Not the right number of ASCII digits.
    Malformed,
    /// Matches no step or counter the site looked at.
    WrongCode,
    /// Matches a step or counter already used ("code already used"; for HOTP, a counter below
    /// the site's, as after restoring an old backup).
    Replayed {
        /// The step or counter it matched.
        step: u64,
    },
    /// TOTP: matches a step outside the accepted window but inside the diagnostic one ("device
    /// time out of sync"). Not accepted.
    ClockSkew {
        /// Steps between the code's step and the site clock's step (negative: the device is
        /// behind).
        steps: i64,
    },
    /// HOTP: the code matches beyond the look-ahead; the next consecutive code will resync.
    ResyncPending {
        /// The counter it matched.
        step: u64,
    },
    /// Too many failures in a row; nothing is checked until an operator resets the counter.
    LockedOut,
}

/// How a TOTP site checks codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpPolicy {
    /// Steps accepted before the expected one (RFC 6238 §5.2 recommends at most 1).
    pub back: u32,
    /// Steps accepted after the expected one.
    pub forward: u32,
    /// Record the drift of each accepted code and centre the next window on it (§6).
    pub learn_drift: bool,
    /// Steps either side searched only to explain a refusal as clock skew; 0 turns it off.
    pub diagnostic: u32,
    /// Failures in a row before lock-out (RFC 4226 §7.3); `None` never locks.
    pub max_failures: Option<u32>,
    /// The Unix time of step 0 (RFC 6238 T0).
    pub t0: u64,
}

impl Default for TotpPolicy {
    fn default() -> Self {
        Self {
            back: 1,
            forward: 1,
            learn_drift: false,
            diagnostic: 10,
            max_failures: None,
            t0: 0,
        }
    }
}

/// A TOTP site's view of one enrolled account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpVerifier {
    /// The enrolled account (TOTP).
    pub account: OtpAccount,
    /// The rules.
    pub policy: TotpPolicy,
    /// The last accepted step: only later steps are accepted (replay rule, §5.2).
    pub last_step: Option<u64>,
    /// Learned drift in steps, applied to the next window when `learn_drift` is on.
    pub drift: i64,
    /// Failures since the last success.
    pub failures: u32,
}

fn check_digits(account: &OtpAccount) -> Result<(), OtpError> {
    if DIGITS.contains(&account.digits) {
        Ok(())
    } else {
        Err(OtpError::Digits {
            digits: account.digits,
        })
    }
}

/// Constant-time equality of a presented code and a computed one.
fn same(presented: &str, computed: &str) -> bool {
    presented.as_bytes().ct_eq(computed.as_bytes()).into()
}

fn well_formed(code: &str, digits: u8) -> bool {
    code.len() == usize::from(digits) && code.bytes().all(|b| b.is_ascii_digit())
}

fn code(secret: &[u8], step: u64, algorithm: Algorithm, digits: u8) -> String {
    hotp(secret, step, algorithm, digits).unwrap_or_default()
}

impl TotpVerifier {
    /// A verifier for a TOTP account (refuses HOTP accounts, period 0 and unusable digits).
    pub fn new(account: OtpAccount, policy: TotpPolicy) -> Result<Self, VerifyError> {
        match account.kind {
            OtpKind::Totp { period: 0 } => return Err(OtpError::ZeroPeriod.into()),
            OtpKind::Totp { .. } => {}
            OtpKind::Hotp { .. } => return Err(VerifyError::WrongKind { expected: "TOTP" }),
        }
        check_digits(&account)?;
        Ok(Self {
            account,
            policy,
            last_step: None,
            drift: 0,
            failures: 0,
        })
    }

    fn period(&self) -> u32 {
        match self.account.kind {
            OtpKind::Totp { period } => period,
            OtpKind::Hotp { .. } => 0,
        }
    }

    fn code_for(&self, s: u64) -> String {
        code(
            &self.account.secret,
            s,
            self.account.algorithm,
            self.account.digits,
        )
    }

    /// Checks `presented` at `unix_seconds` and updates the state (last step, drift,
    /// failures). Errors only for a time before T0.
    pub fn verify(&mut self, presented: &str, unix_seconds: u64) -> Result<Outcome, OtpError> {
        let now = step(unix_seconds, self.period(), self.policy.t0)?;
        if self
            .policy
            .max_failures
            .is_some_and(|max| self.failures >= max)
        {
            return Ok(Outcome::Rejected(Rejection::LockedOut));
        }
        if !well_formed(presented, self.account.digits) {
            self.failures += 1;
            return Ok(Outcome::Rejected(Rejection::Malformed));
        }
        let centre = i128::from(now)
            + if self.policy.learn_drift {
                i128::from(self.drift)
            } else {
                0
            };
        let window =
            (centre - i128::from(self.policy.back))..=(centre + i128::from(self.policy.forward));
        // Every candidate is computed and compared, match or not, so timing says little.
        let matches: Vec<u64> = window
            .clone()
            .filter_map(|s| u64::try_from(s).ok())
            .filter(|&s| same(presented, &self.code_for(s)))
            .collect();
        let fresh = matches
            .iter()
            .copied()
            .find(|&s| self.last_step.is_none_or(|last| s > last));
        if let Some(s) = fresh {
            let drift = i64::try_from(i128::from(s) - i128::from(now)).unwrap_or(0);
            self.last_step = Some(s);
            if self.policy.learn_drift {
                self.drift = drift;
            }
            self.failures = 0;
            return Ok(Outcome::Accepted { step: s, drift });
        }
        self.failures += 1;
        if let Some(&s) = matches.first() {
            return Ok(Outcome::Rejected(Rejection::Replayed { step: s }));
        }
        let wide = i128::from(self.policy.diagnostic);
        let skew = ((i128::from(now) - wide)..=(i128::from(now) + wide))
            .filter(|s| !window.contains(s))
            .filter_map(|s| u64::try_from(s).ok())
            .find(|&s| same(presented, &self.code_for(s)));
        Ok(Outcome::Rejected(match skew {
            Some(s) => Rejection::ClockSkew {
                steps: i64::try_from(i128::from(s) - i128::from(now)).unwrap_or(0),
            },
            None => Rejection::WrongCode,
        }))
    }
}

/// How an HOTP site checks codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotpPolicy {
    /// Counters tried from the site's counter on (RFC 4226 §7.4 parameter s).
    pub look_ahead: u32,
    /// Counters beyond the look-ahead searched for a two-code resync; 0 turns resync off.
    pub resync_window: u32,
    /// Counters below the site's searched only to explain a refusal as an already-used code.
    pub diagnostic_back: u32,
    /// Failures in a row before lock-out; `None` never locks.
    pub max_failures: Option<u32>,
}

impl Default for HotpPolicy {
    fn default() -> Self {
        Self {
            look_ahead: 10,
            resync_window: 0,
            diagnostic_back: 10,
            max_failures: None,
        }
    }
}

/// An HOTP site's view of one enrolled account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotpVerifier {
    /// The enrolled account; its `counter` is the site's next expected counter.
    pub account: OtpAccount,
    /// The rules.
    pub policy: HotpPolicy,
    /// A counter matched beyond the look-ahead, waiting for the code of the next counter.
    pub pending_resync: Option<u64>,
    /// Failures since the last success.
    pub failures: u32,
}

impl HotpVerifier {
    /// A verifier for an HOTP account, starting at its counter.
    pub fn new(account: OtpAccount, policy: HotpPolicy) -> Result<Self, VerifyError> {
        if !matches!(account.kind, OtpKind::Hotp { .. }) {
            return Err(VerifyError::WrongKind { expected: "HOTP" });
        }
        check_digits(&account)?;
        Ok(Self {
            account,
            policy,
            pending_resync: None,
            failures: 0,
        })
    }

    /// The next counter the site expects.
    pub fn counter(&self) -> u64 {
        match self.account.kind {
            OtpKind::Hotp { counter } => counter,
            OtpKind::Totp { .. } => 0,
        }
    }

    fn set_counter(&mut self, counter: u64) {
        self.account.kind = OtpKind::Hotp { counter };
    }

    fn find(&self, presented: &str, from: u64, count: u32) -> Option<u64> {
        // All candidates are compared; the first match wins.
        (0..u64::from(count))
            .filter_map(|k| from.checked_add(k))
            .filter(|&c| {
                same(
                    presented,
                    &code(
                        &self.account.secret,
                        c,
                        self.account.algorithm,
                        self.account.digits,
                    ),
                )
            })
            .min()
    }

    /// Checks `presented`: counters c … c+look_ahead−1; on a match at c+k the counter becomes
    /// c+k+1. Never accepts a counter below c.
    pub fn verify(&mut self, presented: &str) -> Outcome {
        if self
            .policy
            .max_failures
            .is_some_and(|max| self.failures >= max)
        {
            return Outcome::Rejected(Rejection::LockedOut);
        }
        if !well_formed(presented, self.account.digits) {
            self.failures += 1;
            return Outcome::Rejected(Rejection::Malformed);
        }
        let c = self.counter();
        if let Some(m) = self.find(presented, c, self.policy.look_ahead) {
            self.set_counter(m.saturating_add(1));
            self.pending_resync = None;
            self.failures = 0;
            return Outcome::Accepted {
                step: m,
                drift: i64::try_from(m - c).unwrap_or(i64::MAX),
            };
        }
        self.failures += 1;
        if self.policy.resync_window > 0 {
            let beyond = c.saturating_add(u64::from(self.policy.look_ahead));
            if let Some(m) = self.find(presented, beyond, self.policy.resync_window) {
                if self
                    .pending_resync
                    .is_some_and(|p| p.checked_add(1) == Some(m))
                {
                    self.set_counter(m.saturating_add(1));
                    self.pending_resync = None;
                    self.failures = 0;
                    return Outcome::Resynced { step: m };
                }
                self.pending_resync = Some(m);
                return Outcome::Rejected(Rejection::ResyncPending { step: m });
            }
        }
        self.pending_resync = None;
        let back = c.saturating_sub(u64::from(self.policy.diagnostic_back));
        let used = u32::try_from(c - back).unwrap_or(0);
        match self.find(presented, back, used) {
            Some(m) => Outcome::Rejected(Rejection::Replayed { step: m }),
            None => Outcome::Rejected(Rejection::WrongCode),
        }
    }
}
