//! The response decoders a client uses (makeCredential, getAssertion, getInfo, clientPIN)
//! never panic; accepted canonical responses round-trip.
#![no_main]

use hybridsim_ctap::client_pin::ClientPinResponse;
use hybridsim_ctap::get_assertion::GetAssertionResponse;
use hybridsim_ctap::get_info::GetInfoResponse;
use hybridsim_ctap::make_credential::MakeCredentialResponse;
use hybridsim_proto::cbor::Strictness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = MakeCredentialResponse::decode(data) {
        assert!(MakeCredentialResponse::decode(&r.encode()).is_ok());
    }
    if let Ok(r) = GetAssertionResponse::decode(data) {
        assert_eq!(GetAssertionResponse::decode(&r.encode()).ok(), Some(r));
    }
    if let Ok(r) = GetInfoResponse::decode(data) {
        assert_eq!(GetInfoResponse::decode(&r.encode()).ok(), Some(r));
    }
    if let Ok(r) = ClientPinResponse::decode(data) {
        assert_eq!(ClientPinResponse::decode(&r.encode()).ok(), Some(r));
    }
    let _ = MakeCredentialResponse::decode_with(data, Strictness::WellFormed);
    let _ = GetAssertionResponse::decode_with(data, Strictness::WellFormed);
    let _ = GetInfoResponse::decode_with(data, Strictness::WellFormed);
});
