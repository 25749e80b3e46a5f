#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use proptest::prelude::*;

const TUNNEL: [u8; 16] = [0xAB; 16];

fn line(label: &str, value: &str) -> String {
    format!("{label} {} {value}\n", hex::encode(TUNNEL))
}

#[test]
fn writer_output_reads_back_with_comments_and_both_hex_cases() {
    let mut w = KeyLogWriter::new(Vec::new());
    w.comment("session one\nsecond line").unwrap();
    w.secret(Label::QrSecret, &TUNNEL, &[1; 16]).unwrap();
    w.secret(Label::Psk, &TUNNEL, &[0xCD; 32]).unwrap();
    let mut text = String::from_utf8(w.into_inner()).unwrap();
    assert!(text.starts_with("# session one second line\n"));
    text.push_str("\n  \n");
    text.push_str(&line("DESKTOP_READ_KEY", &"Ef".repeat(32)));
    let log = KeyLog::parse(text.as_bytes()).unwrap();
    let session = log.session(&TUNNEL).unwrap();
    assert_eq!(session.get(Label::QrSecret), Some(&[1u8; 16][..]));
    assert_eq!(session.fixed::<32>(Label::Psk), Some([0xCD; 32]));
    assert_eq!(session.fixed::<32>(Label::DesktopReadKey), Some([0xEF; 32]));
    assert_eq!(session.entry(Label::DesktopReadKey).unwrap().line, 6);
    assert!(log.notices.is_empty());
}

#[test]
fn writer_refuses_a_value_of_the_wrong_length() {
    let mut w = KeyLogWriter::new(Vec::new());
    assert!(w.secret(Label::Psk, &TUNNEL, &[0; 16]).is_err());
    assert!(w.into_inner().is_empty());
}

#[test]
fn unknown_labels_are_kept_and_duplicates_reported() {
    let text = line("FUTURE_SECRET", "0102")
        + &line("PSK", &"00".repeat(32))
        + &line("PSK", &"00".repeat(32));
    let log = KeyLog::parse(text.as_bytes()).unwrap();
    assert_eq!(
        log.notices,
        vec![
            Notice::UnknownLabel {
                line: 1,
                label: "FUTURE_SECRET".into()
            },
            Notice::Duplicate {
                line: 3,
                first_line: 2,
                label: Label::Psk
            },
        ]
    );
    let session = log.session(&TUNNEL).unwrap();
    assert_eq!(session.unknown[0].value, vec![1, 2]);
}

#[test]
fn sessions_are_kept_apart_by_tunnel_id() {
    let other = [0x11u8; 16];
    let text = line("PSK", &"00".repeat(32))
        + &format!("PSK {} {}\n", hex::encode(other), "11".repeat(32));
    let log = KeyLog::parse(text.as_bytes()).unwrap();
    assert_eq!(log.tunnel_ids().count(), 2);
    assert_eq!(
        log.session(&other).unwrap().get(Label::Psk),
        Some(&[0x11u8; 32][..])
    );
}

#[test]
fn malformed_lines_are_named_with_their_line_number() {
    let cases: Vec<(String, KeyLogError)> = vec![
        ("PSK 00\n".into(), KeyLogError::Fields { line: 1, found: 2 }),
        ("\nPSK zz 00\n".into(), KeyLogError::TunnelIdHex { line: 2 }),
        (
            "PSK 0011 00\n".into(),
            KeyLogError::TunnelIdLength { line: 1, len: 2 },
        ),
        (
            line("PSK", "0g"),
            KeyLogError::ValueHex {
                line: 1,
                label: "PSK".into(),
            },
        ),
        (
            line("QR_SECRET", "00"),
            KeyLogError::ValueLength {
                line: 1,
                label: Label::QrSecret,
                len: 1,
                expected: 16,
            },
        ),
        (
            line("PSK", &"00".repeat(32)) + &line("PSK", &"01".repeat(32)),
            KeyLogError::Conflict {
                line: 2,
                first_line: 1,
                label: Label::Psk,
                tunnel_id: hex::encode(TUNNEL),
            },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(KeyLog::parse(text.as_bytes()), Err(want), "{text:?}");
    }
    assert_eq!(
        KeyLog::parse(b"# ok\n\xff\n"),
        Err(KeyLogError::NotText { line: 2 })
    );
}

#[test]
fn limits_bound_size_lines_and_line_length() {
    let limits = Limits {
        max_bytes: 64,
        max_lines: 3,
        max_line_len: 16,
    };
    assert_eq!(
        KeyLog::parse_with(&[b'#'; 65], limits),
        Err(KeyLogError::TooLarge { len: 65, max: 64 })
    );
    assert_eq!(
        KeyLog::parse_with(b"\n\n\n\n", limits),
        Err(KeyLogError::TooManyLines { max: 3 })
    );
    assert_eq!(
        KeyLog::parse_with(&[b'#'; 17], limits),
        Err(KeyLogError::LineTooLong {
            line: 1,
            len: 17,
            max: 16
        })
    );
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = KeyLog::parse(&bytes);
    }

    #[test]
    fn random_lines_of_plausible_tokens_never_panic(
        tokens in proptest::collection::vec(
            prop_oneof![
                Just("PSK".to_owned()), Just("QR_SECRET".to_owned()), Just("#".to_owned()),
                Just("\n".to_owned()), Just(" ".to_owned()), "[0-9a-fA-F]{0,70}",
            ],
            0..40,
        )
    ) {
        let _ = KeyLog::parse(tokens.concat().as_bytes());
    }
}
