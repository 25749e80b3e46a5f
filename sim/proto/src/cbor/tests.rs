use super::*;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn err(input: &str, strictness: Strictness) -> CborError {
    decode(&hex(input), strictness).unwrap_err()
}

#[test]
fn canonical_order_is_major_type_then_length_then_bytes() {
    // CTAP 2.2 §8 canonical order: for these keys it differs from RFC 7049 length-first order.
    let keys: Vec<i64> = vec![256, -25, 24, -24, 23, 255, 0];
    let map = Value::Map(
        keys.iter()
            .map(|k| (Value::Integer((*k).into()), Value::Null))
            .collect(),
    );
    let Value::Map(sorted) = decode(&encode_canonical(&map), Strictness::Canonical).unwrap() else {
        panic!("not a map");
    };
    let order: Vec<i128> = sorted
        .iter()
        .map(|(k, _)| i128::from(k.as_integer().unwrap()))
        .collect();
    assert_eq!(order, vec![0, 23, 24, 255, 256, -24, -25]);
}

#[test]
fn text_keys_sort_shorter_first() {
    let map = Value::Map(
        ["clientPin", "plat", "rk", "up", "uv"]
            .iter()
            .map(|k| (Value::Text((*k).into()), Value::Bool(true)))
            .collect(),
    );
    let bytes = encode_canonical(&map);
    let Value::Map(sorted) = decode(&bytes, Strictness::Canonical).unwrap() else {
        panic!("not a map");
    };
    let order: Vec<&str> = sorted.iter().map(|(k, _)| k.as_text().unwrap()).collect();
    assert_eq!(order, vec!["rk", "up", "uv", "plat", "clientPin"]);
}

#[test]
fn real_chrome_qr_cbor_round_trips_byte_for_byte() {
    // derived_crosschecks.json chrome_2022: canonical as produced by Chrome.
    let bytes = hex("a600582103dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea0150871bcec9c1227f91ccb86c9ffacd9eac0202031a6356217b04f505626d63");
    let value = decode(&bytes, Strictness::Canonical).unwrap();
    assert_eq!(encode_canonical(&value), bytes);
}

#[test]
fn refusals_name_the_problem_and_the_offset() {
    use CborErrorKind::*;
    let cases: &[(&str, usize, CborErrorKind)] = &[
        ("", 0, UnexpectedEnd { needed: 1 }),
        ("1817", 0, NonMinimalEncoding),
        ("190017", 0, NonMinimalEncoding),
        ("a20100", 1, UnexpectedEnd { needed: 2 }),
        ("a1", 1, UnexpectedEnd { needed: 2 }),
        ("a1010000", 3, TrailingBytes { count: 1 }),
        ("a202000100", 3, KeysOutOfOrder),
        ("a201000100", 3, DuplicateKey),
        ("5f4100ff", 0, IndefiniteLength),
        ("1c", 0, ReservedAdditionalInfo(28)),
        ("62c328", 0, InvalidUtf8),
        ("c11a00000000", 0, TagNotAllowed(1)),
        ("f93c00", 0, FloatNotAllowed),
        ("f7", 0, UnsupportedSimpleValue(23)),
        ("0000", 1, TrailingBytes { count: 1 }),
        ("5818", 2, UnexpectedEnd { needed: 24 }),
        ("5a00000010", 0, NonMinimalEncoding),
    ];
    for (input, offset, kind) in cases {
        let e = err(input, Strictness::Canonical);
        assert_eq!((e.offset, &e.kind), (*offset, kind), "input {input}");
    }
}

#[test]
fn huge_declared_counts_are_refused_before_allocation() {
    let e = err("9b7fffffffffffffff", Strictness::WellFormed);
    assert!(matches!(e.kind, CborErrorKind::UnexpectedEnd { .. }));
    let e = err("bb7fffffffffffffff", Strictness::WellFormed);
    assert!(matches!(e.kind, CborErrorKind::UnexpectedEnd { .. }));
}

#[test]
fn nesting_is_bounded() {
    let deep = "81".repeat(MAX_DEPTH) + "00";
    assert!(decode(&hex(&deep), Strictness::Canonical).is_ok());
    let too_deep = "81".repeat(MAX_DEPTH + 1) + "00";
    assert_eq!(
        err(&too_deep, Strictness::Canonical).kind,
        CborErrorKind::TooDeep
    );
}

#[test]
fn well_formed_mode_accepts_what_canonical_refuses_except_duplicates() {
    for input in ["1817", "a202000100", "c11a00000000", "f93c00"] {
        assert!(
            decode(&hex(input), Strictness::WellFormed).is_ok(),
            "{input}"
        );
    }
    assert_eq!(
        err("a201000100", Strictness::WellFormed).kind,
        CborErrorKind::DuplicateKey
    );
    assert_eq!(
        decode(&hex("f93c00"), Strictness::WellFormed).unwrap(),
        Value::Float(1.0)
    );
}

#[test]
fn negative_integers_cover_the_full_range() {
    let v = decode(&hex("3bffffffffffffffff"), Strictness::Canonical).unwrap();
    assert_eq!(i128::from(v.as_integer().unwrap()), -(1i128 << 64));
}

#[test]
fn map_helpers_find_keys() {
    let m = int_map([(1, Value::Bool(true)), (-1, Value::Text("x".into()))]);
    assert_eq!(map_get(&m, -1), Some(&Value::Text("x".into())));
    assert_eq!(map_get(&m, 2), None);
    assert_eq!(map_get(&Value::Null, 1), None);
    let t = Value::Map(vec![(Value::Text("up".into()), Value::Bool(false))]);
    assert_eq!(map_get_text(&t, "up"), Some(&Value::Bool(false)));
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|i| Value::Integer(i.into())),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        ".{0,20}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(any::<i32>(), inner.clone(), 0..8).prop_map(|m| {
                Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Value::Integer(k.into()), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #[test]
    fn canonical_encoding_decodes_strictly_and_re_encodes_identically(v in arb_value()) {
        let bytes = encode_canonical(&v);
        let back = decode(&bytes, Strictness::Canonical).unwrap();
        prop_assert_eq!(encode_canonical(&back), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode(&bytes, Strictness::Canonical);
        let _ = decode(&bytes, Strictness::WellFormed);
    }
}
