//! tools/wireshark/hybrid.lua under tshark: it finds the session's keys in the embedded or a
//! separate key log, decrypts every transport message in Lua (both crypter constructions),
//! and names the CTAP command and status.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{tshark, write_plain, write_with};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::Flow;
use hybridsim_session::keylog::Label;
use hybridsim_session::sample::Options;
use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/wireshark/hybrid.lua")
}

fn run(tshark: &str, path: &Path, extra: &[&str]) -> String {
    let lua = format!("lua_script:{}", script().display());
    let out = Command::new(tshark)
        .args(["-X", &lua, "-r"])
        .arg(path)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("Lua: Error"),
        "{stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

/// hybrid.command, hybrid.status and hybrid.crypter of every hybrid frame with a value.
fn decoded(tshark: &str, path: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "-Y",
        "hybrid.crypter",
        "-T",
        "fields",
        "-e",
        "hybrid.command",
        "-e",
        "hybrid.status",
        "-e",
        "hybrid.crypter",
    ];
    args.extend_from_slice(extra);
    run(tshark, path, &args)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_embedded_key_log_decrypts_every_message_and_names_the_ctap_command() {
    let Some(tshark) = tshark() else { return };
    let (path, _) = write_with("lua-embedded.pcapng", Construction::New, true, false);
    let rows = decoded(tshark, &path, &[]);
    // post-handshake, update, request, response, shutdown: each on both hops.
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert_eq!(rows[4], "makeCredential\t\tnew");
    assert_eq!(rows[6], "\tCTAP2_OK\tnew");
    let text = run(tshark, &path, &["-V"]);
    assert!(text.contains("CTAP command: makeCredential"), "{text}");
    assert!(text.contains("post-handshake message (protocol revision 1)"));
}

#[test]
fn a_separate_key_log_and_the_old_construction_work_too() {
    let Some(tshark) = tshark() else { return };
    let (path, sample) = write_with("lua-old.pcapng", Construction::Old, false, false);
    assert!(
        decoded(tshark, &path, &[]).is_empty(),
        "decrypted without keys"
    );
    let keylog = path.with_extension("log");
    std::fs::write(
        &keylog,
        sample.keylog(&[Label::DesktopWriteKey, Label::DesktopReadKey]),
    )
    .unwrap();
    let pref = format!("hybrid.keylog_file:{}", keylog.display());
    let rows = decoded(tshark, &path, &["-o", &pref]);
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert_eq!(rows[4], "makeCredential\t\told");
}

#[test]
fn a_wrong_key_is_reported_on_the_message() {
    let Some(tshark) = tshark() else { return };
    let (path, sample) = write_with("lua-wrong.pcapng", Construction::New, false, false);
    let keylog = path.with_extension("log");
    let text = sample.keylog(&[Label::DesktopWriteKey, Label::DesktopReadKey]);
    let read = hex::encode(
        &sample
            .secrets
            .iter()
            .find(|(l, _)| *l == Label::DesktopReadKey)
            .unwrap()
            .1,
    );
    std::fs::write(&keylog, text.replace(&read, &"00".repeat(32))).unwrap();
    let pref = format!("hybrid.keylog_file:{}", keylog.display());
    let text = run(tshark, &path, &["-o", &pref, "-V"]);
    assert!(
        text.contains("does not decrypt under DESKTOP_READ_KEY as sequence 0"),
        "{text}"
    );
    assert!(
        text.contains("CTAP command: makeCredential"),
        "the desktop's direction still decrypts"
    );
}

#[test]
fn revision_0_messages_have_no_type_byte_and_linked_sessions_decrypt_too() {
    let Some(tshark) = tshark() else { return };
    let options = Options {
        flow: Flow::Qr,
        construction: Construction::Old,
        revision: ProtocolRevision::V0,
    };
    let (path, _) = write_plain("lua-v0.pcapng", options);
    let text = run(tshark, &path, &["-V"]);
    assert!(
        text.contains("post-handshake message (protocol revision 0)"),
        "{text}"
    );
    // post-handshake, request, response: each on both hops.
    let rows = decoded(tshark, &path, &[]);
    assert_eq!(
        rows,
        [
            "\t\told",
            "\t\told",
            "makeCredential\t\told",
            "makeCredential\t\told",
            "\tCTAP2_OK\told",
            "\tCTAP2_OK\told"
        ]
    );
    let options = Options {
        flow: Flow::Linked,
        construction: Construction::New,
        revision: ProtocolRevision::V1,
    };
    let (path, _) = write_plain("lua-linked.pcapng", options);
    let rows = decoded(tshark, &path, &[]);
    assert_eq!(
        rows.iter()
            .filter(|r| r.starts_with("makeCredential"))
            .count(),
        2,
        "{rows:?}"
    );
}

#[test]
fn a_contact_stream_without_a_tunnel_id_uses_the_key_logs_only_session() {
    use hybridsim_pcapng::session::{DESKTOP, PHONE, SERVER};
    use hybridsim_pcapng::{Capture, Direction, Endpoints, Event};
    use hybridsim_session::messages::Side;
    let Some(tshark) = tshark() else { return };
    let options = Options {
        flow: Flow::Linked,
        construction: Construction::New,
        revision: ProtocolRevision::V1,
    };
    let s = hybridsim_session::sample::build(options).unwrap();
    let desktop = Endpoints {
        client: DESKTOP,
        server: SERVER,
    };
    let phone = Endpoints {
        client: PHONE,
        server: SERVER,
    };
    let open = |endpoints, path: String| Event::Open {
        at_ns: 0,
        endpoints,
        host: "cable.ua5v.com".into(),
        path,
        request_headers: Vec::new(),
        response_headers: Vec::new(),
    };
    let mut events = vec![
        open(desktop, "/cable/contact/Y29udGFjdA".into()),
        open(
            phone,
            format!("/cable/connect/2A0000/{}", hex::encode_upper(s.tunnel_id)),
        ),
    ];
    for (i, m) in s.messages.iter().enumerate() {
        // Only the desktop's stream: both directions of /cable/contact.
        let direction = if m.from == Side::Desktop {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        events.push(Event::Message {
            at_ns: i as u64,
            endpoints: desktop,
            direction,
            payload: m.bytes.clone(),
            comment: None,
        });
    }
    let capture = Capture {
        description: None,
        keylog: Some(s.keylog(&[Label::DesktopWriteKey, Label::DesktopReadKey])),
        events,
    };
    let path = std::env::temp_dir().join(format!(
        "hybridsim-pcapng-contact-{}.pcapng",
        std::process::id()
    ));
    std::fs::write(&path, capture.to_bytes().unwrap()).unwrap();
    let rows = decoded(tshark, &path, &[]);
    assert!(
        rows.contains(&"makeCredential\t\tnew".to_owned()),
        "{rows:?}"
    );
    assert!(rows.contains(&"\tCTAP2_OK\tnew".to_owned()), "{rows:?}");
}
