//! Advert lines never panic, and every advert read back prints as a line that reads the same.
#![no_main]

use hybridsim_proto::advert_line::{AdvertLine, MAX_LINE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(advert)) = AdvertLine::parse(text) {
        let line = advert.to_line();
        // A bare payload near the limit grows past it by its printed prefix.
        if line.len() <= MAX_LINE {
            assert_eq!(AdvertLine::parse(&line), Ok(Some(advert)));
        }
    }
});
