//! The phone driven by a hand-written desktop built from `hybridsim_proto` directly: every
//! message the phone sends is checked byte by byte, and the desktop side can send what a
//! real desktop never would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::common::SUBPROTOCOL;
use hybridsim_proto::advert::{self, Eid};
use hybridsim_proto::cbor::{self, Value};
use hybridsim_proto::crypter::{Construction, Crypter};
use hybridsim_proto::derive::{self, Purpose};
use hybridsim_proto::linking::ClientPayload;
use hybridsim_proto::message::{Message, MessageType, ProtocolRevision};
use hybridsim_proto::noise::Initiator;
use hybridsim_proto::post_handshake::{PostHandshakeMessage, UpdateMessage};
use hybridsim_proto::qr::QrPayload;
use hybridsim_proto::tunnel_url::Route;
use proptest::prelude::*;

/// A CTAP handler that records what it is asked and answers `00 a0`.
#[derive(Debug, Default)]
struct Recorder {
    calls: Vec<(u8, Vec<u8>)>,
}

const GET_INFO_CBOR: [u8; 1] = [0xa0];

impl CtapHandler for Recorder {
    fn handle(&mut self, command: u8, params: &[u8]) -> Vec<u8> {
        self.calls.push((command, params.to_vec()));
        vec![0x00, 0xa0]
    }

    fn get_info(&mut self) -> Vec<u8> {
        GET_INFO_CBOR.to_vec()
    }
}

const IDENTITY: [u8; 32] = [0x11; 32];
const SECRET: [u8; 16] = [0x22; 16];

fn identity_private() -> [u8; 32] {
    keys::private_from_seed(&IDENTITY)
}

fn qr(linking: Option<bool>) -> QrPayload {
    let public = keys::compressed(&keys::public_of(&identity_private()).unwrap()).unwrap();
    let mut payload = QrPayload::new(public, SECRET);
    payload.known_domains = Some(2);
    payload.linking = linking;
    payload
}

fn outputs<H: CtapHandler>(phone: &mut Phone<H>) -> Vec<Output> {
    std::iter::from_fn(|| phone.poll_output()).collect()
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

fn opened_headers() -> Vec<(String, String)> {
    vec![
        ("x-cable-routing-id".into(), "2A0000".into()),
        ("sec-websocket-protocol".into(), SUBPROTOCOL.into()),
    ]
}

/// The desktop's end of an established session.
struct Hand {
    crypter: Crypter,
    /// The desktop's transport keys (read, write).
    keys: ([u8; 32], [u8; 32]),
    handshake_hash: [u8; 32],
    /// What the phone sent after message 2: post-handshake, then the update (if any).
    after_handshake: Vec<Vec<u8>>,
    /// The same, decrypted.
    plaintexts: Vec<Vec<u8>>,
}

impl Hand {
    fn send(&mut self, phone: &mut Phone<Recorder>, plaintext: &[u8]) -> Vec<Output> {
        let data = self.crypter.encrypt(plaintext).unwrap();
        phone.handle_input(
            Millis(300),
            Input::Message {
                socket: PHONE_SOCKET,
                data,
            },
        );
        outputs(phone)
    }

    fn open(&mut self, data: &[u8]) -> Vec<u8> {
        self.crypter.decrypt(data).unwrap()
    }
}

/// Scans, opens the tunnel, reads the advert and runs the handshake as the desktop.
fn establish(config: PhoneConfig<Recorder>, linking: Option<bool>) -> (Phone<Recorder>, Hand) {
    let mut phone = Phone::new(config);
    let payload = qr(linking);
    phone.handle_input(Millis::ZERO, Input::QrScanned(payload.to_url()));
    assert!(finished(&outputs(&mut phone)).is_none());
    assert_eq!(phone.poll_timeout(), Some(Millis(250)));
    phone.handle_timeout(Millis(250));
    let out = outputs(&mut phone);
    let Some(Output::Connect { url, headers, .. }) = out.last() else {
        panic!("{out:?}");
    };
    assert_eq!(
        url.to_string(),
        format!(
            "wss://cable.ua5v.com/cable/new/{}",
            hex::encode_upper(payload.tunnel_id())
        )
    );
    assert!(headers.contains(&("Sec-WebSocket-Protocol".into(), "fido.cable".into())));
    phone.handle_input(
        Millis(250),
        Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers: opened_headers(),
        },
    );
    let out = outputs(&mut phone);
    let Some(Output::Advertise { uuid, data }) = out.last() else {
        panic!("{out:?}");
    };
    assert_eq!(*uuid, 0xFFF9);
    let matched = advert::open(&payload.eid_key(), data, advert::LengthRule::Exact, 2).unwrap();
    assert_eq!(matched.eid.routing_id, [0x2a, 0, 0]);
    assert_eq!(matched.eid.domain_id, 0);
    let psk = derive::psk(&SECRET, &matched.plaintext);
    let initiator = Initiator::qr_initiated(&psk, &identity_private(), &[0x33; 32]).unwrap();
    let (message_1, awaiting) = initiator.write_message_1().unwrap();
    phone.handle_input(
        Millis(260),
        Input::Message {
            socket: PHONE_SOCKET,
            data: message_1.to_vec(),
        },
    );
    let out = outputs(&mut phone);
    assert!(out.contains(&Output::StopAdvertising));
    let sent = sends(&out);
    let done = awaiting.read_message_2(&sent[0]).unwrap();
    assert_eq!(phone.handshake_hash(), Some(done.handshake_hash));
    let mut crypter = Crypter::detecting(done.read_key, done.write_key);
    let plaintexts = sent[1..]
        .iter()
        .map(|m| crypter.decrypt(m).unwrap())
        .collect();
    // Having read them, the crypter writes with the construction it detected.
    (
        phone,
        Hand {
            crypter,
            keys: (done.read_key, done.write_key),
            handshake_hash: done.handshake_hash,
            after_handshake: sent[1..].to_vec(),
            plaintexts,
        },
    )
}

fn recorder_config() -> PhoneConfig<Recorder> {
    PhoneConfig::new(Recorder::default(), [5; 32])
}

fn request(command: u8, params: &[u8]) -> Vec<u8> {
    Message::ctap_request(command, params).to_bytes()
}

#[test]
fn chromium_post_handshake_and_padded_update() {
    let (mut phone, mut hand) = establish(recorder_config(), Some(false));
    assert_eq!(hand.after_handshake.len(), 2);
    let post_plain = hand.plaintexts[0].clone();
    let (message, revision) = PostHandshakeMessage::decode(
        &post_plain,
        hybridsim_proto::noise::HandshakeKind::QrInitiated,
    )
    .unwrap();
    assert_eq!(revision, ProtocolRevision::V1);
    assert_eq!(
        message,
        PostHandshakeMessage::chromium_phone(GET_INFO_CBOR.to_vec())
    );
    assert_eq!(hand.after_handshake[1].len(), 528);
    let update_plain = hand.plaintexts[1].clone();
    let parsed = Message::parse(&update_plain, ProtocolRevision::V1).unwrap();
    assert_eq!(parsed.message_type, MessageType::Update);
    let decoded = UpdateMessage::decode(
        &parsed.payload,
        hybridsim_proto::noise::HandshakeKind::QrInitiated,
    )
    .unwrap();
    assert!(decoded.linking.is_none());
    assert!(!phone.linking_sent());

    let out = hand.send(&mut phone, &request(0x02, &[0xa0]));
    let reply = hand.open(&sends(&out)[0]);
    assert_eq!(reply, vec![0x01, 0x00, 0xa0]);
    assert_eq!(phone.authenticator().calls, vec![(0x02, vec![0xa0])]);

    // Shutdown after the reply: the normal end, and the phone hangs up.
    let out = hand.send(&mut phone, &Message::shutdown().to_bytes());
    assert_eq!(finished(&out), Some(&Ok(())));
    assert!(out.contains(&Output::Close {
        socket: PHONE_SOCKET,
        code: 1000
    }));
}

#[test]
fn linking_info_is_signed_over_the_handshake_hash() {
    let (phone, hand) = establish(recorder_config(), Some(true));
    assert!(phone.linking_sent());
    assert_eq!(
        hand.after_handshake[1].len(),
        528,
        "linking info keeps the update at 528 bytes"
    );
    let plain = hand.plaintexts[1].clone();
    let parsed = Message::parse(&plain, ProtocolRevision::V1).unwrap();
    let info = UpdateMessage::decode(
        &parsed.payload,
        hybridsim_proto::noise::HandshakeKind::QrInitiated,
    )
    .unwrap()
    .linking
    .unwrap();
    linking::verify(&identity_private(), &info, &hand.handshake_hash).unwrap();
    assert_eq!(Some(info.public_key), phone.identity_public_key());
    assert_eq!(info.contact_id, phone.config().contact_id);
    let expected = linking::link_secret(
        &phone.config().root_secret,
        Some(&phone.config().contact_id),
        &info.link_id,
    );
    assert_eq!(info.link_secret, expected);
}

#[test]
fn linking_is_not_offered_when_the_configuration_says_no() {
    let mut config = recorder_config();
    config.offer_linking = false;
    let (phone, _) = establish(config, Some(true));
    assert!(!phone.linking_sent());
}

#[test]
fn revision_0_pads_the_post_handshake_map_and_sends_no_update() {
    let mut config = recorder_config();
    config.revision = ProtocolRevision::V0;
    let (mut phone, mut hand) = establish(config, Some(true));
    assert_eq!(hand.after_handshake.len(), 1);
    let plain = hand.plaintexts[0].clone();
    assert_eq!(plain.len() % 512, 0);
    let (message, revision) =
        PostHandshakeMessage::decode(&plain, hybridsim_proto::noise::HandshakeKind::QrInitiated)
            .unwrap();
    assert_eq!(revision, ProtocolRevision::V0);
    assert!(message.linking.is_some());
    // Revision 0 requests have no type byte, nor do replies.
    let out = hand.send(&mut phone, &[0x02, 0xa0]);
    assert_eq!(hand.open(&sends(&out)[0]), vec![0x00, 0xa0]);
    phone.handle_input(
        Millis(400),
        Input::SocketClosed {
            socket: PHONE_SOCKET,
            code: 1000,
        },
    );
    assert_eq!(finished(&outputs(&mut phone)), Some(&Ok(())));
}

#[test]
fn old_construction_is_used_when_configured() {
    let mut config = recorder_config();
    config.construction = Construction::Old;
    let (_, hand) = establish(config, None);
    let (read, write) = hand.keys;
    let mut crypter = Crypter::detecting(read, write);
    crypter.decrypt(&hand.after_handshake[0]).unwrap();
    assert_eq!(crypter.construction(), Some(Construction::Old));
}

fn error_after(requests: &[Vec<u8>]) -> PeerError {
    let (mut phone, mut hand) = establish(recorder_config(), None);
    let mut last = Vec::new();
    for plaintext in requests {
        last = hand.send(&mut phone, plaintext);
    }
    match finished(&last) {
        Some(Err(e)) => {
            assert!(last.contains(&Output::Close {
                socket: PHONE_SOCKET,
                code: 1002
            }));
            e.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_second_transaction_ends_the_session() {
    let error = error_after(&[request(0x02, &[0xa0]), request(0x01, &[0xa0])]);
    assert_eq!(error.layer, Layer::Ctap);
    assert!(
        error.reason.to_string().contains("second CTAP request"),
        "{error}"
    );
}

#[test]
fn get_info_is_answered_any_number_of_times() {
    let (mut phone, mut hand) = establish(recorder_config(), None);
    for _ in 0..2 {
        let out = hand.send(&mut phone, &request(0x04, &[]));
        assert_eq!(hand.open(&sends(&out)[0]), vec![0x01, 0x00, 0xa0]);
    }
    assert!(!phone.is_finished());
}

#[test]
fn chromium_refusals_end_the_session_at_the_ctap_layer() {
    for (plaintext, needle) in [
        (request(0x04, &[0xa0]), "getInfo with parameters"),
        (request(0x0B, &[]), "authenticatorSelection"),
        (request(0x07, &[]), "unknown command 0x07"),
        (vec![0x01], "empty CTAP message"),
        (Message::json(b"{}").to_bytes(), "JSON"),
    ] {
        let error = error_after(&[plaintext]);
        assert_eq!(error.layer, Layer::Ctap, "{error}");
        assert!(error.reason.to_string().contains(needle), "{error}");
    }
}

#[test]
fn updates_from_the_desktop_must_be_cbor() {
    let (mut phone, mut hand) = establish(recorder_config(), None);
    let out = hand.send(&mut phone, &Message::update(&[0xa0]).to_bytes());
    assert!(finished(&out).is_none());
    let error = error_after(&[Message::update(&[0xff]).to_bytes()]);
    assert_eq!(error.layer, Layer::Transport);
    assert!(error.reason.to_string().contains("not CBOR"), "{error}");
}

#[test]
fn shutdown_before_any_request_is_an_unexpected_end() {
    let error = error_after(&[Message::shutdown().to_bytes()]);
    assert_eq!(error.layer, Layer::Transport);
    assert!(error
        .reason
        .to_string()
        .contains("before sending a CTAP request"));
}

#[test]
fn unknown_message_type_before_the_request_fails() {
    let error = error_after(&[vec![0x09, 0x00]]);
    assert_eq!(error.layer, Layer::Transport);
}

#[test]
fn malformed_qr_codes_fail_at_the_qr_layer() {
    let mut short_secret = cbor::decode(&qr(None).to_cbor(), cbor::Strictness::Canonical).unwrap();
    if let Value::Map(entries) = &mut short_secret {
        entries[1].1 = Value::Bytes(vec![0; 15]);
    }
    let short_secret = format!(
        "FIDO:/{}",
        hybridsim_proto::base10::encode(&cbor::encode_canonical(&short_secret))
    );
    for text in [
        "FIDO:/",
        "http://example.com",
        "FIDO:/12",
        short_secret.as_str(),
    ] {
        let mut phone = Phone::new(recorder_config());
        phone.handle_input(Millis::ZERO, Input::QrScanned(text.to_owned()));
        let out = outputs(&mut phone);
        match finished(&out) {
            Some(Err(e)) => assert_eq!(e.layer, Layer::Qr, "{text}: {e}"),
            other => panic!("{text}: {other:?}"),
        }
        assert!(!out.iter().any(|o| matches!(o, Output::Connect { .. })));
    }
}

fn opened_with(headers: Vec<(String, String)>) -> Vec<Output> {
    let mut phone = Phone::new(recorder_config());
    phone.handle_input(Millis::ZERO, Input::QrScanned(qr(None).to_url()));
    phone.handle_timeout(Millis(250));
    outputs(&mut phone);
    phone.handle_input(
        Millis(250),
        Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers,
        },
    );
    outputs(&mut phone)
}

#[test]
fn routing_id_header_must_be_one_value_of_six_hex_digits() {
    let subprotocol = ("sec-websocket-protocol".to_owned(), SUBPROTOCOL.to_owned());
    let routing = |v: &str| ("x-cable-routing-id".to_owned(), v.to_owned());
    for headers in [
        vec![subprotocol.clone()],
        vec![subprotocol.clone(), routing("2A00")],
        vec![subprotocol.clone(), routing("2A00000")],
        vec![subprotocol.clone(), routing("ZZ0000")],
        vec![subprotocol.clone(), routing("2A0000"), routing("2A0000")],
    ] {
        let out = opened_with(headers.clone());
        match finished(&out) {
            Some(Err(e)) => {
                assert_eq!(e.layer, Layer::Tunnel, "{headers:?}");
                assert!(e.reason.to_string().contains("X-caBLE-Routing-ID"), "{e}");
            }
            other => panic!("{headers:?}: {other:?}"),
        }
    }
    // Lower-case hex is fine.
    let out = opened_with(vec![subprotocol, routing("2a0000")]);
    assert!(out.iter().any(|o| matches!(o, Output::Advertise { .. })));
}

#[test]
fn message_1_shorter_than_a_key_fails_the_handshake() {
    let mut phone = Phone::new(recorder_config());
    phone.handle_input(Millis::ZERO, Input::QrScanned(qr(None).to_url()));
    phone.handle_timeout(Millis(250));
    phone.handle_input(
        Millis(250),
        Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers: opened_headers(),
        },
    );
    outputs(&mut phone);
    phone.handle_input(
        Millis(260),
        Input::Message {
            socket: PHONE_SOCKET,
            data: vec![4; 64],
        },
    );
    match finished(&outputs(&mut phone)) {
        Some(Err(e)) => assert_eq!(e.layer, Layer::Noise, "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_phone_gives_up_waiting_for_the_handshake() {
    let mut phone = Phone::new(recorder_config());
    phone.handle_input(Millis::ZERO, Input::QrScanned(qr(None).to_url()));
    phone.handle_timeout(Millis(250));
    phone.handle_input(
        Millis(250),
        Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers: opened_headers(),
        },
    );
    outputs(&mut phone);
    assert_eq!(phone.poll_timeout(), Some(Millis(120_000)));
    phone.handle_timeout(Millis(120_000));
    match finished(&outputs(&mut phone)) {
        Some(Err(e)) => assert_eq!(e.layer, Layer::Noise, "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(phone.poll_timeout(), None);
}

#[test]
fn linked_flow_connects_on_its_own_server_and_answers_nkpsk0() {
    let config = recorder_config();
    let root = config.root_secret;
    let contact = config.contact_id.clone();
    let mut phone = Phone::new(config);
    let payload = ClientPayload {
        link_id: [9; 8],
        client_nonce: [8; 16],
        request_type: "ga".into(),
    };
    phone.handle_input(
        Millis::ZERO,
        Input::WakeUp {
            tunnel_id: [7; 16],
            routing_id: [1, 2, 3],
            client_payload: payload.encode(),
        },
    );
    phone.handle_timeout(Millis(250));
    let out = outputs(&mut phone);
    let Some(Output::Connect { url, .. }) = out.last() else {
        panic!("{out:?}")
    };
    assert_eq!(
        url.route,
        Route::Connect {
            routing_id: [1, 2, 3],
            tunnel_id: [7; 16]
        }
    );
    phone.handle_input(
        Millis(250),
        Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers: vec![("sec-websocket-protocol".into(), SUBPROTOCOL.into())],
        },
    );
    let out = outputs(&mut phone);
    let Some(Output::Advertise { data, .. }) = out.last() else {
        panic!("{out:?}")
    };
    let link_secret = linking::link_secret(&root, Some(&contact), &[9; 8]);
    let eid_key: [u8; 64] = derive::derive(&link_secret, &[8; 16], Purpose::EidKey);
    let plaintext = advert::decrypt(&eid_key, data).unwrap();
    assert_eq!(plaintext[0], 0);
    let psk = derive::psk(&link_secret, &plaintext);
    let initiator =
        Initiator::linked(&psk, &phone.identity_public_key().unwrap(), &[0x44; 32]).unwrap();
    let (message_1, awaiting) = initiator.write_message_1().unwrap();
    phone.handle_input(
        Millis(300),
        Input::Message {
            socket: PHONE_SOCKET,
            data: message_1.to_vec(),
        },
    );
    let sent = sends(&outputs(&mut phone));
    // Message 2 and the post-handshake message; no update on a linked connection.
    assert_eq!(sent.len(), 2);
    let done = awaiting.read_message_2(&sent[0]).unwrap();
    let mut crypter = done.crypter();
    let plain = crypter.decrypt(&sent[1]).unwrap();
    let (message, _) =
        PostHandshakeMessage::decode(&plain, hybridsim_proto::noise::HandshakeKind::Linked)
            .unwrap();
    assert!(message.linking.is_none());
}

#[test]
fn a_bad_client_payload_fails_the_wake_up() {
    let mut phone = Phone::new(recorder_config());
    phone.handle_input(
        Millis::ZERO,
        Input::WakeUp {
            tunnel_id: [7; 16],
            routing_id: [1, 2, 3],
            client_payload: vec![0xa0],
        },
    );
    match finished(&outputs(&mut phone)) {
        Some(Err(e)) => assert_eq!(e.layer, Layer::Tunnel, "{e}"),
        other => panic!("{other:?}"),
    }
}

proptest! {
    /// The linked advert plaintext has byte 0 zero and never a reserved domain id, whatever
    /// the seed, so a Chromium desktop always accepts it.
    #[test]
    fn linked_adverts_always_pass_the_desktop_checks(seed in any::<[u8; 32]>()) {
        let mut phone = Phone::new(PhoneConfig::new(Recorder::default(), seed));
        let payload = ClientPayload { link_id: [1; 8], client_nonce: [2; 16], request_type: "ga".into() };
        phone.handle_input(Millis::ZERO, Input::WakeUp { tunnel_id: [3; 16], routing_id: [4; 3], client_payload: payload.encode() });
        phone.handle_timeout(Millis(250));
        phone.handle_input(Millis(250), Input::SocketOpened {
            socket: PHONE_SOCKET,
            headers: vec![("sec-websocket-protocol".into(), SUBPROTOCOL.into())],
        });
        let data = outputs(&mut phone).into_iter().find_map(|o| match o {
            Output::Advertise { data, .. } => Some(data),
            _ => None,
        }).unwrap();
        let config = PhoneConfig::new(Recorder::default(), seed);
        let link_secret = linking::link_secret(&config.root_secret, Some(&config.contact_id), &[1; 8]);
        let eid_key: [u8; 64] = derive::derive(&link_secret, &[2; 16], Purpose::EidKey);
        prop_assert!(advert::open(&eid_key, &data, advert::LengthRule::Exact, 2).is_ok());
    }
}

#[test]
fn eid_layout_of_the_qr_advert() {
    // Byte 0 reserved, then the nonce, the routing id from the header, the domain id LE.
    let mut config = recorder_config();
    config.domain_id = 0x0123;
    let out = {
        let mut phone = Phone::new(config);
        phone.handle_input(Millis::ZERO, Input::QrScanned(qr(None).to_url()));
        phone.handle_timeout(Millis(250));
        phone.handle_input(
            Millis(250),
            Input::SocketOpened {
                socket: PHONE_SOCKET,
                headers: opened_headers(),
            },
        );
        outputs(&mut phone)
    };
    let data = out
        .iter()
        .find_map(|o| match o {
            Output::Advertise { data, .. } => Some(data.clone()),
            _ => None,
        })
        .unwrap();
    let plaintext = advert::decrypt(&qr(None).eid_key(), &data).unwrap();
    let eid = Eid::from_plaintext(&plaintext, 2).unwrap();
    assert_eq!(eid.routing_id, [0x2a, 0, 0]);
    assert_eq!(eid.domain_id, 0x0123);
    assert_eq!(&plaintext[14..], &[0x23, 0x01]);
}
