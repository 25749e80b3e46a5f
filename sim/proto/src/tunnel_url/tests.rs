use super::*;
use crate::test_vectors::load;
use proptest::prelude::*;

#[test]
fn webauthn_rs_server_path_vectors() {
    let v = load("tunnel_paths.json");
    for case in v["valid"].as_array().unwrap() {
        let path = case["path"].as_str().unwrap();
        let (route, _) = Route::parse_path(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(route.name(), case["method"].as_str().unwrap());
        assert_eq!(route.path(), case["canonical"].as_str().unwrap());
        if let Some(ascii) = case.get("tunnel_id_ascii") {
            let (Route::New { tunnel_id } | Route::Connect { tunnel_id, .. }) = route else {
                panic!("no tunnel id")
            };
            assert_eq!(&tunnel_id[..], ascii.as_str().unwrap().as_bytes());
        }
    }
    for path in v["invalid"].as_array().unwrap() {
        let path = path.as_str().unwrap();
        assert!(Route::parse_path(path).is_err(), "accepted {path}");
    }
}

#[test]
fn urls_from_the_advert_vector() {
    let v = load("advert.json");
    let urls = &v["roundtrip_and_urls"]["expected_urls"];
    for key in [
        "new_0xf980",
        "connect_0xf980",
        "connect_id0",
        "connect_id1",
        "new_override",
        "connect_override",
    ] {
        let text = urls[key].as_str().unwrap();
        let parsed = TunnelUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.hex_case, HexCase::Upper);
    }
    let local = TunnelUrl::parse(urls["new_override"].as_str().unwrap()).unwrap();
    assert_eq!(
        (local.scheme, local.host.as_str(), local.port),
        (Scheme::Ws, "localhost", Some(8080))
    );
}

#[test]
fn lower_case_hex_is_accepted_reported_and_emitted_upper() {
    let u = TunnelUrl::parse(
        "wss://cable.ua5v.com/cable/connect/0a0b0c/3eef97097986413b059eaa2a30d653d4",
    )
    .unwrap();
    assert_eq!(u.hex_case, HexCase::Lower);
    assert_eq!(
        u.to_string(),
        "wss://cable.ua5v.com/cable/connect/0A0B0C/3EEF97097986413B059EAA2A30D653D4"
    );
}

#[test]
fn contact_round_trips_as_unpadded_base64url() {
    let route = Route::Contact {
        contact_id: vec![0xfb, 0xff, 0x01, 0x02],
    };
    assert_eq!(route.path(), "/cable/contact/-_8BAg");
    assert_eq!(Route::parse_path("/cable/contact/-_8BAg").unwrap().0, route);
    assert!(matches!(
        Route::parse_path("/cable/contact/-_8BAg=="),
        Err(UrlError::ContactEncoding(_))
    ));
    assert_eq!(
        Route::parse_path("/cable/contact/"),
        Err(UrlError::EmptyContact)
    );
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(
        Route::parse_path("/cable/connect/C0FFEE/COFFEE")
            .unwrap_err()
            .to_string(),
        "tunnel id: character 1 ('O') is not a hex digit"
    );
    assert_eq!(
        Route::parse_path("/cable/new/C0FFEE")
            .unwrap_err()
            .to_string(),
        "tunnel id is 6 hex digits; expected 32"
    );
    assert_eq!(
        Route::parse_path("/cable/new/68656C6C6F2C20776562617574686E21/")
            .unwrap_err()
            .to_string(),
        "/cable/new takes 1 path segment(s) after it, found 2"
    );
    assert_eq!(
        TunnelUrl::parse("https://x/cable/new/00"),
        Err(UrlError::Scheme)
    );
    assert_eq!(
        TunnelUrl::parse("wss://h:99999/cable/new/00"),
        Err(UrlError::Port("99999".into()))
    );
    assert_eq!(
        TunnelUrl::parse("wss:///cable/new/00"),
        Err(UrlError::MissingHost)
    );
}

#[test]
fn hosts_are_dns_names_or_ip_addresses() {
    let path = "/cable/new/3EEF97097986413B059EAA2A30D653D4";
    for good in [
        "cable.ua5v.com",
        "CABLE.auth.com.",
        "localhost",
        "my_host-1",
        "127.0.0.1",
        "[::1]",
        "[fe80::1:2]",
    ] {
        let url = format!("wss://{good}:443{path}");
        assert_eq!(
            TunnelUrl::parse(&url).map(|u| u.host),
            Ok(good.to_owned()),
            "{good}"
        );
    }
    for bad in [
        "a b",
        "[::1",
        "::1]",
        "[::1]x",
        "[127.0.0.1]",
        "256.1.1.1",
        "1.2.3",
        "-a.com",
        "a..b",
        "user@host",
        "a%20b",
        "ex\u{e4}mple.com",
        "1.2.3.4.5",
    ] {
        let url = format!("ws://{bad}{path}");
        assert!(
            matches!(TunnelUrl::parse(&url), Err(UrlError::InvalidHost(h)) if h == bad),
            "{bad}: {:?}",
            TunnelUrl::parse(&url)
        );
    }
    assert_eq!(
        TunnelUrl::parse(&format!("ws://[::1:8080{path}")),
        Err(UrlError::InvalidHost("[::1:8080".into()))
    );
}

#[test]
fn refused_text_is_echoed_shortened() {
    let long = "x y".repeat(100_000);
    let Err(UrlError::InvalidHost(echo)) = TunnelUrl::parse(&format!("ws://{long}/cable/new/00"))
    else {
        panic!("accepted")
    };
    assert!(echo.ends_with("… (300000 bytes)"), "{echo}");
    assert!(echo.chars().count() < MAX_ECHO_CHARS + 20);
    let Err(UrlError::Port(port)) =
        TunnelUrl::parse(&format!("ws://h:{}/cable/new/00", "9".repeat(1000)))
    else {
        panic!("accepted")
    };
    assert!(port.len() < 100, "{port}");
}

#[test]
fn ipv6_literal_with_port() {
    let u = TunnelUrl::parse("ws://[::1]:8080/cable/new/3EEF97097986413B059EAA2A30D653D4").unwrap();
    assert_eq!((u.host.as_str(), u.port), ("[::1]", Some(8080)));
}

proptest! {
    #[test]
    fn routes_round_trip(t in any::<[u8; 16]>(), r in any::<[u8; 3]>(), c in proptest::collection::vec(any::<u8>(), 1..200)) {
        for route in [Route::New { tunnel_id: t }, Route::Connect { routing_id: r, tunnel_id: t }, Route::Contact { contact_id: c.clone() }] {
            prop_assert_eq!(Route::parse_path(&route.path()).unwrap().0, route);
        }
    }

    #[test]
    fn parsing_never_panics(s in "\\PC{0,120}") {
        let _ = TunnelUrl::parse(&s);
        let _ = Route::parse_path(&s);
    }

    #[test]
    fn accepted_hosts_have_no_url_delimiters(s in "[a-z0-9 .:\\[\\]@%_-]{1,24}") {
        let url = format!("ws://{s}/cable/new/3EEF97097986413B059EAA2A30D653D4");
        if let Ok(parsed) = TunnelUrl::parse(&url) {
            prop_assert!(!parsed.host.contains([' ', '@', '%', '/']), "{}", parsed.host);
            prop_assert_eq!(TunnelUrl::parse(&parsed.to_string()), Ok(parsed));
        }
    }
}
