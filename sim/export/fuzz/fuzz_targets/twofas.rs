//! The 2FAS backup reader never panics on plain backups, on malformed encrypted fields, or on
//! service mapping. One PBKDF2 iteration keeps encrypted inputs cheap to try.
#![no_main]

use hybridsim_export::twofas::{decode, TwofasDecodeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = TwofasDecodeOptions {
        iterations: 1,
        ..TwofasDecodeOptions::default()
    };
    let _ = decode(data, None, &options);
    let _ = decode(data, Some(b"test"), &options);
});
