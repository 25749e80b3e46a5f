use super::*;
use crate::cbor::int_map;
use proptest::prelude::*;

#[test]
fn pad_rounds_length_plus_one_up_to_32() {
    assert_eq!(pad(&[]), [vec![0u8; 31], vec![31]].concat());
    assert_eq!(pad(&[7; 31]), [vec![7u8; 31], vec![0]].concat());
    assert_eq!(pad(&[7; 32]).len(), 64);
    assert_eq!(*pad(&[7; 32]).last().unwrap(), 31);
    for len in 0..200 {
        let padded = pad(&vec![0xaa; len]);
        assert_eq!(padded.len() % PADDING_GRANULARITY, 0, "len {len}");
        assert!(padded.len() > len);
        assert!(padded.len() - len <= PADDING_GRANULARITY);
    }
}

#[test]
fn unpad_follows_chromium_and_ignores_the_padding_bytes() {
    assert_eq!(unpad(&[]), Err(PaddingError::Empty));
    assert_eq!(unpad(&[0]), Ok(&[][..]));
    assert_eq!(unpad(&[1, 2, 3, 0]), Ok(&[1, 2, 3][..]));
    // Non-zero padding and a length that is not a multiple of 32 are accepted.
    assert_eq!(unpad(&[1, 9, 9, 2]), Ok(&[1][..]));
    assert_eq!(
        unpad(&[1, 2, 3]),
        Err(PaddingError::CountTooLarge { count: 3, len: 3 })
    );
    // libwebauthn frames: type byte in front of an already padded payload (32k + 1 bytes).
    let mut frame = vec![1u8];
    frame.extend(pad(&[0x04]));
    assert_eq!(frame.len(), 33);
    assert_eq!(unpad(&frame), Ok(&[1, 4][..]));
}

#[test]
fn padding_errors_say_what_is_wrong() {
    let e = unpad(&[5, 5]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "padding count 5 needs 6 bytes but the message has 2"
    );
}

//= docs/protocol.md §12 padded_cbor.json (Chromium CableV2Encoding.PaddedCBOR)
//= type=test
#[test]
fn padded_map_facts_from_chromium() {
    let v = crate::test_vectors::load("padded_cbor.json");
    let lengths: Vec<u64> = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["encoded_length"].as_u64().unwrap())
        .collect();
    assert_eq!(lengths, [512, 1024]);

    let empty = Value::Map(vec![]);
    let encoded = encode_padded_map(&empty);
    assert_eq!(encoded.len(), 512);
    assert_eq!(
        decode_padded_map(&encoded),
        Ok((empty, PaddedMapFormat::SixteenBit))
    );

    let big = int_map([(1, Value::Bytes(vec![0; 512]))]);
    let encoded = encode_padded_map(&big);
    assert_eq!(encoded.len(), 1024);
    let (decoded, format) = decode_padded_map(&encoded).unwrap();
    assert_eq!(format, PaddedMapFormat::SixteenBit);
    let Value::Map(entries) = &decoded else {
        panic!("not a map")
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(decoded, big);
}

#[test]
fn sixteen_bit_trailer_is_little_endian_count_of_zeros() {
    let encoded = encode_padded_map(&Value::Map(vec![]));
    // a0 ‖ 509 zeros ‖ LE16(509)
    assert_eq!(encoded.first(), Some(&0xa0));
    assert_eq!(&encoded[510..], &509u16.to_le_bytes());
    assert!(encoded[1..510].iter().all(|&b| b == 0));
}

//= docs/protocol.md §7.3 padded_cbor.json old_format_fact (Chromium CableV2Encoding.OldPaddedCBOR)
//= type=test
#[test]
fn every_old_format_map_up_to_511_bytes_decodes() {
    for i in 0..511 {
        let map = int_map([(1, Value::Bytes(vec![0; i]))]);
        let cbor_len = crate::cbor::encode_canonical(&map).len();
        let encoded = encode_padded_map_old(&map);
        assert_eq!(encoded.len() % OLD_PADDED_MAP_GRANULARITY, 0, "i = {i}");
        let last = usize::from(*encoded.last().unwrap());
        assert_eq!(last, encoded.len() - cbor_len - 1, "i = {i}");
        let (decoded, _) = decode_padded_map(&encoded).unwrap_or_else(|e| panic!("i = {i}: {e}"));
        assert_eq!(decoded, map, "i = {i}");
    }
}

#[test]
fn old_format_is_reported_when_the_16_bit_reading_fails() {
    let map = int_map([(1, Value::Bytes(vec![0; 3]))]);
    let (_, format) = decode_padded_map(&encode_padded_map_old(&map)).unwrap();
    assert_eq!(format, PaddedMapFormat::EightBit);
}

#[test]
fn padded_map_errors_explain_both_attempts() {
    let e = decode_padded_map(&[]).unwrap_err();
    assert_eq!(e.sixteen_bit, PaddedMapAttemptError::TooShort { len: 0 });
    assert_eq!(e.eight_bit, PaddedMapAttemptError::TooShort { len: 0 });

    // A padded integer instead of a map.
    let e = decode_padded_map(&encode_padded_map(&Value::Integer(5.into()))).unwrap_err();
    assert_eq!(e.sixteen_bit, PaddedMapAttemptError::NotAMap("an integer"));
    assert!(e.to_string().starts_with(
        "not a padded CBOR map: as the 16-bit format, expected a map, found an integer;"
    ));

    let e = decode_padded_map(&[0xa0, 0xff, 0xff]).unwrap_err();
    assert_eq!(
        e.sixteen_bit,
        PaddedMapAttemptError::CountTooLarge {
            count: 0xffff,
            len: 3
        }
    );
}

fn small_map() -> impl Strategy<Value = Value> {
    prop::collection::vec((0i64..30, prop::collection::vec(any::<u8>(), 0..600)), 0..4).prop_map(
        |entries| {
            let mut keys = std::collections::BTreeSet::new();
            int_map(
                entries
                    .into_iter()
                    .filter(|(k, _)| keys.insert(*k))
                    .map(|(k, v)| (k, Value::Bytes(v))),
            )
        },
    )
}

proptest! {
    #[test]
    fn unpad_inverts_pad(message in prop::collection::vec(any::<u8>(), 0..600)) {
        let padded = pad(&message);
        prop_assert_eq!(unpad(&padded), Ok(&message[..]));
    }

    #[test]
    fn padded_maps_round_trip_in_both_formats(map in small_map()) {
        let canonical = crate::cbor::decode(
            &crate::cbor::encode_canonical(&map), Strictness::Canonical).unwrap();
        let (decoded, format) = decode_padded_map(&encode_padded_map(&map)).unwrap();
        prop_assert_eq!(&decoded, &canonical);
        prop_assert_eq!(format, PaddedMapFormat::SixteenBit);
        let (decoded, _) = decode_padded_map(&encode_padded_map_old(&map)).unwrap();
        prop_assert_eq!(&decoded, &canonical);
    }

    #[test]
    fn padding_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1100)) {
        let _ = unpad(&bytes);
        let _ = decode_padded_map(&bytes);
    }
}
