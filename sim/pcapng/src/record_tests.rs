#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::{Flow, MessageKind};
use hybridsim_session::keylog::Label;
use hybridsim_session::sample::{self, Options, Sample};

fn built(flow: Flow) -> Sample {
    sample::build(Options {
        flow,
        construction: Construction::New,
        revision: ProtocolRevision::V1,
    })
    .unwrap()
}

/// The record a driver would have made of a sample session.
fn record_of(s: &Sample, with_qr: bool) -> SessionRecord {
    let mut record = SessionRecord::new("sample");
    record.qr = with_qr.then(|| s.qr.to_url());
    record.secrets = s
        .secrets
        .iter()
        .map(|(label, value)| Entry {
            label: *label,
            tunnel_id: s.tunnel_id,
            value: value.clone(),
        })
        .collect();
    record.adverts.push(AdvertSeen {
        uuid: 0xFDE2,
        data: s.advert.to_vec(),
    });
    for m in &s.messages {
        record.message(m.from, m.bytes.clone());
    }
    record
}

#[test]
fn a_record_decrypts_from_its_own_key_log() {
    let record = record_of(&built(Flow::Qr), true);
    let text = record.keylog_text();
    assert!(text.starts_with("# sample\nQR_SECRET "), "{text}");
    let session = record.decrypt().unwrap();
    assert!(session.advert.is_some());
    let kinds: Vec<MessageKind> = session.messages.iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&MessageKind::CtapRequest), "{kinds:?}");
}

#[test]
fn a_linked_record_decrypts_by_its_tunnel_id_without_the_advert() {
    let record = record_of(&built(Flow::Linked), false);
    let session = record.decrypt().unwrap();
    assert_eq!(session.flow, Some(Flow::Linked));
    assert!(session.advert.is_none());
}

#[test]
fn sessions_in_one_capture_keep_apart_streams_and_every_key_log() {
    let one = record_of(&built(Flow::Qr), true);
    let mut two = one.clone();
    two.name = "second".into();
    let capture = capture(&[one, two]);
    let keylog = capture.keylog.clone().unwrap();
    assert!(keylog.contains("# sample\n") && keylog.contains("# second\n"));
    let ports: std::collections::BTreeSet<u16> = capture
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Open { endpoints, .. } => Some(endpoints.client.port()),
            _ => None,
        })
        .collect();
    assert_eq!(ports.len(), 4, "{ports:?}");
    let advert_uuids: Vec<u16> = capture
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Advert { uuid, .. } => Some(*uuid),
            _ => None,
        })
        .collect();
    assert_eq!(advert_uuids, [0xFDE2, 0xFDE2]);
    assert!(capture.to_bytes().is_ok());
}

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
    let merged = merge_secrets(&desktop, &phone);
    assert_eq!(merged.len(), 2);
    assert!(merged.iter().all(|e| e.tunnel_id == [2; 16]));
    assert_eq!(merged[0].label, Label::Psk);
    assert_eq!(merged[1].value, vec![8; 32], "the desktop's value is kept");
}

#[test]
fn a_strangers_advert_heard_first_is_passed_over() {
    let s = built(Flow::Qr);
    let mut record = record_of(&s, true);
    record.adverts.insert(
        0,
        AdvertSeen {
            uuid: 0xFFF9,
            data: vec![0x55; 20],
        },
    );
    assert_eq!(record.advert().map(|a| a.uuid), Some(0xFDE2));
    assert!(record.decrypt().unwrap().advert.is_some());
}
