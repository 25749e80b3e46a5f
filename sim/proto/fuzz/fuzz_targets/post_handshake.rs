//! The phone's post-handshake and update messages never panic the desktop's decoder.
#![no_main]

use hybridsim_proto::noise::HandshakeKind;
use hybridsim_proto::post_handshake::{PostHandshakeMessage, UpdateMessage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kind in [HandshakeKind::QrInitiated, HandshakeKind::Linked] {
        if let Ok((message, revision)) = PostHandshakeMessage::decode(data, kind) {
            let again = PostHandshakeMessage::decode(&message.encode(revision), kind);
            assert_eq!(again.ok(), Some((message, revision)));
        }
        let _ = UpdateMessage::decode(data, kind);
    }
});
