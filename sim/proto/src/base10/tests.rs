use super::*;
use crate::test_vectors::load;
use proptest::prelude::*;

#[test]
fn encode_decode_vectors() {
    let v = load("base10.json");
    for case in v["encode_decode"].as_array().unwrap() {
        let bytes = hex::decode(case["bytes_hex"].as_str().unwrap()).unwrap();
        let digits = case["digits"].as_str().unwrap();
        assert_eq!(encode(&bytes), digits);
        assert_eq!(decode(digits).unwrap(), bytes);
    }
}

#[test]
fn zero_length_vectors() {
    let v = load("base10.json");
    for pair in v["zero_lengths"]["pairs"].as_array().unwrap() {
        let n = pair["bytes"].as_u64().unwrap() as usize;
        let d = pair["digits"].as_u64().unwrap() as usize;
        assert_eq!(encode(&vec![0; n]), "0".repeat(d));
        assert_eq!(decode(&"0".repeat(d)).unwrap(), vec![0; n]);
    }
}

#[test]
fn must_fail_vectors_fail_for_the_stated_reason() {
    let v = load("base10.json");
    for group in v["decode_must_fail"].as_array().unwrap() {
        for case in group["cases"].as_array().unwrap() {
            let digits = case["digits"].as_str().unwrap();
            let err = decode(digits).unwrap_err();
            let kind = match err {
                Base10Error::NotADigit { .. } => "ContainsNonDigitChars",
                Base10Error::InvalidLength { .. } => "InvalidLength",
                Base10Error::OutOfRange { .. } => "OutOfRange",
            };
            if let Some(expected) = case["error"].as_str() {
                assert_eq!(kind, expected, "{digits:?}");
            }
        }
    }
}

#[test]
fn errors_say_where() {
    assert_eq!(
        decode("12x").unwrap_err().to_string(),
        "character 2: 'x' is not a digit 0-9"
    );
    let seventeen_nines = "9".repeat(17);
    assert_eq!(
        decode(&format!("{}{seventeen_nines}", "0".repeat(17)))
            .unwrap_err()
            .to_string(),
        "digit group 1: value 99999999999999999 exceeds 7 byte(s)"
    );
}

#[test]
fn largest_values_per_width_round_trip() {
    for n in 1..=7 {
        let bytes = vec![0xff; n];
        assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
    }
}

proptest! {
    #[test]
    fn decode_inverts_encode(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
    }

    #[test]
    fn decode_never_panics(s in "\\PC{0,60}") {
        let _ = decode(&s);
    }
}
