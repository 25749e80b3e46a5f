//! Linking info and the contact client payload never panic their decoders, and what they
//! accept round-trips.
#![no_main]

use hybridsim_proto::linking::{ClientPayload, LinkingInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = LinkingInfo::decode(data) {
        assert_eq!(LinkingInfo::decode(&info.encode()).ok(), Some(info));
    }
    if let Ok(payload) = ClientPayload::decode(data) {
        assert_eq!(ClientPayload::decode(&payload.encode()).ok(), Some(payload));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ClientPayload::from_header_value(text);
    }
});
