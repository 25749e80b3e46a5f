//! Shared test data and helpers.
#![allow(dead_code)] // each test binary uses a different subset

/// A real QR payload shown by Chrome on a desktop (168 digits after `FIDO:/`).
pub const CHROME_QR: &str = "FIDO:/162870791865632382552704231438327900152302540348097243854039966655366469794954476199158014113179232779520163209900691930075274801398564434658077048963842109321447142660";

/// QR version 5 is 37 modules wide; with the 4-module quiet zone on both sides, 45.
pub const CHROME_QR_SIDE_MODULES: u32 = 45;

/// A deterministic byte stream (xorshift64), so "random" inputs are the same on every run.
pub fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// Encodes a grayscale picture as PNG bytes.
pub fn png_of(picture: &image::GrayImage) -> image::ImageResult<Vec<u8>> {
    let mut png = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
}

/// Decodes PNG bytes into a grayscale picture.
pub fn luma_of(png: &[u8]) -> image::ImageResult<image::GrayImage> {
    Ok(image::load_from_memory(png)?.to_luma8())
}
