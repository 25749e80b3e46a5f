//! HOTP (RFC 4226; docs/migration.md §1.1): HMAC over an 8-byte big-endian counter, then dynamic
//! truncation to a 31-bit number, then the last `digits` decimal digits.

use crate::account::Algorithm;
use hmac::{Hmac, Mac};

/// Why a code cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// Fewer than 6 digits (RFC 4226 §5.3 says at least 6) or more than 10 (a 31-bit value
    /// has at most 10 decimal digits).
    #[error("{digits} digits: a code has 6 to 10 digits")]
    Digits {
        /// The digit count asked for.
        digits: u8,
    },
    /// A TOTP period of 0 seconds would divide by zero.
    #[error("period 0: a TOTP time step is at least 1 second")]
    ZeroPeriod,
    /// The time is before T0, so the step number would be negative.
    #[error("time {unix_seconds} is before T0 = {t0}")]
    BeforeT0 {
        /// The time asked for (Unix seconds).
        unix_seconds: u64,
        /// The start of step 0 (Unix seconds).
        t0: u64,
    },
}

/// The smallest and largest digit counts [`hotp`] produces.
pub const DIGITS: std::ops::RangeInclusive<u8> = 6..=10;

/// HMAC(secret, counter as 8 bytes big-endian) with `algorithm`: 20, 32 or 64 bytes.
pub fn hmac_digest(secret: &[u8], counter: u64, algorithm: Algorithm) -> Vec<u8> {
    let message = counter.to_be_bytes();
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback keeps the
    // no-panic rule without an unreachable branch that matters.
    fn mac<M: Mac + hmac::digest::KeyInit>(secret: &[u8], message: &[u8]) -> Vec<u8> {
        match <M as hmac::digest::KeyInit>::new_from_slice(secret) {
            Ok(mut m) => {
                m.update(message);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
    match algorithm {
        Algorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(secret, &message),
        Algorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(secret, &message),
        Algorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(secret, &message),
    }
}

/// Dynamic truncation (RFC 4226 §5.3): the offset is the low nibble of the digest's **last**
/// byte, whatever its length (taking byte 19 breaks SHA-256/512, google2fa PR #126); the
/// 4 bytes there, big-endian, top bit cleared.
pub fn dynamic_truncate(digest: &[u8]) -> u32 {
    let offset = digest.last().map_or(0, |b| usize::from(b & 0x0f));
    let mut word = [0u8; 4];
    if let Some(bytes) = digest.get(offset..offset + 4) {
        word.copy_from_slice(bytes);
    }
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// Formats a 31-bit truncated value as a `digits`-digit code, zero-padded on the left.
pub fn format_code(value: u32, digits: u8) -> Result<String, OtpError> {
    if !DIGITS.contains(&digits) {
        return Err(OtpError::Digits { digits });
    }
    let modulus = 10u64.pow(u32::from(digits));
    let code = u64::from(value) % modulus;
    Ok(format!("{code:0width$}", width = usize::from(digits)))
}

/// The HOTP code for `counter`.
pub fn hotp(
    secret: &[u8],
    counter: u64,
    algorithm: Algorithm,
    digits: u8,
) -> Result<String, OtpError> {
    if !DIGITS.contains(&digits) {
        return Err(OtpError::Digits { digits });
    }
    format_code(
        dynamic_truncate(&hmac_digest(secret, counter, algorithm)),
        digits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_comes_from_the_last_byte_of_longer_digests() {
        // A 32-byte digest whose byte 19 says offset 0 but whose last byte says offset 8:
        // the byte-19 bug would read 0x7f000000.
        let mut digest = [0u8; 32];
        digest[0] = 0x7f;
        digest[19] = 0x00;
        digest[8..12].copy_from_slice(&[0x81, 0x02, 0x03, 0x04]);
        digest[31] = 0x18;
        assert_eq!(dynamic_truncate(&digest), 0x0102_0304);
    }

    #[test]
    fn offset_15_reads_the_last_four_bytes_of_sha1() {
        let mut digest = [0u8; 20];
        digest[15..19].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
        digest[19] = 0x0f;
        assert_eq!(dynamic_truncate(&digest), 0x1234_5678);
    }

    #[test]
    fn digit_counts_outside_6_to_10_are_errors() {
        for digits in [0, 1, 5, 11, 255] {
            assert_eq!(
                hotp(b"k", 0, Algorithm::Sha1, digits),
                Err(OtpError::Digits { digits })
            );
        }
    }

    #[test]
    fn ten_digits_keep_the_whole_31_bit_value_zero_padded() {
        assert_eq!(format_code(0x7fff_ffff, 10).unwrap(), "2147483647");
        assert_eq!(format_code(42, 10).unwrap(), "0000000042");
        assert_eq!(format_code(1_284_755_224, 9).unwrap(), "284755224");
    }
}
