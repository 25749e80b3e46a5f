//! Bounds on the numbers a scenario file gives, checked at load time so that a run never
//! starts with a value the world cannot hold: probabilities are finite and within 0 to 1,
//! and a TOTP secret fits the QR code that enrols it.

use super::{key, Segment};
use crate::model::RadioSpec;

/// The most bytes a QR code carries (version 40, byte mode, low error correction).
pub const QR_CAPACITY_BYTES: usize = 2953;

/// The longest TOTP secret an enrolment may use: its Base32 text (1,640 characters) leaves
/// the rest of a [`QR_CAPACITY_BYTES`] QR code for the `otpauth://` label and parameters.
pub const MAX_SECRET_BYTES: usize = 1024;

/// Problems with the radio's probabilities, with their key paths.
pub(super) fn radio(radio: &RadioSpec) -> Vec<(Vec<Segment>, String)> {
    [("loss", radio.loss), ("duplicate", radio.duplicate)]
        .into_iter()
        .filter_map(|(name, value)| {
            let why = probability(value?)?;
            Some((vec![key("world"), key("radio"), key(name)], why))
        })
        .collect()
}

/// Why `value` is not a probability, if it is not one.
fn probability(value: f64) -> Option<String> {
    if !value.is_finite() {
        Some(format!("{value}: expected a finite number from 0 to 1"))
    } else if !(0.0..=1.0).contains(&value) {
        Some(format!("{value}: expected a probability from 0 to 1"))
    } else {
        None
    }
}

/// Why an enrolment's `secret_bytes` cannot be carried by its QR code, if it cannot.
pub(super) fn secret_bytes(bytes: usize) -> Option<String> {
    (bytes == 0 || bytes > MAX_SECRET_BYTES).then(|| {
        format!(
            "{bytes}: expected 1 to {MAX_SECRET_BYTES} bytes (the enrolment URI must fit a QR \
             code, which holds at most {QR_CAPACITY_BYTES} bytes)"
        )
    })
}
