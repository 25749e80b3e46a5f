//! clientDataJSON parsing never panics, and what it accepts is written back (in the browser
//! form) and read again to the same members.
#![no_main]

use hybridsim_webauthn::client_data::CollectedClientData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = CollectedClientData::parse(data) else {
        return;
    };
    let again = CollectedClientData::parse(&parsed.to_json()).expect("our own bytes parse");
    assert_eq!(again.type_, parsed.type_);
    assert_eq!(again.challenge, parsed.challenge);
    assert_eq!(again.origin, parsed.origin);
    assert_eq!(again.cross_origin, Some(parsed.cross_origin == Some(true)));
    assert_eq!(again.top_origin, parsed.top_origin);
    // Values are compared by name only: serde_json's default float parsing is not exact.
    let names =
        |d: &CollectedClientData| d.extra.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&parsed));
});
