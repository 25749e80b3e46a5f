//! A reference model of pairing and relaying, and a property test that drives the
//! [`Router`](crate::Router) and the model with the same random operations and requires
//! identical outputs (the OpenSK `StoreDriver` / `StoreModel` pattern).
//!
//! The model is deliberately shaped differently from the router: no tunnel table, just each
//! open connection with its peer, and the ids waiting for a second peer.

use std::collections::BTreeMap;

/// What both sides are compared on: HTTP status (101 for accept), messages, close codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    Status(u16),
    Transmit(u64, Vec<u8>),
    Close(u64, u16),
}

struct Peer {
    tunnel: u8,
    peer: Option<u64>,
    sent: u32,
    queue: Vec<Vec<u8>>,
}

pub(crate) struct Model {
    limit: u32,
    open: BTreeMap<u64, Peer>,
    waiting: BTreeMap<u8, u64>,
}

impl Model {
    pub(crate) fn new(limit: u32) -> Model {
        Model {
            limit,
            open: BTreeMap::new(),
            waiting: BTreeMap::new(),
        }
    }

    pub(crate) fn new_tunnel(&mut self, c: u64, t: u8, out: &mut Vec<Event>) {
        let status = if self.open.contains_key(&c) {
            500
        } else if self.waiting.contains_key(&t) {
            409
        } else {
            self.open.insert(
                c,
                Peer {
                    tunnel: t,
                    peer: None,
                    sent: 0,
                    queue: Vec::new(),
                },
            );
            self.waiting.insert(t, c);
            101
        };
        out.push(Event::Status(status));
    }

    pub(crate) fn connect(&mut self, c: u64, t: u8, out: &mut Vec<Event>) {
        if self.open.contains_key(&c) {
            return out.push(Event::Status(500));
        }
        let Some(a) = self.waiting.remove(&t) else {
            return out.push(Event::Status(404));
        };
        out.push(Event::Status(101));
        self.open.insert(
            c,
            Peer {
                tunnel: t,
                peer: Some(a),
                sent: 0,
                queue: Vec::new(),
            },
        );
        if let Some(pa) = self.open.get_mut(&a) {
            pa.peer = Some(c);
            out.extend(pa.queue.drain(..).map(|m| Event::Transmit(c, m)));
        }
    }

    pub(crate) fn send(&mut self, c: u64, m: Vec<u8>, out: &mut Vec<Event>) {
        let Some(p) = self.open.get_mut(&c) else {
            return;
        };
        p.sent += 1;
        if p.sent > self.limit {
            return self.kill(c, Some(1008), out);
        }
        match p.peer {
            Some(peer) => out.push(Event::Transmit(peer, m)),
            None => p.queue.push(m),
        }
    }

    /// `c` is closed with `code` (or went away by itself when `None`); its peer gets 1000.
    pub(crate) fn kill(&mut self, c: u64, code: Option<u16>, out: &mut Vec<Event>) {
        let Some(p) = self.open.remove(&c) else {
            return;
        };
        out.extend(code.map(|code| Event::Close(c, code)));
        match p.peer {
            Some(peer) => {
                self.open.remove(&peer);
                out.push(Event::Close(peer, 1000));
            }
            None => {
                self.waiting.remove(&p.tunnel);
            }
        }
    }
}

mod check {
    use super::{Event, Model};
    use crate::Millis;
    use crate::{Config, ConnectionId, ConnectionRequest, Decision, Incoming, Output, Router};
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr};

    const LIMIT: u32 = 3;

    #[derive(Debug, Clone)]
    enum Op {
        New(u64, u8),
        Connect(u64, u8),
        Send(u64),
        Text(u64),
        TooBig(u64),
        Close(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        let conn = 0u64..6;
        let tunnel = 0u8..3;
        prop_oneof![
            2 => (conn.clone(), tunnel.clone()).prop_map(|(c, t)| Op::New(c, t)),
            2 => (conn.clone(), tunnel).prop_map(|(c, t)| Op::Connect(c, t)),
            5 => conn.clone().prop_map(Op::Send),
            1 => conn.clone().prop_map(Op::Text),
            1 => conn.clone().prop_map(Op::TooBig),
            2 => conn.prop_map(Op::Close),
        ]
    }

    fn request(c: u64, path: String) -> ConnectionRequest {
        ConnectionRequest {
            conn: ConnectionId(c),
            peer_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            path,
            subprotocols: vec!["fido.cable".to_owned()],
            client_payload: None,
            signal_connection: None,
        }
    }

    fn run_router(ops: &[Op]) -> Vec<Event> {
        let mut config = Config::new([1, 2, 3]);
        config.max_messages_per_peer = LIMIT;
        config.max_message_size = 64;
        let mut router = Router::new(config, [0; 32]);
        let mut out = Vec::new();
        let now = Millis(0);
        for (i, op) in ops.iter().enumerate() {
            let decision = match op {
                Op::New(c, t) => Some(router.handle_connection(
                    now,
                    request(*c, format!("/cable/new/{}", hex::encode([*t; 16]))),
                )),
                Op::Connect(c, t) => Some(router.handle_connection(
                    now,
                    request(
                        *c,
                        format!("/cable/connect/010203/{}", hex::encode([*t; 16])),
                    ),
                )),
                Op::Send(c) => {
                    router.handle_message(now, ConnectionId(*c), Incoming::Binary(message(i, *c)));
                    None
                }
                Op::Text(c) => {
                    router.handle_message(now, ConnectionId(*c), Incoming::Text);
                    None
                }
                Op::TooBig(c) => {
                    router.handle_message(now, ConnectionId(*c), Incoming::Binary(vec![0; 65]));
                    None
                }
                Op::Close(c) => {
                    router.handle_close(now, ConnectionId(*c));
                    None
                }
            };
            out.extend(decision.map(|d| match d {
                Decision::Accept(_) => Event::Status(101),
                Decision::Reject(r) => Event::Status(r.status()),
            }));
            while let Some(output) = router.poll_output() {
                out.push(match output {
                    Output::Transmit(t) => Event::Transmit(t.to.0, t.message),
                    Output::Close(c) => Event::Close(c.conn.0, c.code.as_u16()),
                    Output::Wake(w) => panic!("unexpected wake {w:?}"),
                });
            }
        }
        out
    }

    fn run_model(ops: &[Op]) -> Vec<Event> {
        let mut model = Model::new(LIMIT);
        let mut out = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match *op {
                Op::New(c, t) => model.new_tunnel(c, t, &mut out),
                Op::Connect(c, t) => model.connect(c, t, &mut out),
                Op::Send(c) => model.send(c, message(i, c), &mut out),
                Op::Text(c) => model.kill(c, Some(1003), &mut out),
                Op::TooBig(c) => model.kill(c, Some(1009), &mut out),
                Op::Close(c) => model.kill(c, None, &mut out),
            }
        }
        out
    }

    /// A message unique to its operation, so misrouting or reordering shows.
    fn message(index: usize, conn: u64) -> Vec<u8> {
        let mut m = (index as u32).to_be_bytes().to_vec();
        m.push(conn as u8);
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn router_agrees_with_the_model(ops in proptest::collection::vec(op(), 0..60)) {
            prop_assert_eq!(run_router(&ops), run_model(&ops));
        }
    }

    #[test]
    fn model_check_exercises_pairing_relay_and_limits() {
        use Op::*;
        let ops = [
            New(0, 1),
            Send(0),
            Send(0),
            New(1, 1),
            Connect(2, 1),
            Send(2),
            Send(0),
            Send(0),
            Text(3),
            Connect(3, 1),
            New(3, 2),
            Close(3),
            Connect(4, 2),
        ];
        let events = run_router(&ops);
        assert_eq!(events, run_model(&ops));
        assert!(events.contains(&Event::Status(409)));
        assert!(events.contains(&Event::Close(0, 1008)));
        assert!(events.contains(&Event::Close(2, 1000)));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::Transmit(..)))
                .count(),
            4
        );
    }
}
