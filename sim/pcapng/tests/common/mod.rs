//! Shared by the tshark tests: sample captures and tshark calls.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
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

pub fn tshark() -> Option<&'static str> {
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
    write_with(name, Construction::New, true, true)
}

/// A sample QR session (revision 1) with the given construction, with or without the
/// embedded key log and the comments.
pub fn write_with(
    name: &str,
    construction: Construction,
    keylog: bool,
    comments: bool,
) -> (PathBuf, sample::Sample) {
    let s = sample::build(Options {
        flow: Flow::Qr,
        construction,
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
            (
                sender,
                m.bytes.clone(),
                comments.then(|| format!("hybrid: {summary}")),
            )
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
        keylog: keylog.then(|| s.keylog(&Label::ALL)),
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

pub fn fields(tshark: &str, path: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
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

/// Any sample session, without comments, with its key log embedded.
pub fn write_plain(name: &str, options: Options) -> (PathBuf, sample::Sample) {
    let s = sample::build(options).unwrap();
    let layout = Layout {
        start_ns: 0,
        tunnel_id: s.tunnel_id,
        routing_id: [0x2A, 0, 0],
        host: "cable.ua5v.com".into(),
    };
    let capture = session::capture(
        &layout,
        None,
        &s.messages,
        None,
        Some(s.keylog(&Label::ALL)),
    );
    let dir = std::env::temp_dir().join(format!("hybridsim-pcapng-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, capture.to_bytes().unwrap()).unwrap();
    (path, s)
}
