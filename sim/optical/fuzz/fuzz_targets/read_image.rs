//! The QR picture reader never panics or runs away on PNG and JPEG bytes: it returns texts or
//! a typed error, and a refusal for too many finder patterns names the limit.
//!
//! Pictures whose header claims more than 384 pixels a side are skipped, so one run stays
//! fast (a FIDO code at the renderer's default module size is 328 px); the reader's own
//! limits (8192 px, 256 MiB, shrinking to 1024 px) are unit-tested.
//! rqrr still asserts on some degenerate pictures (its issue #54): the reader contains that
//! as `ReadError::DetectorFailed`, so the target keeps the default panic hook instead of
//! libFuzzer's aborting one for the reader call.
#![no_main]

use hybridsim_optical::{read_image, ReadError, MAX_FINDER_PATTERNS};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

const MAX_FUZZ_SIDE_PX: u32 = 384;

fn small_enough(data: &[u8]) -> bool {
    image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok())
        .is_some_and(|(w, h)| w <= MAX_FUZZ_SIDE_PX && h <= MAX_FUZZ_SIDE_PX)
}

fuzz_target!(|data: &[u8]| {
    if !small_enough(data) {
        return;
    }
    let aborting = std::panic::take_hook();
    let result = read_image(data);
    std::panic::set_hook(aborting);
    match result {
        Ok(texts) => assert!(!texts.is_empty()),
        Err(ReadError::TooManyFinderPatterns { limit }) => assert_eq!(limit, MAX_FINDER_PATTERNS),
        Err(_) => {}
    }
});
