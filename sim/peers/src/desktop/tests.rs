//! The desktop driven by a hand-written phone built from `hybridsim_proto` directly, so that
//! the phone side can send what a real phone never would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::common::{CLIENT_PAYLOAD_HEADER, SUBPROTOCOL};
use crate::io::PeerEvent;
use core::time::Duration;
use hybridsim_proto::advert::{self, Eid};
use hybridsim_proto::crypter::Crypter;
use hybridsim_proto::derive::{self, Purpose};
use hybridsim_proto::keys;
use hybridsim_proto::linking::ClientPayload;
use hybridsim_proto::message::Message;
use hybridsim_proto::noise::Responder;
use hybridsim_proto::post_handshake::PostHandshakeMessage;
use hybridsim_proto::qr::{Key6, QrPayload};
use hybridsim_proto::tunnel_url::Route;

fn outputs(desktop: &mut Desktop) -> Vec<Output> {
    std::iter::from_fn(|| desktop.poll_output()).collect()
}

fn sends(outputs: &[Output]) -> Vec<Vec<u8>> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

fn finished(outputs: &[Output]) -> Option<&Result<(), PeerError>> {
    outputs.iter().find_map(|o| match o {
        Output::Finished(r) => Some(r),
        _ => None,
    })
}

fn error(outputs: &[Output]) -> PeerError {
    match finished(outputs) {
        Some(Err(e)) => e.clone(),
        other => panic!("{other:?}: {outputs:#?}"),
    }
}

fn events<'a>(outputs: &'a [Output], needle: &str) -> Vec<&'a PeerEvent> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Event(e) if e.what.contains(needle) => Some(e),
            _ => None,
        })
        .collect()
}

fn config() -> DesktopConfig {
    DesktopConfig::new(0x02, vec![0xa0], [7; 32])
}

fn subprotocol() -> Vec<(String, String)> {
    vec![("sec-websocket-protocol".into(), SUBPROTOCOL.into())]
}

fn input(desktop: &mut Desktop, at: u64, input: Input) -> Vec<Output> {
    desktop.handle_input(Millis(at), input);
    outputs(desktop)
}

fn message(data: Vec<u8>) -> Input {
    Input::Message {
        socket: DESKTOP_SOCKET,
        data,
    }
}

/// The phone's end of a QR session.
struct Hand {
    crypter: Crypter,
    payload: QrPayload,
}

impl Hand {
    fn send(&mut self, desktop: &mut Desktop, plaintext: &[u8]) -> Vec<Output> {
        let data = self.crypter.encrypt(plaintext).unwrap();
        input(desktop, 500, message(data))
    }
}

/// Shows the QR code, hears an advert, opens the tunnel and answers the handshake as the
/// phone, leaving the desktop waiting for the post-handshake message.
fn handshake(config: DesktopConfig) -> (Desktop, Hand) {
    let mut desktop = Desktop::new(config, Millis::ZERO);
    let out = outputs(&mut desktop);
    let Some(Output::ShowQr(text)) = out.last() else {
        panic!("{out:?}")
    };
    let payload = QrPayload::parse(text).unwrap();
    let eid = Eid {
        nonce: [5; 10],
        routing_id: [0x2a, 0, 0],
        domain_id: 1,
    };
    let plaintext = eid.to_plaintext();
    let data = advert::encrypt(&payload.eid_key(), &plaintext).to_vec();
    let out = input(
        &mut desktop,
        100,
        Input::Advert {
            uuid: 0xFFF9,
            data,
            rssi: -60,
        },
    );
    let Some(Output::Connect { url, headers, .. }) = out.last() else {
        panic!("{out:?}")
    };
    assert_eq!(url.host, "cable.auth.com");
    assert_eq!(
        url.route,
        Route::Connect {
            routing_id: [0x2a, 0, 0],
            tunnel_id: payload.tunnel_id()
        }
    );
    assert!(headers.contains(&("Origin".into(), "wss://cable.auth.com".into())));
    let out = input(
        &mut desktop,
        120,
        Input::SocketOpened {
            socket: DESKTOP_SOCKET,
            headers: subprotocol(),
        },
    );
    let sent = sends(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].len(), 81);
    let psk = derive::psk(&payload.secret, &plaintext);
    let responder = Responder::qr_initiated(&psk, &payload.public_key, &[0x55; 32]).unwrap();
    let (message_2, done) = responder
        .read_message_1(&sent[0])
        .unwrap()
        .write_message_2()
        .unwrap();
    let out = input(&mut desktop, 130, message(message_2.to_vec()));
    assert!(finished(&out).is_none(), "{out:#?}");
    assert_eq!(desktop.handshake_hash(), Some(done.handshake_hash));
    (
        desktop,
        Hand {
            crypter: done.crypter(),
            payload,
        },
    )
}

/// Through the post-handshake message: the desktop has sent its request.
fn established(config: DesktopConfig) -> (Desktop, Hand) {
    let (mut desktop, mut hand) = handshake(config);
    let post = PostHandshakeMessage::chromium_phone(vec![0xa0]).encode(ProtocolRevision::V1);
    let out = hand.send(&mut desktop, &post);
    let sent = sends(&out);
    assert_eq!(sent.len(), 1, "{out:#?}");
    let request = hand.crypter.decrypt(&sent[0]).unwrap();
    assert_eq!(request, vec![0x01, 0x02, 0xa0]);
    assert_eq!(desktop.revision(), Some(ProtocolRevision::V1));
    (desktop, hand)
}

#[test]
fn qr_code_follows_the_options() {
    let mut config = config();
    config.qr.linking = None;
    config.qr.known_domains = 1;
    config.qr.key6 = Some(Key6::TransportChannels(vec![0]));
    config.unix_epoch = 1_000;
    let desktop = Desktop::new(config, Millis(2_500));
    let payload = QrPayload::parse(desktop.qr_url().unwrap()).unwrap();
    assert_eq!(payload.linking, None);
    assert_eq!(payload.known_domains, Some(1));
    assert_eq!(payload.timestamp, Some(1_002));
    assert_eq!(payload.request_type.unwrap().as_str(), "ga");
    assert_eq!(payload.key6, Some(Key6::TransportChannels(vec![0])));
    // The same seed, the same code.
    assert_eq!(
        Desktop::new(DesktopConfig::new(0x02, vec![0xa0], [7; 32]), Millis::ZERO).qr_url(),
        Desktop::new(DesktopConfig::new(0x02, vec![0xa0], [7; 32]), Millis::ZERO).qr_url()
    );
}

#[test]
fn full_qr_transaction_with_a_hand_phone() {
    let (mut desktop, mut hand) = established(config());
    let out = hand.send(
        &mut desktop,
        &Message::ctap_response(0, &[0xa1, 1, 2]).to_bytes(),
    );
    assert_eq!(desktop.ctap_response(), Some(&[0u8, 0xa1, 1, 2][..]));
    let sent = sends(&out);
    assert_eq!(sent[0].len(), 48);
    assert_eq!(hand.crypter.decrypt(&sent[0]).unwrap(), vec![0x00]);
    assert!(finished(&out).is_none(), "lingering");
    assert_eq!(desktop.poll_timeout(), Some(Millis(500 + 180_000)));
    // A reply after the shutdown is ignored while lingering.
    let out = hand.send(&mut desktop, &Message::ctap_response(0, &[]).to_bytes());
    assert_eq!(events(&out, "after the shutdown ignored").len(), 1);
    desktop.handle_timeout(Millis(500 + 180_000));
    let out = outputs(&mut desktop);
    assert_eq!(finished(&out), Some(&Ok(())));
    assert!(out.contains(&Output::Close {
        socket: DESKTOP_SOCKET,
        code: 1000
    }));
    assert_eq!(desktop.poll_timeout(), None);
    // Inputs after the end change nothing.
    assert!(input(&mut desktop, 200_000, message(vec![1, 2, 3])).is_empty());
}

#[test]
fn adverts_after_the_match_are_ignored() {
    let (mut desktop, hand) = handshake(config());
    let other = advert::encrypt(
        &hand.payload.eid_key(),
        &Eid {
            nonce: [6; 10],
            routing_id: [1, 1, 1],
            domain_id: 0,
        }
        .to_plaintext(),
    );
    let out = input(
        &mut desktop,
        140,
        Input::Advert {
            uuid: 0xFDE2,
            data: other.to_vec(),
            rssi: -40,
        },
    );
    assert_eq!(events(&out, "already matched").len(), 1);
}

#[test]
fn reply_of_another_type_fails() {
    let (mut desktop, mut hand) = established(config());
    let out = hand.send(&mut desktop, &Message::json(b"{}").to_bytes());
    let e = error(&out);
    assert_eq!(e.layer, Layer::Transport);
    assert!(e.reason.to_string().contains("JSON"), "{e}");
}

#[test]
fn unknown_message_type_fails() {
    let (mut desktop, mut hand) = established(config());
    let e = error(&hand.send(&mut desktop, &[0x07, 0x00]));
    assert_eq!(e.layer, Layer::Transport);
    let (mut desktop, mut hand) = established(config());
    let e = error(&hand.send(&mut desktop, &[]));
    assert_eq!(e.layer, Layer::Transport);
}

#[test]
fn post_handshake_without_ctap_fails() {
    let (mut desktop, mut hand) = handshake(config());
    let mut post = PostHandshakeMessage::chromium_phone(vec![0xa0]);
    post.get_info = None;
    post.features = vec!["dc".into()];
    let e = error(&hand.send(&mut desktop, &post.encode(ProtocolRevision::V1)));
    assert_eq!(e.layer, Layer::Transport);
    assert!(e.reason.to_string().contains("do not include"), "{e}");
}

#[test]
fn post_handshake_that_is_not_a_map_fails() {
    let (mut desktop, mut hand) = handshake(config());
    let e = error(&hand.send(&mut desktop, &[0x80]));
    assert_eq!(e.layer, Layer::Transport);
}

#[test]
fn data_before_the_handshake_response_is_message_2() {
    // A short first message is a handshake failure at the Noise layer.
    let (mut desktop, _) = {
        let mut desktop = Desktop::new(config(), Millis::ZERO);
        outputs(&mut desktop);
        (desktop, ())
    };
    let payload = QrPayload::parse(desktop.qr_url().unwrap()).unwrap();
    let data = advert::encrypt(
        &payload.eid_key(),
        &Eid {
            nonce: [5; 10],
            routing_id: [0x2a, 0, 0],
            domain_id: 0,
        }
        .to_plaintext(),
    );
    input(
        &mut desktop,
        1,
        Input::Advert {
            uuid: 0xFFF9,
            data: data.to_vec(),
            rssi: 0,
        },
    );
    input(
        &mut desktop,
        2,
        Input::SocketOpened {
            socket: DESKTOP_SOCKET,
            headers: subprotocol(),
        },
    );
    let e = error(&input(&mut desktop, 3, message(vec![0; 81])));
    assert_eq!(e.layer, Layer::Noise);
}

#[test]
fn timers_fail_with_the_layer_of_the_step() {
    // Advert: Ble, at exactly the configured time.
    let mut config_a = config();
    config_a.timeouts.advert = Duration::from_secs(10);
    let mut desktop = Desktop::new(config_a, Millis::ZERO);
    outputs(&mut desktop);
    assert_eq!(desktop.poll_timeout(), Some(Millis(10_000)));
    desktop.handle_timeout(Millis(9_999));
    assert!(outputs(&mut desktop).is_empty());
    desktop.handle_timeout(Millis(10_000));
    assert_eq!(error(&outputs(&mut desktop)).layer, Layer::Ble);

    // Handshake: Noise.
    let (mut desktop, _) = {
        let mut c = config();
        c.timeouts.handshake = Duration::from_secs(5);
        let mut desktop = Desktop::new(c, Millis::ZERO);
        outputs(&mut desktop);
        let payload = QrPayload::parse(desktop.qr_url().unwrap()).unwrap();
        let data = advert::encrypt(
            &payload.eid_key(),
            &Eid {
                nonce: [5; 10],
                routing_id: [0x2a, 0, 0],
                domain_id: 0,
            }
            .to_plaintext(),
        );
        input(
            &mut desktop,
            1_000,
            Input::Advert {
                uuid: 0xFFF9,
                data: data.to_vec(),
                rssi: 0,
            },
        );
        (desktop, ())
    };
    assert_eq!(desktop.poll_timeout(), Some(Millis(6_000)));
    input(
        &mut desktop,
        1_100,
        Input::SocketOpened {
            socket: DESKTOP_SOCKET,
            headers: subprotocol(),
        },
    );
    desktop.handle_timeout(Millis(6_000));
    let out = outputs(&mut desktop);
    assert_eq!(error(&out).layer, Layer::Noise);
    assert!(out.contains(&Output::Close {
        socket: DESKTOP_SOCKET,
        code: 1002
    }));

    // CTAP response: Ctap.
    let (mut desktop, _) = established(config());
    desktop.handle_timeout(Millis(500 + 60_000));
    assert_eq!(error(&outputs(&mut desktop)).layer, Layer::Ctap);
}

#[test]
fn refused_or_closed_tunnels_fail_at_the_tunnel_layer() {
    let mut desktop = Desktop::new(config(), Millis::ZERO);
    outputs(&mut desktop);
    let payload = QrPayload::parse(desktop.qr_url().unwrap()).unwrap();
    let data = advert::encrypt(
        &payload.eid_key(),
        &Eid {
            nonce: [5; 10],
            routing_id: [0x2a, 0, 0],
            domain_id: 0,
        }
        .to_plaintext(),
    );
    input(
        &mut desktop,
        1,
        Input::Advert {
            uuid: 0xFFF9,
            data: data.to_vec(),
            rssi: 0,
        },
    );
    let out = input(
        &mut desktop,
        2,
        Input::SocketRefused {
            socket: DESKTOP_SOCKET,
            status: 404,
            reason: "unknown tunnel".into(),
        },
    );
    let e = error(&out);
    assert_eq!(e.layer, Layer::Tunnel);
    assert!(e.reason.to_string().contains("404"));
    // No Close for a socket that never opened.
    assert!(!out.iter().any(|o| matches!(o, Output::Close { .. })));
    assert!(
        !desktop.should_forget_link(),
        "410 only matters for contacts"
    );

    let (mut desktop, _) = established(config());
    let out = input(
        &mut desktop,
        600,
        Input::SocketClosed {
            socket: DESKTOP_SOCKET,
            code: 1000,
        },
    );
    assert_eq!(error(&out).layer, Layer::Tunnel);
}

fn linked() -> (Desktop, LinkedDevice, [u8; 16]) {
    let identity = hybridsim_proto::linking::identity_private_key(&[3; 32]);
    let device = LinkedDevice {
        contact_id: vec![1, 2, 3],
        link_id: [4; 8],
        link_secret: [5; 32],
        public_key: keys::public_of(&identity).unwrap(),
        domain_id: 0,
        name: "phone".into(),
    };
    let mut config = config();
    config.linked_device = Some(device.clone());
    let mut desktop = Desktop::new(config, Millis::ZERO);
    let out = outputs(&mut desktop);
    let Some(Output::Connect { url, headers, .. }) = out.last() else {
        panic!("{out:?}")
    };
    assert_eq!(url.to_string(), "wss://cable.ua5v.com/cable/contact/AQID");
    let payload = headers
        .iter()
        .find(|(n, _)| n == CLIENT_PAYLOAD_HEADER)
        .map(|(_, v)| ClientPayload::from_header_value(v).unwrap())
        .unwrap();
    assert_eq!(payload.link_id, [4; 8]);
    assert_eq!(payload.request_type, "ga");
    (desktop, device, payload.client_nonce)
}

fn linked_advert(device: &LinkedDevice, nonce: &[u8; 16], plaintext: [u8; 16]) -> Input {
    let key: [u8; 64] = derive::derive(&device.link_secret, nonce, Purpose::EidKey);
    Input::Advert {
        uuid: 0xFFF9,
        data: advert::encrypt(&key, &plaintext).to_vec(),
        rssi: 0,
    }
}

fn open_with_signal(desktop: &mut Desktop) -> Vec<Output> {
    let mut headers = subprotocol();
    headers.push(("x-cable-signal-connection".into(), "true".into()));
    input(
        desktop,
        10,
        Input::SocketOpened {
            socket: DESKTOP_SOCKET,
            headers,
        },
    )
}

#[test]
fn linked_advert_before_the_open_sends_message_1_on_the_open() {
    let (mut desktop, device, nonce) = linked();
    let mut plaintext = [9u8; 16];
    plaintext[0] = 0;
    plaintext[14] = 0;
    plaintext[15] = 1; // domain id 256: acceptable
    let out = input(&mut desktop, 5, linked_advert(&device, &nonce, plaintext));
    assert!(sends(&out).is_empty());
    let out = open_with_signal(&mut desktop);
    assert_eq!(sends(&out).len(), 1);
    // The connect signal must be exactly 00.
    let e = error(&input(&mut desktop, 20, message(vec![0, 0])));
    assert_eq!(e.layer, Layer::Tunnel);
    assert!(e.reason.to_string().contains("connect signal"), "{e}");
}

#[test]
fn linked_signal_then_advert_then_handshake() {
    let (mut desktop, device, nonce) = linked();
    open_with_signal(&mut desktop);
    let out = input(&mut desktop, 11, message(vec![0]));
    assert_eq!(events(&out, "connect signal").len(), 1);
    let mut plaintext = [0u8; 16];
    plaintext[1] = 7;
    let out = input(&mut desktop, 12, linked_advert(&device, &nonce, plaintext));
    let sent = sends(&out);
    assert_eq!(sent.len(), 1);
    let psk = derive::psk(&device.link_secret, &plaintext);
    let identity = hybridsim_proto::linking::identity_private_key(&[3; 32]);
    let (message_2, _) = Responder::linked(&psk, &identity, &[0x66; 32])
        .unwrap()
        .read_message_1(&sent[0])
        .unwrap()
        .write_message_2()
        .unwrap();
    let out = input(&mut desktop, 13, message(message_2.to_vec()));
    assert!(finished(&out).is_none(), "{out:#?}");
    assert!(desktop.handshake_hash().is_some());
}

#[test]
fn linked_data_before_the_advert_without_a_signal_fails() {
    let (mut desktop, _, _) = linked();
    input(
        &mut desktop,
        10,
        Input::SocketOpened {
            socket: DESKTOP_SOCKET,
            headers: subprotocol(),
        },
    );
    let e = error(&input(&mut desktop, 11, message(vec![0])));
    assert_eq!(e.layer, Layer::Tunnel);
}

#[test]
fn linked_advert_with_a_reserved_domain_is_ignored() {
    let (mut desktop, device, nonce) = linked();
    let mut plaintext = [0u8; 16];
    plaintext[14] = 200;
    let out = input(&mut desktop, 5, linked_advert(&device, &nonce, plaintext));
    assert_eq!(events(&out, "domain id 200").len(), 1);
}

#[test]
fn contact_gone_sets_forget_link() {
    let (mut desktop, _, _) = linked();
    let out = input(
        &mut desktop,
        5,
        Input::SocketRefused {
            socket: DESKTOP_SOCKET,
            status: 410,
            reason: "unknown contact id".into(),
        },
    );
    assert_eq!(error(&out).layer, Layer::Tunnel);
    assert!(desktop.should_forget_link());
}

#[test]
fn linked_device_with_a_reserved_domain_fails_at_once() {
    let (_, mut device, _) = linked();
    device.domain_id = 9;
    let mut config = config();
    config.linked_device = Some(device);
    let mut desktop = Desktop::new(config, Millis::ZERO);
    assert_eq!(error(&outputs(&mut desktop)).layer, Layer::Tunnel);
    assert!(desktop.is_finished());
}
