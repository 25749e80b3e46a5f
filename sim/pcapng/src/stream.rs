//! Real sockets' bytes as capture events: a connection the socket driver recorded (every
//! read and write of a `ws://` tunnel connection, the HTTP upgrade included) becomes its TCP
//! handshake, one packet run per chunk as it was read or written, and a FIN. Each WebSocket
//! binary frame's decoded message goes on the chunk holding the frame's last byte, found
//! by walking the frames (RFC 6455 §5.2) after the HTTP head of each direction.

use crate::capture::Event;
use crate::tcp::{Direction, Endpoints};
use hybridsim_session::messages::Side;
use std::net::SocketAddrV4;

/// What one read or write of a recorded connection carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// When, in nanoseconds since the run started.
    pub at_ns: u64,
    /// Written by the client (the desktop or phone); read from the server otherwise.
    pub outgoing: bool,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A recorded tunnel connection of the desktop or the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedStream {
    /// Whose connection.
    pub side: Side,
    /// Its local address.
    pub client: SocketAddrV4,
    /// The tunnel server's address.
    pub server: SocketAddrV4,
    /// Every read and write, in order.
    pub chunks: Vec<Chunk>,
}

/// The events of `stream`, from `start_ns`; `comment(sender, k)` is the comment of the
/// `k`-th (0-based) message `sender` sent.
pub(crate) fn events(
    stream: &RecordedStream,
    start_ns: u64,
    comment: &dyn Fn(Side, usize) -> Option<String>,
) -> Vec<Event> {
    let endpoints = Endpoints {
        client: stream.client,
        server: stream.server,
    };
    let first = stream.chunks.first().map_or(0, |c| c.at_ns);
    // The handshake's three packets just before the first chunk (they are not recorded).
    let mut out = vec![Event::Connect {
        at_ns: (start_ns + first).saturating_sub(3),
        endpoints,
    }];
    let mut comments: Vec<Vec<String>> = vec![Vec::new(); stream.chunks.len()];
    for outgoing in [true, false] {
        let sender = match (outgoing, stream.side) {
            (true, side) => side,
            (false, Side::Desktop) => Side::Phone,
            (false, Side::Phone) => Side::Desktop,
        };
        let indices: Vec<usize> = (0..stream.chunks.len())
            .filter(|&i| stream.chunks.get(i).is_some_and(|c| c.outgoing == outgoing))
            .collect();
        let bytes: Vec<u8> = indices
            .iter()
            .filter_map(|&i| stream.chunks.get(i))
            .flat_map(|c| c.bytes.iter().copied())
            .collect();
        for (k, end) in binary_frame_ends(&bytes).into_iter().enumerate() {
            let (Some(text), Some(chunk)) = (comment(sender, k), chunk_of(stream, &indices, end))
            else {
                continue;
            };
            if let Some(list) = comments.get_mut(chunk) {
                list.push(text);
            }
        }
    }
    let mut last = first;
    for (chunk, notes) in stream.chunks.iter().zip(comments) {
        last = last.max(chunk.at_ns);
        out.push(Event::Bytes {
            at_ns: start_ns + chunk.at_ns,
            endpoints,
            direction: direction(chunk.outgoing),
            bytes: chunk.bytes.clone(),
            comment: (!notes.is_empty()).then(|| notes.join("\n")),
        });
    }
    out.push(Event::Fin {
        at_ns: start_ns + last + 1,
        endpoints,
        direction: Direction::ClientToServer,
    });
    out
}

fn direction(outgoing: bool) -> Direction {
    if outgoing {
        Direction::ClientToServer
    } else {
        Direction::ServerToClient
    }
}

/// The chunk (index into the stream) holding byte `end - 1` of the direction whose chunks
/// are `indices`.
fn chunk_of(stream: &RecordedStream, indices: &[usize], end: usize) -> Option<usize> {
    let mut seen = 0;
    for &i in indices {
        seen += stream.chunks.get(i)?.bytes.len();
        if seen >= end {
            return Some(i);
        }
    }
    None
}

/// Where each complete binary WebSocket frame ends (exclusive offsets into `bytes`), the
/// frames starting after the HTTP head. A frame cut off at the end is left out.
pub(crate) fn binary_frame_ends(bytes: &[u8]) -> Vec<usize> {
    let Some(head) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Vec::new();
    };
    let mut at = head + 4;
    let mut ends = Vec::new();
    while let Some((opcode, len)) = frame_at(bytes, at) {
        at += len;
        if opcode == 0x2 {
            ends.push(at);
        }
    }
    ends
}

/// The opcode and whole length of the frame at `at`, when all of it is there.
fn frame_at(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    let rest = bytes.get(at..)?;
    let (&b0, &b1) = (rest.first()?, rest.get(1)?);
    let (payload, header) = match b1 & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes([*rest.get(2)?, *rest.get(3)?])),
            4,
        ),
        127 => (u64::from_be_bytes(rest.get(2..10)?.try_into().ok()?), 10),
        short => (u64::from(short), 2),
    };
    let mask = if b1 & 0x80 != 0 { 4 } else { 0 };
    let len = usize::try_from(payload).ok()?.checked_add(header + mask)?;
    (rest.len() >= len).then_some((b0 & 0x0F, len))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use std::net::Ipv4Addr;

    fn frame(payload: &[u8], masked: bool) -> Vec<u8> {
        crate::tcp::frame(0x2, payload, masked.then_some([1, 2, 3, 4]))
    }

    #[test]
    fn frames_are_found_after_the_head_in_every_length_form() {
        let mut bytes = b"HTTP/1.1 101 Switching Protocols\r\n\r\n".to_vec();
        let head = bytes.len();
        bytes.extend(frame(&[7; 5], false));
        bytes.extend(crate::tcp::frame(0x8, &[3, 232], None));
        bytes.extend(frame(&[7; 300], true));
        bytes.extend(frame(&[7; 70_000], false));
        let cut = frame(&[7; 10], false);
        bytes.extend(&cut[..5]);
        let ends = binary_frame_ends(&bytes);
        assert_eq!(
            ends.len(),
            3,
            "the close frame and the cut frame are left out"
        );
        assert_eq!(ends[0], head + 7);
        assert_eq!(ends[2], bytes.len() - 5);
    }

    #[test]
    fn comments_go_on_the_chunk_holding_the_frames_last_byte() {
        let addr = |last| SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, last), 80);
        let request = b"GET / HTTP/1.1\r\n\r\n".to_vec();
        let message = frame(&[9; 40], true);
        let (first, second) = message.split_at(10);
        let stream = RecordedStream {
            side: Side::Desktop,
            client: addr(2),
            server: addr(1),
            chunks: [request, first.to_vec(), second.to_vec()]
                .into_iter()
                .enumerate()
                .map(|(i, bytes)| Chunk {
                    at_ns: i as u64,
                    outgoing: true,
                    bytes,
                })
                .collect(),
        };
        let comment = |side: Side, k: usize| Some(format!("{side} {k}"));
        let events = events(&stream, 0, &comment);
        let comments: Vec<Option<String>> = events
            .iter()
            .filter_map(|e| match e {
                Event::Bytes { comment, .. } => Some(comment.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(comments, [None, None, Some("desktop 0".to_owned())]);
        assert!(matches!(events[0], Event::Connect { .. }));
        assert!(matches!(events.last(), Some(Event::Fin { .. })));
    }
}
