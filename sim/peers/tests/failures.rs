//! Every failure of docs/protocol.md §9 the peers handle, injected into whole transactions: what
//! is ignored (and the flow goes on), and what ends the transaction, with its layer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_peers::desktop::{Desktop, DesktopConfig, LinkedDevice, UpdatePolicy};
use hybridsim_peers::phone::{Phone, PhoneConfig, UpdateTiming};
use hybridsim_peers::{Layer, Millis, Party, Reason, Waiting};
use hybridsim_proto::advert::{self, Eid, LengthRule};
use hybridsim_proto::derive;
use hybridsim_proto::qr::QrPayload;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::rp::{AuthenticationRequest, RelyingParty};
use support::{authenticator, Delivery, Side, World};

const STEPS: usize = 10_000;

/// A discoverable getAssertion request (the phone answers it itself).
fn request() -> Vec<u8> {
    let rp = RelyingParty::new("login.example", "Login", &["https://login.example"]);
    let (options, _) = rp.start_authentication(&[], [4; 32], &AuthenticationRequest::default());
    client::get(&options, &Caller::new("https://login.example"))
        .unwrap()
        .request
        .encode()
}

fn gpm() -> Authenticator {
    authenticator("google-password-manager", 3)
}

fn desktop_config() -> DesktopConfig {
    DesktopConfig::new(0x02, request(), [7; 32])
}

fn world(desktop: DesktopConfig, phone: PhoneConfig) -> World {
    World::new(Desktop::new(desktop, Millis::ZERO), Phone::new(phone))
}

fn default_world() -> World {
    world(desktop_config(), PhoneConfig::new(gpm(), [9; 32]))
}

/// The desktop's advert key, from its QR code.
fn eid_key_of(world: &World) -> [u8; 64] {
    QrPayload::parse(world.desktop.qr_url().unwrap())
        .unwrap()
        .eid_key()
}

/// Makes the radio deliver `crafted(real advert)` first, then the real advert.
fn inject_before_real(world: &mut World, crafted: impl Fn(&[u8]) -> Vec<u8> + 'static) {
    world.faults.radio = Some(Box::new(move |uuid, data| {
        vec![(uuid, crafted(data)), (uuid, data.to_vec())]
    }));
}

/// An advert under the desktop's own key with a chosen plaintext.
fn advert_with(eid_key: [u8; 64], plaintext: [u8; 16]) -> Vec<u8> {
    advert::encrypt(&eid_key, &plaintext).to_vec()
}

#[test]
fn advert_for_another_qr_secret_is_ignored_until_the_advert_timeout() {
    let mut world = default_world();
    let foreign_key = derive::eid_key(&[0x33; 16]);
    world.faults.radio = Some(Box::new(move |uuid, _| {
        let eid = Eid {
            nonce: [1; 10],
            routing_id: [0x2a, 0, 0],
            domain_id: 0,
        };
        vec![(uuid, advert_with(foreign_key, eid.to_plaintext()))]
    }));
    world.run(STEPS);
    assert!(!world
        .events_matching(Side::Desktop, "advert ignored: not for this desktop")
        .is_empty());
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Ble);
    assert_eq!(error.party, Party::Desktop);
    assert!(
        matches!(
            error.reason,
            Reason::Timeout {
                waiting: Waiting::Advert,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.reason.to_string().contains("BLE advert"), "{error}");
    let (at, _) = world.desktop_result.as_ref().unwrap();
    assert_eq!(
        *at,
        Millis(300_000),
        "the default advert timeout, in virtual time"
    );
}

#[test]
fn wrong_length_advert_is_ignored_and_the_real_one_still_matches() {
    let mut world = default_world();
    inject_before_real(&mut world, |real| {
        let mut longer = real.to_vec();
        longer.push(0xa1);
        longer
    });
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(
        world
            .events_matching(Side::Desktop, "21 bytes of service data")
            .len(),
        1
    );
}

#[test]
fn a_suffix_is_accepted_when_allowed() {
    let mut config = desktop_config();
    config.advert_length = LengthRule::AllowSuffix;
    let mut world = world(config, PhoneConfig::new(gpm(), [9; 32]));
    world.faults.radio = Some(Box::new(|uuid, real| {
        let mut longer = real.to_vec();
        longer.extend_from_slice(&[0xa1, 0x01, 0x19, 0x00, 0x80]);
        vec![(uuid, longer)]
    }));
    world.run(STEPS);
    world.assert_both_ok();
}

#[test]
fn reserved_byte_set_is_ignored() {
    let mut world = default_world();
    let key = eid_key_of(&world);
    inject_before_real(&mut world, move |_| {
        let mut plaintext = Eid {
            nonce: [2; 10],
            routing_id: [0x2a, 0, 0],
            domain_id: 0,
        }
        .to_plaintext();
        plaintext[0] = 1;
        advert_with(key, plaintext)
    });
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(
        world
            .events_matching(Side::Desktop, "reserved and must be 0")
            .len(),
        1
    );
}

#[test]
fn reserved_domain_id_is_ignored() {
    let mut world = default_world();
    let key = eid_key_of(&world);
    inject_before_real(&mut world, move |_| {
        let eid = Eid {
            nonce: [3; 10],
            routing_id: [0x2a, 0, 0],
            domain_id: 7,
        };
        advert_with(key, eid.to_plaintext())
    });
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(
        world
            .events_matching(Side::Desktop, "domain id 7, which is not a known")
            .len(),
        1
    );
}

#[test]
fn duplicates_and_other_uuids_are_ignored() {
    let mut world = default_world();
    world.faults.radio = Some(Box::new(|uuid, real| {
        vec![
            (0x1234, real.to_vec()),
            (uuid, real.to_vec()),
            (uuid, real.to_vec()),
        ]
    }));
    world.run(STEPS);
    world.assert_both_ok();
    assert_eq!(world.events_matching(Side::Desktop, "0x1234").len(), 1);
    // Duplicates are dropped silently, as Chromium does: one decision for the real advert.
    assert_eq!(world.events_matching(Side::Desktop, "advert").len(), 2);
}

/// Rewrites the `n`-th message the desktop receives (the phone's message 2 is number 0).
fn rewrite_to_desktop(world: &mut World, n: usize, f: impl Fn(&[u8]) -> Delivery + 'static) {
    world.faults.deliver = Some(Box::new(move |side, index, data| {
        if side == Side::Desktop && index == n {
            f(data)
        } else {
            Delivery::Pass
        }
    }));
}

#[test]
fn handshake_message_2_of_80_bytes_fails_the_desktop() {
    let mut world = default_world();
    rewrite_to_desktop(&mut world, 0, |data| Delivery::Replace(data[..80].to_vec()));
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Noise);
    assert!(error.reason.to_string().contains("80 bytes"), "{error}");
}

#[test]
fn corrupted_handshake_tag_fails_the_desktop() {
    let mut world = default_world();
    rewrite_to_desktop(&mut world, 0, |data| {
        let mut data = data.to_vec();
        *data.last_mut().unwrap() ^= 0x80;
        Delivery::Replace(data)
    });
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Noise);
    assert!(
        error.reason.to_string().contains("tag does not verify"),
        "{error}"
    );
    // The phone then sees the tunnel close before any request.
    assert_eq!(world.phone_error().layer, Layer::Transport);
}

#[test]
fn corrupted_post_handshake_fails_the_desktop_at_the_transport_layer() {
    let mut world = default_world();
    rewrite_to_desktop(&mut world, 1, |data| {
        let mut data = data.to_vec();
        data[0] ^= 1;
        Delivery::Replace(data)
    });
    world.run(STEPS);
    assert_eq!(world.desktop_error().layer, Layer::Transport);
}

#[test]
fn phone_shutdown_before_the_reply_is_a_remote_close() {
    let mut phone = PhoneConfig::new(gpm(), [9; 32]);
    phone.faults.shutdown_before_reply = true;
    let mut world = world(desktop_config(), phone);
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Transport);
    assert!(error.reason.to_string().contains("shutdown"), "{error}");
    assert!(world.desktop.ctap_response().is_none());
}

fn non_cbor_update(policy: UpdatePolicy) -> World {
    let mut desktop = desktop_config();
    desktop.update_policy = policy;
    let mut phone = PhoneConfig::new(gpm(), [9; 32]);
    phone.faults.update_payload = Some(vec![0xff, 0xfe, 0x00]);
    let mut world = world(desktop, phone);
    world.run(STEPS);
    world
}

#[test]
fn non_cbor_update_fails_like_chromium_by_default() {
    // Chromium `ProcessUpdate` returns false, "invalid update frame", `OnRemoteClose`: the
    // pending request gets no response.
    let world = non_cbor_update(UpdatePolicy::Chromium);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Transport);
    assert!(
        error.reason.to_string().contains("invalid update message"),
        "{error}"
    );
}

#[test]
fn non_cbor_update_is_ignored_by_a_lenient_desktop() {
    let world = non_cbor_update(UpdatePolicy::Lenient);
    world.assert_both_ok();
    assert_eq!(
        world.events_matching(Side::Desktop, "update ignored").len(),
        1
    );
}

fn bad_signature(policy: UpdatePolicy, timing: UpdateTiming) -> World {
    let mut desktop = desktop_config();
    desktop.qr.linking = Some(true);
    desktop.update_policy = policy;
    let mut phone = PhoneConfig::new(gpm(), [9; 32]);
    phone.faults.corrupt_linking_signature = true;
    phone.update = timing;
    let mut world = world(desktop, phone);
    world.run(STEPS);
    assert!(world.desktop.linked_device().is_none());
    world
}

#[test]
fn bad_linking_signature_fails_like_chromium_by_default() {
    let world = bad_signature(UpdatePolicy::Chromium, UpdateTiming::AfterPostHandshake);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Transport);
    assert!(
        error
            .reason
            .to_string()
            .contains("signature does not match"),
        "{error}"
    );
}

#[test]
fn bad_linking_signature_after_the_response_only_ends_the_linger() {
    let world = bad_signature(UpdatePolicy::Chromium, UpdateTiming::AfterCtapReply);
    world.assert_both_ok();
    assert!(world.desktop.ctap_response().is_some());
    assert!(!world
        .events_matching(Side::Desktop, "linger ended: invalid update message")
        .is_empty());
}

#[test]
fn bad_linking_signature_is_rejected_by_a_lenient_desktop_without_a_link() {
    let world = bad_signature(UpdatePolicy::Lenient, UpdateTiming::AfterPostHandshake);
    world.assert_both_ok();
    assert_eq!(
        world
            .events_matching(
                Side::Desktop,
                "update ignored: invalid update message: linking info key 6"
            )
            .len(),
        1
    );
}

#[test]
fn bad_linking_signature_in_the_post_handshake_message() {
    let world = bad_signature(UpdatePolicy::Chromium, UpdateTiming::Never);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Transport);
    assert!(
        error
            .reason
            .to_string()
            .contains("post-handshake linking info"),
        "{error}"
    );
}

#[test]
fn http_410_on_contact_says_to_forget_the_link() {
    let device = LinkedDevice {
        contact_id: b"gone".to_vec(),
        link_id: [1; 8],
        link_secret: [2; 32],
        public_key: Phone::new(PhoneConfig::new(gpm(), [9; 32]))
            .identity_public_key()
            .unwrap(),
        domain_id: 0,
        name: "old phone".into(),
    };
    let mut desktop = desktop_config();
    desktop.linked_device = Some(device);
    let mut world = World::unregistered(
        Desktop::new(desktop, Millis::ZERO),
        Phone::new(PhoneConfig::new(gpm(), [9; 32])),
    );
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Tunnel);
    assert!(error.reason.to_string().contains("410"), "{error}");
    assert!(world.desktop.should_forget_link());
    // The phone was never woken.
    assert!(world.phone_result.is_none());
}

#[test]
fn missing_routing_id_fails_the_phone() {
    let mut world = default_world();
    world.faults.opened = Some(Box::new(|side, headers| {
        if side == Side::Phone {
            headers.retain(|(name, _)| name != "x-cable-routing-id");
        }
    }));
    world.run(STEPS);
    let error = world.phone_error();
    assert_eq!(error.layer, Layer::Tunnel);
    assert!(
        error.reason.to_string().contains("X-caBLE-Routing-ID"),
        "{error}"
    );
    // No advert was ever sent, so the desktop times out scanning.
    assert_eq!(world.desktop_error().layer, Layer::Ble);
}

#[test]
fn malformed_routing_id_fails_the_phone() {
    let mut world = default_world();
    world.faults.opened = Some(Box::new(|side, headers| {
        if side == Side::Phone {
            for (name, value) in headers.iter_mut() {
                if name == "x-cable-routing-id" {
                    *value = "2A00".to_owned();
                }
            }
        }
    }));
    world.run(STEPS);
    assert_eq!(world.phone_error().layer, Layer::Tunnel);
}

#[test]
fn missing_subprotocol_fails_the_desktop() {
    let mut world = default_world();
    world.faults.opened = Some(Box::new(|side, headers| {
        if side == Side::Desktop {
            headers.retain(|(name, _)| name != "sec-websocket-protocol");
        }
    }));
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Tunnel);
    assert!(error.reason.to_string().contains("fido.cable"), "{error}");
}

#[test]
fn text_frame_fails_the_desktop() {
    let mut world = default_world();
    rewrite_to_desktop(&mut world, 0, |_| Delivery::Text);
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Tunnel);
    assert!(error.reason.to_string().contains("text"), "{error}");
}

#[test]
fn text_frame_fails_the_phone() {
    let mut world = default_world();
    world.faults.deliver = Some(Box::new(|side, _, _| {
        if side == Side::Phone {
            Delivery::Text
        } else {
            Delivery::Pass
        }
    }));
    world.run(STEPS);
    assert_eq!(world.phone_error().layer, Layer::Tunnel);
}

#[test]
fn a_lost_ctap_response_times_out_at_the_ctap_layer() {
    let mut world = default_world();
    // Message 2, post-handshake, update, then the response (number 3).
    rewrite_to_desktop(&mut world, 3, |_| Delivery::Drop);
    world.run(STEPS);
    let error = world.desktop_error();
    assert_eq!(error.layer, Layer::Ctap);
    let (at, _) = world.desktop_result.as_ref().unwrap();
    assert!(*at >= Millis(60_000), "{at}");
}
