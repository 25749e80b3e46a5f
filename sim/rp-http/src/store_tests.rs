//! Challenge lifetimes and the store's bounds, with time passed in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use hybridsim_webauthn::b64::Base64Url;

fn limits(ttl: u64, max: usize) -> Limits {
    Limits {
        challenge_ttl: Duration::from_secs(ttl),
        max_challenges: max,
        ..Limits::default()
    }
}

fn registration(n: u8) -> Pending {
    let user = UserEntity {
        id: Base64Url(vec![n]),
        name: format!("user{n}"),
        display_name: String::new(),
    };
    Pending::Registration {
        state: RegistrationState {
            rp_id: "login.example".into(),
            challenge: Base64Url(vec![n; 16]),
            user,
            user_verification: UserVerification::Preferred,
            algorithms: vec![-7],
            exclude_credentials: Vec::new(),
        },
        uv: UserVerification::Preferred,
    }
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn a_challenge_is_good_once_within_its_lifetime() {
    let mut store = Store::new(&limits(60, 10));
    store.issue("a".into(), registration(1), secs(0));
    assert!(store.redeem_registration("a", secs(59)).is_ok());
    assert_eq!(
        store.redeem_registration("a", secs(59)).err(),
        Some(RedeemError::Unknown)
    );
}

#[test]
fn an_unredeemed_challenge_expires_and_is_dropped() {
    let mut store = Store::new(&limits(60, 10));
    store.issue("a".into(), registration(1), secs(0));
    assert_eq!(
        store.redeem_registration("a", secs(60)).err(),
        Some(RedeemError::Expired)
    );
    assert_eq!(store.challenges(), 0);
    // Expired ones are also swept when another is issued, redeemed or not.
    store.issue("b".into(), registration(2), secs(100));
    store.issue("c".into(), registration(3), secs(161));
    assert_eq!(store.challenges(), 1);
    assert!(store.redeem_registration("c", secs(161)).is_ok());
}

#[test]
fn the_store_stays_capped_and_evicts_the_oldest() {
    let mut store = Store::new(&limits(300, 3));
    for n in 0..10u8 {
        store.issue(format!("c{n}"), registration(n), secs(u64::from(n)));
        assert!(store.challenges() <= 3);
    }
    assert_eq!(store.challenges(), 3);
    assert_eq!(
        store.redeem_registration("c6", secs(10)).err(),
        Some(RedeemError::Unknown)
    );
    assert!(store.redeem_registration("c7", secs(10)).is_ok());
    assert_eq!(store.order.len(), store.challenges.len());
}

#[test]
fn a_registration_challenge_is_not_an_assertion_challenge() {
    let mut store = Store::new(&limits(300, 3));
    store.issue("a".into(), registration(1), secs(0));
    assert_eq!(
        store.redeem_authentication("a", secs(1)).err(),
        Some(RedeemError::Unknown)
    );
    assert!(store.redeem_registration("a", secs(1)).is_ok());
}
