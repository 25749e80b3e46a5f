//! Unit tests: one rule of the router at a time.

use crate::config::Config;
use crate::decision::{ConnectionRequest, Decision, Joined, Reject};
use crate::ids::{ConnectionId, SubscriptionId};
use crate::output::{Close, CloseCode, CloseReason, Incoming, Output, Transmit, Wake};
use crate::router::{ContactError, Router};
use crate::time::Millis;
use core::time::Duration;
use hybridsim_proto::linking::ClientPayload;
use std::net::{IpAddr, Ipv4Addr};

const ROUTING: [u8; 3] = [0x2A, 0x00, 0x00];
const TID: [u8; 16] = *b"hello, webauthn!";
const TID_HEX: &str = "68656C6C6F2C20776562617574686E21";
const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn router() -> Router {
    Router::new(Config::new(ROUTING), [7; 32])
}

fn router_with(f: impl FnOnce(&mut Config)) -> Router {
    let mut config = Config::new(ROUTING);
    f(&mut config);
    Router::new(config, [7; 32])
}

fn c(n: u64) -> ConnectionId {
    ConnectionId(n)
}

fn request(conn: u64, path: &str) -> ConnectionRequest {
    ConnectionRequest {
        conn: c(conn),
        peer_ip: LOCAL,
        path: path.to_owned(),
        subprotocols: vec!["fido.cable".to_owned()],
        client_payload: None,
        signal_connection: None,
    }
}

fn new_path() -> String {
    format!("/cable/new/{TID_HEX}")
}

fn connect_path() -> String {
    format!("/cable/connect/2A0000/{TID_HEX}")
}

fn t(ms: u64) -> Millis {
    Millis(ms)
}

fn accept(router: &mut Router, now: u64, req: ConnectionRequest) -> crate::Accept {
    match router.handle_connection(t(now), req) {
        Decision::Accept(a) => a,
        Decision::Reject(r) => panic!("rejected: {r} ({})", r.status()),
    }
}

fn reject(router: &mut Router, now: u64, req: ConnectionRequest) -> Reject {
    match router.handle_connection(t(now), req) {
        Decision::Accept(a) => panic!("accepted: {a:?}"),
        Decision::Reject(r) => r,
    }
}

fn drain(router: &mut Router) -> Vec<Output> {
    std::iter::from_fn(|| router.poll_output()).collect()
}

fn tx(to: u64, message: &[u8]) -> Output {
    Output::Transmit(Transmit {
        to: c(to),
        message: message.to_vec(),
    })
}

fn close(conn: u64, reason: CloseReason) -> Output {
    Output::Close(Close {
        conn: c(conn),
        code: reason.code(),
        reason,
    })
}

fn bin(bytes: &[u8]) -> Incoming {
    Incoming::Binary(bytes.to_vec())
}

/// A router with tunnel TID paired: phone = conn 1 (side A), desktop = conn 2 (side B).
fn paired() -> Router {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    assert_eq!(drain(&mut r), []);
    r
}

fn payload_hex() -> String {
    ClientPayload {
        link_id: [1; 8],
        client_nonce: [2; 16],
        request_type: "ga".to_owned(),
    }
    .to_header_value()
}

fn contact_request(conn: u64, contact: &str, signal: bool) -> ConnectionRequest {
    ConnectionRequest {
        client_payload: Some(payload_hex()),
        signal_connection: signal.then(|| "true".to_owned()),
        ..request(conn, &format!("/cable/contact/{contact}"))
    }
}

// --- routes and headers ---

#[test]
fn new_selects_fido_cable_and_returns_upper_case_routing_id() {
    let mut r = router_with(|c| c.routing_id = [0x0a, 0x1b, 0xfc]);
    let a = accept(&mut r, 0, request(1, &new_path()));
    assert_eq!(a.subprotocol, "fido.cable");
    assert_eq!(a.headers, [("X-caBLE-Routing-ID", "0A1BFC".to_owned())]);
    assert_eq!(a.joined, Joined::Registered { tunnel_id: TID });
    assert_eq!(a.joined.to_string(), format!("registered tunnel {TID_HEX}"));
}

#[test]
fn missing_or_other_subprotocol_is_400() {
    let mut r = router();
    let mut req = request(1, &new_path());
    req.subprotocols.clear();
    let e = reject(&mut r, 0, req.clone());
    assert_eq!(
        (e.status(), e.to_string().as_str()),
        (400, "missing Sec-WebSocket-Protocol: fido.cable")
    );
    req.subprotocols = vec!["FIDO.CABLE".to_owned(), "chat".to_owned()];
    assert_eq!(reject(&mut r, 0, req.clone()).status(), 400);
    req.subprotocols = vec!["chat".to_owned(), "fido.cable".to_owned()];
    accept(&mut r, 0, req);
}

#[test]
fn bad_ids_are_400_with_the_path_error() {
    let mut r = router();
    let e = reject(&mut r, 0, request(1, "/cable/new/C0FFEE"));
    assert_eq!(e.status(), 400);
    assert_eq!(
        e.to_string(),
        "bad tunnel path: tunnel id is 6 hex digits; expected 32"
    );
    let e = reject(&mut r, 0, request(1, "/cable/contact/"));
    assert_eq!(
        (e.status(), e.to_string().as_str()),
        (400, "bad tunnel path: contact id is empty")
    );
}

#[test]
fn unknown_routes_are_404() {
    let mut r = router();
    for path in ["/", "/metrics", "/cable/bogus/00", "../cable/new/00"] {
        let e = reject(&mut r, 0, request(1, path));
        assert_eq!((e.status(), e.label()), (404, "unknown_route"), "{path}");
    }
}

#[test]
fn every_path_vector_is_routed_as_the_shared_vectors_say() {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../../fixtures/vectors/tunnel_paths.json")).unwrap();
    for (i, path) in json["invalid"].as_array().unwrap().iter().enumerate() {
        let mut r = router_with(|c| c.routing_id = *b"abc");
        let path = path.as_str().unwrap();
        let e = reject(&mut r, 0, request(i as u64, path));
        assert!(matches!(e.status(), 400 | 404), "{path}: {e}");
    }
    for case in json["valid"].as_array().unwrap() {
        let mut r = router_with(|c| c.routing_id = *b"abc");
        let path = case["path"].as_str().unwrap();
        if case["method"] == "connect" {
            let new = path.replace("/connect/616263/", "/new/");
            accept(&mut r, 0, request(1, &new));
        }
        accept(&mut r, 0, request(2, path));
    }
}

#[test]
fn lower_case_hex_pairs_with_upper_case() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path().to_lowercase()));
    let a = accept(
        &mut r,
        0,
        request(2, "/cable/connect/2a0000/68656c6c6f2C20776562617574686E21"),
    );
    assert_eq!(a.joined, Joined::Paired { tunnel_id: TID });
    assert!(a.headers.is_empty());
}

#[test]
fn duplicate_new_is_409_while_pending_and_allowed_after_pairing() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    let e = reject(&mut r, 0, request(2, &new_path()));
    assert_eq!(e.status(), 409);
    assert_eq!(
        e.to_string(),
        format!("tunnel {TID_HEX} is already registered")
    );
    accept(&mut r, 0, request(3, &connect_path()));
    // Like webauthn-rs, the id leaves the table on attach; a later /new starts afresh.
    accept(&mut r, 0, request(4, &new_path()));
}

#[test]
fn connect_to_unknown_or_already_paired_tunnel_is_404() {
    let mut r = router();
    let e = reject(&mut r, 0, request(1, &connect_path()));
    assert_eq!(
        (e.status(), e.to_string()),
        (404, format!("unknown tunnel {TID_HEX}"))
    );
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    assert_eq!(reject(&mut r, 0, request(3, &connect_path())).status(), 404);
}

#[test]
fn connect_with_another_routing_id_is_404_and_says_so() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    let e = reject(
        &mut r,
        0,
        request(2, &format!("/cable/connect/0a0b0c/{TID_HEX}")),
    );
    assert_eq!(e.status(), 404);
    assert_eq!(e.label(), "routing_id_mismatch");
    assert_eq!(
        e.to_string(),
        "routing id 0A0B0C is not this server's (this is 2A0000)"
    );
    // The tunnel is still there for the right instance.
    accept(&mut r, 0, request(2, &connect_path()));
}

#[test]
fn reused_connection_id_is_500() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    let e = reject(
        &mut r,
        0,
        request(1, &format!("/cable/new/{}", "00".repeat(16))),
    );
    assert_eq!(e.status(), 500);
}

// --- relay ---

#[test]
fn relays_both_ways_with_boundaries_kept() {
    let mut r = paired();
    let sizes = [1usize, 81, 1000];
    for (i, n) in sizes.iter().enumerate() {
        r.handle_message(t(1), c(1), bin(&vec![i as u8; *n]));
        r.handle_message(t(1), c(2), bin(&vec![0x80 | i as u8; *n]));
    }
    let expected: Vec<Output> = sizes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| [tx(2, &vec![i as u8; *n]), tx(1, &vec![0x80 | i as u8; *n])])
        .collect();
    assert_eq!(drain(&mut r), expected);
}

#[test]
fn empty_binary_message_is_relayed_as_one_message() {
    let mut r = paired();
    r.handle_message(t(1), c(2), bin(&[]));
    assert_eq!(drain(&mut r), [tx(1, &[])]);
}

#[test]
fn messages_before_the_peer_arrives_are_delivered_in_order() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    for i in 0..5u8 {
        r.handle_message(t(1), c(1), bin(&[i; 3]));
    }
    assert_eq!(drain(&mut r), []);
    accept(&mut r, 2, request(2, &connect_path()));
    r.handle_message(t(3), c(1), bin(b"after"));
    let mut expected: Vec<Output> = (0..5u8).map(|i| tx(2, &[i; 3])).collect();
    expected.push(tx(2, b"after"));
    assert_eq!(drain(&mut r), expected);
    assert_eq!(r.metrics().messages_relayed, 6);
}

#[test]
fn close_on_either_side_closes_the_other_with_1000() {
    for (closer, other) in [(1, 2), (2, 1)] {
        let mut r = paired();
        r.handle_close(t(1), c(closer));
        assert_eq!(drain(&mut r), [close(other, CloseReason::PeerClosed)]);
        // Both are forgotten: further input is ignored.
        r.handle_message(t(2), c(other), bin(b"x"));
        r.handle_close(t(2), c(other));
        assert_eq!(drain(&mut r), []);
        assert_eq!(r.metrics().connections_open, 0);
    }
}

#[test]
fn close_before_pairing_drops_the_tunnel() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    r.handle_message(t(0), c(1), bin(b"queued"));
    r.handle_close(t(1), c(1));
    assert_eq!(drain(&mut r), []);
    assert_eq!(reject(&mut r, 1, request(2, &connect_path())).status(), 404);
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn text_closes_sender_1003_and_peer_1000() {
    let mut r = paired();
    r.handle_message(t(1), c(2), Incoming::Text);
    assert_eq!(
        drain(&mut r),
        [
            close(2, CloseReason::NotBinary),
            close(1, CloseReason::PeerClosed)
        ]
    );
    assert_eq!(CloseReason::NotBinary.code().as_u16(), 1003);
}

#[test]
fn oversize_closes_sender_1009() {
    let mut r = router_with(|c| c.max_message_size = 100);
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    r.handle_message(t(1), c(1), bin(&[0; 100]));
    r.handle_message(t(1), c(1), bin(&[0; 101]));
    let too_big = CloseReason::TooBig {
        len: 101,
        limit: 100,
    };
    assert_eq!(
        drain(&mut r),
        [
            tx(2, &[0; 100]),
            close(1, too_big.clone()),
            close(2, CloseReason::PeerClosed)
        ]
    );
    assert_eq!(too_big.code(), CloseCode::TooBig);
    assert_eq!(
        too_big.to_string(),
        "message of 101 bytes exceeds the limit of 100"
    );
    // The driver's own refusal (tungstenite stopped reading) has the same effect.
    let mut r = paired();
    r.handle_message(t(1), c(2), Incoming::TooBig { len: 20_000 });
    let reason = CloseReason::TooBig {
        len: 20_000,
        limit: 16384,
    };
    assert_eq!(
        drain(&mut r),
        [close(2, reason), close(1, CloseReason::PeerClosed)]
    );
}

#[test]
fn per_peer_message_limit_allows_exactly_the_limit_then_1008() {
    let mut r = router_with(|c| c.max_messages_per_peer = 3);
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    for i in 0..3u8 {
        r.handle_message(t(1), c(1), bin(&[i]));
        r.handle_message(t(1), c(2), bin(&[i]));
    }
    assert_eq!(drain(&mut r).len(), 6);
    r.handle_message(t(1), c(2), bin(b"4th"));
    let reason = CloseReason::TooManyMessages { limit: 3 };
    assert_eq!(reason.code().as_u16(), 1008);
    assert_eq!(
        drain(&mut r),
        [close(2, reason), close(1, CloseReason::PeerClosed)]
    );
}

#[test]
fn buffered_messages_count_towards_the_limit() {
    let mut r = router_with(|c| c.max_messages_per_peer = 2);
    accept(&mut r, 0, request(1, &new_path()));
    for i in 0..3u8 {
        r.handle_message(t(1), c(1), bin(&[i]));
    }
    let reason = CloseReason::TooManyMessages { limit: 2 };
    assert_eq!(drain(&mut r), [close(1, reason)]);
    assert_eq!(reject(&mut r, 1, request(2, &connect_path())).status(), 404);
}

// --- time ---

#[test]
fn pending_tunnel_expires_with_1008_after_the_pending_ttl() {
    let mut r = router_with(|c| c.pending_ttl = Duration::from_secs(5));
    accept(&mut r, 1000, request(1, &new_path()));
    assert_eq!(r.poll_timeout(), Some(t(6000)));
    r.handle_timeout(t(5999));
    assert_eq!(drain(&mut r), []);
    r.handle_timeout(t(6000));
    let reason = CloseReason::NoPeer {
        ttl: Duration::from_secs(5),
    };
    assert_eq!(reason.to_string(), "no peer joined within 5000 ms");
    assert_eq!(drain(&mut r), [close(1, reason)]);
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(
        reject(&mut r, 6000, request(2, &connect_path())).status(),
        404
    );
}

#[test]
fn tunnel_ttl_counts_from_pairing_and_closes_both_with_1008() {
    let mut r = router_with(|c| {
        c.pending_ttl = Duration::from_secs(5);
        c.tunnel_ttl = Duration::from_secs(10);
    });
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 4000, request(2, &connect_path()));
    assert_eq!(r.poll_timeout(), Some(t(14_000)));
    r.handle_timeout(t(13_999));
    assert_eq!(drain(&mut r), []);
    r.handle_timeout(t(14_000));
    let reason = CloseReason::TunnelExpired {
        ttl: Duration::from_secs(10),
    };
    assert_eq!(drain(&mut r), [close(1, reason.clone()), close(2, reason)]);
    assert_eq!(r.metrics().closes["tunnel_expired"], 2);
}

#[test]
fn inputs_after_a_missed_deadline_see_the_tunnel_expired_first() {
    let mut r = router_with(|c| c.tunnel_ttl = Duration::from_secs(1));
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    // The driver's timer was late: the message is not relayed.
    r.handle_message(t(1500), c(1), bin(b"late"));
    let reason = CloseReason::TunnelExpired {
        ttl: Duration::from_secs(1),
    };
    assert_eq!(drain(&mut r), [close(1, reason.clone()), close(2, reason)]);
}

// --- limits ---

#[test]
fn per_ip_limit_is_429_and_frees_on_close() {
    let mut r = router_with(|c| c.max_connections_per_ip = 2);
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    let e = reject(
        &mut r,
        0,
        request(3, &format!("/cable/new/{}", "11".repeat(16))),
    );
    assert_eq!(e.status(), 429);
    assert_eq!(
        e.to_string(),
        "too many connections from 127.0.0.1 (limit 2)"
    );
    let mut other = request(3, &format!("/cable/new/{}", "11".repeat(16)));
    other.peer_ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    accept(&mut r, 0, other);
    r.handle_close(t(1), c(1));
    accept(
        &mut r,
        1,
        request(4, &format!("/cable/new/{}", "22".repeat(16))),
    );
}

#[test]
fn table_full_is_503_for_new_but_connect_still_pairs() {
    let mut r = router_with(|c| c.max_tunnels = 1);
    accept(&mut r, 0, request(1, &new_path()));
    let e = reject(
        &mut r,
        0,
        request(2, &format!("/cable/new/{}", "11".repeat(16))),
    );
    assert_eq!(
        (e.status(), e.to_string()),
        (503, "tunnel server is full (1 tunnels)".to_owned())
    );
    accept(&mut r, 0, request(3, &connect_path()));
}

// --- contact flow ---

#[test]
fn contact_wakes_the_phone_and_signals_the_desktop_when_it_joins() {
    let mut r = router();
    let sub = r.register_contact(b"phone-token".to_vec()).unwrap();
    let a = accept(&mut r, 0, contact_request(1, "cGhvbmUtdG9rZW4", true));
    assert_eq!(
        a.headers,
        [("X-caBLE-Signal-Connection", "true".to_owned())]
    );
    let Joined::Contacted {
        tunnel_id,
        subscription,
    } = a.joined
    else {
        panic!("{a:?}")
    };
    assert_eq!(subscription, sub);
    let wake = Wake {
        subscription: sub,
        contact_id: b"phone-token".to_vec(),
        tunnel_id,
        routing_id: ROUTING,
        client_payload: hex::decode(payload_hex()).unwrap(),
    };
    assert_eq!(drain(&mut r), [Output::Wake(wake)]);
    // The desktop may send Noise message 1 before the phone is there.
    r.handle_message(t(1), c(1), bin(&[0x42; 81]));
    let path = format!("/cable/connect/2A0000/{}", hex::encode_upper(tunnel_id));
    accept(&mut r, 2, request(2, &path));
    assert_eq!(drain(&mut r), [tx(1, &[0x00]), tx(2, &[0x42; 81])]);
    r.handle_message(t(3), c(2), bin(&[0x43; 81]));
    assert_eq!(drain(&mut r), [tx(1, &[0x43; 81])]);
    let m = r.metrics();
    assert_eq!(
        (m.wakes_sent, m.messages_relayed, m.tunnels_paired),
        (1, 2, 1)
    );
}

#[test]
fn contact_without_signal_header_gets_no_echo_and_no_signal() {
    let mut r = router();
    r.register_contact(vec![1, 2, 3]).unwrap();
    let a = accept(&mut r, 0, contact_request(1, "AQID", false));
    assert!(a.headers.is_empty());
    let Some(Output::Wake(wake)) = r.poll_output() else {
        panic!("no wake")
    };
    let path = format!("/cable/connect/2A0000/{}", hex::encode(wake.tunnel_id));
    accept(&mut r, 1, request(2, &path));
    assert_eq!(drain(&mut r), []);
}

#[test]
fn signal_header_value_is_echoed_as_sent() {
    let mut r = router();
    r.register_contact(vec![1, 2, 3]).unwrap();
    let mut req = contact_request(1, "AQID", true);
    req.signal_connection = Some("yes please".to_owned());
    let a = accept(&mut r, 0, req);
    assert_eq!(
        a.headers,
        [("X-caBLE-Signal-Connection", "yes please".to_owned())]
    );
}

#[test]
fn unknown_contact_is_410() {
    let mut r = router();
    let e = reject(&mut r, 0, contact_request(1, "AQID", true));
    assert_eq!(
        (e.status(), e.to_string().as_str()),
        (410, "unknown contact id")
    );
    let sub = r.register_contact(vec![1, 2, 3]).unwrap();
    assert!(r.unregister_contact(sub));
    assert!(!r.unregister_contact(sub));
    assert_eq!(
        reject(&mut r, 0, contact_request(1, "AQID", true)).status(),
        410
    );
    assert_eq!(drain(&mut r), []);
}

#[test]
fn contact_needs_a_valid_client_payload() {
    let mut r = router();
    r.register_contact(vec![1, 2, 3]).unwrap();
    let mut req = contact_request(1, "AQID", false);
    req.client_payload = None;
    let e = reject(&mut r, 0, req.clone());
    assert_eq!((e.status(), e.label()), (400, "missing_client_payload"));
    req.client_payload = Some("zz".to_owned());
    let e = reject(&mut r, 0, req.clone());
    assert_eq!((e.status(), e.label()), (400, "bad_client_payload"));
    req.client_payload = Some("A0".to_owned()); // an empty map
    let e = reject(&mut r, 0, req.clone());
    assert!(e.to_string().contains("key 1"), "{e}");
    req.client_payload = Some(payload_hex().to_lowercase());
    accept(&mut r, 0, req);
}

#[test]
fn one_registration_per_contact() {
    let mut r = router();
    assert_eq!(r.register_contact(Vec::new()), Err(ContactError::Empty));
    let first = r.register_contact(vec![9]).unwrap();
    assert_eq!(
        r.register_contact(vec![9]),
        Err(ContactError::AlreadyRegistered)
    );
    r.unregister_contact(first);
    let second = r.register_contact(vec![9]).unwrap();
    assert_ne!(first, second);
    assert_eq!(r.metrics().contacts_registered, 1);
}

#[test]
fn contact_tunnel_ids_come_from_the_seed() {
    let ids = |seed: [u8; 32]| {
        let mut r = Router::new(Config::new(ROUTING), seed);
        r.register_contact(vec![1, 2, 3]).unwrap();
        (0..3)
            .map(
                |i| match r.handle_connection(t(0), contact_request(i, "AQID", false)) {
                    Decision::Accept(crate::Accept {
                        joined: Joined::Contacted { tunnel_id, .. },
                        ..
                    }) => tunnel_id,
                    other => panic!("{other:?}"),
                },
            )
            .collect::<Vec<_>>()
    };
    assert_eq!(ids([1; 32]), ids([1; 32]));
    assert_ne!(ids([1; 32]), ids([2; 32]));
    let same = ids([1; 32]);
    assert!(same[0] != same[1] && same[1] != same[2]);
}

#[test]
fn pending_contact_tunnel_expires_like_any_other() {
    let mut r = router_with(|c| c.pending_ttl = Duration::from_millis(10));
    r.register_contact(vec![1, 2, 3]).unwrap();
    accept(&mut r, 0, contact_request(1, "AQID", true));
    drain(&mut r);
    r.handle_timeout(t(10));
    let reason = CloseReason::NoPeer {
        ttl: Duration::from_millis(10),
    };
    assert_eq!(drain(&mut r), [close(1, reason)]);
}

// --- metrics and vocabulary ---

#[test]
fn metrics_count_tunnels_messages_and_rejections() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    let m = r.metrics();
    assert_eq!(
        (m.tunnels_pending, m.tunnels_active, m.connections_open),
        (1, 0, 1)
    );
    accept(&mut r, 0, request(2, &connect_path()));
    r.handle_message(t(1), c(1), bin(&[0; 10]));
    reject(&mut r, 1, request(3, &connect_path()));
    reject(&mut r, 1, request(3, "/nope"));
    let m = r.metrics();
    assert_eq!(
        (m.tunnels_pending, m.tunnels_active, m.connections_open),
        (0, 1, 2)
    );
    assert_eq!((m.messages_relayed, m.bytes_relayed), (1, 10));
    assert_eq!((m.connections_accepted, m.tunnels_paired), (2, 1));
    assert_eq!(m.rejections["unknown_tunnel"], 1);
    assert_eq!(m.rejections["unknown_route"], 1);
    assert_eq!(m.rejections["duplicate_tunnel"], 0);
    assert_eq!(m.rejections.len(), Reject::LABELS.len());
    r.handle_close(t(2), c(1));
    let m = r.metrics();
    assert_eq!(
        (
            m.tunnels_active,
            m.connections_open,
            m.closes["peer_closed"]
        ),
        (0, 0, 1)
    );
}

#[test]
fn labels_lists_match_the_variants() {
    let rejects = [
        Reject::UnknownRoute(hybridsim_proto::tunnel_url::UrlError::Scheme),
        Reject::BadPath(hybridsim_proto::tunnel_url::UrlError::Scheme),
        Reject::MissingSubprotocol,
        Reject::TooManyConnectionsFromIp {
            ip: LOCAL,
            limit: 1,
        },
        Reject::ServerFull { limit: 1 },
        Reject::DuplicateTunnel { tunnel_id: TID },
        Reject::UnknownTunnel { tunnel_id: TID },
        Reject::RoutingIdMismatch {
            requested: [0; 3],
            ours: [1; 3],
        },
        Reject::UnknownContact,
        Reject::MissingClientPayload,
        Reject::BadClientPayload(hybridsim_proto::linking::ClientPayloadError::NotHex(
            String::new(),
        )),
        Reject::NoFreeTunnelId,
        Reject::ShuttingDown,
        Reject::ConnectionIdInUse(c(0)),
    ];
    let labels: Vec<_> = rejects.iter().map(Reject::label).collect();
    assert_eq!(labels, Reject::LABELS);
    let long = Duration::from_secs(u64::MAX);
    let closes = [
        CloseReason::PeerClosed,
        CloseReason::NotBinary,
        CloseReason::TooBig {
            len: usize::MAX,
            limit: usize::MAX,
        },
        CloseReason::TooManyMessages { limit: u32::MAX },
        CloseReason::NoPeer { ttl: long },
        CloseReason::TunnelExpired { ttl: long },
        CloseReason::ServerShutdown,
    ];
    let labels: Vec<_> = closes.iter().map(CloseReason::label).collect();
    assert_eq!(labels, CloseReason::LABELS);
    for reason in closes {
        assert!(reason.to_string().len() <= 123, "{reason}");
    }
}

#[test]
fn millis_arithmetic_saturates_and_displays_seconds() {
    assert_eq!(
        Millis(1).saturating_add(Duration::from_secs(u64::MAX)),
        Millis(u64::MAX)
    );
    assert_eq!(Millis(12_345).to_string(), "12.345s");
    assert_eq!(Millis(5).saturating_since(Millis(7)), Duration::ZERO);
    assert_eq!(Millis::from(Duration::from_millis(42)), Millis(42));
    assert_eq!(SubscriptionId(3).to_string(), "sub#3");
}

#[test]
fn shutdown_closes_everything_with_1001_and_refuses_newcomers() {
    let mut r = router();
    accept(&mut r, 0, request(1, &new_path()));
    accept(&mut r, 0, request(2, &connect_path()));
    accept(
        &mut r,
        0,
        request(3, &format!("/cable/new/{}", "11".repeat(16))),
    );
    r.handle_shutdown(t(1));
    let bye = CloseReason::ServerShutdown;
    assert_eq!(bye.code().as_u16(), 1001);
    assert_eq!(
        drain(&mut r),
        [close(1, bye.clone()), close(2, bye.clone()), close(3, bye)]
    );
    let e = reject(&mut r, 2, request(4, &new_path()));
    assert_eq!(
        (e.status(), e.to_string().as_str()),
        (503, "server shutting down")
    );
    assert_eq!((r.metrics().connections_open, r.poll_timeout()), (0, None));
}
