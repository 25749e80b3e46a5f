//! QR parsing never panics, from text or from the CBOR behind it, and what parses
//! re-encodes to a string that parses to the same payload.
#![no_main]

use hybridsim_proto::qr::QrPayload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(qr) = QrPayload::from_cbor(data) {
        assert_eq!(QrPayload::parse(&qr.to_url()).ok(), Some(qr));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = QrPayload::parse(text);
    }
});
