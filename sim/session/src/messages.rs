//! The messages of a captured session: JSON lines `{"from": "desktop"|"phone", "hex": "…"}`.
//!
//! One line per WebSocket binary message, in the order they were sent (one WebSocket message
//! is one protocol message, docs/protocol.md §5.4). This is what any implementation can log at
//! its socket; other fields on a line (a timestamp, say) are ignored. Blank lines are skipped.

use serde::Deserialize;
use std::fmt;

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The desktop (the client, Noise initiator).
    Desktop,
    /// The phone (the authenticator, Noise responder).
    Phone,
}

impl Side {
    /// The word used in the files and the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::Phone => "phone",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One captured message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireMessage {
    /// Its sender.
    pub from: Side,
    /// The WebSocket message's bytes.
    pub bytes: Vec<u8>,
    /// 1-based line of the messages file it came from.
    pub line: usize,
}

/// Bounds on untrusted messages input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most messages accepted.
    pub max_messages: usize,
    /// Largest message accepted, in bytes (decoded).
    pub max_message_len: usize,
}

impl Default for Limits {
    /// 64 MiB, 4096 messages, and 1 MiB a message (Chromium's WebSocket limit, §5.5).
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            max_messages: 4096,
            max_message_len: 1 << 20,
        }
    }
}

/// Why a messages file was refused. Every variant after the size checks names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagesError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("messages file is {len} bytes; at most {max} are read")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More messages than [`Limits::max_messages`].
    #[error("messages line {line}: more than {max} messages")]
    TooMany {
        /// 1-based line number.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// A line that is not a JSON object with `from` and `hex`.
    #[error("messages line {line}: {detail}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// What serde_json said (it names the missing field or the bad `from` value).
        detail: String,
    },
    /// `hex` is not hex.
    #[error("messages line {line}: \"hex\" is not an even number of hex digits")]
    Hex {
        /// 1-based line number.
        line: usize,
    },
    /// A message larger than [`Limits::max_message_len`].
    #[error("messages line {line}: {len} bytes; at most {max} per message")]
    MessageTooLong {
        /// 1-based line number.
        line: usize,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

#[derive(Deserialize)]
struct Line {
    from: Side,
    hex: String,
}

/// Reads a messages file with the default [`Limits`].
pub fn parse(input: &[u8]) -> Result<Vec<WireMessage>, MessagesError> {
    parse_with(input, Limits::default())
}

/// Reads a messages file.
pub fn parse_with(input: &[u8], limits: Limits) -> Result<Vec<WireMessage>, MessagesError> {
    if input.len() > limits.max_bytes {
        return Err(MessagesError::TooLarge {
            len: input.len(),
            max: limits.max_bytes,
        });
    }
    let mut out = Vec::new();
    for (index, raw) in input.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if out.len() == limits.max_messages {
            return Err(MessagesError::TooMany {
                line,
                max: limits.max_messages,
            });
        }
        let parsed: Line = serde_json::from_slice(raw).map_err(|e| MessagesError::Json {
            line,
            detail: e.to_string(),
        })?;
        if parsed.hex.len() / 2 > limits.max_message_len {
            return Err(MessagesError::MessageTooLong {
                line,
                len: parsed.hex.len() / 2,
                max: limits.max_message_len,
            });
        }
        let bytes = hex::decode(parsed.hex.trim()).map_err(|_| MessagesError::Hex { line })?;
        out.push(WireMessage {
            from: parsed.from,
            bytes,
            line,
        });
    }
    Ok(out)
}

/// Writes messages as JSON lines (lower-case hex), the form [`parse`] reads.
pub fn to_json_lines(messages: &[WireMessage]) -> String {
    let mut out = String::new();
    for m in messages {
        out.push_str(&format!(
            "{{\"from\": \"{}\", \"hex\": \"{}\"}}\n",
            m.from,
            hex::encode(&m.bytes)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_lines_in_order_and_skips_blank_ones() {
        let text = "{\"from\": \"desktop\", \"hex\": \"00FF\", \"t\": 5}\n\n{\"from\":\"phone\",\"hex\":\"\"}\n";
        let got = parse(text.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].from, got[0].bytes.clone(), got[0].line),
            (Side::Desktop, vec![0, 255], 1)
        );
        assert_eq!((got[1].from, got[1].line), (Side::Phone, 3));
        assert_eq!(
            parse(to_json_lines(&got).as_bytes()).unwrap()[0].bytes,
            vec![0, 255]
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        let bad_side = parse(b"{\"from\": \"server\", \"hex\": \"00\"}").unwrap_err();
        assert!(
            matches!(&bad_side, MessagesError::Json { line: 1, detail } if detail.contains("server")),
            "{bad_side}"
        );
        let missing = parse(b"\n{\"from\": \"phone\"}").unwrap_err();
        assert!(
            matches!(&missing, MessagesError::Json { line: 2, detail } if detail.contains("hex")),
            "{missing}"
        );
        assert_eq!(
            parse(b"{\"from\": \"phone\", \"hex\": \"0\"}"),
            Err(MessagesError::Hex { line: 1 })
        );
        let limits = Limits {
            max_bytes: 100,
            max_messages: 1,
            max_message_len: 1,
        };
        assert_eq!(
            parse_with(b"{\"from\": \"phone\", \"hex\": \"0000\"}", limits),
            Err(MessagesError::MessageTooLong {
                line: 1,
                len: 2,
                max: 1
            })
        );
        assert_eq!(
            parse_with(
                b"{\"from\":\"phone\",\"hex\":\"\"}\n{\"from\":\"phone\",\"hex\":\"\"}",
                limits
            ),
            Err(MessagesError::TooMany { line: 2, max: 1 })
        );
        assert_eq!(
            parse_with(&[b' '; 101], limits),
            Err(MessagesError::TooLarge { len: 101, max: 100 })
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse(&bytes);
        }
    }
}
