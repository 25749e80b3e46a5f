//! Opening adverts never panics, whatever their length, under any key.
#![no_main]

use hybridsim_proto::advert::{self, LengthRule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (key_bytes, advert_bytes) = data.split_at(data.len().min(64));
    let mut key = [0u8; 64];
    key[..key_bytes.len()].copy_from_slice(key_bytes);
    let _ = advert::open(&key, advert_bytes, LengthRule::AllowSuffix, 2);
    let _ = advert::trial_decrypt(&[key, [0; 64]], advert_bytes, LengthRule::Exact, 2);
    if let Ok(plaintext) = <[u8; 16]>::try_from(advert_bytes.get(..16).unwrap_or_default()) {
        if let Ok(eid) = advert::Eid::from_plaintext(&plaintext, 2) {
            assert_eq!(eid.to_plaintext(), plaintext);
        }
    }
});
