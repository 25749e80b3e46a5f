//! QR pictures back to text.

use std::panic::{self, UnwindSafe};

use rqrr::{DeQRError, PreparedImage};

use crate::budget::{finder_candidates, MAX_DETECT_SIDE_PX, MAX_FINDER_PATTERNS};
use crate::error::ReadError;
use crate::picture::Grey;

/// Reads every QR code in a picture and returns their texts in the order the detector found
/// them.
///
/// The format is recognised from the bytes, not from a name; PNG and JPEG are supported
/// (baseline and progressive JPEG, as phone cameras and screenshots write). Pictures wider
/// or taller than [`crate::MAX_SIDE_PX`], or needing more than [`crate::MAX_ALLOC_BYTES`] to
/// decode, are refused from their header, before the pixels are allocated.
///
/// Pictures larger than [`crate::MAX_DETECT_SIDE_PX`] are shrunk to it before detection, and
/// a picture with more than [`crate::MAX_FINDER_PATTERNS`] finder-pattern look-alikes is
/// refused before the detector runs: its work grows with both, so this bounds it
/// (deterministically) whatever the picture holds.
///
/// Codes that are found but fail to decode are skipped as long as at least one decodes.
///
/// # Errors
///
/// * [`ReadError::NotAnImage`]: the bytes are not a supported, well-formed picture within the
///   limits; the message says what the decoder objected to.
/// * [`ReadError::NoQrCode`]: nothing QR-shaped was found.
/// * [`ReadError::Unreadable`]: QR-shaped regions were found but none decoded.
/// * [`ReadError::TooManyFinderPatterns`]: noise or texture the detector would search for
///   too long.
/// * [`ReadError::DetectorFailed`]: the detector hit an internal error on this picture.
pub fn read_image(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    decode_luma(load_luma(bytes)?)
}

fn load_luma(bytes: &[u8]) -> Result<Grey, ReadError> {
    Grey::decode(bytes)
}

pub(crate) fn decode_luma(picture: Grey) -> Result<Vec<String>, ReadError> {
    let outcomes = contain_panic(move || detect_and_decode(picture))??;
    collect_texts(outcomes)
}

fn detect_and_decode(picture: Grey) -> Result<Vec<Result<String, DeQRError>>, ReadError> {
    let picture = shrunk(picture);
    let (width, height) = (picture.width() as usize, picture.height() as usize);
    let mut prepared = PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        picture.get(x as u32, y as u32)
    });
    let dark = |x, y| prepared.get_pixel_at(x, y) == 1u8;
    if finder_candidates(width, height, dark, MAX_FINDER_PATTERNS) > MAX_FINDER_PATTERNS {
        return Err(ReadError::TooManyFinderPatterns {
            limit: MAX_FINDER_PATTERNS,
        });
    }
    Ok(prepared
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().map(|(_meta, text)| text))
        .collect())
}

/// The picture, shrunk to fit [`MAX_DETECT_SIDE_PX`] (aspect kept) when it is larger.
fn shrunk(picture: Grey) -> Grey {
    let (w, h) = (picture.width(), picture.height());
    let longer = w.max(h);
    if longer <= MAX_DETECT_SIDE_PX {
        return picture;
    }
    let scale = |side: u32| {
        let scaled = u64::from(side) * u64::from(MAX_DETECT_SIDE_PX) / u64::from(longer);
        u32::try_from(scaled).unwrap_or(MAX_DETECT_SIDE_PX).max(1)
    };
    picture.thumbnail(scale(w), scale(h))
}

fn collect_texts(outcomes: Vec<Result<String, DeQRError>>) -> Result<Vec<String>, ReadError> {
    let grids = outcomes.len();
    let mut texts = Vec::new();
    let mut first_failure = None;
    for outcome in outcomes {
        match outcome {
            Ok(text) => texts.push(text),
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    match first_failure {
        _ if !texts.is_empty() => Ok(texts),
        None => Err(ReadError::NoQrCode),
        Some(e) => Err(ReadError::Unreadable {
            grids,
            reason: describe(&e).to_owned(),
        }),
    }
}

/// rqrr 0.11 still asserts on some degenerate finder-pattern groups (rqrr issue #54); turn
/// that into an error so that a bad picture cannot abort the caller. The default panic hook
/// still prints the assertion to stderr.
fn contain_panic<T>(work: impl FnOnce() -> T + UnwindSafe) -> Result<T, ReadError> {
    panic::catch_unwind(work).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown internal error".to_owned());
        ReadError::DetectorFailed(message)
    })
}

/// rqrr's own messages are terse ("Ecc(Too many errors to correct)"); say it in user terms.
fn describe(error: &DeQRError) -> &'static str {
    match error {
        DeQRError::DataEcc => "too many damaged modules to correct",
        DeQRError::FormatEcc => "the format information is damaged",
        DeQRError::InvalidVersion | DeQRError::InvalidGridSize => {
            "the version or grid size is damaged"
        }
        DeQRError::EncodingError => "the code holds bytes that are not UTF-8 text",
        DeQRError::UnknownDataType => "the code uses a data mode the decoder does not know",
        DeQRError::DataUnderflow | DeQRError::DataOverflow => "the data segments are malformed",
        DeQRError::IoError => "the decoded text could not be collected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_in_detector_becomes_an_error() {
        let result: Result<(), _> = contain_panic(|| panic!("assertion failed: x <= i32::MAX"));
        assert_eq!(
            result,
            Err(ReadError::DetectorFailed(
                "assertion failed: x <= i32::MAX".into()
            ))
        );
    }

    #[test]
    fn some_decoded_beats_some_failed() {
        let outcomes = vec![Err(DeQRError::DataEcc), Ok("FIDO:/1".to_owned())];
        assert_eq!(collect_texts(outcomes), Ok(vec!["FIDO:/1".to_owned()]));
    }

    #[test]
    fn all_failed_reports_first_reason_and_count() {
        let outcomes = vec![Err(DeQRError::FormatEcc), Err(DeQRError::DataEcc)];
        assert_eq!(
            collect_texts(outcomes),
            Err(ReadError::Unreadable {
                grids: 2,
                reason: "the format information is damaged".into()
            })
        );
    }

    #[test]
    fn nothing_found_is_no_qr_code() {
        assert_eq!(collect_texts(Vec::new()), Err(ReadError::NoQrCode));
    }
}
