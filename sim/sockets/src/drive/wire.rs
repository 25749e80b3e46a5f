//! What a run put on the wire and the air, as typed values, for `--pcapng`: the QR code
//! shown or scanned, the adverts sent or heard, and the tunnel messages between the desktop
//! and the phone in order. With both peers in the process each message is kept once, when
//! it is sent; with one, what it sends and what it receives (the other side's messages).
//!
//! With [`DriveOptions::record_bytes`](super::DriveOptions::record_bytes), each plain
//! `ws://` tunnel connection's bytes are kept too ([`crate::tap`]), and captures hold those.
//!
//! [`WireRecord::session`] puts it together with a peer's key-log secrets into the
//! [`SessionRecord`] that `hybridsim_pcapng` writes key logs and captures from.

use super::log::Side;
use crate::tap::TapRecord;
use hybridsim_pcapng::record::{AdvertSeen, SessionRecord};
use hybridsim_pcapng::stream::{Chunk, RecordedStream};
use hybridsim_peers::keylog::Entry;
use hybridsim_session::messages::Side as From;
use std::net::SocketAddr;

/// The wire of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireRecord {
    /// The `FIDO:/` text, shown by the desktop or scanned by the phone.
    pub qr: Option<String>,
    /// Adverts the phone sent or the desktop heard, in order.
    pub adverts: Vec<AdvertSeen>,
    /// Tunnel messages with their senders, in order.
    pub messages: Vec<(Side, Vec<u8>)>,
    /// The bytes of each tapped tunnel connection, with whose it was
    /// ([`DriveOptions::record_bytes`](super::DriveOptions::record_bytes)).
    pub streams: Vec<(Side, TapRecord)>,
}

impl WireRecord {
    pub(super) fn qr(&mut self, text: &str) {
        self.qr.get_or_insert_with(|| text.to_owned());
    }

    pub(super) fn advert(&mut self, uuid: u16, data: &[u8]) {
        self.adverts.push(AdvertSeen {
            uuid,
            data: data.to_vec(),
        });
    }

    pub(super) fn message(&mut self, from: Side, data: &[u8]) {
        self.messages.push((from, data.to_vec()));
    }

    /// The session record named `name`, with `secrets` (the peers' `secrets()`).
    pub fn session(&self, name: &str, secrets: &[Entry]) -> SessionRecord {
        let mut record = SessionRecord::new(name);
        record.qr.clone_from(&self.qr);
        record.adverts.clone_from(&self.adverts);
        record.secrets = secrets.to_vec();
        for (side, data) in &self.messages {
            let from = match side {
                Side::Desktop => From::Desktop,
                Side::Phone => From::Phone,
            };
            record.message(from, data.clone());
        }
        record.streams = self.streams.iter().filter_map(recorded).collect();
        record
    }
}

/// A tapped connection as the capture writer takes it (IPv4 only: the capture's tunnel is
/// IPv4).
fn recorded((side, tap): &(Side, TapRecord)) -> Option<RecordedStream> {
    let (Some(SocketAddr::V4(client)), Some(SocketAddr::V4(server))) = (tap.local, tap.peer) else {
        return None;
    };
    let chunks = tap
        .chunks
        .iter()
        .map(|c| Chunk {
            at_ns: c.at_ns,
            outgoing: c.outgoing,
            bytes: c.bytes.clone(),
        })
        .collect();
    Some(RecordedStream {
        side: match side {
            Side::Desktop => From::Desktop,
            Side::Phone => From::Phone,
        },
        client,
        server,
        chunks,
    })
}
