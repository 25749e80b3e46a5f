//! What a driver records of one session for `--keylog` and `--pcapng`: the key-log entries
//! the peers surfaced, the adverts on the air and the WebSocket messages in order, as typed
//! values. The simulated world (`hybridsim-world`) and the socket driver
//! (`hybridsim-sockets`) both fill a [`SessionRecord`]; this module turns one or several
//! into a key log and a [`Capture`], so both drivers write the same files.

use crate::capture::{Capture, Event};
use crate::hops;
pub use crate::hops::Hop;
use crate::session::{self, Layout};
use crate::stream::{self, RecordedStream};
use hybridsim_proto::advert::{self, LengthRule};
use hybridsim_proto::qr::QrPayload;
use hybridsim_session::decrypt::{self, DecryptedSession, Failure, Input};
use hybridsim_session::keylog::{Entry, KeyLog, KeyLogWriter};
use hybridsim_session::messages::{Side, WireMessage};

/// One advert seen on (or put on) the air.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertSeen {
    /// The 16-bit service UUID.
    pub uuid: u16,
    /// The service data.
    pub data: Vec<u8>,
}

/// One session as a driver saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionRecord {
    /// What the session was (`ceremony create, seed 7`), for the key log's comment line and
    /// the capture's description.
    pub name: String,
    /// The `FIDO:/` text, when the session had a QR code.
    pub qr: Option<String>,
    /// The key-log secrets, in the order they came to exist.
    pub secrets: Vec<Entry>,
    /// The adverts, in order (the phone's own, or those the desktop heard).
    pub adverts: Vec<AdvertSeen>,
    /// The WebSocket binary messages between desktop and phone, in order.
    pub messages: Vec<WireMessage>,
    /// The tunnel connections' bytes as a real socket read and wrote them; when there are
    /// any, the capture holds these instead of a tunnel synthesised from `messages`.
    pub streams: Vec<RecordedStream>,
    /// Each hop of each message in time order, when the driver saw both (the simulated
    /// world: sent to the server, then delivered, perhaps changed by a fault); the
    /// synthesised tunnel then shows these instead of `messages` twice.
    pub hops: Vec<Hop>,
}

impl SessionRecord {
    /// A record named `name`, empty.
    pub fn new(name: impl Into<String>) -> SessionRecord {
        SessionRecord {
            name: name.into(),
            ..SessionRecord::default()
        }
    }

    /// Appends a message from `from` (lines numbered from 1 in order).
    pub fn message(&mut self, from: Side, bytes: Vec<u8>) {
        let line = self.messages.len() + 1;
        self.messages.push(WireMessage { from, bytes, line });
    }

    /// The tunnel id the secrets are keyed by (the first entry's), or the QR code's.
    pub fn tunnel_id(&self) -> Option<[u8; 16]> {
        self.secrets
            .first()
            .map(|e| e.tunnel_id)
            .or_else(|| self.qr_payload().map(|q| q.tunnel_id()))
    }

    /// The key log of this session: a `# name` comment line, then one line per secret.
    pub fn keylog_text(&self) -> String {
        let mut writer = KeyLogWriter::new(Vec::new());
        // Writing to a Vec cannot fail, and the peers log every value at its label's length.
        let _ = writer.comment(&self.name);
        for entry in &self.secrets {
            let _ = writer.entry(entry);
        }
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }

    /// Decrypts the session from its own key log, as `hybridsim decode session` would: the
    /// QR code and the advert when there was a QR code (the advert is under the QR secret's
    /// key then), the tunnel id otherwise.
    pub fn decrypt(&self) -> Result<DecryptedSession, Box<Failure>> {
        self.decrypt_with(self.advert())
    }

    /// The session's advert: with a QR code, the first one its secret opens (a desktop also
    /// hears strangers); otherwise the first.
    pub fn advert(&self) -> Option<&AdvertSeen> {
        let Some(qr) = self.qr_payload() else {
            return self.adverts.first();
        };
        let key = qr.eid_key();
        self.adverts
            .iter()
            .find(|a| advert::open(&key, &a.data, LengthRule::AllowSuffix, u16::MAX).is_ok())
            .or(self.adverts.first())
    }

    fn decrypt_with(&self, advert: Option<&AdvertSeen>) -> Result<DecryptedSession, Box<Failure>> {
        let keylog = KeyLog::parse(self.keylog_text().as_bytes()).unwrap_or_default();
        let qr = self.qr_payload();
        let input = Input {
            qr: qr.as_ref(),
            tunnel_id: self.tunnel_id(),
            keylog: &keylog,
            messages: &self.messages,
            advert: qr.as_ref().and(advert).map(|a| a.data.as_slice()),
        };
        decrypt::decrypt(input)
    }

    /// The session's capture events from `start_ns`, with the client ports moved up by
    /// `port_offset` so several sessions in one file keep apart TCP streams.
    fn events(&self, start_ns: u64, port_offset: u16) -> Vec<Event> {
        let decoded = match self.decrypt() {
            Ok(session) => session,
            Err(failure) => failure.partial,
        };
        let mut layout = Layout::of(&decoded);
        layout.start_ns = start_ns;
        if let Some(id) = self.tunnel_id() {
            layout.tunnel_id = id;
        }
        let seen = self.advert();
        let advert = seen.map(|a| a.data.as_slice());
        let capture = session::capture(&layout, advert, &self.messages, Some(&decoded), None);
        let mut events = capture.events;
        if !self.streams.is_empty() {
            events.retain(|e| matches!(e, Event::Advert { .. }));
            events.extend(self.recorded_events(start_ns, &decoded));
        } else if !self.hops.is_empty() {
            events = hops::replace_messages(events, &self.hops, &self.messages, &decoded);
        }
        if let (Some(first), Some(Event::Advert { uuid, .. })) = (
            seen,
            events
                .iter_mut()
                .find(|e| matches!(e, Event::Advert { .. })),
        ) {
            *uuid = first.uuid;
        }
        for event in &mut events {
            if let Event::Open { endpoints, .. }
            | Event::Message { endpoints, .. }
            | Event::Close { endpoints, .. }
            | Event::Connect { endpoints, .. }
            | Event::Bytes { endpoints, .. }
            | Event::Fin { endpoints, .. } = event
            {
                let port = endpoints.client.port().saturating_add(port_offset);
                endpoints.client.set_port(port);
            }
        }
        events
    }

    /// The recorded streams' events, each message's decoded form on the chunk ending it.
    fn recorded_events(&self, start_ns: u64, decoded: &DecryptedSession) -> Vec<Event> {
        let comment = |sender: Side, k: usize| {
            let index = self
                .messages
                .iter()
                .enumerate()
                .filter(|(_, m)| m.from == sender)
                .nth(k)
                .map(|(i, _)| i)?;
            decoded.messages.get(index).map(|m| m.comment())
        };
        let mut events: Vec<Event> = self
            .streams
            .iter()
            .flat_map(|s| stream::events(s, start_ns, &comment))
            .collect();
        // Both connections of one run (ceremony --tunnel) interleave as they happened.
        events.sort_by_key(Event::at_ns);
        events
    }

    fn qr_payload(&self) -> Option<QrPayload> {
        self.qr
            .as_deref()
            .and_then(|text| QrPayload::parse(text).ok())
    }
}

/// Sessions in one capture start this far apart (virtual time has no meaning across them).
const SESSION_GAP_NS: u64 = 1_000_000_000;

/// One capture holding every session, one after the other, each with its own TCP streams,
/// the key logs of all of them embedded, and each message's decoded form as its comment.
pub fn capture(records: &[SessionRecord]) -> Capture {
    let mut events = Vec::new();
    let mut keylog = String::new();
    let mut start_ns = 0;
    for (index, record) in records.iter().enumerate() {
        let offset = u16::try_from(index).unwrap_or(u16::MAX).saturating_mul(2);
        let mut session = record.events(start_ns, offset);
        start_ns = session.iter().map(Event::at_ns).max().unwrap_or(start_ns) + SESSION_GAP_NS;
        events.append(&mut session);
        keylog.push_str(&record.keylog_text());
    }
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    Capture {
        description: Some(format!("hybrid sessions (hybridsim): {}", names.join("; "))),
        keylog: (!keylog.is_empty()).then_some(keylog),
        events,
    }
}

/// Both sides' entries of one session, as a driver that runs both ends (the simulated world,
/// a ceremony over a real tunnel) writes them: under the phone's tunnel id (a linked desktop
/// never learns it and keys its lines by its client nonce; the desktop's id when the phone
/// logged none), each label once, in the order of [`hybridsim_session::keylog::Label::ALL`].
/// Where the two disagree (a fault made them derive different keys) the desktop's value is
/// kept, since the reader refuses two values for one label.
pub fn merge_secrets(desktop: &[Entry], phone: &[Entry]) -> Vec<Entry> {
    let tunnel_id = phone.first().or(desktop.first()).map(|e| e.tunnel_id);
    let mut merged: Vec<Entry> = Vec::new();
    for entry in desktop.iter().chain(phone) {
        if merged.iter().any(|m| m.label == entry.label) {
            continue;
        }
        let mut entry = entry.clone();
        if let Some(id) = tunnel_id {
            entry.tunnel_id = id;
        }
        merged.push(entry);
    }
    merged.sort_by_key(|e| e.label);
    merged
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
