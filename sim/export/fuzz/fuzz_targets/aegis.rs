//! The Aegis vault reader never panics on the JSON layer. Encrypted vaults are decoded without
//! a password, and with one under a tiny scrypt memory limit and per-file budget: slots of
//! N ≤ 64 (r = 1) really run, anything costlier is refused before running, so the slot
//! counting, the budget and the key unwrap are reached without making fuzzing crawl.
#![no_main]

use hybridsim_export::aegis::{decode, AegisDecodeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = AegisDecodeOptions {
        max_scrypt_memory: 128 * 64,
        max_scrypt_work: 4 * 128 * 64,
        ..AegisDecodeOptions::default()
    };
    let _ = decode(data, None, &options);
    let _ = decode(data, Some(b"test"), &options);
});
