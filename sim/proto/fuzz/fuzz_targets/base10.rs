//! Digit decoding never panics and inverts encoding.
#![no_main]

use hybridsim_proto::base10;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = base10::decode(text) {
            assert_eq!(base10::encode(&bytes), text);
        }
    }
    assert_eq!(base10::decode(&base10::encode(data)).ok().as_deref(), Some(data));
});
