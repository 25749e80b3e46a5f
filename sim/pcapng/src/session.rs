//! The usual shape of a hybrid session as capture events: the phone opens `/cable/new`,
//! advertises, the desktop opens `/cable/connect`, and every message crosses the tunnel
//! server twice (sender → server, server → receiver), as a tunnel server's own capture
//! would show it (reference.md §5.2–§5.4).

use crate::capture::Event;
use crate::tcp::{Direction, Endpoints};
use std::net::{Ipv4Addr, SocketAddrV4};

/// Who sent a tunnel message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The desktop.
    Desktop,
    /// The phone.
    Phone,
}

/// The tunnel server at 127.0.0.1:80.
pub const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 1), 80);
/// The desktop's end of its tunnel connection.
pub const DESKTOP: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 10), 50010);
/// The phone's end of its tunnel connection.
pub const PHONE: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 20), 50020);

/// What the layout needs to know about the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Time of the first event, nanoseconds since the UNIX epoch.
    pub start_ns: u64,
    /// The tunnel id (in both paths).
    pub tunnel_id: [u8; 16],
    /// The routing id the server hands the phone.
    pub routing_id: [u8; 3],
    /// The tunnel server's host name.
    pub host: String,
}

/// A QR-flow session's events: connections, advert (UUID, service data, comment) and the
/// messages (sender, bytes, comment), one millisecond apart.
pub fn events(
    layout: &Layout,
    advert: Option<(u16, Vec<u8>, Option<String>)>,
    messages: &[(Sender, Vec<u8>, Option<String>)],
) -> Vec<Event> {
    let desktop = Endpoints {
        client: DESKTOP,
        server: SERVER,
    };
    let phone = Endpoints {
        client: PHONE,
        server: SERVER,
    };
    let tunnel = hex_upper(&layout.tunnel_id);
    let routing = hex_upper(&layout.routing_id);
    let mut at = layout.start_ns;
    let mut tick = || {
        at += 1_000_000;
        at
    };
    let mut out = vec![Event::Open {
        at_ns: tick(),
        endpoints: phone,
        host: layout.host.clone(),
        path: format!("/cable/new/{tunnel}"),
        request_headers: Vec::new(),
        response_headers: vec![("X-caBLE-Routing-ID".into(), routing.clone())],
    }];
    if let Some((uuid, service_data, comment)) = advert {
        out.push(Event::Advert {
            at_ns: tick(),
            address: [0xC0, 0xFF, 0xEE, 0x12, 0x34, 0x56],
            uuid,
            service_data,
            comment,
        });
    }
    out.push(Event::Open {
        at_ns: tick(),
        endpoints: desktop,
        host: layout.host.clone(),
        path: format!("/cable/connect/{routing}/{tunnel}"),
        request_headers: Vec::new(),
        response_headers: Vec::new(),
    });
    for (sender, payload, comment) in messages {
        let (from, to) = match sender {
            Sender::Desktop => (desktop, phone),
            Sender::Phone => (phone, desktop),
        };
        for (endpoints, direction) in [
            (from, Direction::ClientToServer),
            (to, Direction::ServerToClient),
        ] {
            out.push(Event::Message {
                at_ns: tick(),
                endpoints,
                direction,
                payload: payload.clone(),
                comment: comment.clone(),
            });
        }
    }
    out.push(Event::Close {
        at_ns: tick(),
        endpoints: desktop,
        direction: Direction::ClientToServer,
    });
    out.push(Event::Close {
        at_ns: tick(),
        endpoints: phone,
        direction: Direction::ServerToClient,
    });
    out
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
