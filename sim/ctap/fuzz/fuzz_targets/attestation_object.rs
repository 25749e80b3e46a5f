//! WebAuthn attestation objects and packed statements never panic their decoders; a canonical
//! object round-trips through both encodings.
#![no_main]

use hybridsim_ctap::attestation::{AttestationObject, PackedStatement};
use hybridsim_proto::cbor::{self, Strictness};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(object) = AttestationObject::decode_webauthn(data) {
        assert_eq!(
            AttestationObject::decode_webauthn(&object.to_webauthn_bytes()).as_ref(),
            Ok(&object)
        );
        let ctap = cbor::decode(
            &cbor::encode_canonical(&object.to_ctap_response_map()),
            Strictness::Canonical,
        );
        let from_ctap = ctap
            .ok()
            .and_then(|v| AttestationObject::from_ctap_response_map(&v).ok());
        assert_eq!(from_ctap.as_ref(), Some(&object));
    }
    if let Ok(object) = AttestationObject::decode_webauthn_with(data, Strictness::WellFormed) {
        let _ = PackedStatement::from_value(&object.att_stmt);
    }
});
