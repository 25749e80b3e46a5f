//! RFC 4648 Base32 for OTP secrets (docs/migration.md §2: the Key URI's `secret` parameter).
//!
//! [`encode`] writes what the Key URI wiki asks for: upper case, no `=` padding.
//! [`decode_strict`] accepts only that alphabet, with or without correct padding.

use data_encoding::BASE32_NOPAD;

/// Why Base32 text is not a secret, with the character position where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base32Error {
    /// The text is empty.
    #[error("the secret is empty")]
    Empty,
    /// A character outside `A–Z2–7` (or `=` in the padding).
    #[error("character {found:?} at position {position} is not RFC 4648 Base32 (A–Z, 2–7)")]
    BadCharacter {
        /// 0-based character position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The length (without padding) cannot come from whole bytes, or the padding is wrong.
    #[error("{length} Base32 characters cannot encode whole bytes")]
    BadLength {
        /// Characters without padding.
        length: usize,
    },
    /// The unused low bits of the last character are not zero, so two texts would give the
    /// same bytes.
    #[error("the last character leaves non-zero trailing bits")]
    TrailingBits,
}

/// Upper-case, unpadded Base32 of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    BASE32_NOPAD.encode(bytes)
}

/// Decodes canonical Base32: `A–Z2–7` only, optionally followed by the exact `=` padding.
pub fn decode_strict(text: &str) -> Result<Vec<u8>, Base32Error> {
    if text.is_empty() {
        return Err(Base32Error::Empty);
    }
    let unpadded = text.trim_end_matches('=');
    if let Some((position, found)) = unpadded
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, 'A'..='Z' | '2'..='7'))
    {
        return Err(Base32Error::BadCharacter { position, found });
    }
    let padding = text.len() - unpadded.len();
    if padding != 0 && (!text.len().is_multiple_of(8) || padding >= 8) {
        return Err(Base32Error::BadLength {
            length: unpadded.len(),
        });
    }
    BASE32_NOPAD
        .decode(unpadded.as_bytes())
        .map_err(|e| match e.kind {
            data_encoding::DecodeKind::Trailing => Base32Error::TrailingBits,
            _ => Base32Error::BadLength {
                length: unpadded.len(),
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_section_10_vectors_round_trip() {
        for (bytes, text) in [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(encode(bytes.as_bytes()), text);
            assert_eq!(decode_strict(text).unwrap(), bytes.as_bytes());
        }
        assert_eq!(decode_strict("MZXW6YQ=").unwrap(), b"foob");
    }

    #[test]
    fn strict_refuses_what_apps_tolerate() {
        assert_eq!(
            decode_strict("mzxw6"),
            Err(Base32Error::BadCharacter {
                position: 0,
                found: 'm'
            })
        );
        assert!(matches!(
            decode_strict("MZXW 6"),
            Err(Base32Error::BadCharacter { position: 4, .. })
        ));
        assert_eq!(
            decode_strict("MZX"),
            Err(Base32Error::BadLength { length: 3 })
        );
        assert_eq!(
            decode_strict("MZ="),
            Err(Base32Error::BadLength { length: 2 })
        );
        assert_eq!(decode_strict("MZ"), Err(Base32Error::TrailingBits));
    }
}
