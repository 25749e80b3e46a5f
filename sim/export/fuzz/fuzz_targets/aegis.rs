//! The Aegis vault reader never panics on the JSON layer. Encrypted vaults are decoded without
//! a password (so no scrypt runs: a real cost would make fuzzing crawl); the plain path,
//! slot parsing and entry mapping are all reached.
#![no_main]

use hybridsim_export::aegis::{decode, AegisDecodeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = AegisDecodeOptions {
        max_scrypt_memory: 0,
        ..AegisDecodeOptions::default()
    };
    let _ = decode(data, None, &options);
    // With a password, the scrypt cost limit of 0 refuses every slot before any work.
    let _ = decode(data, Some(b"test"), &options);
});
