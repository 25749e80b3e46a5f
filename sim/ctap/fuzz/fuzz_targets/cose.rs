//! COSE keys never panic the decoder; an accepted key round-trips.
#![no_main]

use hybridsim_ctap::cose::CoseKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = CoseKey::decode(data) {
        assert_eq!(CoseKey::decode(&key.to_bytes()), Ok(key.clone()));
        assert!(key.to_public_key().is_ok());
    }
});
