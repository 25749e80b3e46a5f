//! The crate's own picture reading, writing and scaling against an independent library
//! (`image`, a test-only dependency): the same pixels from the same grey files, colour within
//! one grey level, and a shrunk screenshot within a grey level or two of image's triangle
//! filter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{luma_of, png_of, CHROME_QR};
use hybridsim_optical::{fit_png, render_png, Grey};
use image::{DynamicImage, GrayImage, Rgb, RgbImage};

fn grey_of(picture: &GrayImage) -> Grey {
    Grey::from_fn(picture.width(), picture.height(), |x, y| {
        picture.get_pixel(x, y).0[0]
    })
}

/// The largest difference of one pixel between the two, in grey levels. image converts
/// colour through its colour management (moxcms), whose rounding differs from a plain
/// weighted sum by at most one level.
fn largest_difference(ours: &Grey, theirs: &GrayImage) -> u8 {
    assert_eq!((ours.width(), ours.height()), theirs.dimensions());
    theirs
        .enumerate_pixels()
        .map(|(x, y, p)| ours.get(x, y).abs_diff(p.0[0]))
        .max()
        .unwrap_or(0)
}

#[test]
fn a_rendered_code_reads_back_the_same_through_image() {
    let png = render_png(CHROME_QR, 3).unwrap();
    let theirs = luma_of(&png).unwrap();
    assert_eq!(Grey::decode(&png).unwrap(), grey_of(&theirs));
    // Black modules on white, nothing in between.
    assert!(theirs.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255));
}

#[test]
fn colour_pngs_and_jpegs_turn_into_the_same_grey_as_image_makes() {
    let colour = RgbImage::from_fn(61, 47, |x, y| {
        Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut png = Vec::new();
    colour
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let theirs = DynamicImage::ImageRgb8(colour.clone()).to_luma8();
    assert_eq!(largest_difference(&Grey::decode(&png).unwrap(), &theirs), 1);

    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&colour)
        .unwrap();
    let theirs = image::load_from_memory(&jpeg).unwrap().to_luma8();
    assert!(largest_difference(&Grey::decode(&jpeg).unwrap(), &theirs) <= 1);
    // A grey picture is the same, byte for byte.
    let grey = DynamicImage::ImageRgb8(colour).to_luma8();
    let png = png_of(&grey).unwrap();
    assert_eq!(Grey::decode(&png).unwrap(), grey_of(&grey));
}

#[test]
fn a_shrunk_screenshot_is_close_to_images_triangle_filter() {
    // The M03 screenshot: a code shrunk to fit 200 px, as the apps crate does.
    let png = render_png(CHROME_QR, 8).unwrap();
    let ours = luma_of(&fit_png(&png, 200, 200).unwrap()).unwrap();
    let theirs = image::load_from_memory(&png)
        .unwrap()
        .resize(200, 200, image::imageops::FilterType::Triangle)
        .to_luma8();
    assert_eq!(ours.dimensions(), theirs.dimensions());
    let total: u64 = ours
        .pixels()
        .zip(theirs.pixels())
        .map(|(a, b)| u64::from(a.0[0].abs_diff(b.0[0])))
        .sum();
    let mean = total as f64 / f64::from(ours.width() * ours.height());
    assert!(mean < 2.0, "mean difference {mean} grey levels");
    // Written back through image, it still reads as the same picture through ours.
    assert_eq!(
        Grey::decode(&png_of(&ours).unwrap()).unwrap(),
        grey_of(&ours)
    );
}
