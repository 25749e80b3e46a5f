//! Inputs that are not QR pictures: each must give a specific error, never a panic.

mod common;

use common::{png_of, pseudo_random_bytes, CHROME_QR};
use hybridsim_optical::{
    finder_candidates, read_image, read_terminal, render_png, ReadError, MAX_FINDER_PATTERNS,
};
use image::{GrayImage, Luma};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

#[test]
fn empty_input_is_not_an_image() {
    assert!(matches!(read_image(&[]), Err(ReadError::NotAnImage(_))));
}

#[test]
fn random_bytes_are_not_an_image() {
    for seed in 1..=64 {
        let bytes = pseudo_random_bytes(seed, (seed as usize) * 37);
        let result = read_image(&bytes);
        assert!(
            matches!(result, Err(ReadError::NotAnImage(_))),
            "seed {seed}: {result:?}"
        );
    }
}

#[test]
fn random_bytes_after_jpeg_markers_are_not_an_image() {
    for seed in 1..=64 {
        let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
        bytes.extend(pseudo_random_bytes(seed, 300));
        let result = read_image(&bytes);
        assert!(
            matches!(
                result,
                Err(ReadError::NotAnImage(_)) | Err(ReadError::NoQrCode)
            ),
            "seed {seed}: {result:?}"
        );
    }
}

#[test]
fn random_bytes_after_png_signature_are_not_an_image() {
    for seed in 1..=64 {
        let mut bytes = PNG_SIGNATURE.to_vec();
        bytes.extend(pseudo_random_bytes(seed, 200));
        let result = read_image(&bytes);
        assert!(
            matches!(result, Err(ReadError::NotAnImage(_))),
            "seed {seed}: {result:?}"
        );
    }
}

#[test]
fn truncated_png_is_refused_or_still_complete() {
    let png = render_png(CHROME_QR, 2).unwrap();
    for cut in 0..png.len() {
        let result = read_image(png.get(..cut).unwrap());
        if cut <= png.len() / 2 {
            assert!(
                matches!(result, Err(ReadError::NotAnImage(_))),
                "cut {cut}: {result:?}"
            );
        } else {
            // Near the end only the IEND chunk may be missing, and the pixels are all there.
            assert!(
                matches!(&result, Err(ReadError::NotAnImage(_)))
                    || result == Ok(vec![CHROME_QR.to_owned()]),
                "cut {cut}: {result:?}"
            );
        }
    }
}

#[test]
fn one_pixel_png_has_no_qr_code() {
    let png = png_of(&GrayImage::from_pixel(1, 1, Luma([0]))).unwrap();
    assert_eq!(read_image(&png), Err(ReadError::NoQrCode));
}

#[test]
fn blank_page_has_no_qr_code() {
    let png = png_of(&GrayImage::from_pixel(300, 300, Luma([255]))).unwrap();
    let err = read_image(&png).unwrap_err();
    assert_eq!(err, ReadError::NoQrCode);
    assert_eq!(err.to_string(), "no QR code found in the image");
}

#[test]
fn noise_picture_decodes_to_nothing() {
    let noise = pseudo_random_bytes(7, 240 * 240);
    let picture = GrayImage::from_raw(240, 240, noise).unwrap();
    let result = read_image(&png_of(&picture).unwrap());
    assert!(
        matches!(
            result,
            Err(ReadError::NoQrCode | ReadError::Unreadable { .. } | ReadError::DetectorFailed(_))
        ),
        "{result:?}"
    );
}

#[test]
fn huge_dimensions_are_refused_from_the_header() {
    // 100000 x 100000 8-bit gray would be 10 GB; the limit must trip before any allocation.
    let png = with_header(100_000, 100_000, 8, 0);
    let err = read_image(&png).unwrap_err();
    assert!(
        matches!(&err, ReadError::NotAnImage(m) if m.contains("limit")),
        "{err:?}"
    );
}

#[test]
fn side_just_over_the_limit_is_refused() {
    let png = with_header(8193, 1, 8, 0);
    let err = read_image(&png).unwrap_err();
    assert!(
        matches!(&err, ReadError::NotAnImage(m) if m.contains("limit")),
        "{err:?}"
    );
}

#[test]
fn allocation_over_the_limit_is_refused() {
    // Within the side limit, but 16-bit RGBA at 8192 x 8192 needs 512 MiB.
    let png = with_header(8192, 8192, 16, 6);
    let err = read_image(&png).unwrap_err();
    assert!(
        matches!(&err, ReadError::NotAnImage(m) if m.contains("limit")),
        "{err:?}"
    );
}

#[test]
fn terminal_text_with_other_characters_is_refused() {
    let err = read_terminal("hello, world").unwrap_err();
    assert!(
        matches!(&err, ReadError::NotTerminalQr(m) if m.contains("line 1, column 1")),
        "{err:?}"
    );
}

#[test]
fn terminal_blocks_without_a_code_have_no_qr_code() {
    let art = "█".repeat(40) + "\n" + &"▀".repeat(40);
    assert_eq!(read_terminal(&art), Err(ReadError::NoQrCode));
}

/// A PNG made of a signature and an IHDR chunk claiming the given size and pixel format,
/// followed by an empty IDAT and IEND.
fn with_header(width: u32, height: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([bit_depth, colour_type, 0, 0, 0]);
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[]));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    // The chunks built here are at most 13 bytes long.
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut covered = kind.to_vec();
    covered.extend(data);
    out.extend(&covered);
    out.extend(crc32(&covered).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// 1-bit noise, one pixel per random bit (seeded, so the same picture on every run).
fn noise_png(side: u32, seed: u64) -> image::ImageResult<Vec<u8>> {
    let bits = pseudo_random_bytes(seed, (side * side).div_ceil(8) as usize);
    let picture = GrayImage::from_fn(side, side, |x, y| {
        let i = (y * side + x) as usize;
        let bit = bits.get(i / 8).copied().unwrap_or(0) >> (i % 8) & 1;
        Luma([if bit == 1 { 255 } else { 0 }])
    });
    png_of(&picture)
}

#[test]
fn noise_is_refused_before_the_detector_searches_it() {
    // 3072² kept the detector busy for minutes; 1024² is the largest size read unshrunk.
    for side in [1024, 3072] {
        let result = read_image(&noise_png(side, 20).unwrap());
        assert_eq!(
            result,
            Err(ReadError::TooManyFinderPatterns {
                limit: MAX_FINDER_PATTERNS
            }),
            "{side}²"
        );
    }
}

/// Counts the finder patterns of `picture` as the detector thresholds it, up to `limit`.
fn count_finders(picture: &GrayImage, limit: usize) -> usize {
    let (w, h) = picture.dimensions();
    let prepared = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        picture.get_pixel(x as u32, y as u32).0[0]
    });
    let dark = |x, y| prepared.get_pixel_at(x, y) == 1;
    finder_candidates(prepared.width(), prepared.height(), dark, limit)
}

#[test]
fn the_finder_pattern_count_stops_at_its_limit() {
    let picture = common::luma_of(&noise_png(1024, 21).unwrap()).unwrap();
    assert_eq!(count_finders(&picture, 10), 11);
    assert!(count_finders(&picture, usize::MAX) > MAX_FINDER_PATTERNS);
}

#[test]
fn a_code_in_a_large_picture_is_read_after_shrinking() {
    // 16 px per module in 2500 px: 6.5 px per module once shrunk to 1024.
    let code = common::luma_of(&render_png(CHROME_QR, 16).unwrap()).unwrap();
    let mut picture = GrayImage::from_pixel(2500, 2000, Luma([255]));
    image::imageops::overlay(&mut picture, &code, 900, 700);
    assert_eq!(
        read_image(&png_of(&picture).unwrap()),
        Ok(vec![CHROME_QR.to_owned()])
    );
}

#[test]
fn vertical_finder_stripes_are_not_finder_patterns() {
    // Every row is full of 1:1:3:1:1 runs, but no column is: the count must see none, and
    // its walks down the (full-height) stripes stop early.
    let stripes = GrayImage::from_fn(1024, 1024, |x, _| {
        let dark = matches!(x % 9, 0 | 2..=4 | 6);
        Luma([if dark { 0 } else { 255 }])
    });
    assert_eq!(count_finders(&stripes, MAX_FINDER_PATTERNS), 0);
    assert_eq!(
        read_image(&png_of(&stripes).unwrap()),
        Err(ReadError::NoQrCode)
    );
}
