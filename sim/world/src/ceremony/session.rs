//! A ceremony's session for `--keylog` and `--pcapng` ([`Ceremony::record_session`]): the
//! desktop's and the phone's key-log secrets and what they put on the wire, as one
//! [`SessionRecord`].
//!
//! The world sees both ends, so one record holds both sides' secrets under one tunnel id:
//! the phone's (a linked desktop never learns the tunnel id and keys its lines by its client
//! nonce). A secret both sides logged is written once; where the two disagree (a fault made
//! them derive different keys) the desktop's value is kept, since the reader refuses two
//! values for one label.
//!
//! [`Ceremony::record_session`]: super::Ceremony::record_session

use super::cast::Cast;
use crate::world::{WireEvent, World};
use hybridsim_pcapng::record::{AdvertSeen, SessionRecord};
use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::keylog::Entry;
use hybridsim_peers::phone::Phone;
use hybridsim_session::messages::Side;

/// The record of the ceremony run in `world`, named `name`, when the world kept its wire.
pub(super) fn record(world: &World, cast: &Cast, name: String) -> Option<SessionRecord> {
    let wire = world.wire()?;
    let mut record = SessionRecord::new(name);
    for event in &wire.events {
        match event {
            WireEvent::Qr { actor, text, .. } if *actor == cast.desktop => {
                record.qr.get_or_insert_with(|| text.clone());
            }
            WireEvent::Advert {
                actor, uuid, data, ..
            } if *actor == cast.phone => record.adverts.push(AdvertSeen {
                uuid: *uuid,
                data: data.clone(),
            }),
            WireEvent::Message { actor, data, .. } if *actor == cast.desktop => {
                record.message(Side::Desktop, data.clone());
            }
            WireEvent::Message { actor, data, .. } if *actor == cast.phone => {
                record.message(Side::Phone, data.clone());
            }
            _ => {}
        }
    }
    let desktop = world
        .peer::<Desktop>(cast.desktop)
        .map(Desktop::secrets)
        .unwrap_or_default();
    let phone = world
        .peer::<Phone>(cast.phone)
        .map(Phone::secrets)
        .unwrap_or_default();
    record.secrets = merge(desktop, phone);
    Some(record)
}

/// Both sides' entries under the phone's tunnel id (the desktop's when the phone logged
/// none), each label once, in the order of [`hybridsim_session::keylog::Label::ALL`].
fn merge(desktop: &[Entry], phone: &[Entry]) -> Vec<Entry> {
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
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;
    use hybridsim_session::keylog::Label;

    fn entry(label: Label, id: u8, value: u8) -> Entry {
        Entry {
            label,
            tunnel_id: [id; 16],
            value: vec![value; label.value_len()],
        }
    }

    #[test]
    fn both_sides_merge_under_the_phones_tunnel_id_once_per_label() {
        let desktop = [entry(Label::Psk, 1, 7), entry(Label::LinkSecret, 1, 8)];
        let phone = [entry(Label::LinkSecret, 2, 9), entry(Label::Psk, 2, 7)];
        let merged = merge(&desktop, &phone);
        assert_eq!(merged.len(), 2);
        assert!(merged.iter().all(|e| e.tunnel_id == [2; 16]));
        assert_eq!(merged[0].label, Label::Psk);
        assert_eq!(merged[1].value, vec![8; 32], "the desktop's value is kept");
    }
}
