//! Lenient Key URI parsing never panics; whatever strict accepts, lenient accepts with no
//! findings and the same account.
#![no_main]

use hybridsim_otp::{parse, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lenient = parse(text, Mode::Lenient);
    if let Ok(parsed) = &lenient {
        // Findings render without panicking too.
        for finding in &parsed.findings {
            let _ = (finding.name(), finding.to_string());
        }
        let _ = parsed.account.code_at(u64::MAX);
    }
    if let Ok(strict) = parse(text, Mode::Strict) {
        let lenient = lenient.as_ref().map_err(|e| e.to_string());
        assert!(lenient.is_ok_and(|l| l.findings.is_empty() && l.account == strict.account));
    }
});
