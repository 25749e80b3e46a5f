//! The strict CBOR reader never panics, and whatever it accepts canonically re-encodes to
//! the same bytes.
#![no_main]

use hybridsim_proto::cbor::{self, Strictness};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = cbor::decode(data, Strictness::Canonical) {
        assert_eq!(cbor::encode_canonical(&value), data);
    }
    let _ = cbor::decode(data, Strictness::WellFormed);
});
