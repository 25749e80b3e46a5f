//! The key-log reader: bounded, line-numbered, never panics.

use super::{KeyLog, Label, UnknownEntry};
use std::fmt;

/// Bounds on untrusted key-log input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most lines accepted (comments and blank lines count).
    pub max_lines: usize,
    /// Longest line accepted, in bytes.
    pub max_line_len: usize,
}

impl Default for Limits {
    /// 4 MiB, 65536 lines, 1024 bytes a line: thousands of sessions, and a line far longer
    /// than any label with a 32-byte value (about 120 bytes).
    fn default() -> Self {
        Limits {
            max_bytes: 4 << 20,
            max_lines: 1 << 16,
            max_line_len: 1024,
        }
    }
}

/// Something the reader noticed that does not stop it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A label this reader does not know; the line is kept in [`super::SessionKeys::unknown`].
    UnknownLabel {
        /// 1-based line number.
        line: usize,
        /// The label as written.
        label: String,
    },
    /// A label repeated for a session with the same value.
    Duplicate {
        /// 1-based line number of the repetition.
        line: usize,
        /// Line of the first occurrence.
        first_line: usize,
        /// The label.
        label: Label,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownLabel { line, label } => {
                write!(f, "key log line {line}: unknown label {label:?}, kept")
            }
            Self::Duplicate {
                line,
                first_line,
                label,
            } => write!(
                f,
                "key log line {line}: {label} repeats line {first_line} with the same value"
            ),
        }
    }
}

/// Why a key log was refused. Every variant names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLogError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("key log is {len} bytes; at most {max} are read")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More lines than [`Limits::max_lines`].
    #[error("key log has more than {max} lines")]
    TooManyLines {
        /// The limit.
        max: usize,
    },
    /// A line longer than [`Limits::max_line_len`].
    #[error("key log line {line}: {len} bytes; at most {max} per line")]
    LineTooLong {
        /// 1-based line number.
        line: usize,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A line that is not UTF-8.
    #[error("key log line {line}: not UTF-8 text")]
    NotText {
        /// 1-based line number.
        line: usize,
    },
    /// A line without exactly three fields.
    #[error("key log line {line}: {found} field(s); expected LABEL TUNNEL_ID_HEX VALUE_HEX")]
    Fields {
        /// 1-based line number.
        line: usize,
        /// How many fields it has.
        found: usize,
    },
    /// The tunnel id is not hex.
    #[error("key log line {line}: the tunnel id is not hex")]
    TunnelIdHex {
        /// 1-based line number.
        line: usize,
    },
    /// The tunnel id is not 16 bytes.
    #[error("key log line {line}: the tunnel id is {len} bytes; expected 16")]
    TunnelIdLength {
        /// 1-based line number.
        line: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// The value is not hex.
    #[error("key log line {line}: the {label} value is not hex")]
    ValueHex {
        /// 1-based line number.
        line: usize,
        /// The label as written.
        label: String,
    },
    /// A known label's value has the wrong length.
    #[error("key log line {line}: {label} is {len} bytes; expected {expected}")]
    ValueLength {
        /// 1-based line number.
        line: usize,
        /// The label.
        label: Label,
        /// Its length in bytes.
        len: usize,
        /// The length of this label's values.
        expected: usize,
    },
    /// A label given twice for one session with different values.
    #[error(
        "key log line {line}: {label} for tunnel {tunnel_id} conflicts with line {first_line}"
    )]
    Conflict {
        /// 1-based line number of the second value.
        line: usize,
        /// Line of the first value.
        first_line: usize,
        /// The label.
        label: Label,
        /// The tunnel id, hex.
        tunnel_id: String,
    },
}

pub(super) fn parse(input: &[u8], limits: Limits) -> Result<KeyLog, KeyLogError> {
    if input.len() > limits.max_bytes {
        return Err(KeyLogError::TooLarge {
            len: input.len(),
            max: limits.max_bytes,
        });
    }
    let mut log = KeyLog::default();
    for (index, raw) in input.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        if line > limits.max_lines {
            return Err(KeyLogError::TooManyLines {
                max: limits.max_lines,
            });
        }
        if raw.len() > limits.max_line_len {
            return Err(KeyLogError::LineTooLong {
                line,
                len: raw.len(),
                max: limits.max_line_len,
            });
        }
        let text = std::str::from_utf8(raw).map_err(|_| KeyLogError::NotText { line })?;
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        read_line(&mut log, text, line)?;
    }
    Ok(log)
}

fn read_line(log: &mut KeyLog, text: &str, line: usize) -> Result<(), KeyLogError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [name, tunnel, value] = fields.as_slice() else {
        return Err(KeyLogError::Fields {
            line,
            found: fields.len(),
        });
    };
    let tunnel = hex::decode(tunnel).map_err(|_| KeyLogError::TunnelIdHex { line })?;
    let tunnel_id: [u8; 16] =
        tunnel
            .as_slice()
            .try_into()
            .map_err(|_| KeyLogError::TunnelIdLength {
                line,
                len: tunnel.len(),
            })?;
    let value = hex::decode(value).map_err(|_| KeyLogError::ValueHex {
        line,
        label: (*name).to_owned(),
    })?;
    let Some(label) = Label::from_name(name) else {
        log.notices.push(super::Notice::UnknownLabel {
            line,
            label: (*name).to_owned(),
        });
        log.session_mut(tunnel_id).unknown.push(UnknownEntry {
            label: (*name).to_owned(),
            value,
            line,
        });
        return Ok(());
    };
    if value.len() != label.value_len() {
        return Err(KeyLogError::ValueLength {
            line,
            label,
            len: value.len(),
            expected: label.value_len(),
        });
    }
    let session = log.session_mut(tunnel_id);
    match session.entry(label) {
        Some(first) if first.value == value => {
            let first_line = first.line;
            log.notices.push(Notice::Duplicate {
                line,
                first_line,
                label,
            });
        }
        Some(first) => {
            return Err(KeyLogError::Conflict {
                line,
                first_line: first.line,
                label,
                tunnel_id: hex::encode(tunnel_id),
            })
        }
        None => session.insert(label, value, line),
    }
    Ok(())
}
