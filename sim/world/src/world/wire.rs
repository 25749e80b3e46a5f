//! What went over the air and the wire, kept as typed values when asked
//! ([`World::record_wire`](super::World::record_wire)), for `--pcapng`: the QR codes shown,
//! the adverts put on the air, the binary messages actors sent to the tunnel server (as
//! sent, before any fault rule changed them) and those the server's relay delivered to them
//! (as delivered, after the rules: truncated, duplicated, reordered or not at all).

use super::ActorId;
use hybridsim_peers::Output;
use hybridsim_proto::time::Millis;

/// One thing an actor put out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireEvent {
    /// A QR code shown.
    Qr {
        /// When.
        at: Millis,
        /// Who showed it.
        actor: ActorId,
        /// The `FIDO:/` text.
        text: String,
    },
    /// An advert put on the air.
    Advert {
        /// When.
        at: Millis,
        /// Who.
        actor: ActorId,
        /// The 16-bit service UUID.
        uuid: u16,
        /// The service data.
        data: Vec<u8>,
    },
    /// A binary WebSocket message delivered to an actor.
    Delivered {
        /// When.
        at: Millis,
        /// To whom.
        actor: ActorId,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// A binary WebSocket message sent to the tunnel server.
    Message {
        /// When.
        at: Millis,
        /// Who.
        actor: ActorId,
        /// Its bytes.
        data: Vec<u8>,
    },
}

/// The wire events of a run, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireLog {
    /// Every event so far.
    pub events: Vec<WireEvent>,
}

impl WireLog {
    /// Keeps a message the relay delivered.
    pub(super) fn delivered(&mut self, at: Millis, actor: ActorId, data: &[u8]) {
        self.events.push(WireEvent::Delivered {
            at,
            actor,
            data: data.to_vec(),
        });
    }

    /// Keeps what `output` puts on the wire, if anything.
    pub(super) fn observe(&mut self, at: Millis, actor: ActorId, output: &Output) {
        let event = match output {
            Output::ShowQr(text) => WireEvent::Qr {
                at,
                actor,
                text: text.clone(),
            },
            Output::Advertise { uuid, data } => WireEvent::Advert {
                at,
                actor,
                uuid: *uuid,
                data: data.clone(),
            },
            Output::Send { data, .. } => WireEvent::Message {
                at,
                actor,
                data: data.clone(),
            },
            _ => return,
        };
        self.events.push(event);
    }
}
