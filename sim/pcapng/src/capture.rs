//! The events of a capture and the pcapng file they become.

use crate::ble;
use crate::tcp::{self, Direction, Endpoints, Stream, ACK, FIN_ACK, PSH_ACK, SYN};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

/// Interface 0 carries BLE, interface 1 IPv4.
const BLE_INTERFACE: u32 = 0;
const IP_INTERFACE: u32 = 1;
/// The line that introduces an embedded key log (a key-log comment, so the text after it
/// is itself a valid key log).
pub const KEYLOG_HEADER: &str = "# hybrid key log (hybridsim decode session --keylog)";
/// A pcapng option holds at most 65535 bytes; leave room for the option header.
const MAX_COMMENT: usize = 65_000;

/// One thing that happened, at a time in nanoseconds since the UNIX epoch (virtual time
/// for the simulated world).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A BLE advert seen on the air.
    Advert {
        /// When.
        at_ns: u64,
        /// The advertiser's (random) address, most significant byte first.
        address: [u8; 6],
        /// The 16-bit service UUID (0xFFF9 or 0xFDE2).
        uuid: u16,
        /// The service data: the 20 advert bytes.
        service_data: Vec<u8>,
        /// A packet comment (the decrypted EID, say).
        comment: Option<String>,
    },
    /// A WebSocket connection opened: TCP handshake, upgrade request and 101 response.
    Open {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
        /// The `Host` header.
        host: String,
        /// The request path (`/cable/new/…`, `/cable/connect/…`).
        path: String,
        /// Extra request headers (`X-caBLE-Client-Payload`, …).
        request_headers: Vec<(String, String)>,
        /// Extra response headers (`X-caBLE-Routing-ID`, …).
        response_headers: Vec<(String, String)>,
    },
    /// One binary WebSocket message.
    Message {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
        /// Which way.
        direction: Direction,
        /// The message bytes.
        payload: Vec<u8>,
        /// A packet comment: what the message decrypts to.
        comment: Option<String>,
    },
    /// A TCP connection opened (the handshake only), for a connection whose bytes follow as
    /// [`Event::Bytes`] (a real socket's recording).
    Connect {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
    },
    /// Bytes one end wrote, as they were (an HTTP head, WebSocket frames, parts of either).
    Bytes {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
        /// Which way.
        direction: Direction,
        /// The bytes.
        bytes: Vec<u8>,
        /// A packet comment.
        comment: Option<String>,
    },
    /// A FIN from `direction`'s sender (after [`Event::Bytes`]).
    Fin {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
        /// Who closes.
        direction: Direction,
    },
    /// The connection closed: a close frame (1000) and FIN from `direction`'s sender.
    Close {
        /// When.
        at_ns: u64,
        /// The connection.
        endpoints: Endpoints,
        /// Who closes.
        direction: Direction,
    },
}

impl Event {
    /// When it happened, in nanoseconds since the UNIX epoch.
    pub fn at_ns(&self) -> u64 {
        match self {
            Event::Advert { at_ns, .. }
            | Event::Open { at_ns, .. }
            | Event::Message { at_ns, .. }
            | Event::Close { at_ns, .. }
            | Event::Connect { at_ns, .. }
            | Event::Bytes { at_ns, .. }
            | Event::Fin { at_ns, .. } => *at_ns,
        }
    }
}

/// Why a capture could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The pcapng writer (or the sink under it) failed.
    #[error("pcapng: {0}")]
    Pcap(#[from] pcap_file::PcapError),
    /// A comment or the key log is longer than a pcapng option can hold.
    #[error("{what} is {len} bytes; a pcapng comment holds at most {MAX_COMMENT}")]
    CommentTooLong {
        /// Which text.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A message was given for a connection that was never opened.
    #[error("a WebSocket message for {0:?}, which has no Open event before it")]
    NotOpen(Endpoints),
}

/// The contents of one capture file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capture {
    /// A description of the capture (the section comment's first line).
    pub description: Option<String>,
    /// The session key log, embedded in the section comment.
    pub keylog: Option<String>,
    /// The events in time order.
    pub events: Vec<Event>,
}

impl Capture {
    /// Writes the capture as pcapng: a section header, a BLE and an IPv4 interface, and one
    /// or more packets per event.
    pub fn write_to<W: Write>(&self, out: W) -> Result<W, CaptureError> {
        let mut writer = PcapNgWriter::with_section_header(out, self.section()?)?;
        for linktype in [DataLink::BLUETOOTH_LE_LL_WITH_PHDR, DataLink::IPV4] {
            let mut interface = InterfaceDescriptionBlock::new(linktype, 0);
            interface
                .options
                .push(InterfaceDescriptionOption::IfTsResol(9));
            writer.write_pcapng_block(interface)?;
        }
        let mut streams: BTreeMap<Endpoints, Stream> = BTreeMap::new();
        let mut ip_id = 0u16;
        // The first packet's comment carries the key log too: Lua dissectors can read packet
        // comments (`frame.comment`) but not the section's.
        let mut keylog_comment = self
            .keylog
            .as_ref()
            .map(|k| format!("{KEYLOG_HEADER}\n{k}"));
        for event in &self.events {
            for (interface, at_ns, data, comment) in packets(event, &mut streams, &mut ip_id)? {
                let mut options = Vec::new();
                if let Some(text) = keylog_comment.take() {
                    check_len("the key log", &text)?;
                    options.push(EnhancedPacketOption::Comment(Cow::Owned(text)));
                }
                if let Some(text) = comment {
                    check_len("a packet comment", &text)?;
                    options.push(EnhancedPacketOption::Comment(Cow::Owned(text)));
                }
                writer.write_pcapng_block(EnhancedPacketBlock {
                    interface_id: interface,
                    timestamp: Duration::from_nanos(at_ns),
                    original_len: u32::try_from(data.len()).unwrap_or(u32::MAX),
                    data: Cow::Owned(data),
                    options,
                })?;
            }
        }
        Ok(writer.into_inner())
    }

    /// Writes the capture into a byte vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CaptureError> {
        self.write_to(Vec::new())
    }

    fn section(&self) -> Result<SectionHeaderBlock<'static>, CaptureError> {
        let mut options = vec![SectionHeaderOption::UserApplication(Cow::Borrowed(
            "hybridsim",
        ))];
        let mut comment = self.description.clone().unwrap_or_default();
        if let Some(keylog) = &self.keylog {
            comment.push('\n');
            comment.push_str(KEYLOG_HEADER);
            comment.push('\n');
            comment.push_str(keylog);
        }
        if !comment.is_empty() {
            check_len("the section comment with the key log", &comment)?;
            options.push(SectionHeaderOption::Comment(Cow::Owned(comment)));
        }
        Ok(SectionHeaderBlock {
            options,
            ..SectionHeaderBlock::default()
        })
    }
}

fn check_len(what: &'static str, text: &str) -> Result<(), CaptureError> {
    if text.len() > MAX_COMMENT {
        return Err(CaptureError::CommentTooLong {
            what,
            len: text.len(),
        });
    }
    Ok(())
}

/// A packet to write: interface, time, bytes, comment.
type Packet = (u32, u64, Vec<u8>, Option<String>);

fn packets(
    event: &Event,
    streams: &mut BTreeMap<Endpoints, Stream>,
    ip_id: &mut u16,
) -> Result<Vec<Packet>, CaptureError> {
    Ok(match event {
        Event::Advert {
            at_ns,
            address,
            uuid,
            service_data,
            comment,
        } => {
            vec![(
                BLE_INTERFACE,
                *at_ns,
                ble::advert_packet(address, *uuid, service_data),
                comment.clone(),
            )]
        }
        Event::Open {
            at_ns,
            endpoints,
            host,
            path,
            request_headers,
            response_headers,
        } => {
            let stream = streams.entry(*endpoints).or_insert_with(Stream::new);
            let upgrade = (
                tcp::upgrade_request(host, path, request_headers),
                tcp::upgrade_response(response_headers),
            );
            ip(*at_ns, open(stream, endpoints, upgrade, ip_id), None)
        }
        Event::Message {
            at_ns,
            endpoints,
            direction,
            payload,
            comment,
        } => {
            let stream = open_stream(streams, endpoints)?;
            let frame = tcp::frame(0x2, payload, mask(*direction, *ip_id));
            ip(
                *at_ns,
                stream.segments(endpoints, *direction, PSH_ACK, &frame, ip_id),
                comment.clone(),
            )
        }
        Event::Connect { .. } | Event::Bytes { .. } | Event::Fin { .. } => {
            return recorded(event, streams, ip_id)
        }
        Event::Close {
            at_ns,
            endpoints,
            direction,
        } => {
            let stream = open_stream(streams, endpoints)?;
            let close = tcp::frame(0x8, &1000u16.to_be_bytes(), mask(*direction, *ip_id));
            let mut list = stream.segments(endpoints, *direction, PSH_ACK, &close, ip_id);
            list.extend(stream.segments(endpoints, *direction, FIN_ACK, &[], ip_id));
            ip(*at_ns, list, None)
        }
    })
}

/// The packets of the events a real socket's recording makes ([`crate::stream`]).
fn recorded(
    event: &Event,
    streams: &mut BTreeMap<Endpoints, Stream>,
    ip_id: &mut u16,
) -> Result<Vec<Packet>, CaptureError> {
    Ok(match event {
        Event::Connect { at_ns, endpoints } => {
            let stream = streams.entry(*endpoints).or_insert_with(Stream::new);
            ip(*at_ns, handshake(stream, endpoints, ip_id), None)
        }
        Event::Bytes {
            at_ns,
            endpoints,
            direction,
            bytes,
            comment,
        } => {
            let stream = open_stream(streams, endpoints)?;
            let list = stream.segments(endpoints, *direction, PSH_ACK, bytes, ip_id);
            ip(*at_ns, list, comment.clone())
        }
        Event::Fin {
            at_ns,
            endpoints,
            direction,
        } => {
            let stream = open_stream(streams, endpoints)?;
            let list = stream.segments(endpoints, *direction, FIN_ACK, &[], ip_id);
            ip(*at_ns, list, None)
        }
        Event::Advert { .. } | Event::Open { .. } | Event::Message { .. } | Event::Close { .. } => {
            Vec::new()
        }
    })
}

/// The stream of a connection an earlier event opened.
fn open_stream<'s>(
    streams: &'s mut BTreeMap<Endpoints, Stream>,
    endpoints: &Endpoints,
) -> Result<&'s mut Stream, CaptureError> {
    streams
        .get_mut(endpoints)
        .ok_or(CaptureError::NotOpen(*endpoints))
}

/// The TCP handshake's three segments.
fn handshake(stream: &mut Stream, endpoints: &Endpoints, ip_id: &mut u16) -> Vec<Vec<u8>> {
    let steps = [
        (Direction::ClientToServer, SYN),
        (Direction::ServerToClient, SYN | ACK),
        (Direction::ClientToServer, ACK),
    ];
    let mut list = Vec::new();
    for (direction, flags) in steps {
        list.extend(stream.segments(endpoints, direction, flags, &[], ip_id));
    }
    list
}

/// IP packets from consecutive nanoseconds starting at `at`, the comment on the first.
fn ip(at: u64, list: Vec<Vec<u8>>, comment: Option<String>) -> Vec<Packet> {
    list.into_iter()
        .enumerate()
        .map(|(i, data)| {
            (
                IP_INTERFACE,
                at + i as u64,
                data,
                if i == 0 { comment.clone() } else { None },
            )
        })
        .collect()
}

/// The segments opening a connection: the TCP handshake, then the WebSocket upgrade request
/// and response (`upgrade`).
fn open(
    stream: &mut Stream,
    endpoints: &Endpoints,
    upgrade: (Vec<u8>, Vec<u8>),
    ip_id: &mut u16,
) -> Vec<Vec<u8>> {
    let (request, response) = upgrade;
    let steps: [(Direction, u8, Vec<u8>); 5] = [
        (Direction::ClientToServer, SYN, Vec::new()),
        (Direction::ServerToClient, SYN | ACK, Vec::new()),
        (Direction::ClientToServer, ACK, Vec::new()),
        (Direction::ClientToServer, PSH_ACK, request),
        (Direction::ServerToClient, PSH_ACK, response),
    ];
    let mut list = Vec::new();
    for (direction, flags, payload) in steps {
        list.extend(stream.segments(endpoints, direction, flags, &payload, ip_id));
    }
    list
}

/// Clients mask every frame (RFC 6455 §5.3); the key only has to vary, not be secret, in a
/// synthesised capture.
fn mask(direction: Direction, seed: u16) -> Option<[u8; 4]> {
    match direction {
        Direction::ClientToServer => {
            let [a, b] = seed.to_be_bytes();
            Some([0x5A, a, b, 0xA5])
        }
        Direction::ServerToClient => None,
    }
}
