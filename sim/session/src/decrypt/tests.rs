#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::keylog::{KeyLog, Label};
use crate::messages::WireMessage;
use crate::sample::{self, Options, Sample};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;

fn options(flow: Flow, construction: Construction, revision: ProtocolRevision) -> Options {
    Options {
        flow,
        construction,
        revision,
    }
}

fn qr_new_v1() -> Sample {
    sample::build(options(Flow::Qr, Construction::New, ProtocolRevision::V1)).unwrap()
}

fn run(
    s: &Sample,
    labels: &[Label],
    messages: &[WireMessage],
    advert: bool,
) -> Result<DecryptedSession, Box<Failure>> {
    let keylog = KeyLog::parse(s.keylog(labels).as_bytes()).unwrap();
    let linked = s.tunnel_id != hybridsim_proto::derive::tunnel_id(&s.qr.secret);
    decrypt(Input {
        qr: Some(&s.qr),
        tunnel_id: linked.then_some(s.tunnel_id),
        keylog: &keylog,
        messages,
        advert: advert.then_some(&s.advert[..]),
    })
}

fn error(result: Result<DecryptedSession, Box<Failure>>) -> SessionError {
    match result {
        Ok(s) => panic!("decrypted: {s:?}"),
        Err(f) => f.error,
    }
}

const DESKTOP_KEYS: &[Label] = &[
    Label::QrIdentityPrivateKey,
    Label::DesktopEphemeralPrivateKey,
    Label::PhoneIdentityPrivateKey,
];
const PHONE_KEYS: &[Label] = &[
    Label::PhoneEphemeralPrivateKey,
    Label::PhoneIdentityPrivateKey,
];
const TRAFFIC_KEYS: &[Label] = &[
    Label::DesktopWriteKey,
    Label::DesktopReadKey,
    Label::HandshakeHash,
];

#[test]
fn every_flow_crypter_and_revision_decrypts_from_each_kind_of_key() {
    for flow in [Flow::Qr, Flow::Linked] {
        for construction in [Construction::New, Construction::Old] {
            for revision in [ProtocolRevision::V0, ProtocolRevision::V1] {
                let s = sample::build(options(flow, construction, revision)).unwrap();
                let with_psk = |keys: &[Label]| [keys, &[Label::Psk]].concat();
                let cases = [
                    (with_psk(DESKTOP_KEYS), HandshakeSource::DesktopKeys),
                    (with_psk(PHONE_KEYS), HandshakeSource::PhoneKeys),
                    (TRAFFIC_KEYS.to_vec(), HandshakeSource::TrafficKeys),
                ];
                for (labels, source) in cases {
                    let what = format!("{flow:?} {construction:?} {revision:?} {source:?}");
                    let got = run(&s, &labels, &s.messages, false).expect(&what);
                    assert_eq!(got.handshake, Some(source), "{what}");
                    assert_eq!(got.crypter, Some(construction.into()), "{what}");
                    assert_eq!(got.revision, Some(revision.number()), "{what}");
                    assert_eq!(got.messages.len(), s.messages.len(), "{what}");
                    let plaintexts: Vec<_> = got.messages[2..]
                        .iter()
                        .map(|m| m.plaintext.clone())
                        .collect();
                    assert_eq!(plaintexts, s.plaintexts, "{what}");
                    assert!(got.handshake_hash.is_some(), "{what}");
                    if source != HandshakeSource::TrafficKeys {
                        let expected = if flow == Flow::Qr {
                            Flow::Qr
                        } else {
                            Flow::Linked
                        };
                        assert_eq!(got.flow, Some(expected), "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn messages_are_named_and_decoded_with_ctap_key_names() {
    let s = qr_new_v1();
    let got = run(
        &s,
        &[
            Label::QrIdentityPrivateKey,
            Label::DesktopEphemeralPrivateKey,
        ],
        &s.messages,
        true,
    )
    .unwrap();
    let kinds: Vec<MessageKind> = got.messages.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![
            MessageKind::HandshakeMessage1,
            MessageKind::HandshakeMessage2,
            MessageKind::PostHandshake,
            MessageKind::Update,
            MessageKind::CtapRequest,
            MessageKind::CtapResponse,
            MessageKind::Shutdown,
        ]
    );
    let advert = got.advert.clone().unwrap();
    assert_eq!((advert.routing_id, advert.domain_id), ([0x2A, 0, 0], 0));
    assert_eq!(advert.domain.as_deref(), Some("cable.ua5v.com"));
    assert_eq!(
        advert.psk.to_vec(),
        s.secrets.iter().find(|(l, _)| *l == Label::Psk).unwrap().1
    );
    assert!(
        got.messages[2].summary.contains("revision 1"),
        "{}",
        got.messages[2].summary
    );
    assert!(got.messages[3]
        .summary
        .contains("linking info from \"Pixel\""));
    assert_eq!(
        got.messages[4].summary,
        "CTAP request makeCredential (0x01)"
    );
    assert!(got.messages[4]
        .cbor
        .as_deref()
        .unwrap()
        .contains("1 /clientDataHash/: h'cdcd"));
    assert!(got.messages[5]
        .summary
        .starts_with("CTAP response CTAP2_OK"));
    assert!(got.messages[5]
        .cbor
        .as_deref()
        .unwrap()
        .contains("1 /fmt/: \"none\""));
    let json = serde_json::to_value(&got).unwrap();
    assert_eq!(json["crypter"], "new");
    assert_eq!(json["revision"], 1);
    assert_eq!(json["messages"][4]["kind"], "ctap_request");
    assert_eq!(json["messages"][4]["from"], "desktop");
    assert_eq!(json["handshake_hash"].as_str().unwrap().len(), 64);
    assert!(json["messages"][6]["plaintext_hex"] == "00");
}

#[test]
fn the_advert_alone_gives_the_psk_and_must_agree_with_a_logged_one() {
    let s = qr_new_v1();
    assert!(run(&s, DESKTOP_KEYS, &s.messages, true).is_ok());
    assert_eq!(
        error(run(&s, DESKTOP_KEYS, &s.messages, false)),
        SessionError::MissingKeys {
            need: "PSK (or the advert and QR secret) with DESKTOP_EPHEMERAL_PRIVATE_KEY or \
                   PHONE_EPHEMERAL_PRIVATE_KEY and a static key, or DESKTOP_WRITE_KEY and \
                   DESKTOP_READ_KEY"
        }
    );
    let mut wrong = s.clone();
    wrong
        .secrets
        .iter_mut()
        .find(|(l, _)| *l == Label::Psk)
        .unwrap()
        .1 = vec![1; 32];
    assert!(matches!(
        error(run(
            &wrong,
            &[DESKTOP_KEYS, &[Label::Psk]].concat(),
            &s.messages,
            true
        )),
        SessionError::LoggedKeyMismatch {
            label: Label::Psk,
            derived_from: "the advert",
            ..
        }
    ));
    let mut other = s.clone();
    other.advert[0] ^= 1;
    assert_eq!(
        error(run(&other, DESKTOP_KEYS, &s.messages, true)),
        SessionError::AdvertNotForThisSession
    );
}

fn with_secret(s: &Sample, label: Label, value: Vec<u8>) -> Sample {
    let mut out = s.clone();
    out.secrets.iter_mut().find(|(l, _)| *l == label).unwrap().1 = value;
    out
}

#[test]
fn wrong_keys_are_named_at_the_message_they_break() {
    let s = qr_new_v1();
    let all = [DESKTOP_KEYS, &[Label::Psk]].concat();
    let other_key = hybridsim_proto::keys::private_from_seed(&[9; 32]).to_vec();
    // A wrong desktop ephemeral key: message 1 is not what the logged keys produce.
    let bad = with_secret(&s, Label::DesktopEphemeralPrivateKey, other_key.clone());
    assert!(matches!(
        error(run(&bad, &all, &s.messages, false)),
        SessionError::HandshakeMismatch {
            at: MessageRef { index: 1, .. },
            ..
        }
    ));
    // A wrong phone ephemeral key: message 2 differs.
    let bad = with_secret(&s, Label::PhoneEphemeralPrivateKey, other_key);
    assert!(matches!(
        error(run(
            &bad,
            &[PHONE_KEYS, &[Label::Psk]].concat(),
            &s.messages,
            false
        )),
        SessionError::HandshakeMismatch {
            at: MessageRef { index: 2, .. },
            ..
        }
    ));
    // A wrong PSK on the phone side: message 1's tag does not verify.
    let bad = with_secret(&s, Label::Psk, vec![7; 32]);
    assert!(matches!(
        error(run(
            &bad,
            &[PHONE_KEYS, &[Label::Psk]].concat(),
            &s.messages,
            false
        )),
        SessionError::Handshake {
            at: MessageRef { index: 1, .. },
            ..
        }
    ));
    // A wrong read key: the post-handshake message is the first to fail.
    let bad = with_secret(&s, Label::DesktopReadKey, vec![7; 32]);
    let failure = run(
        &bad,
        &[Label::DesktopWriteKey, Label::DesktopReadKey],
        &s.messages,
        false,
    )
    .unwrap_err();
    assert_eq!(
        failure.error,
        SessionError::WrongKey {
            at: MessageRef {
                index: 3,
                line: 3,
                from: Side::Phone
            },
            label: Label::DesktopReadKey
        }
    );
    assert_eq!(failure.partial.messages.len(), 2);
    // A logged traffic key that disagrees with the handshake.
    let bad = with_secret(&s, Label::DesktopWriteKey, vec![7; 32]);
    assert!(matches!(
        error(run(
            &bad,
            &[&all[..], &[Label::DesktopWriteKey]].concat(),
            &s.messages,
            false
        )),
        SessionError::LoggedKeyMismatch {
            label: Label::DesktopWriteKey,
            derived_from: "the handshake",
            ..
        }
    ));
}

#[test]
fn missing_labels_and_sessions_are_named() {
    let s = qr_new_v1();
    assert!(matches!(
        error(run(&s, &[Label::Psk], &s.messages, false)),
        SessionError::MissingKeys { .. }
    ));
    let keylog = KeyLog::default();
    let err = decrypt(Input {
        qr: None,
        tunnel_id: None,
        keylog: &keylog,
        messages: &s.messages,
        advert: None,
    });
    assert_eq!(
        err.unwrap_err().error,
        SessionError::NoTunnelId { sessions: 0 }
    );
    let err = decrypt(Input {
        qr: Some(&s.qr),
        tunnel_id: None,
        keylog: &keylog,
        messages: &s.messages,
        advert: None,
    });
    assert!(matches!(
        err.unwrap_err().error,
        SessionError::NoSession { .. }
    ));
}

#[test]
fn corrupted_truncated_and_reordered_messages_are_named() {
    let s = qr_new_v1();
    let labels = [DESKTOP_KEYS, &[Label::Psk]].concat();
    let mut flipped = s.messages.clone();
    *flipped[5].bytes.last_mut().unwrap() ^= 1;
    assert!(matches!(
        error(run(&s, &labels, &flipped, false)),
        SessionError::BadTag {
            at: MessageRef { index: 6, .. },
            sequence: 2
        }
    ));
    let mut cut = s.messages.clone();
    cut[1].bytes.truncate(40);
    assert!(matches!(
        error(run(&s, &labels, &cut, false)),
        SessionError::Truncated {
            at: MessageRef { index: 2, .. },
            len: 40,
            ..
        }
    ));
    let mut cut = s.messages.clone();
    cut[4].bytes.truncate(10);
    assert!(matches!(
        error(run(&s, &labels, &cut, false)),
        SessionError::Truncated {
            at: MessageRef { index: 5, .. },
            len: 10,
            ..
        }
    ));
    // The update and the CTAP response swapped: the response is phone message 2 of 3.
    let mut swapped = s.messages.clone();
    swapped.swap(3, 5);
    let failure = run(&s, &labels, &swapped, false).unwrap_err();
    assert_eq!(
        failure.error,
        SessionError::OutOfOrder {
            at: MessageRef {
                index: 4,
                line: 6,
                from: Side::Phone
            },
            expected: 1,
            found: 2
        }
    );
    assert_eq!(failure.partial.messages.len(), 3);
    // The phone's handshake message first.
    let mut first = s.messages.clone();
    first.swap(0, 1);
    assert!(matches!(
        error(run(&s, &labels, &first, false)),
        SessionError::Unexpected {
            at: MessageRef { index: 1, .. },
            ..
        }
    ));
}

#[test]
fn bad_padding_and_unknown_message_types_are_named() {
    let s = qr_new_v1();
    let keys: [u8; 32] = s
        .secrets
        .iter()
        .find(|(l, _)| *l == Label::DesktopWriteKey)
        .unwrap()
        .1
        .clone()
        .try_into()
        .unwrap();
    let read: [u8; 32] = s
        .secrets
        .iter()
        .find(|(l, _)| *l == Label::DesktopReadKey)
        .unwrap()
        .1
        .clone()
        .try_into()
        .unwrap();
    // The desktop's first transport message re-encrypted: padding count too large, then an
    // unknown type byte.
    let mut desktop = hybridsim_proto::crypter::Crypter::new(read, keys, Construction::New);
    let mut messages = s.messages[..4].to_vec();
    messages.push(WireMessage {
        from: Side::Desktop,
        bytes: desktop.encrypt_unpadded(&[1, 2, 40]).unwrap(),
        line: 5,
    });
    assert!(matches!(
        error(run(&s, TRAFFIC_KEYS, &messages, false)),
        SessionError::BadPadding {
            at: MessageRef { index: 5, .. },
            ..
        }
    ));
    let mut desktop = hybridsim_proto::crypter::Crypter::new(read, keys, Construction::New);
    messages[4].bytes = desktop.encrypt(&[9, 1]).unwrap();
    let err = error(run(&s, TRAFFIC_KEYS, &messages, false));
    assert!(
        matches!(&err, SessionError::Malformed { at: MessageRef { index: 5, .. }, detail } if detail.contains("unknown message type")),
        "{err}"
    );
}
