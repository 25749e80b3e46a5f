//! The decimal digit encoding of the QR payload (docs/protocol.md §2.1).
//!
//! Bytes go in 7-byte chunks, each read as a little-endian integer and written as exactly
//! 17 decimal digits; a final partial chunk of n bytes (1..=6) gets a fixed digit count from
//! [`PARTIAL_DIGITS`]. Decimal digits are what a QR code's numeric mode packs best.

/// Bytes per full chunk.
pub const CHUNK_BYTES: usize = 7;
/// Digits per full chunk.
pub const CHUNK_DIGITS: usize = 17;
/// Digits for a final partial chunk of 1..=6 bytes (index = bytes − 1).
pub const PARTIAL_DIGITS: [usize; 6] = [3, 5, 8, 10, 13, 15];

/// Why a digit string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base10Error {
    /// A character that is not an ASCII digit (full-width and combining digits count as not).
    #[error("character {position}: {found:?} is not a digit 0-9")]
    NotADigit {
        /// Index of the offending character (in characters, from 0).
        position: usize,
        /// The character found.
        found: char,
    },
    /// The trailing group has a length no chunk encodes to.
    #[error("{digits} digits: the final group of {remainder} digits encodes no whole number of bytes (allowed: 3, 5, 8, 10, 13, 15)")]
    InvalidLength {
        /// Total number of digits.
        digits: usize,
        /// Length of the final incomplete group.
        remainder: usize,
    },
    /// A group's value does not fit in the bytes it stands for.
    #[error("digit group {group}: value {value} exceeds {bytes} byte(s)")]
    OutOfRange {
        /// Index of the group, from 0.
        group: usize,
        /// Its decimal value.
        value: u64,
        /// How many bytes it should fit in.
        bytes: usize,
    },
}

/// Encodes bytes as base-10 digits.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / CHUNK_BYTES * CHUNK_DIGITS + 15);
    for chunk in bytes.chunks(CHUNK_BYTES) {
        let width = digits_for(chunk.len());
        out.push_str(&format!("{:0width$}", le_value(chunk)));
    }
    out
}

/// Decodes base-10 digits back into bytes.
pub fn decode(digits: &str) -> Result<Vec<u8>, Base10Error> {
    if let Some((position, found)) = digits
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(Base10Error::NotADigit { position, found });
    }
    // All ASCII from here on, so byte offsets and character offsets agree.
    let remainder = digits.len() % CHUNK_DIGITS;
    let tail_bytes = match PARTIAL_DIGITS.iter().position(|&d| d == remainder) {
        Some(i) => i + 1,
        None if remainder == 0 => 0,
        None => {
            return Err(Base10Error::InvalidLength {
                digits: digits.len(),
                remainder,
            })
        }
    };
    let mut out = Vec::with_capacity(digits.len() / CHUNK_DIGITS * CHUNK_BYTES + tail_bytes);
    let groups = digits.as_bytes().chunks(CHUNK_DIGITS);
    for (group, text) in groups.enumerate() {
        let bytes = if text.len() == CHUNK_DIGITS {
            CHUNK_BYTES
        } else {
            tail_bytes
        };
        let value = text
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        if value >> (8 * bytes) != 0 {
            return Err(Base10Error::OutOfRange {
                group,
                value,
                bytes,
            });
        }
        out.extend_from_slice(value.to_le_bytes().get(..bytes).unwrap_or_default());
    }
    Ok(out)
}

fn digits_for(chunk_len: usize) -> usize {
    match chunk_len.checked_sub(1).and_then(|i| PARTIAL_DIGITS.get(i)) {
        Some(&d) => d,
        None => CHUNK_DIGITS,
    }
}

fn le_value(chunk: &[u8]) -> u64 {
    chunk
        .iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

#[cfg(test)]
mod tests;
