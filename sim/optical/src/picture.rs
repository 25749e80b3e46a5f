//! Grey pictures in memory, read from PNG or JPEG and written as PNG, and scaled down.
//!
//! The crate only ever needs one channel of 8-bit grey: codes are drawn black on white and
//! the detector thresholds grey. So it reads the two formats with their codecs directly
//! (`png`, `zune-jpeg`: the ones a general image library would call, without the colour
//! management and other formats such a library builds too) and converts colour to grey with
//! the sRGB (Rec. 709) luma weights, as image libraries do.

use crate::error::ReadError;
use crate::limits::{MAX_ALLOC_BYTES, MAX_SIDE_PX};
use std::io::Cursor;

/// Luma weights of red, green and blue: sRGB's primaries (Rec. 709) to the precision colour
/// management libraries use, so a colour picture turns into the grey they make of it.
const LUMA: [f64; 3] = [0.212_672_9, 0.715_152_2, 0.072_175_0];

/// An 8-bit grey picture, row by row (0 black, 255 white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grey {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Grey {
    /// A picture whose pixel at `(x, y)` is `shade(x, y)`.
    pub fn from_fn(width: u32, height: u32, mut shade: impl FnMut(u32, u32) -> u8) -> Grey {
        let mut pixels = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                pixels.push(shade(x, y));
            }
        }
        Grey {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixel at `(x, y)`; white outside the picture.
    pub fn get(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return 255;
        }
        let at = y as usize * self.width as usize + x as usize;
        self.pixels.get(at).copied().unwrap_or(255)
    }

    /// Reads a PNG or JPEG (told apart by their signatures), refusing pictures wider or
    /// taller than [`MAX_SIDE_PX`] before decoding them, and decoders that would allocate more
    /// than [`MAX_ALLOC_BYTES`].
    pub fn decode(bytes: &[u8]) -> Result<Grey, ReadError> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes).map_err(ReadError::NotAnImage)
        } else if bytes.starts_with(&[0xFF, 0xD8]) {
            decode_jpeg(bytes).map_err(ReadError::NotAnImage)
        } else {
            Err(ReadError::NotAnImage(
                "neither a PNG nor a JPEG signature".to_owned(),
            ))
        }
    }

    /// The picture as an 8-bit greyscale PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&self.pixels)
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// Scaled down to `width` × `height` by averaging the block of pixels each new pixel
    /// covers (a fast thumbnail; no scaling up).
    pub fn thumbnail(&self, width: u32, height: u32) -> Grey {
        let span = |i: u32, to: u32, from: u32| {
            let start = u64::from(i) * u64::from(from) / u64::from(to.max(1));
            let end = (u64::from(i) + 1) * u64::from(from) / u64::from(to.max(1));
            (start as u32, (end as u32).max(start as u32 + 1).min(from))
        };
        Grey::from_fn(width, height, |x, y| {
            let (x0, x1) = span(x, width, self.width);
            let (y0, y1) = span(y, height, self.height);
            let mut sum = 0u64;
            for yy in y0..y1 {
                for xx in x0..x1 {
                    sum += u64::from(self.get(xx, yy));
                }
            }
            let count = u64::from(x1.saturating_sub(x0)) * u64::from(y1.saturating_sub(y0));
            (sum.checked_div(count).unwrap_or(255)).min(255) as u8
        })
    }

    /// Scaled to fit within `max_width` × `max_height`, keeping its proportions, with a
    /// triangle (linear) filter as wide as the scale: the blur of a screenshot shrunk by a
    /// messenger or a photo viewer.
    pub fn resize_to_fit(&self, max_width: u32, max_height: u32) -> Grey {
        let (w, h) = (u64::from(self.width.max(1)), u64::from(self.height.max(1)));
        let (mw, mh) = (u64::from(max_width.max(1)), u64::from(max_height.max(1)));
        // The larger ratio decides, as for any "fit inside" scaling.
        let (width, height) = if w * mh >= h * mw {
            (mw, (h * mw / w).max(1))
        } else {
            ((w * mh / h).max(1), mh)
        };
        let columns = triangle_weights(self.width, width as u32);
        let rows = triangle_weights(self.height, height as u32);
        // Horizontal pass into floats, then vertical, rounding once at the end.
        let mut across = vec![0f32; width as usize * self.height as usize];
        for y in 0..self.height {
            for (x, (first, weights)) in columns.iter().enumerate() {
                let value: f32 = weights
                    .iter()
                    .enumerate()
                    .map(|(i, w)| w * f32::from(self.get(first + i as u32, y)))
                    .sum();
                if let Some(slot) = across.get_mut(y as usize * width as usize + x) {
                    *slot = value;
                }
            }
        }
        Grey::from_fn(width as u32, height as u32, |x, y| {
            let Some((first, weights)) = rows.get(y as usize) else {
                return 255;
            };
            let value: f32 = weights
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let at = (first + i as u32) as usize * width as usize + x as usize;
                    w * across.get(at).copied().unwrap_or(255.0)
                })
                .sum();
            value.round().clamp(0.0, 255.0) as u8
        })
    }
}

/// For each of `to` output positions over `from` input ones: the first input index and the
/// normalised weights of a triangle filter of radius max(1, from / to) around its centre.
fn triangle_weights(from: u32, to: u32) -> Vec<(u32, Vec<f32>)> {
    let scale = from as f32 / to.max(1) as f32;
    let radius = scale.max(1.0);
    (0..to)
        .map(|i| {
            let centre = (i as f32 + 0.5) * scale;
            let first = (centre - radius).floor().max(0.0) as u32;
            let last = ((centre + radius).ceil() as u32).min(from);
            let raw: Vec<f32> = (first..last)
                .map(|j| (1.0 - ((j as f32 + 0.5 - centre) / radius).abs()).max(0.0))
                .collect();
            let total: f32 = raw.iter().sum();
            let weights = if total > 0.0 {
                raw.iter().map(|w| w / total).collect()
            } else {
                raw
            };
            (first, weights)
        })
        .collect()
}

fn check_side(width: u64, height: u64) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("the picture is empty".to_owned());
    }
    if width > u64::from(MAX_SIDE_PX) || height > u64::from(MAX_SIDE_PX) {
        return Err(format!(
            "{width}×{height} pixels exceeds the limit of {MAX_SIDE_PX} on a side"
        ));
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Grey, String> {
    let limits = png::Limits {
        bytes: usize::try_from(MAX_ALLOC_BYTES).unwrap_or(usize::MAX),
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    // Palettes and low bit depths expand to 8 bits; 16-bit samples keep their high byte.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let (width, height, raw) = {
        let info = reader.info();
        (info.width, info.height, info.raw_bytes())
    };
    check_side(u64::from(width), u64::from(height))?;
    // What the picture is as stored (16-bit samples included), before it is narrowed.
    if raw as u64 > MAX_ALLOC_BYTES {
        return Err(format!(
            "{width}×{height} pixels need {raw} bytes, over the memory limit of {MAX_ALLOC_BYTES}"
        ));
    }
    let size = reader
        .output_buffer_size()
        .ok_or("the picture is too large to decode")?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(|e| e.to_string())?;
    let channels = frame.color_type.samples();
    let bytes = buffer.get(..frame.buffer_size()).unwrap_or(&buffer);
    let line = frame.line_size;
    Ok(Grey::from_fn(width, height, |x, y| {
        let at = y as usize * line + x as usize * channels;
        grey_of(bytes.get(at..at + channels).unwrap_or(&[255]))
    }))
}

fn decode_jpeg(bytes: &[u8]) -> Result<Grey, String> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(MAX_SIDE_PX as usize)
        .set_max_height(MAX_SIDE_PX as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| e.to_string())?;
    let (width, height) = decoder.dimensions().ok_or("no JPEG header")?;
    check_side(width as u64, height as u64)?;
    // Grey stays grey; anything else comes out as RGB and is weighted like a PNG's colour.
    let grey = matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::Luma | ColorSpace::LumaA)
    );
    let out = if grey {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let channels = out.num_components();
    let (width, height) = (width as u32, height as u32);
    Ok(Grey::from_fn(width, height, |x, y| {
        let at = (y as usize * width as usize + x as usize) * channels;
        grey_of(pixels.get(at..at + channels).unwrap_or(&[255]))
    }))
}

/// One pixel's grey: grey (with or without alpha) as is, colour (with or without alpha)
/// by Rec. 709 weights, rounded. Alpha is ignored, as when an image library converts to grey.
fn grey_of(samples: &[u8]) -> u8 {
    match samples {
        [r, g, b, ..] => {
            let sum = LUMA[0] * f64::from(*r) + LUMA[1] * f64::from(*g) + LUMA[2] * f64::from(*b);
            sum.round().clamp(0.0, 255.0) as u8
        }
        [grey, ..] => *grey,
        [] => 255,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips_and_colour_turns_grey() {
        let picture = Grey::from_fn(7, 3, |x, y| (x * 30 + y) as u8);
        let png = picture.to_png().unwrap();
        assert_eq!(Grey::decode(&png).unwrap(), picture);
        assert_eq!(grey_of(&[255, 0, 0]), 54);
        assert_eq!(grey_of(&[4, 0, 2]), 1);
        assert_eq!(grey_of(&[0, 255, 0, 7]), 182);
        assert_eq!(grey_of(&[9, 200]), 9);
    }

    #[test]
    fn shrinking_keeps_the_mean_and_the_proportions() {
        let stripes = Grey::from_fn(400, 100, |x, _| if x % 2 == 0 { 0 } else { 255 });
        let small = stripes.resize_to_fit(200, 200);
        assert_eq!((small.width(), small.height()), (200, 50));
        assert!(
            (126..=129).contains(&small.get(100, 25)),
            "{}",
            small.get(100, 25)
        );
        let thumb = stripes.thumbnail(100, 25);
        assert_eq!(thumb.get(3, 3), 127);
        assert!(matches!(
            Grey::decode(b"GIF89a"),
            Err(ReadError::NotAnImage(_))
        ));
    }
}
