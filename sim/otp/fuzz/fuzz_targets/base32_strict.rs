//! Strict Base32 decoding never panics; what it accepts without padding re-encodes to itself.
#![no_main]

use hybridsim_otp::base32;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = base32::decode_strict(text) {
            assert_eq!(base32::encode(&bytes), text.trim_end_matches('='));
        }
    }
    assert_eq!(
        base32::decode_strict(&base32::encode(data)).ok().as_deref(),
        if data.is_empty() { None } else { Some(data) }
    );
});
