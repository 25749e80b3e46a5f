//! The tunnel as IPv4 packets: TCP segments carrying the HTTP/1.1 upgrade and WebSocket
//! frames (RFC 6455), synthesised for connections the simulator never put on a wire.

use std::net::SocketAddrV4;

/// A TCP connection: the client (desktop or phone) and the tunnel server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoints {
    /// The desktop's or phone's address.
    pub client: SocketAddrV4,
    /// The tunnel server's address (port 80 lets Wireshark find the HTTP upgrade itself).
    pub server: SocketAddrV4,
}

/// Which way a segment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the desktop or phone to the tunnel server.
    ClientToServer,
    /// From the tunnel server to the desktop or phone.
    ServerToClient,
}

/// TCP flags used here.
pub(crate) const SYN: u8 = 0x02;
pub(crate) const ACK: u8 = 0x10;
pub(crate) const PSH_ACK: u8 = 0x18;
pub(crate) const FIN_ACK: u8 = 0x11;

/// Largest TCP payload per segment; bigger WebSocket frames are split (Wireshark
/// reassembles them).
const MAX_SEGMENT: usize = 32 * 1024;

/// Sequence numbers of one connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stream {
    client_next: u32,
    server_next: u32,
}

impl Stream {
    /// A stream before its SYN; initial sequence numbers are fixed so files are reproducible.
    pub(crate) fn new() -> Self {
        Stream {
            client_next: 1_000,
            server_next: 50_000,
        }
    }

    /// IPv4 packets carrying `payload` (or just `flags` when empty) in one direction.
    pub(crate) fn segments(
        &mut self,
        ends: &Endpoints,
        direction: Direction,
        flags: u8,
        payload: &[u8],
        ip_id: &mut u16,
    ) -> Vec<Vec<u8>> {
        let chunks: Vec<&[u8]> = if payload.is_empty() {
            vec![&[]]
        } else {
            payload.chunks(MAX_SEGMENT).collect()
        };
        let mut out = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let (src, dst, seq, ack) = match direction {
                Direction::ClientToServer => {
                    (ends.client, ends.server, self.client_next, self.server_next)
                }
                Direction::ServerToClient => {
                    (ends.server, ends.client, self.server_next, self.client_next)
                }
            };
            let ack = if flags & ACK != 0 { ack } else { 0 };
            let consumed = chunk.len() as u32 + u32::from(flags & (SYN | 0x01) != 0);
            match direction {
                Direction::ClientToServer => self.client_next = seq.wrapping_add(consumed),
                Direction::ServerToClient => self.server_next = seq.wrapping_add(consumed),
            }
            *ip_id = ip_id.wrapping_add(1);
            out.push(ipv4(src, dst, seq, ack, flags, chunk, *ip_id));
        }
        out
    }
}

/// One IPv4 packet with a TCP segment, checksums filled in.
fn ipv4(
    src: SocketAddrV4,
    dst: SocketAddrV4,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
    id: u16,
) -> Vec<u8> {
    let mut tcp = Vec::with_capacity(20 + payload.len());
    tcp.extend_from_slice(&src.port().to_be_bytes());
    tcp.extend_from_slice(&dst.port().to_be_bytes());
    tcp.extend_from_slice(&seq.to_be_bytes());
    tcp.extend_from_slice(&ack.to_be_bytes());
    tcp.extend_from_slice(&[5 << 4, flags, 0xFF, 0xFF, 0, 0, 0, 0]);
    tcp.extend_from_slice(payload);
    let mut pseudo = Vec::with_capacity(12 + tcp.len());
    pseudo.extend_from_slice(&src.ip().octets());
    pseudo.extend_from_slice(&dst.ip().octets());
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
    pseudo.extend_from_slice(&tcp);
    let sum = checksum(&pseudo).to_be_bytes();
    if let Some(slot) = tcp.get_mut(16..18) {
        slot.copy_from_slice(&sum);
    }
    let total = (20 + tcp.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&id.to_be_bytes());
    ip.extend_from_slice(&[0x40, 0, 64, 6, 0, 0]);
    ip.extend_from_slice(&src.ip().octets());
    ip.extend_from_slice(&dst.ip().octets());
    let sum = checksum(&ip).to_be_bytes();
    if let Some(slot) = ip.get_mut(10..12) {
        slot.copy_from_slice(&sum);
    }
    ip.extend_from_slice(&tcp);
    ip
}

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|pair| match pair {
            [a, b] => u32::from(u16::from_be_bytes([*a, *b])),
            [a] => u32::from(*a) << 8,
            _ => 0,
        })
        .sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// The client's HTTP/1.1 upgrade request (the key is RFC 6455's example; Wireshark does
/// not check it).
pub fn upgrade_request(host: &str, path: &str, headers: &[(String, String)]) -> Vec<u8> {
    let mut text = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: fido.cable\r\nOrigin: wss://{host}\r\n"
    );
    push_headers(&mut text, headers);
    text.into_bytes()
}

/// The server's `101 Switching Protocols` answer selecting `fido.cable`.
pub fn upgrade_response(headers: &[(String, String)]) -> Vec<u8> {
    let mut text = String::from(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: fido.cable\r\n",
    );
    push_headers(&mut text, headers);
    text.into_bytes()
}

fn push_headers(text: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        // Header text comes from the caller; line breaks would split the request.
        let clean = |s: &str| s.replace(['\r', '\n'], " ");
        text.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
    }
    text.push_str("\r\n");
}

/// A WebSocket frame: FIN, `opcode`, and the payload, masked with `mask` when given
/// (clients must mask, servers must not).
pub fn frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(14 + payload.len());
    out.push(0x80 | (opcode & 0x0F));
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn frames_use_the_three_length_forms_and_mask_client_payloads() {
        assert_eq!(frame(2, &[1, 2], None), vec![0x82, 2, 1, 2]);
        assert_eq!(
            frame(2, &[1, 2], Some([0xFF, 0, 0, 0])),
            vec![0x82, 0x82, 0xFF, 0, 0, 0, 0xFE, 2]
        );
        assert_eq!(&frame(2, &[0; 300], None)[..4], &[0x82, 126, 1, 44]);
        assert_eq!(&frame(2, &[0; 70_000], None)[..2], &[0x82, 127]);
    }

    #[test]
    fn checksums_verify_to_zero() {
        let ends = Endpoints {
            client: "127.0.0.2:50000"
                .parse()
                .unwrap_or(SocketAddrV4::new([127, 0, 0, 2].into(), 50000)),
            server: SocketAddrV4::new([127, 0, 0, 1].into(), 80),
        };
        let mut id = 0;
        let packets =
            Stream::new().segments(&ends, Direction::ClientToServer, PSH_ACK, b"hello", &mut id);
        let ip = &packets[0];
        assert_eq!(checksum(&ip[..20]), 0);
        assert_eq!(ip.len(), 45);
    }
}
