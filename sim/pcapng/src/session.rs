//! The usual shape of a hybrid session as capture events: the phone opens `/cable/new`,
//! advertises, the desktop opens `/cable/connect`, and every message crosses the tunnel
//! server twice (sender → server, server → receiver), as a tunnel server's own capture
//! would show it (docs/protocol.md §5.2–§5.4).

use crate::capture::{Capture, Event};
use crate::tcp::{Direction, Endpoints};
use hybridsim_session::decrypt::DecryptedSession;
use hybridsim_session::messages::{Side, WireMessage};
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

impl Layout {
    /// The layout of a decrypted session, starting at time zero: its tunnel id, and the
    /// routing id and host its advert named (zeros and `tunnel.invalid` without one).
    pub fn of(session: &DecryptedSession) -> Layout {
        let advert = session.advert.as_ref();
        Layout {
            start_ns: 0,
            tunnel_id: session.tunnel_id,
            routing_id: advert.map_or([0; 3], |a| a.routing_id),
            host: advert
                .and_then(|a| a.domain.clone())
                .unwrap_or_else(|| "tunnel.invalid".into()),
        }
    }
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

/// A whole capture of captured or simulated messages: the layout above, each message's
/// packet comment taken from its decoded form when `decoded` covers it, and the key log
/// embedded. This is what `--pcapng` writes.
pub fn capture(
    layout: &Layout,
    advert: Option<&[u8]>,
    messages: &[WireMessage],
    decoded: Option<&DecryptedSession>,
    keylog: Option<String>,
) -> Capture {
    let comments = decoded.map(|d| d.messages.as_slice()).unwrap_or_default();
    let messages: Vec<(Sender, Vec<u8>, Option<String>)> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let sender = match m.from {
                Side::Desktop => Sender::Desktop,
                Side::Phone => Sender::Phone,
            };
            (
                sender,
                m.bytes.clone(),
                comments.get(i).map(|d| d.comment()),
            )
        })
        .collect();
    let advert = advert.map(|a| {
        let comment = decoded.and_then(|d| d.advert.as_ref()).map(|info| {
            format!(
                "hybrid advert: routing id {}, domain {}",
                hex_upper(&info.routing_id),
                info.domain
                    .clone()
                    .unwrap_or_else(|| info.domain_id.to_string())
            )
        });
        (FIDO_UUID, a.to_vec(), comment)
    });
    Capture {
        description: Some("hybrid session (hybridsim)".into()),
        keylog,
        events: events(layout, advert, &messages),
    }
}

/// Adverts are written under the FIDO service UUID, as Android phones send them.
const FIDO_UUID: u16 = 0xFFF9;

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The capture of a decrypted session (`decode session --pcapng`): its own layout, its
/// messages commented with their decoded form, and the key log it was decrypted with
/// (non-UTF-8 bytes replaced).
pub fn decrypted(
    session: &DecryptedSession,
    messages: &[WireMessage],
    advert: Option<&[u8]>,
    keylog: &[u8],
) -> Capture {
    let keylog = String::from_utf8_lossy(keylog).into_owned();
    capture(
        &Layout::of(session),
        advert,
        messages,
        Some(session),
        Some(keylog),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_session::decrypt::AdvertInfo;

    fn session(advert: Option<AdvertInfo>) -> DecryptedSession {
        DecryptedSession {
            tunnel_id: [7; 16],
            flow: None,
            advert,
            handshake: None,
            handshake_hash: None,
            messages: Vec::new(),
            crypter: None,
            revision: None,
            notices: Vec::new(),
        }
    }

    #[test]
    fn the_layout_takes_the_advert_routing_id_and_host() {
        let advert = AdvertInfo {
            routing_id: [1, 2, 3],
            domain_id: 0,
            domain: Some("cable.ua5v.com".to_owned()),
            psk: [0; 32],
        };
        let layout = Layout::of(&session(Some(advert)));
        assert_eq!((layout.start_ns, layout.tunnel_id), (0, [7; 16]));
        assert_eq!(layout.routing_id, [1, 2, 3]);
        assert_eq!(layout.host, "cable.ua5v.com");
    }

    #[test]
    fn without_an_advert_the_host_is_invalid() {
        let layout = Layout::of(&session(None));
        assert_eq!(
            (layout.routing_id, layout.host.as_str()),
            ([0; 3], "tunnel.invalid")
        );
    }
}
