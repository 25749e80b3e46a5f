use super::*;
use crate::message::{Message, MessageType, ProtocolRevision};
use proptest::prelude::*;

fn key(hex_key: &serde_json::Value) -> [u8; 32] {
    hex::decode(hex_key.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn bytes(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn pair(a: u8, b: u8, c: Construction) -> (Crypter, Crypter) {
    (
        Crypter::new([a; 32], [b; 32], c),
        Crypter::new([b; 32], [a; 32], c),
    )
}

//= docs/protocol.md §12 crypter.json (webauthn-rs test::construction; Firefox Rust_NoiseChannelConsistency)
//= type=test
#[test]
fn known_answers_from_crypter_json() {
    let v = crate::test_vectors::load("crypter.json");
    let cases = v["vectors"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let source = &case["source"];
        let (read, write) = (key(&case["read_key_hex"]), key(&case["write_key_hex"]));
        let plaintext = case
            .get("frame_hex")
            .or_else(|| case.get("plaintext_hex"))
            .map(bytes)
            .unwrap();
        let expected = bytes(&case["ciphertext_hex"]);

        let mut sender = Crypter::new(read, write, Construction::New);
        assert_eq!(sender.write_sequence(), 0);
        let ciphertext = sender.encrypt(&plaintext).unwrap();
        assert_eq!(
            hex::encode(&ciphertext),
            hex::encode(&expected),
            "{name} {source}"
        );
        if let Some(padded) = case.get("padded_plaintext_hex") {
            assert_eq!(crate::padding::pad(&plaintext), bytes(padded), "{name}");
        }

        let mut receiver = Crypter::new(write, read, Construction::New);
        assert_eq!(receiver.decrypt(&expected).unwrap(), plaintext, "{name}");
        // A detecting receiver finds the new construction on its own.
        let mut detecting = Crypter::detecting(write, read);
        assert_eq!(detecting.decrypt(&expected).unwrap(), plaintext, "{name}");
        assert_eq!(detecting.construction(), Some(Construction::New), "{name}");
    }
}

#[test]
fn webauthn_rs_frame_is_a_ctap_make_credential() {
    let v = crate::test_vectors::load("crypter.json");
    let frame = bytes(&v["vectors"][0]["frame_hex"]);
    let message = Message::parse(&frame, ProtocolRevision::V1).unwrap();
    assert_eq!(message.message_type, MessageType::Ctap);
    let (command, _) = message.ctap_command().unwrap();
    assert_eq!(command, 0x01);
}

//= docs/protocol.md §12 crypter.json properties (Chromium CableV2HandshakeTest.MessageEncrytion)
//= type=test
#[test]
fn chromium_round_trip_every_length_and_bit_flips_fail() {
    let (mut a, mut b) = pair(1, 2, Construction::New);
    for len in 0..530usize {
        let message: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let ciphertext = a.encrypt(&message).unwrap();
        assert_eq!(
            ciphertext.len(),
            crate::padding::pad(&message).len() + TAG_LEN
        );
        // Every bit for a few lengths; elsewhere the first, the last and one that moves.
        let bits = ciphertext.len() * 8;
        let flips: Vec<usize> = if [0, 31, 32, 100].contains(&len) {
            (0..bits).collect()
        } else {
            vec![0, bits - 1, (len * 37) % bits]
        };
        for bit in flips {
            let mut corrupted = ciphertext.clone();
            corrupted[bit / 8] ^= 1 << (bit % 8);
            let mut probe = b.clone();
            assert!(probe.decrypt(&corrupted).is_err(), "len {len} bit {bit}");
            assert_eq!(probe.read_sequence(), b.read_sequence());
        }
        assert_eq!(b.decrypt(&ciphertext).unwrap(), message, "len {len}");
        // And the mirror direction.
        let reply = b.encrypt(&message).unwrap();
        assert_eq!(a.decrypt(&reply).unwrap(), message, "len {len}");
    }
    assert_eq!(a.write_sequence(), 530);
    assert_eq!(b.read_sequence(), 530);
}

#[test]
fn decrypting_the_same_ciphertext_twice_fails() {
    let (mut a, mut b) = pair(3, 4, Construction::New);
    let ciphertext = a.encrypt(b"hello").unwrap();
    assert_eq!(b.decrypt(&ciphertext).unwrap(), b"hello");
    assert_eq!(
        b.decrypt(&ciphertext),
        Err(CrypterError::Decrypt { sequence: 1 })
    );
}

#[test]
fn a_failed_decryption_does_not_advance_the_read_sequence() {
    let (mut a, mut b) = pair(3, 4, Construction::New);
    let first = a.encrypt(b"one").unwrap();
    let second = a.encrypt(b"two").unwrap();
    assert!(b.decrypt(&second).is_err());
    assert_eq!(b.read_sequence(), 0);
    assert_eq!(b.decrypt(&first).unwrap(), b"one");
    assert_eq!(b.decrypt(&second).unwrap(), b"two");
}

#[test]
fn constructions_differ_only_in_nonce_layout_and_associated_data() {
    assert_eq!(
        Construction::New.nonce(0x0102_0304),
        [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]
    );
    assert_eq!(
        Construction::Old.nonce(0x0102_0304),
        [4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(Construction::New.nonce(0), Construction::Old.nonce(0));
    assert_eq!(Construction::New.associated_data(), b"");
    assert_eq!(Construction::Old.associated_data(), [2]);
}

#[test]
fn old_construction_round_trips_and_is_not_new() {
    let (mut a, mut b) = pair(5, 6, Construction::Old);
    for i in 0..5u8 {
        let ciphertext = a.encrypt(&[i; 40]).unwrap();
        let mut as_new = Crypter::new([6; 32], [5; 32], Construction::New);
        as_new.read_sequence = b.read_sequence;
        assert!(as_new.decrypt(&ciphertext).is_err());
        assert_eq!(b.decrypt(&ciphertext).unwrap(), [i; 40]);
    }
}

#[test]
fn detection_picks_old_for_an_old_peer_and_locks_both_directions() {
    let mut old_peer = Crypter::new([7; 32], [8; 32], Construction::Old);
    let mut us = Crypter::detecting([8; 32], [7; 32]);
    assert_eq!(us.construction(), None);
    let first = old_peer.encrypt(b"post-handshake").unwrap();
    assert_eq!(us.decrypt(&first).unwrap(), b"post-handshake");
    assert_eq!(us.construction(), Some(Construction::Old));
    let reply = us.encrypt(b"request").unwrap();
    assert_eq!(old_peer.decrypt(&reply).unwrap(), b"request");
}

#[test]
fn detection_picks_new_for_a_new_peer_and_locks_both_directions() {
    let mut new_peer = Crypter::new([7; 32], [8; 32], Construction::New);
    let mut us = Crypter::detecting([8; 32], [7; 32]);
    let first = new_peer.encrypt(b"post-handshake").unwrap();
    let second = new_peer.encrypt(b"update").unwrap();
    assert_eq!(us.decrypt(&first).unwrap(), b"post-handshake");
    assert_eq!(us.construction(), Some(Construction::New));
    assert_eq!(us.decrypt(&second).unwrap(), b"update");
    let reply = us.encrypt(b"request").unwrap();
    assert_eq!(new_peer.decrypt(&reply).unwrap(), b"request");
}

#[test]
fn detection_stays_open_when_nothing_decrypts() {
    let mut us = Crypter::detecting([8; 32], [7; 32]);
    let mut stranger = Crypter::new([1; 32], [2; 32], Construction::New);
    let junk = stranger.encrypt(b"x").unwrap();
    assert_eq!(
        us.decrypt(&junk),
        Err(CrypterError::Decrypt { sequence: 0 })
    );
    assert_eq!(us.construction(), None);
    let mut peer = Crypter::new([7; 32], [8; 32], Construction::New);
    assert_eq!(us.decrypt(&peer.encrypt(b"ok").unwrap()).unwrap(), b"ok");
    assert_eq!(us.construction(), Some(Construction::New));
}

#[test]
fn sequence_numbers_stop_at_two_to_the_24() {
    let (mut a, mut b) = pair(9, 10, Construction::New);
    a.write_sequence = MAX_SEQUENCE;
    b.read_sequence = MAX_SEQUENCE;
    let last = a.encrypt(b"last").unwrap();
    assert_eq!(b.decrypt(&last).unwrap(), b"last");
    assert_eq!(
        a.encrypt(b"one too many"),
        Err(CrypterError::SequenceExhausted {
            direction: Direction::Write,
            sequence: MAX_SEQUENCE + 1
        })
    );
    assert_eq!(
        b.decrypt(&last),
        Err(CrypterError::SequenceExhausted {
            direction: Direction::Read,
            sequence: MAX_SEQUENCE + 1
        })
    );
    assert_eq!(
        b.decrypt(&last).unwrap_err().to_string(),
        "read sequence number 16777216 is past the limit of 2^24 - 1"
    );
}

#[test]
fn bad_padding_after_a_good_tag_is_reported_and_consumes_the_sequence_number() {
    let (mut a, mut b) = pair(11, 12, Construction::New);
    let ciphertext = a.encrypt_unpadded(&[1, 2, 9]).unwrap();
    assert_eq!(
        b.decrypt(&ciphertext),
        Err(CrypterError::Padding {
            sequence: 0,
            source: PaddingError::CountTooLarge { count: 9, len: 3 }
        })
    );
    assert_eq!(b.read_sequence(), 1);
}

#[test]
fn short_and_empty_ciphertexts_are_refused() {
    let (_, mut b) = pair(11, 12, Construction::New);
    for len in 0..TAG_LEN {
        assert_eq!(
            b.decrypt(&vec![0; len]),
            Err(CrypterError::Decrypt { sequence: 0 })
        );
    }
}

#[test]
fn debug_output_leaves_the_keys_out() {
    let c = Crypter::new([0xab; 32], [0xcd; 32], Construction::New);
    let shown = format!("{c:?}");
    assert!(!shown.contains("171"), "{shown}");
    assert!(shown.contains("write_sequence"));
}

proptest! {
    #[test]
    fn crypter_round_trips(
        messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..6),
        old in any::<bool>(),
    ) {
        let c = if old { Construction::Old } else { Construction::New };
        let (mut a, mut b) = pair(13, 14, c);
        for m in &messages {
            let ciphertext = a.encrypt(m).unwrap();
            prop_assert_eq!(&b.decrypt(&ciphertext).unwrap(), m);
        }
    }

    #[test]
    fn decrypt_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut c = Crypter::detecting([1; 32], [2; 32]);
        let _ = c.decrypt(&bytes);
    }
}
