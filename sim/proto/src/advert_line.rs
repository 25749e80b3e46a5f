//! Adverts as text lines, for carrying the BLE hop over a pipe when the desktop and the phone
//! share no radio (docs/protocol.md §4 for the service data itself).
//!
//! One line holds one service-data payload in hex, optionally prefixed by its 16-bit service
//! UUID: `fff9:` (the FIDO UUID) or `fde2:` (Google's). Blank lines and lines starting with
//! `#` carry nothing. The payload's length is not checked here: the desktop judges it like
//! any heard advert (20 bytes, or longer with a CTAP 2.3 suffix), so a short payload reaches
//! it and is reported there as a radio would deliver it.

use crate::advert::{FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID};

/// Longest line accepted, in characters: far beyond any advert (a 20-byte payload is 45
/// characters with its prefix), short enough that a runaway writer cannot fill memory.
pub const MAX_LINE: usize = 4096;

/// One advert read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertLine {
    /// The service UUID: the prefix's, or [`FIDO_SERVICE_UUID`] when the line has none.
    pub uuid: u16,
    /// The service-data bytes.
    pub data: Vec<u8>,
}

/// Why a line is not an advert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvertLineError {
    /// The line is longer than [`MAX_LINE`].
    #[error("line is {0} characters long; an advert line is at most {MAX_LINE}")]
    TooLong(usize),
    /// The prefix before `:` is not a hybrid service UUID.
    #[error("prefix {0:?}: hybrid adverts use service UUID fff9 or fde2")]
    Uuid(String),
    /// The payload is not hex.
    #[error("payload is not hex at character {offset}: {why}")]
    Hex {
        /// Character offset in the line (after trimming) where decoding failed.
        offset: usize,
        /// What was wrong.
        why: String,
    },
    /// The payload is empty.
    #[error("empty payload")]
    Empty,
}

impl AdvertLine {
    /// Reads one line; `Ok(None)` for a blank line or a `#` comment.
    pub fn parse(line: &str) -> Result<Option<AdvertLine>, AdvertLineError> {
        if line.len() > MAX_LINE {
            return Err(AdvertLineError::TooLong(line.len()));
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let (uuid, payload, offset) = match line.split_once(':') {
            None => (FIDO_SERVICE_UUID, line, 0),
            Some((prefix, rest)) => {
                let uuid = match prefix.to_ascii_lowercase().as_str() {
                    "fff9" => FIDO_SERVICE_UUID,
                    "fde2" => GOOGLE_SERVICE_UUID,
                    _ => return Err(AdvertLineError::Uuid(prefix.to_owned())),
                };
                (uuid, rest, prefix.len() + 1)
            }
        };
        if payload.is_empty() {
            return Err(AdvertLineError::Empty);
        }
        let data = hex::decode(payload).map_err(|e| {
            let at = match e {
                hex::FromHexError::InvalidHexCharacter { index, .. } => index,
                hex::FromHexError::OddLength | hex::FromHexError::InvalidStringLength => {
                    payload.len()
                }
            };
            AdvertLineError::Hex {
                offset: offset + at,
                why: e.to_string(),
            }
        })?;
        Ok(Some(AdvertLine { uuid, data }))
    }

    /// The line for this advert (without the newline): `fff9:` and lower-case hex.
    pub fn to_line(&self) -> String {
        format!("{:04x}:{}", self.uuid, hex::encode(&self.data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_default_to_the_fido_uuid() {
        let advert = AdvertLine {
            uuid: GOOGLE_SERVICE_UUID,
            data: vec![0xab; 20],
        };
        assert_eq!(AdvertLine::parse(&advert.to_line()), Ok(Some(advert)));
        let bare = AdvertLine::parse(" 00ff \n").unwrap().unwrap();
        assert_eq!((bare.uuid, bare.data), (FIDO_SERVICE_UUID, vec![0, 0xff]));
        assert_eq!(
            AdvertLine::parse("FFF9:01").unwrap().unwrap().uuid,
            FIDO_SERVICE_UUID
        );
    }

    #[test]
    fn blank_and_comment_lines_carry_nothing() {
        assert_eq!(AdvertLine::parse(""), Ok(None));
        assert_eq!(AdvertLine::parse("  # heard nothing"), Ok(None));
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_where() {
        assert_eq!(
            AdvertLine::parse("180f:00"),
            Err(AdvertLineError::Uuid("180f".into()))
        );
        assert_eq!(AdvertLine::parse("fff9:"), Err(AdvertLineError::Empty));
        assert!(matches!(
            AdvertLine::parse("fff9:00zz"),
            Err(AdvertLineError::Hex { offset: 7, .. })
        ));
        assert!(matches!(
            AdvertLine::parse("abc"),
            Err(AdvertLineError::Hex { offset: 3, .. })
        ));
        assert!(matches!(
            AdvertLine::parse(&"0".repeat(MAX_LINE + 1)),
            Err(AdvertLineError::TooLong(_))
        ));
    }
}
