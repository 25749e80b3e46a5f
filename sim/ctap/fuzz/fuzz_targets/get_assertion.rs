//! getAssertion parameters never panic the decoder; canonical parameters round-trip.
#![no_main]

use hybridsim_ctap::get_assertion::GetAssertionRequest;
use hybridsim_proto::cbor::Strictness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = GetAssertionRequest::decode(data) {
        assert_eq!(
            GetAssertionRequest::decode(&request.encode()).ok(),
            Some(request)
        );
    }
    // Well-formed CBOR may hold floats and tags in extensions, which have no canonical form.
    let _ = GetAssertionRequest::decode_with(data, Strictness::WellFormed);
});
