use super::*;
use proptest::prelude::*;

const CHALLENGE: &[u8; 32] = b"hybridsim-challenge-0123456789ab";

#[test]
fn create_is_serialised_exactly_as_browsers_do() {
    let data = CollectedClientData::new(TYPE_CREATE, CHALLENGE, "https://login.example");
    // Written by hand from WebAuthn L3 §5.8.1.1; the challenge is base64url("hybridsim-challenge-0123456789ab").
    let expected = r#"{"type":"webauthn.create","challenge":"aHlicmlkc2ltLWNoYWxsZW5nZS0wMTIzNDU2Nzg5YWI","origin":"https://login.example","crossOrigin":false}"#;
    assert_eq!(String::from_utf8(data.to_json()).unwrap(), expected);
}

#[test]
fn cross_origin_get_with_top_origin_and_extra_members() {
    let mut data = CollectedClientData::new(TYPE_GET, &[0xfb, 0xff], "https://login.example");
    data.cross_origin = Some(true);
    data.top_origin = Some("https://shop.example".into());
    data.extra.push((
        "other_keys_can_be_added_here".into(),
        Value::String(
            "do not compare clientDataJSON against a template. See https://goo.gl/yabPex".into(),
        ),
    ));
    let expected = concat!(
        r#"{"type":"webauthn.get","challenge":"-_8","origin":"https://login.example","crossOrigin":true,"#,
        r#""topOrigin":"https://shop.example","other_keys_can_be_added_here":"do not compare clientDataJSON against a template. See https://goo.gl/yabPex"}"#
    );
    assert_eq!(String::from_utf8(data.to_json()).unwrap(), expected);
}

#[test]
fn ccd_to_string_escapes_quote_backslash_and_controls_only() {
    let data = CollectedClientData::new(TYPE_CREATE, &[], "a\"b\\c\nd\u{1f}é€😀/");
    let json = String::from_utf8(data.to_json()).unwrap();
    assert!(
        json.contains(r#""origin":"a\"b\\c\u000ad\u001fé€😀/""#),
        "{json}"
    );
    // Still JSON, and it reads back to the same origin.
    assert_eq!(
        CollectedClientData::parse(json.as_bytes()).unwrap().origin,
        data.origin
    );
}

#[test]
fn absent_cross_origin_is_written_false() {
    let mut data = CollectedClientData::new(TYPE_CREATE, CHALLENGE, "https://a.example");
    data.cross_origin = None;
    assert!(String::from_utf8(data.to_json())
        .unwrap()
        .ends_with(r#""crossOrigin":false}"#));
}

#[test]
fn parse_reads_any_order_and_whitespace() {
    // As python's json.dumps writes it (soft-webauthn): spaces, no crossOrigin, other order.
    let text = br#"{"challenge": "AQID", "origin": "https://a.example", "type": "webauthn.get", "tokenBinding": {"status": "supported"}}"#;
    let data = CollectedClientData::parse(text).unwrap();
    assert_eq!(data.type_, TYPE_GET);
    assert_eq!(data.challenge_bytes(), Some(vec![1, 2, 3]));
    assert_eq!(data.cross_origin, None);
    assert_eq!(data.extra.len(), 1);
    assert_eq!(data.extra[0].0, "tokenBinding");
}

#[test]
fn parse_errors_name_the_problem() {
    use ClientDataError::*;
    let cases: &[(&[u8], ClientDataError)] = &[
        (br#"["webauthn.get"]"#, NotAnObject),
        (br#""x""#, NotAnObject),
        (
            br#"{"type":"webauthn.get","challenge":"AA","origin":"o","origin":"p"}"#,
            DuplicateMember("origin".into()),
        ),
        (br#"{"challenge":"AA","origin":"o"}"#, MissingMember("type")),
        (
            br#"{"type":"webauthn.get","origin":"o"}"#,
            MissingMember("challenge"),
        ),
        (
            br#"{"type":"webauthn.get","challenge":"AA"}"#,
            MissingMember("origin"),
        ),
        (
            br#"{"type":1,"challenge":"AA","origin":"o"}"#,
            MemberType {
                member: "type",
                expected: "a string",
                found: "a number",
            },
        ),
        (
            br#"{"type":"t","challenge":null,"origin":"o"}"#,
            MemberType {
                member: "challenge",
                expected: "a string",
                found: "null",
            },
        ),
        (
            br#"{"type":"t","challenge":"AA","origin":["o"]}"#,
            MemberType {
                member: "origin",
                expected: "a string",
                found: "an array",
            },
        ),
        (
            br#"{"type":"t","challenge":"AA","origin":"o","crossOrigin":"false"}"#,
            MemberType {
                member: "crossOrigin",
                expected: "a boolean",
                found: "a string",
            },
        ),
        (
            br#"{"type":"t","challenge":"AA","origin":"o","topOrigin":{}}"#,
            MemberType {
                member: "topOrigin",
                expected: "a string",
                found: "an object",
            },
        ),
        (
            br#"{"type":"t","challenge":"A+/=","origin":"o"}"#,
            ChallengeNotBase64Url("A+/=".into()),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            CollectedClientData::parse(input).as_ref(),
            Err(expected),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    for input in [&b"{"[..], b"", b"{\"type\":\"a\"} x", b"\xff"] {
        assert!(matches!(CollectedClientData::parse(input), Err(NotJson(_))));
    }
}

#[test]
fn client_data_hash_is_sha256_of_the_bytes() {
    assert_eq!(
        hex::encode(client_data_hash(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

proptest! {
    #[test]
    fn what_is_written_parses_back(
        challenge in proptest::collection::vec(any::<u8>(), 0..64),
        origin in "\\PC{0,40}",
        top in proptest::option::of("[ -~]{0,20}"),
        get in any::<bool>(),
    ) {
        let mut data = CollectedClientData::new(if get { TYPE_GET } else { TYPE_CREATE }, &challenge, &origin);
        if let Some(top) = top {
            data.cross_origin = Some(true);
            data.top_origin = Some(top);
        }
        let parsed = CollectedClientData::parse(&data.to_json()).unwrap();
        prop_assert_eq!(parsed.challenge_bytes(), Some(challenge));
        prop_assert_eq!(parsed, data);
    }

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = CollectedClientData::parse(&bytes);
    }
}
