//! Tests of the tunnel client: URL parsing, answers, paths.

use super::*;

#[test]
fn targets_parse() {
    let t = Target::parse("ws://127.0.0.1:8080").unwrap();
    assert_eq!(
        (t.host(), t.port(), t.url()),
        ("127.0.0.1", 8080, "ws://127.0.0.1:8080".to_owned())
    );
    let t = Target::parse("WS://localhost/").unwrap();
    assert_eq!((t.host(), t.port()), ("localhost", 80));
    let t = Target::parse("ws://[::1]:9").unwrap();
    assert_eq!(
        (t.host(), t.port(), t.to_string()),
        ("::1", 9, "ws://[::1]:9".to_owned())
    );
    let t = Target::parse("wss://cable.ua5v.com").unwrap();
    assert_eq!(
        (t.host(), t.port(), t.is_tls(), t.url()),
        (
            "cable.ua5v.com",
            443,
            true,
            "wss://cable.ua5v.com".to_owned()
        )
    );
    let t = Target::parse("WSS://localhost:8443/").unwrap();
    assert_eq!((t.host(), t.port(), t.is_tls()), ("localhost", 8443, true));
    assert!(!Target::parse("ws://a:1").unwrap().is_tls());
    assert!(matches!(
        Target::parse("wss://a:1/cable"),
        Err(TargetError::Shape(_))
    ));
    assert!(matches!(
        Target::parse("wssx://a:1"),
        Err(TargetError::Scheme(_))
    ));
    assert!(matches!(
        Target::parse("http://a:1"),
        Err(TargetError::Scheme(_))
    ));
    assert!(matches!(
        Target::parse("ws://a:1/cable"),
        Err(TargetError::Shape(_))
    ));
    assert!(matches!(
        Target::parse("ws://:1"),
        Err(TargetError::Shape(_))
    ));
    assert!(matches!(
        Target::parse("ws://a:0"),
        Err(TargetError::Port(_))
    ));
    assert!(matches!(
        Target::parse("ws://a:x"),
        Err(TargetError::Port(_))
    ));
    assert!(matches!(Target::parse("ws"), Err(TargetError::Scheme(_))));
}

#[test]
fn summaries_are_one_short_line() {
    let head = Head {
        status: 404,
        reason: "Not Found".into(),
        headers: vec![],
        body: format!("unknown\ttunnel {}\nsecond line", "A".repeat(100)),
    };
    let s = head.summary();
    assert!(s.starts_with("HTTP 404 'unknown tunnel AAAA"), "{s}");
    assert!(s.ends_with("…'") && !s.contains('\n'), "{s}");
    assert_eq!(shorten("abc", 3), "abc");
    assert_eq!(shorten("abcd", 3), "ab…");
}

#[test]
fn random_ids_differ() {
    assert_ne!(random_bytes::<16>(), random_bytes::<16>());
    assert_eq!(
        new_path(&[0xab; 16]),
        format!("/cable/new/{}", "AB".repeat(16))
    );
    assert_eq!(contact_path(&[1, 2, 3]), "/cable/contact/AQID");
}
