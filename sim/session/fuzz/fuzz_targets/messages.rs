//! The messages reader never panics, and what it accepts survives a round trip.
#![no_main]

use hybridsim_session::messages;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(read) = messages::parse(data) {
        let again = messages::parse(messages::to_json_lines(&read).as_bytes()).expect("reads back");
        assert_eq!(read.len(), again.len());
        for (a, b) in read.iter().zip(&again) {
            assert_eq!((a.from, &a.bytes), (b.from, &b.bytes));
        }
    }
});
