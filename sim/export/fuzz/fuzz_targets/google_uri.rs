//! The migration URI decoder never panics in either mode, and whatever strict mode accepts,
//! lenient mode accepts with the same payload and no findings.
#![no_main]

use hybridsim_export::google::{decode_uri, UriMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lenient = decode_uri(text, UriMode::Lenient);
    if let Ok(strict) = decode_uri(text, UriMode::Strict) {
        assert!(strict.findings.is_empty());
        let lenient = lenient.as_ref().map(|d| &d.payload);
        assert_eq!(lenient, Ok(&strict.payload));
    }
    // Lenient mode must cope with what the prefix makes reachable, too.
    let _ = decode_uri(&format!("otpauth-migration://offline?data={text}"), UriMode::Lenient);
});
