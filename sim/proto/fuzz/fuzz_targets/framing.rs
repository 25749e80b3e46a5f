//! Padding, padded CBOR maps and message framing never panic on hostile plaintexts, and
//! what they accept re-encodes to something that decodes the same.
#![no_main]

use hybridsim_proto::message::{Message, ProtocolRevision};
use hybridsim_proto::padding;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = padding::unpad(data) {
        assert_eq!(padding::unpad(&padding::pad(message)).ok(), Some(message));
    }
    if let Ok((map, _)) = padding::decode_padded_map(data) {
        let again = padding::decode_padded_map(&padding::encode_padded_map(&map));
        assert_eq!(again.ok().map(|(m, _)| m), Some(map));
    }
    for revision in [ProtocolRevision::V0, ProtocolRevision::V1] {
        if let Ok(message) = Message::parse(data, revision) {
            let bytes = message.encode(revision).ok();
            let reparsed = bytes.and_then(|b| Message::parse(&b, revision).ok());
            assert_eq!(reparsed, Some(message));
        }
    }
});
