//! What a run put on the wire and the air, as typed values, for `--pcapng`: the QR code
//! shown or scanned, the adverts sent or heard, and the tunnel messages between the desktop
//! and the phone in order. With both peers in the process each message is kept once, when
//! it is sent; with one, what it sends and what it receives (the other side's messages).
//!
//! [`WireRecord::session`] puts it together with a peer's key-log secrets into the
//! [`SessionRecord`] that `hybridsim_pcapng` writes key logs and captures from.

use super::log::Side;
use hybridsim_pcapng::record::{AdvertSeen, SessionRecord};
use hybridsim_peers::keylog::Entry;
use hybridsim_session::messages::Side as From;

/// The wire of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireRecord {
    /// The `FIDO:/` text, shown by the desktop or scanned by the phone.
    pub qr: Option<String>,
    /// Adverts the phone sent or the desktop heard, in order.
    pub adverts: Vec<AdvertSeen>,
    /// Tunnel messages with their senders, in order.
    pub messages: Vec<(Side, Vec<u8>)>,
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
        record
    }
}
