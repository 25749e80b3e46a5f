//! The decryptor against an independent implementation: `independent.py` re-runs the Noise
//! handshake, the advert and the transport decryption with pyca/cryptography (AES-GCM,
//! HKDF, HMAC, ECDH P-256) from the key log and messages files this crate writes, and must
//! agree with the key log and the decryptor byte for byte.
//!
//! `bash tests/run` installs `cryptography` into the export virtualenv and points
//! HYBRIDSIM_PYTHON_EXPORT at it. Without it the test is skipped, except in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::{self, Flow, Input};
use hybridsim_session::keylog::{KeyLog, Label};
use hybridsim_session::messages;
use hybridsim_session::sample::{self, Options};
use std::path::PathBuf;
use std::process::Command;

fn python() -> Option<String> {
    const VAR: &str = "HYBRIDSIM_PYTHON_EXPORT";
    match std::env::var(VAR) {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") => {
            panic!("{VAR} is not set: run bash tests/run, which installs the interop tools")
        }
        _ => {
            eprintln!("skipped: {VAR} not set (bash tests/run sets it)");
            None
        }
    }
}

#[test]
fn pyca_cryptography_agrees_on_handshake_advert_and_every_message() {
    let Some(python) = python() else { return };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent.py");
    let dir =
        std::env::temp_dir().join(format!("hybridsim-session-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (flow, word) in [(Flow::Qr, "qr"), (Flow::Linked, "linked")] {
        let s = sample::build(Options {
            flow,
            construction: Construction::New,
            revision: ProtocolRevision::V1,
        })
        .unwrap();
        let keylog_path = dir.join(format!("{word}.log"));
        let messages_path = dir.join(format!("{word}.jsonl"));
        let keylog_text = s.keylog(&Label::ALL);
        std::fs::write(&keylog_path, &keylog_text).unwrap();
        std::fs::write(&messages_path, messages::to_json_lines(&s.messages)).unwrap();
        let advert = if flow == Flow::Qr {
            hex::encode(s.advert)
        } else {
            "-".into()
        };
        let out = Command::new(&python)
            .arg(&script)
            .args([&keylog_path, &messages_path])
            .args([hex::encode(s.tunnel_id), word.into(), advert])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

        let keylog = KeyLog::parse(keylog_text.as_bytes()).unwrap();
        let logged = keylog.session(&s.tunnel_id).unwrap();
        let hex_of = |label| hex::encode(logged.get(label).unwrap());
        assert_eq!(theirs["message_1_matches"], true, "{word}");
        assert_eq!(
            theirs["handshake_hash"],
            hex_of(Label::HandshakeHash),
            "{word}"
        );
        assert_eq!(
            theirs["write_key"],
            hex_of(Label::DesktopWriteKey),
            "{word}"
        );
        assert_eq!(theirs["read_key"], hex_of(Label::DesktopReadKey), "{word}");
        if flow == Flow::Qr {
            assert_eq!(theirs["psk_from_advert"], hex_of(Label::Psk));
        }
        let ours = decrypt::decrypt(Input {
            qr: Some(&s.qr),
            tunnel_id: Some(s.tunnel_id),
            keylog: &keylog,
            messages: &s.messages,
            advert: None,
        })
        .unwrap();
        let ours: Vec<String> = ours.messages[2..]
            .iter()
            .map(|m| hex::encode(&m.plaintext))
            .collect();
        let theirs: Vec<String> = theirs["plaintexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ours, theirs, "{word}");
    }
}
