//! Authenticator data never panics the decoder, and what it accepts canonically re-encodes to
//! data that decodes to the same value.
#![no_main]

use hybridsim_ctap::auth_data::AuthenticatorData;
use hybridsim_proto::cbor::Strictness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = AuthenticatorData::decode(data) {
        let again = AuthenticatorData::decode(&parsed.to_bytes());
        assert_eq!(again.as_ref(), Ok(&parsed));
    }
    // Well-formed CBOR may hold floats and tags, which have no canonical form: no panic is all.
    let _ = AuthenticatorData::decode_with(data, Strictness::WellFormed);
});
