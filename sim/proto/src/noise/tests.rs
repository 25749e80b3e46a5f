use super::spec_model::{self, Inputs, Transcript};
use super::*;

const PSK: [u8; 32] = [0x70; 32];
const DESKTOP_STATIC: [u8; 32] = [0x11; 32];
const PHONE_STATIC: [u8; 32] = [0x22; 32];
const DESKTOP_EPHEMERAL: [u8; 32] = [0x33; 32];
const PHONE_EPHEMERAL: [u8; 32] = [0x44; 32];

fn spec(kind: HandshakeKind) -> Inputs {
    let qr = kind == HandshakeKind::QrInitiated;
    Inputs {
        known_initiator: qr,
        prologue: kind.prologue().to_vec(),
        psk: PSK,
        static_private: if qr { DESKTOP_STATIC } else { PHONE_STATIC },
        desktop_ephemeral: DESKTOP_EPHEMERAL,
        phone_ephemeral: PHONE_EPHEMERAL,
        payload_1: vec![],
    }
}

fn initiator(kind: HandshakeKind) -> Initiator {
    match kind {
        HandshakeKind::QrInitiated => {
            Initiator::qr_initiated(&PSK, &DESKTOP_STATIC, &DESKTOP_EPHEMERAL).unwrap()
        }
        HandshakeKind::Linked => {
            let phone_public = keys::public_of(&PHONE_STATIC).unwrap();
            Initiator::linked(&PSK, &phone_public, &DESKTOP_EPHEMERAL).unwrap()
        }
    }
}

fn responder_with_psk(kind: HandshakeKind, psk: &[u8; 32]) -> Responder {
    match kind {
        HandshakeKind::QrInitiated => {
            let desktop_public = keys::public_of(&DESKTOP_STATIC).unwrap();
            Responder::qr_initiated(psk, &desktop_public, &PHONE_EPHEMERAL).unwrap()
        }
        HandshakeKind::Linked => Responder::linked(psk, &PHONE_STATIC, &PHONE_EPHEMERAL).unwrap(),
    }
}

fn responder(kind: HandshakeKind) -> Responder {
    responder_with_psk(kind, &PSK)
}

struct Run {
    message_1: [u8; 81],
    message_2: [u8; 81],
    desktop: HandshakeDone,
    phone: HandshakeDone,
}

fn run(kind: HandshakeKind) -> Run {
    let (message_1, awaiting) = initiator(kind).write_message_1().unwrap();
    let ready = responder(kind).read_message_1(&message_1).unwrap();
    let (message_2, phone) = ready.write_message_2().unwrap();
    let desktop = awaiting.read_message_2(&message_2).unwrap();
    Run {
        message_1,
        message_2,
        desktop,
        phone,
    }
}

fn assert_matches_spec(kind: HandshakeKind, run: &Run, spec: &Transcript) {
    assert_eq!(
        hex::encode(run.message_1),
        hex::encode(&spec.message_1),
        "{kind:?} message 1"
    );
    assert_eq!(
        hex::encode(run.message_2),
        hex::encode(&spec.message_2),
        "{kind:?} message 2"
    );
    assert_eq!(
        run.desktop.handshake_hash, spec.handshake_hash,
        "{kind:?} desktop h"
    );
    assert_eq!(
        run.phone.handshake_hash, spec.handshake_hash,
        "{kind:?} phone h"
    );
    assert_eq!(run.desktop.write_key, spec.k1, "{kind:?} desktop write");
    assert_eq!(run.desktop.read_key, spec.k2, "{kind:?} desktop read");
    assert_eq!(run.phone.read_key, spec.k1, "{kind:?} phone read");
    assert_eq!(run.phone.write_key, spec.k2, "{kind:?} phone write");
}

//= docs/protocol.md §6.2, §6.4 (KNpsk0, prologue 01) against an implementation from the Noise spec
//= type=test
#[test]
fn qr_initiated_handshake_matches_the_spec_model_byte_for_byte() {
    let kind = HandshakeKind::QrInitiated;
    let r = run(kind);
    assert_matches_spec(kind, &r, &spec_model::run(&spec(kind)));
    assert_eq!(r.desktop.kind, kind);
}

//= docs/protocol.md §6.3, §6.4 (NKpsk0, prologue 00) against an implementation from the Noise spec
//= type=test
#[test]
fn linked_handshake_matches_the_spec_model_byte_for_byte() {
    let kind = HandshakeKind::Linked;
    let r = run(kind);
    assert_matches_spec(kind, &r, &spec_model::run(&spec(kind)));
}

#[test]
fn the_two_kinds_give_different_transcripts_and_keys() {
    let qr = run(HandshakeKind::QrInitiated);
    let linked = run(HandshakeKind::Linked);
    // Same ephemeral key, so message 1 starts the same; everything after differs.
    assert_eq!(qr.message_1[..65], linked.message_1[..65]);
    assert_ne!(qr.message_1[65..], linked.message_1[65..]);
    assert_ne!(qr.desktop.handshake_hash, linked.desktop.handshake_hash);
    assert_ne!(qr.desktop.write_key, linked.desktop.write_key);
}

#[test]
fn both_sides_get_mirrored_crypters() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        let r = run(kind);
        assert_eq!(r.desktop.read_key, r.phone.write_key);
        assert_eq!(r.desktop.write_key, r.phone.read_key);
        let (mut desktop, mut phone) = (r.desktop.crypter(), r.phone.crypter());
        let ciphertext = phone.encrypt(b"post-handshake").unwrap();
        assert_eq!(desktop.decrypt(&ciphertext).unwrap(), b"post-handshake");
        let ciphertext = desktop.encrypt(b"request").unwrap();
        assert_eq!(phone.decrypt(&ciphertext).unwrap(), b"request");
    }
}

#[test]
fn phone_may_know_the_desktop_key_compressed_as_in_the_qr_code() {
    let kind = HandshakeKind::QrInitiated;
    let compressed = keys::compressed(&keys::public_of(&DESKTOP_STATIC).unwrap()).unwrap();
    let (message_1, awaiting) = initiator(kind).write_message_1().unwrap();
    let phone = Responder::qr_initiated(&PSK, &compressed, &PHONE_EPHEMERAL).unwrap();
    let (message_2, phone_done) = phone
        .read_message_1(&message_1)
        .unwrap()
        .write_message_2()
        .unwrap();
    let desktop_done = awaiting.read_message_2(&message_2).unwrap();
    assert_eq!(desktop_done.handshake_hash, phone_done.handshake_hash);
    assert_eq!(
        desktop_done.handshake_hash,
        run(kind).desktop.handshake_hash
    );
}

#[test]
fn wrong_psk_fails_the_tag_of_message_1() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        let (message_1, _) = initiator(kind).write_message_1().unwrap();
        let err = responder_with_psk(kind, &[0x71; 32])
            .read_message_1(&message_1)
            .unwrap_err();
        assert_eq!(err, NoiseError::BadTag { message: 1 }, "{kind:?}");
    }
}

#[test]
fn wrong_prologue_fails_the_tag_of_message_1() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        let mut inputs = spec(kind);
        inputs.prologue = vec![inputs.prologue[0] ^ 1];
        let message_1 = spec_model::run(&inputs).message_1;
        let err = responder(kind).read_message_1(&message_1).unwrap_err();
        assert_eq!(err, NoiseError::BadTag { message: 1 }, "{kind:?}");
    }
}

#[test]
fn message_1_of_the_other_kind_is_refused() {
    let (qr_message, _) = initiator(HandshakeKind::QrInitiated)
        .write_message_1()
        .unwrap();
    let (linked_message, _) = initiator(HandshakeKind::Linked).write_message_1().unwrap();
    assert_eq!(
        responder(HandshakeKind::Linked)
            .read_message_1(&qr_message)
            .unwrap_err(),
        NoiseError::BadTag { message: 1 }
    );
    assert_eq!(
        responder(HandshakeKind::QrInitiated)
            .read_message_1(&linked_message)
            .unwrap_err(),
        NoiseError::BadTag { message: 1 }
    );
}

//= docs/protocol.md §6.2 "the phone requires ≥ 65 bytes and a valid tag over an empty payload"
//= type=test
#[test]
fn phone_applies_chromium_length_rules_to_message_1() {
    let kind = HandshakeKind::QrInitiated;
    let (message_1, _) = initiator(kind).write_message_1().unwrap();
    assert_eq!(
        responder(kind)
            .read_message_1(&message_1[..64])
            .unwrap_err(),
        NoiseError::Message1TooShort { len: 64 }
    );
    for len in [65, 70, 80] {
        assert_eq!(
            responder(kind)
                .read_message_1(&message_1[..len])
                .unwrap_err(),
            NoiseError::BadTag { message: 1 },
            "len {len}"
        );
    }
    let mut longer = message_1.to_vec();
    longer.push(0);
    assert_eq!(
        responder(kind).read_message_1(&longer).unwrap_err(),
        NoiseError::BadTag { message: 1 }
    );
    // A message 1 with a valid tag over a non-empty payload is refused for the payload.
    let mut inputs = spec(kind);
    inputs.payload_1 = b"hi".to_vec();
    let with_payload = spec_model::run(&inputs).message_1;
    assert_eq!(with_payload.len(), 83);
    assert_eq!(
        responder(kind).read_message_1(&with_payload).unwrap_err(),
        NoiseError::UnexpectedPayload { len: 2 }
    );
}

#[test]
fn bad_points_in_message_1_are_refused() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        let (mut message_1, _) = initiator(kind).write_message_1().unwrap();
        message_1[1..65].fill(0);
        let err = responder(kind).read_message_1(&message_1).unwrap_err();
        // NKpsk0 does es before the tag and meets the bad point first; KNpsk0 meets the tag.
        let expected = match kind {
            HandshakeKind::QrInitiated => NoiseError::BadTag { message: 1 },
            HandshakeKind::Linked => NoiseError::BadPoint { message: 1 },
        };
        assert_eq!(err, expected, "{kind:?}");
    }
    // With a valid tag (KNpsk0 lets a sender who knows the PSK make one for any bytes), the
    // phone still refuses the point, as Chromium does at its ee step.
    let mut point = [0u8; 65];
    point[0] = 4;
    let forged =
        spec_model::known_initiator_message_1_with_point(&spec(HandshakeKind::QrInitiated), &point);
    assert_eq!(
        responder(HandshakeKind::QrInitiated)
            .read_message_1(&forged)
            .unwrap_err(),
        NoiseError::BadPoint { message: 1 }
    );
}

#[test]
fn corrupted_message_2_is_refused_by_the_desktop() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        let r = run(kind);
        for (index, expected) in [
            (80, NoiseError::BadTag { message: 2 }),
            (70, NoiseError::BadTag { message: 2 }),
        ] {
            let (_, awaiting) = initiator(kind).write_message_1().unwrap();
            let mut corrupted = r.message_2;
            corrupted[index] ^= 0x80;
            assert_eq!(awaiting.read_message_2(&corrupted).unwrap_err(), expected);
        }
        let (_, awaiting) = initiator(kind).write_message_1().unwrap();
        let mut off_curve = r.message_2;
        off_curve[1..65].fill(0);
        assert_eq!(
            awaiting.read_message_2(&off_curve).unwrap_err(),
            NoiseError::BadPoint { message: 2 }
        );
    }
}

//= docs/protocol.md §6.2 "Desktop rejects a response whose length is not exactly 81 (kResponseSize)"
//= type=test
#[test]
fn desktop_requires_exactly_81_bytes_for_message_2() {
    let kind = HandshakeKind::QrInitiated;
    let r = run(kind);
    let mut longer = r.message_2.to_vec();
    longer.push(0);
    for candidate in [&r.message_2[..80], &longer[..], &[][..]] {
        let (_, awaiting) = initiator(kind).write_message_1().unwrap();
        assert_eq!(
            awaiting.read_message_2(candidate).unwrap_err(),
            NoiseError::Message2Length {
                len: candidate.len()
            }
        );
    }
    let e = NoiseError::Message2Length { len: 80 };
    assert_eq!(
        e.to_string(),
        "handshake message 2 is 80 bytes; the desktop requires exactly 81"
    );
}

#[test]
fn invalid_keys_are_refused_before_snow_sees_them() {
    let zero = [0u8; 32];
    let high = [0xffu8; 32];
    assert_eq!(
        Initiator::qr_initiated(&PSK, &zero, &DESKTOP_EPHEMERAL).unwrap_err(),
        NoiseError::Key {
            role: KeyRole::LocalStatic,
            source: KeyError::InvalidScalar
        }
    );
    assert_eq!(
        Initiator::qr_initiated(&PSK, &DESKTOP_STATIC, &high).unwrap_err(),
        NoiseError::Key {
            role: KeyRole::Ephemeral,
            source: KeyError::InvalidScalar
        }
    );
    assert_eq!(
        Responder::linked(&PSK, &high, &PHONE_EPHEMERAL).unwrap_err(),
        NoiseError::Key {
            role: KeyRole::LocalStatic,
            source: KeyError::InvalidScalar
        }
    );
    let e = Initiator::linked(&PSK, &[4; 64], &DESKTOP_EPHEMERAL).unwrap_err();
    assert_eq!(
        e,
        NoiseError::Key {
            role: KeyRole::PeerStatic,
            source: KeyError::PublicKeyLength(64)
        }
    );
    assert_eq!(
        e.to_string(),
        "peer static public key: public key is 64 bytes; expected 33 (compressed) or 65 (uncompressed)"
    );
    let mut off_curve = keys::public_of(&DESKTOP_STATIC).unwrap();
    off_curve[64] ^= 1;
    assert_eq!(
        Responder::qr_initiated(&PSK, &off_curve, &PHONE_EPHEMERAL).unwrap_err(),
        NoiseError::Key {
            role: KeyRole::PeerStatic,
            source: KeyError::NotOnCurve
        }
    );
}

#[test]
fn protocol_names_are_31_characters() {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        assert_eq!(kind.protocol_name().len(), 31);
    }
    assert_eq!(HandshakeKind::QrInitiated.prologue(), [1]);
    assert_eq!(HandshakeKind::Linked.prologue(), [0]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn scalar() -> impl Strategy<Value = [u8; 32]> {
        any::<[u8; 32]>().prop_map(|seed| keys::private_from_seed(&seed))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn any_keys_agree_with_the_spec_model(
            psk in any::<[u8; 32]>(),
            statik in scalar(),
            e_desktop in scalar(),
            e_phone in scalar(),
            qr in any::<bool>(),
        ) {
            let kind = if qr { HandshakeKind::QrInitiated } else { HandshakeKind::Linked };
            let (initiator, responder) = if qr {
                (Initiator::qr_initiated(&psk, &statik, &e_desktop).unwrap(),
                 Responder::qr_initiated(&psk, &keys::public_of(&statik).unwrap(), &e_phone).unwrap())
            } else {
                (Initiator::linked(&psk, &keys::public_of(&statik).unwrap(), &e_desktop).unwrap(),
                 Responder::linked(&psk, &statik, &e_phone).unwrap())
            };
            let (m1, awaiting) = initiator.write_message_1().unwrap();
            let (m2, phone) = responder.read_message_1(&m1).unwrap().write_message_2().unwrap();
            let desktop = awaiting.read_message_2(&m2).unwrap();
            let spec = spec_model::run(&Inputs {
                known_initiator: qr,
                prologue: kind.prologue().to_vec(),
                psk,
                static_private: statik,
                desktop_ephemeral: e_desktop,
                phone_ephemeral: e_phone,
                payload_1: vec![],
            });
            prop_assert_eq!(m1.to_vec(), spec.message_1);
            prop_assert_eq!(m2.to_vec(), spec.message_2);
            prop_assert_eq!(desktop.handshake_hash, spec.handshake_hash);
            prop_assert_eq!(phone.handshake_hash, spec.handshake_hash);
            prop_assert_eq!((desktop.write_key, desktop.read_key), (spec.k1, spec.k2));
            prop_assert_eq!((phone.read_key, phone.write_key), (spec.k1, spec.k2));
        }

        #[test]
        fn handshake_readers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
                let _ = responder(kind).read_message_1(&bytes);
                let (_, awaiting) = initiator(kind).write_message_1().unwrap();
                let _ = awaiting.read_message_2(&bytes);
            }
        }
    }
}
