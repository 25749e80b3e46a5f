//! Site-side verification: windows, replay, drift, clock-skew diagnosis, HOTP look-ahead and
//! resync. Codes come from the account itself (checked against the RFCs elsewhere).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_otp::{
    Algorithm, HotpPolicy, HotpVerifier, OtpAccount, OtpKind, Outcome, Rejection, TotpPolicy,
    TotpVerifier,
};

fn account(kind: OtpKind) -> OtpAccount {
    OtpAccount {
        issuer: "Site".into(),
        name: "alice".into(),
        secret: b"12345678901234567890".to_vec(),
        algorithm: Algorithm::Sha1,
        digits: 6,
        kind,
    }
}

const NOW: u64 = 1_700_000_000; // step 56_666_666 at 30 s, 20 s into it
const STEP: u64 = NOW / 30;

fn totp(policy: TotpPolicy) -> TotpVerifier {
    TotpVerifier::new(account(OtpKind::Totp { period: 30 }), policy).unwrap()
}

fn code(step: u64) -> String {
    account(OtpKind::Totp { period: 30 })
        .code_for_step(step)
        .unwrap()
}

#[test]
fn window_accepts_one_step_either_side_and_no_further() {
    for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
        let mut v = totp(TotpPolicy::default());
        let s = STEP.checked_add_signed(offset).unwrap();
        let outcome = v.verify(&code(s), NOW).unwrap();
        if accepted {
            assert_eq!(
                outcome,
                Outcome::Accepted {
                    step: s,
                    drift: offset
                }
            );
        } else {
            assert_eq!(
                outcome,
                Outcome::Rejected(Rejection::ClockSkew { steps: offset })
            );
        }
    }
}

#[test]
fn the_same_code_twice_is_a_replay_and_an_older_step_after_a_newer_one_too() {
    let mut v = totp(TotpPolicy::default());
    assert!(matches!(
        v.verify(&code(STEP), NOW).unwrap(),
        Outcome::Accepted { .. }
    ));
    assert_eq!(
        v.verify(&code(STEP), NOW + 5).unwrap(),
        Outcome::Rejected(Rejection::Replayed { step: STEP })
    );
    assert_eq!(
        v.verify(&code(STEP - 1), NOW + 5).unwrap(),
        Outcome::Rejected(Rejection::Replayed { step: STEP - 1 })
    );
    assert!(matches!(
        v.verify(&code(STEP + 1), NOW + 30).unwrap(),
        Outcome::Accepted { .. }
    ));
    // The state survives a save and load.
    let saved = serde_json::to_string(&v).unwrap();
    let mut back: TotpVerifier = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        back.verify(&code(STEP + 1), NOW + 30).unwrap(),
        Outcome::Rejected(Rejection::Replayed { step: STEP + 1 })
    );
}

#[test]
fn drift_learning_follows_a_slow_phone_clock() {
    // The phone runs 2 steps behind: refused without learning (diagnosed), accepted once a
    // wider first window lets the site learn the drift.
    let mut plain = totp(TotpPolicy::default());
    assert_eq!(
        plain.verify(&code(STEP - 2), NOW).unwrap(),
        Outcome::Rejected(Rejection::ClockSkew { steps: -2 })
    );
    let mut learning = totp(TotpPolicy {
        back: 2,
        learn_drift: true,
        ..TotpPolicy::default()
    });
    assert_eq!(
        learning.verify(&code(STEP - 2), NOW).unwrap(),
        Outcome::Accepted {
            step: STEP - 2,
            drift: -2
        }
    );
    assert_eq!(learning.drift, -2);
    // Later the phone has fallen 3 behind: the window is centred on -2, so -3 is one back.
    let later = NOW + 3000;
    let later_step = later / 30;
    assert_eq!(
        learning.verify(&code(later_step - 3), later).unwrap(),
        Outcome::Accepted {
            step: later_step - 3,
            drift: -3
        }
    );
}

#[test]
fn wrong_and_malformed_codes_and_lock_out() {
    let mut v = totp(TotpPolicy {
        max_failures: Some(2),
        ..TotpPolicy::default()
    });
    let wrong = if code(STEP) == "000000" {
        "000001"
    } else {
        "000000"
    };
    // A six-digit string that matches none of the 21 diagnostic steps.
    let matches_any = (STEP - 10..=STEP + 10).any(|s| code(s) == wrong);
    assert!(!matches_any);
    assert_eq!(
        v.verify(wrong, NOW).unwrap(),
        Outcome::Rejected(Rejection::WrongCode)
    );
    assert_eq!(
        v.verify("12345", NOW).unwrap(),
        Outcome::Rejected(Rejection::Malformed)
    );
    assert_eq!(
        v.verify(&code(STEP), NOW).unwrap(),
        Outcome::Rejected(Rejection::LockedOut)
    );
}

#[test]
fn totp_verifier_refuses_hotp_and_period_zero() {
    assert!(
        TotpVerifier::new(account(OtpKind::Hotp { counter: 0 }), TotpPolicy::default()).is_err()
    );
    assert!(
        TotpVerifier::new(account(OtpKind::Totp { period: 0 }), TotpPolicy::default()).is_err()
    );
    let mut v = totp(TotpPolicy {
        t0: NOW + 1,
        ..TotpPolicy::default()
    });
    assert!(v.verify("123456", NOW).is_err());
}

fn hotp_code(counter: u64) -> String {
    account(OtpKind::Hotp { counter }).code_at(0).unwrap()
}

#[test]
fn rfc4226_codes_through_the_verifier() {
    // Appendix D: counter 0 → 755224, 1 → 287082.
    let mut v =
        HotpVerifier::new(account(OtpKind::Hotp { counter: 0 }), HotpPolicy::default()).unwrap();
    assert_eq!(v.verify("755224"), Outcome::Accepted { step: 0, drift: 0 });
    assert_eq!(v.verify("287082"), Outcome::Accepted { step: 1, drift: 0 });
    assert_eq!(v.counter(), 2);
    assert_eq!(
        v.verify("287082"),
        Outcome::Rejected(Rejection::Replayed { step: 1 })
    );
}

#[test]
fn look_ahead_moves_the_counter_past_the_match_and_never_back() {
    let mut v =
        HotpVerifier::new(account(OtpKind::Hotp { counter: 5 }), HotpPolicy::default()).unwrap();
    assert_eq!(
        v.verify(&hotp_code(14)),
        Outcome::Accepted { step: 14, drift: 9 }
    );
    assert_eq!(v.counter(), 15);
    // A restored old backup shows counters the site has already consumed (M20).
    for used in [5, 10, 14] {
        assert_eq!(
            v.verify(&hotp_code(used)),
            Outcome::Rejected(Rejection::Replayed { step: used })
        );
    }
    // Beyond the look-ahead without resync: refused.
    assert_eq!(
        v.verify(&hotp_code(25)),
        Outcome::Rejected(Rejection::WrongCode)
    );
    assert_eq!(v.counter(), 15);
}

#[test]
fn two_consecutive_codes_beyond_the_look_ahead_resync() {
    let policy = HotpPolicy {
        resync_window: 100,
        ..HotpPolicy::default()
    };
    let mut v = HotpVerifier::new(account(OtpKind::Hotp { counter: 0 }), policy).unwrap();
    assert_eq!(
        v.verify(&hotp_code(50)),
        Outcome::Rejected(Rejection::ResyncPending { step: 50 })
    );
    // A non-consecutive second code restarts the resync.
    assert_eq!(
        v.verify(&hotp_code(52)),
        Outcome::Rejected(Rejection::ResyncPending { step: 52 })
    );
    assert_eq!(v.verify(&hotp_code(53)), Outcome::Resynced { step: 53 });
    assert_eq!(v.counter(), 54);
    let saved = serde_json::to_string(&v).unwrap();
    let back: HotpVerifier = serde_json::from_str(&saved).unwrap();
    assert_eq!(back, v);
}
