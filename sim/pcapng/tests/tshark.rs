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

use hybridsim_pcapng::session::{self, Layout, Sender};
use hybridsim_pcapng::Capture;
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::Flow;
use hybridsim_session::keylog::Label;
use hybridsim_session::messages::Side;
use hybridsim_session::sample::{self, Options};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tshark() -> Option<&'static str> {
    if Command::new("tshark").arg("--version").output().is_ok() {
        return Some("tshark");
    }
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("tshark is not installed: run bash tests/run, which installs it");
    }
    eprintln!("skipped: tshark is not installed");
    None
}

/// A sample QR session as a capture file, with each message's summary as its comment.
pub fn write_sample(name: &str) -> (PathBuf, sample::Sample) {
    let s = sample::build(Options {
        flow: Flow::Qr,
        construction: Construction::New,
        revision: ProtocolRevision::V1,
    })
    .unwrap();
    let summaries = [
        "handshake message 1",
        "handshake message 2",
        "post-handshake",
        "update",
        "CTAP request makeCredential (0x01)",
        "CTAP response CTAP2_OK (0x00)",
        "shutdown",
    ];
    let messages: Vec<_> = s
        .messages
        .iter()
        .zip(summaries)
        .map(|(m, summary)| {
            let sender = if m.from == Side::Desktop {
                Sender::Desktop
            } else {
                Sender::Phone
            };
            (sender, m.bytes.clone(), Some(format!("hybrid: {summary}")))
        })
        .collect();
    let layout = Layout {
        start_ns: 1_765_000_000_000_000_000,
        tunnel_id: s.tunnel_id,
        routing_id: [0x2A, 0, 0],
        host: "cable.ua5v.com".into(),
    };
    let capture = Capture {
        description: Some("hybridsim sample session".into()),
        keylog: Some(s.keylog(&Label::ALL)),
        events: session::events(
            &layout,
            Some((0xFFF9, s.advert.to_vec(), Some("advert".into()))),
            &messages,
        ),
    };
    let dir = std::env::temp_dir().join(format!("hybridsim-pcapng-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, capture.to_bytes().unwrap()).unwrap();
    (path, s)
}

fn fields(tshark: &str, path: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
    let mut args = vec![
        "-r".to_owned(),
        path.display().to_string(),
        "-Y".into(),
        filter.into(),
        "-T".into(),
        "fields".into(),
    ];
    for f in fields {
        args.push("-e".into());
        args.push((*f).into());
    }
    let out = Command::new(tshark).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

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
