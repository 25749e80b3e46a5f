//! QR codes as pictures, for hybridsim.
//!
//! A FIDO2 hybrid (caBLE v2) session starts with the desktop showing a `FIDO:/…` QR code that
//! the phone scans. This crate turns such a string into a picture (a PNG, or Unicode blocks for a
//! terminal) and reads pictures back into strings, so the simulator can show a code and the
//! harness can scan one without a camera.
//!
//! Everything here is a pure function from bytes or text to bytes or text: the crate does no
//! I/O (no files, no terminal, no camera). Callers such as the CLI read and write files
//! themselves and hand the bytes over.
//!
//! * [`render_png`] / [`read_image`]: PNG bytes out; PNG or JPEG bytes in.
//! * [`render_terminal`] / [`read_terminal`]: half-block text for a dark terminal.
//! * [`Grey`]: the grey pictures underneath, read from PNG or JPEG, written as PNG, scaled
//!   down ([`fit_png`]: a picture as a messenger's thumbnail shows it).

mod budget;
mod error;
mod limits;
mod picture;
mod read;
mod render;
mod terminal;

pub use budget::{finder_candidates, MAX_DETECT_SIDE_PX, MAX_FINDER_PATTERNS};
pub use error::{ReadError, RenderError};
pub use limits::{MAX_ALLOC_BYTES, MAX_SIDE_PX, QUIET_ZONE_MODULES};
pub use picture::Grey;
pub use read::read_image;
pub use render::{render_png, render_terminal};
pub use terminal::read_terminal;

/// A PNG or JPEG picture scaled to fit within `max_width` × `max_height` (proportions kept,
/// triangle filter: [`Grey::resize_to_fit`]), as a grey PNG.
///
/// # Errors
///
/// [`ReadError::NotAnImage`] if the picture cannot be read, or the result not written.
pub fn fit_png(picture: &[u8], max_width: u32, max_height: u32) -> Result<Vec<u8>, ReadError> {
    Grey::decode(picture)?
        .resize_to_fit(max_width, max_height)
        .to_png()
        .map_err(ReadError::NotAnImage)
}
