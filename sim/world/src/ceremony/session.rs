//! A ceremony's session for `--keylog` and `--pcapng` ([`Ceremony::record_session`]): the
//! desktop's and the phone's key-log secrets and what they put on the wire, as one
//! [`SessionRecord`].
//!
//! The world sees both ends, so one record holds both sides' secrets under one tunnel id
//! ([`merge_secrets`]).
//!
//! [`Ceremony::record_session`]: super::Ceremony::record_session

use super::cast::Cast;
use crate::world::{WireEvent, World};
use hybridsim_pcapng::record::{merge_secrets, AdvertSeen, Hop, SessionRecord};
use hybridsim_peers::desktop::Desktop;
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
            WireEvent::Message { actor, data, .. } | WireEvent::Delivered { actor, data, .. }
                if *actor == cast.desktop || *actor == cast.phone =>
            {
                let side = if *actor == cast.desktop {
                    Side::Desktop
                } else {
                    Side::Phone
                };
                let to_server = matches!(event, WireEvent::Message { .. });
                if to_server {
                    record.message(side, data.clone());
                }
                record.hops.push(Hop {
                    side,
                    to_server,
                    bytes: data.clone(),
                });
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
    record.secrets = merge_secrets(desktop, phone);
    Some(record)
}
