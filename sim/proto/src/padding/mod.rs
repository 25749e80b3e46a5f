//! Padding: the 32-byte padding inside every transport message (docs/protocol.md §7.2) and the
//! padded CBOR maps of protocol revision 0 (§7.3).
//!
//! Both hide the length of what is inside from the tunnel server. Neither is Noise: the
//! transport [`Crypter`](crate::crypter::Crypter) pads before it encrypts and unpads after
//! it decrypts; padded maps wrap the revision-0 post-handshake message before that.

use crate::cbor::{self, CborError, Strictness, Value};

/// Transport plaintexts are padded to a multiple of this many bytes (Chromium
/// `kPaddingGranularity`).
pub const PADDING_GRANULARITY: usize = 32;

/// Padded CBOR maps in the current ("16-bit", Chromium M99+) format are a multiple of this
/// many bytes (Chromium `kPostHandshakeMsgPaddingGranularity`).
pub const PADDED_MAP_GRANULARITY: usize = 512;

/// Padded CBOR maps in the old ("8-bit", before M99) format are a multiple of this many bytes.
pub const OLD_PADDED_MAP_GRANULARITY: usize = 256;

/// Why a padded transport plaintext was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaddingError {
    /// There is not even the final count byte.
    #[error("padded message is empty; it needs at least the padding-count byte")]
    Empty,
    /// The count byte claims more padding than the message holds.
    #[error("padding count {count} needs {} bytes but the message has {len}", usize::from(*count) + 1)]
    CountTooLarge {
        /// The final byte: the number of zero bytes before it.
        count: u8,
        /// Length of the padded message.
        len: usize,
    },
}

/// Pads a transport message (§7.2): zero bytes so that the length plus one is a multiple of
/// [`PADDING_GRANULARITY`], then one byte giving the number of zeros (0..=31).
///
/// At least one byte is always added, so an empty message becomes 32 bytes.
pub fn pad(message: &[u8]) -> Vec<u8> {
    let padded_len = (message.len() / PADDING_GRANULARITY + 1) * PADDING_GRANULARITY;
    let zeros = padded_len - message.len() - 1;
    let mut out = Vec::with_capacity(padded_len);
    out.extend_from_slice(message);
    out.resize(padded_len - 1, 0);
    // `zeros` is below PADDING_GRANULARITY, so it fits a byte.
    out.push(u8::try_from(zeros).unwrap_or(u8::MAX));
    out
}

/// Removes §7.2 padding: reads the count byte `p` from the end, requires `p + 1` bytes to be
/// present and drops them.
///
/// Like Chromium's `Crypter::Decrypt` and libwebauthn, this checks neither that the padding
/// bytes are zero nor that the length is a multiple of 32 (libwebauthn's own frames are
/// 32k + 1 bytes long, and Chromium accepts them).
pub fn unpad(padded: &[u8]) -> Result<&[u8], PaddingError> {
    let (&count, _) = padded.split_last().ok_or(PaddingError::Empty)?;
    let too_large = PaddingError::CountTooLarge {
        count,
        len: padded.len(),
    };
    let keep = padded
        .len()
        .checked_sub(usize::from(count) + 1)
        .ok_or(too_large)?;
    Ok(padded.get(..keep).unwrap_or_default())
}

/// Which padded-map format a revision-0 message used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaddedMapFormat {
    /// CBOR ‖ zeros ‖ little-endian u16 count of the zeros; multiple of 512 bytes (M99+).
    SixteenBit,
    /// CBOR ‖ zeros ‖ one byte = number of bytes appended − 1; multiple of 256 bytes.
    EightBit,
}

/// Why one format of padded map did not fit the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaddedMapAttemptError {
    /// The input is shorter than the format's trailing count.
    #[error("{len} bytes is too short for the padding count")]
    TooShort {
        /// Length of the input.
        len: usize,
    },
    /// The trailing count claims more padding than the input holds.
    #[error("padding count {count} plus its own size exceeds the {len} bytes of input")]
    CountTooLarge {
        /// The padding length the trailer claims.
        count: usize,
        /// Length of the input.
        len: usize,
    },
    /// What is left after removing the padding is not one canonical CBOR item.
    #[error("{0}")]
    Cbor(CborError),
    /// The CBOR item is not a map.
    #[error("expected a map, found {0}")]
    NotAMap(&'static str),
}

/// Why bytes are not a padded CBOR map in either format; says why each format failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a padded CBOR map: as the 16-bit format, {sixteen_bit}; as the 8-bit format, {eight_bit}"
)]
pub struct PaddedMapError {
    /// Why the current (16-bit count) format did not fit.
    pub sixteen_bit: PaddedMapAttemptError,
    /// Why the old (8-bit count) format did not fit.
    pub eight_bit: PaddedMapAttemptError,
}

/// Chromium `EncodePaddedCBORMap` (§7.3): canonical CBOR of `map`, zero bytes, then the
/// number of zero bytes as a little-endian u16, the total a multiple of
/// [`PADDED_MAP_GRANULARITY`].
///
/// Chromium only pads maps; any other value is padded too, so that tests can send a padded
/// non-map on purpose (the decoder refuses it).
pub fn encode_padded_map(map: &Value) -> Vec<u8> {
    let mut out = cbor::encode_canonical(map);
    let total = round_up(out.len() + 2, PADDED_MAP_GRANULARITY);
    let zeros = total - out.len() - 2;
    out.resize(total - 2, 0);
    // `zeros` is below PADDED_MAP_GRANULARITY, so it fits a u16.
    out.extend_from_slice(&u16::try_from(zeros).unwrap_or(u16::MAX).to_le_bytes());
    out
}

/// The pre-M99 padded-map format (§7.3): canonical CBOR, zero bytes, and a final byte equal to
/// the number of bytes appended minus one (that is, total − CBOR length − 1), the total a
/// multiple of [`OLD_PADDED_MAP_GRANULARITY`].
pub fn encode_padded_map_old(map: &Value) -> Vec<u8> {
    let mut out = cbor::encode_canonical(map);
    let cbor_len = out.len();
    let total = round_up(cbor_len + 1, OLD_PADDED_MAP_GRANULARITY);
    let last = total - cbor_len - 1;
    out.resize(total - 1, 0);
    // At most OLD_PADDED_MAP_GRANULARITY − 1, so it fits a byte.
    out.push(u8::try_from(last).unwrap_or(u8::MAX));
    out
}

/// Chromium `DecodePaddedCBORMap` (§7.3): tries the 16-bit format, then the 8-bit one, and
/// says which one matched.
///
/// As in Chromium, the padding bytes are not checked to be zero and the total length is not
/// checked to be a multiple of the granularity; the CBOR must be canonical and a map.
pub fn decode_padded_map(input: &[u8]) -> Result<(Value, PaddedMapFormat), PaddedMapError> {
    let sixteen_bit = match decode_sixteen_bit(input) {
        Ok(map) => return Ok((map, PaddedMapFormat::SixteenBit)),
        Err(e) => e,
    };
    match decode_eight_bit(input) {
        Ok(map) => Ok((map, PaddedMapFormat::EightBit)),
        Err(eight_bit) => Err(PaddedMapError {
            sixteen_bit,
            eight_bit,
        }),
    }
}

fn decode_sixteen_bit(input: &[u8]) -> Result<Value, PaddedMapAttemptError> {
    let len = input.len();
    let split = len
        .checked_sub(2)
        .ok_or(PaddedMapAttemptError::TooShort { len })?;
    let (body, trailer) = input.split_at_checked(split).unwrap_or_default();
    let count = trailer
        .try_into()
        .map(|b: [u8; 2]| usize::from(u16::from_le_bytes(b)))
        .map_err(|_| PaddedMapAttemptError::TooShort { len })?;
    unpadded_map(body, count, len)
}

fn decode_eight_bit(input: &[u8]) -> Result<Value, PaddedMapAttemptError> {
    let len = input.len();
    let (&count, body) = input
        .split_last()
        .ok_or(PaddedMapAttemptError::TooShort { len })?;
    unpadded_map(body, usize::from(count), len)
}

/// Drops `count` padding bytes from the end of `body` and decodes the rest as a map.
fn unpadded_map(body: &[u8], count: usize, len: usize) -> Result<Value, PaddedMapAttemptError> {
    let cbor_len = body
        .len()
        .checked_sub(count)
        .ok_or(PaddedMapAttemptError::CountTooLarge { count, len })?;
    let cbor_bytes = body.get(..cbor_len).unwrap_or_default();
    let value =
        cbor::decode(cbor_bytes, Strictness::Canonical).map_err(PaddedMapAttemptError::Cbor)?;
    match value {
        Value::Map(_) => Ok(value),
        other => Err(PaddedMapAttemptError::NotAMap(cbor::type_name(&other))),
    }
}

fn round_up(n: usize, granularity: usize) -> usize {
    n.div_ceil(granularity) * granularity
}

#[cfg(test)]
mod tests;
