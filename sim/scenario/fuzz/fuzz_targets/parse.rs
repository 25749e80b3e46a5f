//! Reading a scenario file never panics, every error has a line inside the text, and what
//! parses is reported at a line that exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = hybridsim_scenario::parse(Path::new("fuzz.toml"), text) {
        let lines = text.split('\n').count();
        assert!(error.line >= 1 && error.line <= lines, "{error}");
        assert!(!error.message.is_empty());
    }
});
