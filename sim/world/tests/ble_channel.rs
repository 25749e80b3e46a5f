//! The CTAP 2.3 BLE data channel in the simulated world: a libwebauthn desktop (QR key 6 =
//! channels [0, 1]) and a Play services 2.3 phone (advert suffix `{1: PSM}`) run the whole
//! ceremony over the L2CAP channel and the relying party accepts the result; a refused channel
//! falls back to the tunnel; a channel lost mid-transaction fails at the BLE layer with a
//! typed reason; a slow channel delays the ceremony without breaking it; and a desktop that
//! does not offer BLE never opens one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

use hybridsim_peers::{Layer, ReasonKind, Waiting};
use hybridsim_webauthn::json::RegistrationResponseJson;
use hybridsim_webauthn::rp::RegistrationState;
use hybridsim_world::ceremony::{Ceremony, Outcome};
use hybridsim_world::faults::{Fault, FaultAt};

fn register(desktop_profile: &str, faults: &[FaultAt]) -> (Outcome, RegistrationState) {
    let (options, state) = creation();
    let outcome = Ceremony::new(1)
        .desktop_profile(desktop(desktop_profile))
        .faults(faults.iter().copied())
        .phone(phone("google-play-services-2-3"))
        .register(&options)
        .unwrap();
    (outcome, state)
}

/// Trace records at `layer` whose text contains `what`.
fn count(outcome: &Outcome, layer: Layer, what: &str) -> usize {
    outcome
        .trace
        .records()
        .iter()
        .filter(|r| r.layer == layer && r.what.contains(what))
        .count()
}

/// Both parties finished, and the relying party accepts the registration.
#[track_caller]
fn assert_rp_accepts(outcome: &Outcome, state: &RegistrationState) {
    assert_eq!(outcome.desktop, Ok(()));
    assert_eq!(outcome.phone, Ok(()));
    let json = outcome.response_json.as_ref().expect("a response");
    let json = RegistrationResponseJson::from_json(json).unwrap();
    relying_party()
        .finish_registration(state, &json, NOW)
        .unwrap();
}

#[test]
fn a_ble_channel_ceremony_completes_and_the_rp_accepts_it() {
    let (outcome, state) = register("libwebauthn", &[]);
    assert_rp_accepts(&outcome, &state);
    assert_eq!(
        count(&outcome, Layer::Ble, "open ble channel psm 0x0081"),
        1
    );
    // Handshake (2), post-handshake, update, request, response, shutdown: each sent once
    // and received once on the channel, none through the tunnel server.
    assert_eq!(count(&outcome, Layer::Ble, "ble channel message"), 14);
    assert_eq!(count(&outcome, Layer::Tunnel, "/cable/connect/"), 0);
    assert_eq!(count(&outcome, Layer::Tunnel, "message"), 0);
    // The phone opened its tunnel on the scan (the fallback), and closed it at the end.
    assert_eq!(count(&outcome, Layer::Tunnel, "/cable/new/"), 1);
}

#[test]
fn a_refused_channel_falls_back_to_the_websocket_tunnel() {
    let (outcome, state) = register("libwebauthn", &[Fault::BleChannelRefused.into()]);
    assert_rp_accepts(&outcome, &state);
    assert_eq!(count(&outcome, Layer::Ble, "falling back to websocket"), 1);
    assert_eq!(count(&outcome, Layer::Ble, "ble channel message"), 0);
    assert_eq!(count(&outcome, Layer::Tunnel, "/cable/connect/"), 1);
}

#[test]
fn a_channel_dropped_mid_transaction_fails_at_the_ble_layer() {
    let (outcome, _) = register("libwebauthn", &[Fault::BleChannelDropped.into()]);
    let desktop = outcome.desktop.as_ref().expect_err("the desktop fails");
    assert_eq!(desktop.layer, Layer::Ble, "{desktop}");
    assert_eq!(desktop.reason.kind(), ReasonKind::ChannelDropped);
    assert_eq!(
        desktop.reason,
        hybridsim_peers::Reason::ChannelDropped {
            waiting: Waiting::PostHandshake
        }
    );
    let phone = outcome.phone.as_ref().expect_err("the phone fails");
    assert_eq!(phone.layer, Layer::Ble, "{phone}");
    assert!(outcome.response_json.is_none());
    // No fallback once the session ran on the channel.
    assert_eq!(count(&outcome, Layer::Tunnel, "/cable/connect/"), 0);
    // What was sent after the loss, or still on its way, stays a channel message: the
    // phone's update message is lost, message 2 still arrives.
    assert_eq!(count(&outcome, Layer::Tunnel, "message"), 0);
    assert_eq!(
        count(&outcome, Layer::Ble, "ble channel closed: message lost"),
        1
    );
}

#[test]
fn a_slow_channel_delays_the_ceremony_but_completes() {
    let (quick, _) = register("libwebauthn", &[]);
    let (slow, state) = register("libwebauthn", &[FaultAt::new(Fault::BleChannelSlow, 400)]);
    assert_rp_accepts(&slow, &state);
    // Five one-way trips on the desktop's critical path, each 400 ms later: message 1,
    // message 2 with the post-handshake and update messages behind it, the request, the
    // response, the shutdown (the phone's close after it is a radio event, not a message).
    let quick_at = quick.desktop_at.unwrap().as_millis();
    let slow_at = slow.desktop_at.unwrap().as_millis();
    assert_eq!(slow_at - quick_at, 5 * 400, "{quick_at} → {slow_at}");
}

#[test]
fn a_desktop_that_does_not_offer_ble_stays_on_the_tunnel() {
    // Chrome takes the suffixed advert but its QR code has no key 6: no channel is offered.
    let (outcome, state) = register("chrome-stable", &[]);
    assert_rp_accepts(&outcome, &state);
    assert_eq!(count(&outcome, Layer::Ble, "ble channel"), 0);
    assert_eq!(count(&outcome, Layer::Tunnel, "/cable/connect/"), 1);
}
