//! The typed vocabulary of outcomes: names round-trip, phases and what a peer waits for
//! come from the peer itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_peers::{
    DesktopPhase, Layer, Millis, Party, PeerError, PhonePhase, Reason, ReasonKind, Vocabulary,
    Waiting,
};
use support::authenticator;

#[test]
fn every_name_is_unique_and_names_its_value() {
    fn round_trip<T: Vocabulary + std::fmt::Debug>() {
        let mut names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
        for value in T::ALL {
            assert_eq!(T::from_name(value.name()), Some(*value));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), T::ALL.len(), "names are unique");
        assert_eq!(T::from_name("no-such-name"), None);
    }
    round_trip::<Layer>();
    round_trip::<Party>();
    round_trip::<ReasonKind>();
    assert_eq!(Layer::Tunnel.name(), "tunnel");
    assert_eq!(ReasonKind::Timeout.name(), "timeout");
}

#[test]
fn an_error_displays_as_layer_and_message_and_knows_its_kind() {
    let error = PeerError::new(Party::Phone, Reason::SecondRequest(0x02));
    assert_eq!(error.layer, Layer::Ctap);
    assert_eq!(error.kind(), ReasonKind::SecondRequest);
    assert_eq!(
        error.to_string(),
        "Ctap: a second CTAP request (command 0x02) after the first transaction; one transaction per session"
    );
    assert!(!error.is_unfinished());
    let silent = PeerError::new(Party::Desktop, Reason::WentSilent);
    assert!(silent.is_unfinished());
    assert_eq!(silent.layer, Layer::Tunnel);
}

#[test]
fn peers_report_their_phase_and_what_they_wait_for() {
    let desktop = Desktop::new(DesktopConfig::new(0x02, vec![0xa0], [7; 32]), Millis::ZERO);
    assert_eq!(desktop.phase(), DesktopPhase::AwaitingAdvert);
    assert_eq!(desktop.phase().name(), "AwaitingAdvert");
    assert_eq!(desktop.waiting(), Some(Waiting::Advert));
    assert_eq!(Waiting::Advert.layer(), Layer::Ble);
    let phone = Phone::new(PhoneConfig::new(
        authenticator("google-password-manager", 3),
        [9; 32],
    ));
    assert_eq!(phone.phase(), PhonePhase::Idle);
    assert_eq!(phone.phase().name(), "Idle");
    assert_eq!(phone.waiting(), Some(Waiting::TunnelOpen));
}
