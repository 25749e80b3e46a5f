//! The CTAP 2.3 BLE data channel at the peers' level: the desktop asks for it only when its
//! QR code offered channel 1 and the advert's suffix offers BLE with a PSM, falls back to the
//! tunnel when it is refused (this harness has no radio, so it always is), and a phone whose
//! profile offers no channel closes one opened to it. The channel carrying a whole ceremony is
//! shown in the simulated world (`sim/world/tests/ble_channel.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::phone::{Phone, PhoneConfig, PHONE_BLE_CHANNEL};
use hybridsim_peers::{Input, Layer, Millis, Output, Peer, Reason, Waiting};
use hybridsim_proto::advert::LengthRule;
use hybridsim_proto::channels::{Channel, SuffixKeys};
use hybridsim_proto::qr::Key6;
use support::{authenticator, Side, World};

const STEPS: usize = 10_000;

/// A registration between a desktop whose key 6 lists `channels` and a 2.3 phone whose
/// advert suffix offers BLE.
fn run(channels: Vec<u64>) -> World {
    run_with(channels, false)
}

fn run_with(channels: Vec<u64>, channel_unanswered: bool) -> World {
    let mut config = DesktopConfig::new(0x01, vec![0xA0], [7; 32]);
    config.qr.key6 = Some(Key6::TransportChannels(channels));
    config.advert_length = LengthRule::AllowSuffix;
    let desktop = Desktop::new(config, Millis::ZERO);
    let mut phone = PhoneConfig::new(authenticator("microsoft-authenticator-android", 3), [9; 32]);
    phone.advert_suffix = Some(SuffixKeys::ChannelKeyed);
    phone.channels = vec![Channel::Ble, Channel::WebSocket];
    let mut world = World::new(desktop, Phone::new(phone));
    world.faults.channel_unanswered = channel_unanswered;
    world.run(STEPS);
    world
}

#[test]
fn a_refused_channel_falls_back_to_the_tunnel() {
    let world = run(vec![0, 1]);
    assert_eq!(
        world
            .events_matching(Side::Desktop, "data channel: ble")
            .len(),
        1
    );
    let fallback = world.events_matching(Side::Desktop, "falling back to websocket");
    assert_eq!(fallback.len(), 1);
    // The session then ran over the tunnel: /cable/new and /cable/connect.
    assert_eq!(world.connects.len(), 2);
    assert!(world.desktop.ctap_response().is_some());
}

#[test]
fn a_channel_that_never_opens_times_out_at_the_ble_layer() {
    let world = run_with(vec![0, 1], true);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Ble, "{error}");
    assert!(
        matches!(
            error.reason,
            Reason::Timeout {
                waiting: Waiting::ChannelOpen,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_desktop_that_does_not_offer_ble_never_asks_for_it() {
    let world = run(vec![0]);
    assert!(world
        .events_matching(Side::Desktop, "data channel")
        .is_empty());
    assert!(world
        .events_matching(Side::Desktop, "ble channel")
        .is_empty());
    assert_eq!(world.connects.len(), 2);
    assert!(world.desktop.ctap_response().is_some());
}

#[test]
fn a_phone_that_offers_no_channel_closes_one_opened_to_it() {
    let config = PhoneConfig::new(authenticator("microsoft-authenticator-android", 3), [9; 32]);
    let mut phone = Phone::new(config);
    let socket = PHONE_BLE_CHANNEL;
    phone.handle_input(Millis::ZERO, Input::DataChannelOpened { socket });
    let outputs: Vec<Output> = std::iter::from_fn(|| phone.poll_output()).collect();
    assert!(
        outputs
            .iter()
            .any(|o| matches!(o, Output::Close { socket: s, .. } if *s == socket)),
        "{outputs:?}"
    );
    assert!(!phone.is_finished());
}
