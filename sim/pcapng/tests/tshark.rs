//! Debian's tshark reads what the writer produces: packet counts, the advert's service
//! data, the HTTP upgrade and every WebSocket frame, and the comments.
//!
//! `bash tests/run` installs tshark. Without it the tests are skipped, except in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{fields, tshark, write_sample};
use std::process::Command;

#[test]
fn tshark_counts_the_packets_and_reads_the_advert_service_data() {
    let Some(tshark) = tshark() else { return };
    let (path, s) = write_sample("advert.pcapng");
    // 2 opens x 5 segments, 1 advert, 7 messages x 2 hops, 2 closes x 2 segments.
    assert_eq!(
        fields(tshark, &path, "frame", &["frame.number"]).len(),
        10 + 1 + 14 + 4
    );
    let advert = fields(
        tshark,
        &path,
        "btle",
        &[
            "btcommon.eir_ad.entry.uuid_16",
            "btcommon.eir_ad.entry.service_data",
            "btle.crc.incorrect",
        ],
    );
    assert_eq!(advert.len(), 1);
    let columns: Vec<&str> = advert[0].split('\t').collect();
    assert!(columns[0].contains("0xfff9"), "{advert:?}");
    assert_eq!(
        columns[1].replace(':', ""),
        hex::encode(s.advert),
        "{advert:?}"
    );
    assert_eq!(
        columns.get(2).copied().unwrap_or(""),
        "",
        "CRC flagged incorrect: {advert:?}"
    );
}

#[test]
fn tshark_decodes_the_upgrade_and_every_websocket_frame() {
    let Some(tshark) = tshark() else { return };
    let (path, s) = write_sample("tunnel.pcapng");
    let upgrades = fields(tshark, &path, "http.request", &["http.request.uri"]);
    assert_eq!(upgrades.len(), 2, "{upgrades:?}");
    assert!(upgrades[0].starts_with("/cable/new/"), "{upgrades:?}");
    let frames = fields(
        tshark,
        &path,
        "websocket.opcode == 2",
        &["data.data", "frame.comment"],
    );
    assert_eq!(frames.len(), 14, "{frames:?}");
    // Every message twice (sender's hop, then the relay), unmasked, in order. Without a
    // dissector for `fido.cable` the payload goes to the data dissector.
    for (i, m) in s.messages.iter().enumerate() {
        for hop in 0..2 {
            let columns: Vec<&str> = frames[2 * i + hop].split('\t').collect();
            assert_eq!(
                columns[0].replace(':', ""),
                hex::encode(&m.bytes),
                "message {i} hop {hop}"
            );
            assert!(columns[1].starts_with("hybrid: "), "{columns:?}");
        }
    }
}

#[test]
fn the_key_log_is_in_the_section_comment() {
    let Some(_) = tshark() else { return };
    let (path, _) = write_sample("keylog.pcapng");
    let out = Command::new("capinfos")
        .arg("-k")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("QR_SECRET "), "{text}");
    assert!(text.contains("DESKTOP_WRITE_KEY "), "{text}");
}
