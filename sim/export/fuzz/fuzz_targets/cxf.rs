//! The CXF reader never panics and stays within its bound: any bytes give a document or a typed
//! error naming the field; a document read back is written and read again to the same listing.
#![no_main]

use hybridsim_export::cxf::{decode, encode, list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = decode(data) {
        let again = decode(encode(&header).as_bytes());
        assert_eq!(again.map(|h| list(&h)).ok(), Some(list(&header)));
    }
});
