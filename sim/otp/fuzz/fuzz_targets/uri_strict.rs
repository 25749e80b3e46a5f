//! Strict Key URI parsing never panics; an accepted URI re-emits to one that parses to the
//! same account.
#![no_main]

use hybridsim_otp::{parse, to_uri, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse(text, Mode::Strict) {
        let again = parse(&to_uri(&parsed.account), Mode::Strict);
        assert_eq!(again.map(|p| p.account).as_ref(), Ok(&parsed.account));
        // Every strict account yields codes.
        assert!(parsed.account.code_at(1_700_000_000).is_ok());
    }
});
