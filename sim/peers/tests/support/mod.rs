//! A small in-test world: one desktop, one phone and the tunnel router, with a direct radio
//! (every advert reaches the desktop) and a direct camera (the QR code reaches the phone).
//! Virtual time jumps to the earliest deadline when nothing else is pending; a bounded step
//! count fails the test loudly on a livelock. Faults are closures over what is delivered.
//!
//! The simulated world crate replaces this later; it is kept small on purpose.
#![allow(dead_code)]

use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::profile::Profile;
use hybridsim_ctap::user::ScriptedUser;
use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::io::{Input, Output, Peer, PeerEvent, SocketId};
use hybridsim_peers::phone::Phone;
use hybridsim_peers::PeerError;
use hybridsim_peers::{Layer, Millis, SUBPROTOCOL};
use hybridsim_proto::tunnel_url::TunnelUrl;
use hybridsim_tunnel::{
    ConnectionId, ConnectionRequest, Decision, Incoming, Output as RouterOutput, Router,
};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

/// Which peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Desktop,
    Phone,
}

/// What to do with one message the router delivers to a peer.
pub enum Delivery {
    Pass,
    Replace(Vec<u8>),
    Drop,
    /// Deliver a text WebSocket message instead.
    Text,
}

type Headers = Vec<(String, String)>;
type DeliverHook = Box<dyn FnMut(Side, usize, &[u8]) -> Delivery>;
type OpenedHook = Box<dyn FnMut(Side, &mut Vec<(String, String)>)>;
type RadioHook = Box<dyn FnMut(u16, &[u8]) -> Vec<(u16, Vec<u8>)>>;

/// Fault injection, all off by default.
#[derive(Default)]
pub struct Faults {
    /// Called for every message the router delivers: the receiving side, how many messages
    /// that side received before, the bytes.
    pub deliver: Option<DeliverHook>,
    /// Rewrites the response headers of an accepted WebSocket.
    pub opened: Option<OpenedHook>,
    /// Replaces what the radio carries for one `Advertise` (uuid, data) → adverts heard.
    pub radio: Option<RadioHook>,
    /// A data channel request gets no answer at all (by default it is refused at once).
    pub channel_unanswered: bool,
}

/// Bytes a peer put on a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub side: Side,
    pub data: Vec<u8>,
}

pub struct World {
    pub now: Millis,
    pub desktop: Desktop,
    pub phone: Phone,
    pub router: Router,
    pub faults: Faults,
    /// Every message the peers sent, in order.
    pub sent: Vec<Sent>,
    /// Every event, with its time and side.
    pub events: Vec<(Millis, Side, PeerEvent)>,
    /// Every WebSocket a peer asked for.
    pub connects: Vec<(Side, TunnelUrl, Headers)>,
    /// Every advert the phone broadcast (before the radio hook).
    pub adverts: Vec<(u16, Vec<u8>)>,
    pub desktop_result: Option<(Millis, Result<(), PeerError>)>,
    pub phone_result: Option<(Millis, Result<(), PeerError>)>,
    conns: BTreeMap<ConnectionId, (Side, SocketId)>,
    sockets: BTreeMap<(Side, SocketId), ConnectionId>,
    delivered: BTreeMap<Side, usize>,
    next_conn: u64,
}

impl World {
    /// A world in which the phone is registered for wake-ups under its contact id.
    pub fn new(desktop: Desktop, phone: Phone) -> World {
        let mut world = World::unregistered(desktop, phone);
        let contact = world.phone.config().contact_id.clone();
        world.router.register_contact(contact).unwrap();
        world
    }

    /// A world whose router knows no contact (a `/cable/contact` gets 410).
    pub fn unregistered(desktop: Desktop, phone: Phone) -> World {
        World {
            now: Millis::ZERO,
            desktop,
            phone,
            router: Router::new(hybridsim_tunnel::Config::default(), [0x5a; 32]),
            faults: Faults::default(),
            sent: Vec::new(),
            events: Vec::new(),
            connects: Vec::new(),
            adverts: Vec::new(),
            desktop_result: None,
            phone_result: None,
            conns: BTreeMap::new(),
            sockets: BTreeMap::new(),
            delivered: BTreeMap::new(),
            next_conn: 0,
        }
    }

    /// Runs until both peers are finished and nothing is pending, advancing virtual time to
    /// the earliest deadline whenever everything is idle. Panics after `max_steps`.
    pub fn run(&mut self, max_steps: usize) {
        for _ in 0..max_steps {
            while self.drain_once() {}
            let finished = self.desktop.is_finished() && self.phone.is_finished();
            let next = [
                self.desktop.poll_timeout(),
                self.phone.poll_timeout(),
                self.router.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                _ if finished => return,
                None => return,
                Some(at) => {
                    self.now = self.now.max(at);
                    let now = self.now;
                    self.desktop.handle_timeout(now);
                    self.phone.handle_timeout(now);
                    self.router.handle_timeout(now);
                }
            }
        }
        panic!("the world did not settle within {max_steps} steps (livelock?)");
    }

    /// Events of one side whose `what` contains `needle`.
    pub fn events_matching(&self, side: Side, needle: &str) -> Vec<&PeerEvent> {
        self.events
            .iter()
            .filter(|(_, s, e)| *s == side && e.what.contains(needle))
            .map(|(_, _, e)| e)
            .collect()
    }

    pub fn desktop_error(&self) -> &PeerError {
        match &self.desktop_result {
            Some((_, Err(e))) => e,
            other => panic!("desktop did not fail: {other:?}"),
        }
    }

    pub fn phone_error(&self) -> &PeerError {
        match &self.phone_result {
            Some((_, Err(e))) => e,
            other => panic!("phone did not fail: {other:?}"),
        }
    }

    pub fn assert_both_ok(&self) {
        assert!(
            matches!(self.desktop_result, Some((_, Ok(())))),
            "desktop: {:?}\nevents: {:#?}",
            self.desktop_result,
            self.events
        );
        assert!(
            matches!(self.phone_result, Some((_, Ok(())))),
            "phone: {:?}",
            self.phone_result
        );
    }

    /// One pass over every output queue; false when all were empty.
    fn drain_once(&mut self) -> bool {
        let mut any = false;
        while let Some(output) = self.desktop.poll_output() {
            any = true;
            self.on_peer_output(Side::Desktop, output);
        }
        while let Some(output) = self.phone.poll_output() {
            any = true;
            self.on_peer_output(Side::Phone, output);
        }
        while let Some(output) = self.router.poll_output() {
            any = true;
            self.on_router_output(output);
        }
        any
    }

    fn peer(&mut self, side: Side) -> &mut dyn Peer {
        match side {
            Side::Desktop => &mut self.desktop,
            Side::Phone => &mut self.phone,
        }
    }

    fn input(&mut self, side: Side, input: Input) {
        let now = self.now;
        self.peer(side).handle_input(now, input);
    }

    fn on_peer_output(&mut self, side: Side, output: Output) {
        let now = self.now;
        match output {
            Output::ShowQr(text) => self.input(Side::Phone, Input::QrScanned(text)),
            Output::Advertise { uuid, data } => {
                self.adverts.push((uuid, data.clone()));
                let heard = match &mut self.faults.radio {
                    Some(radio) => radio(uuid, &data),
                    None => vec![(uuid, data)],
                };
                for (uuid, data) in heard {
                    self.input(
                        Side::Desktop,
                        Input::Advert {
                            uuid,
                            data,
                            rssi: -50,
                        },
                    );
                }
            }
            Output::StopAdvertising => {}
            // No radio link here: the channel is refused and the desktop takes the tunnel.
            Output::OpenDataChannel { .. } if self.faults.channel_unanswered => {}
            Output::OpenDataChannel { socket, .. } => {
                let reason = "no data channel in this harness".to_owned();
                self.input(side, Input::DataChannelRefused { socket, reason });
            }
            Output::Connect {
                socket,
                url,
                headers,
            } => self.connect(side, socket, url, headers),
            Output::Send { socket, data } => {
                self.sent.push(Sent {
                    side,
                    data: data.clone(),
                });
                if let Some(&conn) = self.sockets.get(&(side, socket)) {
                    self.router
                        .handle_message(now, conn, Incoming::Binary(data));
                }
            }
            Output::Close { socket, .. } => {
                if let Some(conn) = self.sockets.remove(&(side, socket)) {
                    self.conns.remove(&conn);
                    self.router.handle_close(now, conn);
                }
            }
            Output::Event(event) => self.events.push((now, side, event)),
            Output::Finished(result) => match side {
                Side::Desktop => self.desktop_result = Some((now, result)),
                Side::Phone => self.phone_result = Some((now, result)),
            },
        }
    }

    fn connect(
        &mut self,
        side: Side,
        socket: SocketId,
        url: TunnelUrl,
        headers: Vec<(String, String)>,
    ) {
        self.connects.push((side, url.clone(), headers.clone()));
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let conn = ConnectionId(self.next_conn);
        self.next_conn += 1;
        let ip = match side {
            Side::Desktop => Ipv4Addr::new(10, 0, 0, 1),
            Side::Phone => Ipv4Addr::new(10, 0, 0, 2),
        };
        let request = ConnectionRequest {
            conn,
            peer_ip: IpAddr::V4(ip),
            path: url.route.path(),
            subprotocols: header("Sec-WebSocket-Protocol")
                .map(|v| v.split(',').map(|p| p.trim().to_owned()).collect())
                .unwrap_or_default(),
            client_payload: header("X-caBLE-Client-Payload"),
            signal_connection: header("X-caBLE-Signal-Connection"),
        };
        match self.router.handle_connection(self.now, request) {
            Decision::Accept(accept) => {
                self.conns.insert(conn, (side, socket));
                self.sockets.insert((side, socket), conn);
                let mut headers: Vec<(String, String)> = accept
                    .headers
                    .iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                    .collect();
                headers.push((
                    "sec-websocket-protocol".to_owned(),
                    accept.subprotocol.to_owned(),
                ));
                if let Some(hook) = &mut self.faults.opened {
                    hook(side, &mut headers);
                }
                self.input(side, Input::SocketOpened { socket, headers });
            }
            Decision::Reject(reject) => self.input(
                side,
                Input::SocketRefused {
                    socket,
                    status: reject.status(),
                    reason: reject.to_string(),
                },
            ),
        }
    }

    fn on_router_output(&mut self, output: RouterOutput) {
        match output {
            RouterOutput::Transmit(transmit) => {
                let Some(&(side, socket)) = self.conns.get(&transmit.to) else {
                    return;
                };
                let index = *self.delivered.entry(side).or_default();
                self.delivered.insert(side, index + 1);
                let delivery = match &mut self.faults.deliver {
                    Some(hook) => hook(side, index, &transmit.message),
                    None => Delivery::Pass,
                };
                match delivery {
                    Delivery::Pass => self.input(
                        side,
                        Input::Message {
                            socket,
                            data: transmit.message,
                        },
                    ),
                    Delivery::Replace(data) => self.input(side, Input::Message { socket, data }),
                    Delivery::Drop => {}
                    Delivery::Text => self.input(side, Input::TextMessage { socket }),
                }
            }
            RouterOutput::Close(close) => {
                if let Some((side, socket)) = self.conns.remove(&close.conn) {
                    self.sockets.remove(&(side, socket));
                    self.input(
                        side,
                        Input::SocketClosed {
                            socket,
                            code: close.code.as_u16(),
                        },
                    );
                }
            }
            RouterOutput::Wake(wake) => self.input(
                Side::Phone,
                Input::WakeUp {
                    tunnel_id: wake.tunnel_id,
                    routing_id: wake.routing_id,
                    client_payload: wake.client_payload,
                },
            ),
        }
    }
}

/// `fixtures/` at the workspace root.
pub fn fixture(path: &str) -> String {
    let path = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An authenticator built from `fixtures/profiles/{name}.toml`, approving every request.
pub fn authenticator(name: &str, seed: u8) -> Authenticator {
    let profile = Profile::from_toml_str(&fixture(&format!("profiles/{name}.toml"))).unwrap();
    let attester = profile
        .attester(|file| Some(fixture(&format!("attestation/{file}"))))
        .unwrap();
    Authenticator::new(profile, attester, [seed; 32], ScriptedUser::approving())
}

/// The layer of a result, for short assertions.
pub fn layer(result: &Option<(Millis, Result<(), PeerError>)>) -> Option<Layer> {
    match result {
        Some((_, Err(e))) => Some(e.layer),
        _ => None,
    }
}

/// The subprotocol, for tests that rebuild headers.
pub const FIDO_CABLE: &str = SUBPROTOCOL;
