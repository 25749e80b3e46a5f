//! The protobuf payload reader never panics; what it accepts re-encodes to bytes that decode
//! to the same payload, and every entry converts to an account or a typed error.
#![no_main]

use hybridsim_export::google::{ImportRules, Payload, PayloadEncodeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = Payload::decode(data) {
        let again = Payload::decode(&payload.encode(&PayloadEncodeOptions::default()));
        assert_eq!(again.as_ref(), Ok(&payload));
        for entry in &payload.entries {
            let _ = entry.to_account(&ImportRules::default());
        }
    }
});
