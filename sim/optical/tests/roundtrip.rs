//! Render, then read back with this crate's own readers.

mod common;

use common::{luma_of, png_of, CHROME_QR, CHROME_QR_SIDE_MODULES};
use hybridsim_optical::{read_image, read_terminal, render_png, render_terminal, ReadError};
use image::{GenericImage, GrayImage, Luma};

#[test]
fn chrome_qr_round_trips_through_png_at_8_px() {
    let png = render_png(CHROME_QR, 8).unwrap();
    assert_eq!(read_image(&png).unwrap(), vec![CHROME_QR.to_owned()]);
}

#[test]
fn chrome_qr_round_trips_through_png_at_2_px() {
    let png = render_png(CHROME_QR, 2).unwrap();
    assert_eq!(read_image(&png).unwrap(), vec![CHROME_QR.to_owned()]);
}

#[test]
fn chrome_qr_reads_back_from_a_jpeg_photo_of_it() {
    // Lossy JPEG at a phone camera's default quality; the reader recognises it from its bytes.
    let picture = luma_of(&render_png(CHROME_QR, 6).unwrap()).unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75)
        .encode_image(&picture)
        .unwrap();
    assert!(jpeg.starts_with(&[0xff, 0xd8, 0xff]));
    assert_eq!(read_image(&jpeg).unwrap(), vec![CHROME_QR.to_owned()]);
}

#[test]
fn chrome_qr_round_trips_through_terminal() {
    let art = render_terminal(CHROME_QR).unwrap();
    assert_eq!(read_terminal(&art).unwrap(), vec![CHROME_QR.to_owned()]);
}

#[test]
fn terminal_reader_accepts_light_background_colouring() {
    // Same code with blocks as dark modules, as a light-terminal renderer would draw it.
    let art: String = render_terminal(CHROME_QR)
        .unwrap()
        .chars()
        .map(|c| match c {
            '█' => ' ',
            ' ' => '█',
            '▀' => '▄',
            '▄' => '▀',
            other => other,
        })
        .collect();
    assert_eq!(read_terminal(&art).unwrap(), vec![CHROME_QR.to_owned()]);
}

#[test]
fn fido_string_is_not_in_byte_mode() {
    // Alphanumeric + numeric segments fit the 168 digits in version 5 (37 modules) at level M;
    // byte mode would need version 8. So the picture side tells the mode.
    let picture = luma_of(&render_png(CHROME_QR, 3).unwrap()).unwrap();
    assert_eq!(
        picture.dimensions(),
        (CHROME_QR_SIDE_MODULES * 3, CHROME_QR_SIDE_MODULES * 3)
    );
}

#[test]
fn png_is_grayscale_with_light_quiet_zone() {
    let png = render_png(CHROME_QR, 4).unwrap();
    let decoded = image::load_from_memory(&png).unwrap();
    assert_eq!(decoded.color(), image::ColorType::L8);
    let picture = decoded.to_luma8();
    let quiet = 4 * 4;
    assert!((0..picture.width()).all(|x| (0..quiet).all(|y| picture.get_pixel(x, y).0 == [255])));
}

#[test]
fn two_codes_in_one_picture_are_both_read() {
    let left = luma_of(&render_png("FIDO:/111", 6).unwrap()).unwrap();
    let right = luma_of(&render_png("FIDO:/222", 6).unwrap()).unwrap();
    let mut both = GrayImage::from_pixel(left.width() + right.width(), left.height(), Luma([255]));
    both.copy_from(&left, 0, 0).unwrap();
    both.copy_from(&right, left.width(), 0).unwrap();

    let mut texts = read_image(&png_of(&both).unwrap()).unwrap();
    texts.sort();
    assert_eq!(texts, vec!["FIDO:/111".to_owned(), "FIDO:/222".to_owned()]);
}

#[test]
fn damaged_code_is_found_but_unreadable() {
    let px = 4;
    let mut picture = luma_of(&render_png(CHROME_QR, px).unwrap()).unwrap();
    // Invert the data area between the finder patterns, timing lines and the alignment
    // pattern: far more than level M's 15% can repair, while the code stays detectable.
    let quiet = 4;
    for module_y in (quiet + 9)..(quiet + 28) {
        for module_x in (quiet + 9)..(quiet + 28) {
            invert_module(&mut picture, module_x, module_y, px);
        }
    }
    let err = read_image(&png_of(&picture).unwrap()).unwrap_err();
    assert!(
        matches!(err, ReadError::Unreadable { grids: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("found 1 QR code(s) but could not decode any"),
        "{err}"
    );
}

fn invert_module(picture: &mut GrayImage, module_x: u32, module_y: u32, px: u32) {
    for y in module_y * px..(module_y + 1) * px {
        for x in module_x * px..(module_x + 1) * px {
            let p = picture.get_pixel_mut(x, y);
            p.0 = [255 - p.0[0]];
        }
    }
}
