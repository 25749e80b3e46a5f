//! makeCredential parameters never panic the decoder; canonical parameters round-trip.
#![no_main]

use hybridsim_ctap::make_credential::MakeCredentialRequest;
use hybridsim_proto::cbor::Strictness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = MakeCredentialRequest::decode(data) {
        assert_eq!(
            MakeCredentialRequest::decode(&request.encode()).ok(),
            Some(request)
        );
    }
    // Well-formed CBOR may hold floats and tags in extensions, which have no canonical form.
    let _ = MakeCredentialRequest::decode_with(data, Strictness::WellFormed);
});
