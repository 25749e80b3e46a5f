//! clientPIN parameters never panic the decoder; accepted parameters round-trip.
#![no_main]

use hybridsim_ctap::client_pin::ClientPinRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = ClientPinRequest::decode(data) {
        assert_eq!(
            ClientPinRequest::decode(&request.encode()).ok(),
            Some(request)
        );
    }
});
