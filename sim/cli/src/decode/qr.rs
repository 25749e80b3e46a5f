//! `hybridsim decode qr`: a FIDO:/ string or a picture of one.

use super::args::DecodeQr;
use crate::failure::{Failure, OrFail, Outcome};
use crate::json;
use hybridsim_proto::qr::QrPayload;
use hybridsim_proto::qr_text;
use hybridsim_session::inspect;
use std::path::Path;

/// Decodes the QR given as text or as an image path and prints its fields.
pub fn run(args: &DecodeQr) -> Outcome {
    let text = qr_text(&args.input)?;
    let qr = QrPayload::parse(&text).or_bad_input()?;
    let fields = inspect::qr::to_json(&qr);
    match args.json {
        true => json::print(&fields),
        false => crate::output::lines(inspect::field_lines(&fields, 24, "(absent)")),
    }
    Ok(())
}

/// The FIDO:/ text: the argument itself, or what a QR code in the named image says.
pub fn qr_text(input: &str) -> Result<String, Failure> {
    if qr_text::is_fido(input) {
        return Ok(input.to_owned());
    }
    let path = Path::new(input);
    if !path.exists() {
        return Err(Failure::bad_input(format!(
            "{} is neither a FIDO:/ string nor an existing image file",
            hybridsim_proto::echo::shown(input)
        )));
    }
    from_image(path)
}

/// The first FIDO:/ code in the picture at `path` (`decode qr FILE`, `phone --qr-image`).
pub fn from_image(path: &Path) -> Result<String, Failure> {
    let bytes = crate::input::read_bytes(path)?;
    let texts = hybridsim_optical::read_image(&bytes).or_bad_input_on(path.display())?;
    match qr_text::first_fido(&texts) {
        Some(text) => Ok(text.to_owned()),
        None => Err(Failure::bad_input(format!(
            "{}: the QR code says {}, which is not a FIDO:/ code",
            path.display(),
            hybridsim_proto::echo::shown(texts.first().map(String::as_str).unwrap_or_default())
        ))),
    }
}
