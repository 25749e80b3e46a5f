//! Errors of the renderers and the readers.

use thiserror::Error;

/// Why a text could not be turned into a picture.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    /// The QR encoder refused the text, in practice because it is too long for any QR version.
    #[error(
        "cannot put {len} bytes of text into a QR code ({reason}); \
         a QR code holds at most 2953 bytes, so shorten the text"
    )]
    Encode {
        /// Length of the text in bytes.
        len: usize,
        /// What the QR encoder reported.
        reason: String,
    },
    /// The requested module size is 0 or would make the picture larger than the readers accept.
    #[error(
        "module size {module_px} px is out of range for this text: \
         use 1 to {max_px} px per module"
    )]
    ModuleSize {
        /// The module size that was asked for.
        module_px: u32,
        /// The largest module size that keeps this code within the size limit.
        max_px: u32,
    },
    /// The PNG encoder failed; with an in-memory buffer this points at a bug, not at the input.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// Why no text could be read from a picture.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReadError {
    /// The bytes are not a picture the image decoder accepts (PNG and JPEG are supported), or the picture
    /// is larger than the size limits.
    #[error("not a readable PNG or JPEG image: {0}")]
    NotAnImage(String),
    /// The picture holds nothing that looks like a QR code.
    #[error("no QR code found in the image")]
    NoQrCode,
    /// Something shaped like a QR code was found, but none of them could be decoded.
    #[error(
        "found {grids} QR code(s) but could not decode any: {reason}; \
         try a larger, sharper or less damaged picture"
    )]
    Unreadable {
        /// How many QR-code-shaped regions were found.
        grids: usize,
        /// Why the first of them failed.
        reason: String,
    },
    /// The QR detector gave up on this picture with an internal error.
    ///
    /// The detector has assertions that some real-world photos trip; this variant reports them
    /// instead of letting them take the caller down.
    #[error(
        "the QR detector failed on this image ({0}); try a cleaner or differently cropped picture"
    )]
    DetectorFailed(String),
    /// The picture has more finder-pattern look-alikes than the detector is allowed to try
    /// ([`crate::MAX_FINDER_PATTERNS`]): noise or fine texture, not a QR picture.
    #[error(
        "the picture has more than {limit} QR finder-pattern look-alikes (noise or fine texture?); \
         crop it to the QR code"
    )]
    TooManyFinderPatterns {
        /// [`crate::MAX_FINDER_PATTERNS`].
        limit: usize,
    },
    /// The text given to [`crate::read_terminal`] is not a half-block rendering.
    #[error("not a half-block QR rendering: {0}")]
    NotTerminalQr(String),
}
