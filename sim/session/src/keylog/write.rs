//! The key-log writer: one line per secret, appended as the secret comes to exist.
//!
//! The drivers (ceremony, desktop, phone, run) open the file in append mode and hand it to
//! [`KeyLogWriter`], so several runs share one file as with `SSLKEYLOGFILE`.

use super::{Entry, Label};
use std::io::{self, Write};

/// One key-log line, newline included: `LABEL TUNNEL_ID_HEX VALUE_HEX\n`. Hex is upper case
/// for the tunnel id (as in Chromium's URLs) and lower case for the value.
pub fn format_line(label: Label, tunnel_id: &[u8; 16], value: &[u8]) -> String {
    format!(
        "{} {} {}\n",
        label.as_str(),
        hex::encode_upper(tunnel_id),
        hex::encode(value)
    )
}

/// Appends key-log lines to any byte sink (a file opened for appending, a `Vec<u8>`).
#[derive(Debug)]
pub struct KeyLogWriter<W: Write> {
    out: W,
}

impl<W: Write> KeyLogWriter<W> {
    /// A writer over `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }

    /// Writes one secret. A value of the wrong length for its label is refused with
    /// [`io::ErrorKind::InvalidInput`], so a writer never produces a line its reader refuses.
    pub fn secret(&mut self, label: Label, tunnel_id: &[u8; 16], value: &[u8]) -> io::Result<()> {
        if value.len() != label.value_len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{label} is {} bytes; expected {}",
                    value.len(),
                    label.value_len()
                ),
            ));
        }
        self.out
            .write_all(format_line(label, tunnel_id, value).as_bytes())?;
        self.out.flush()
    }

    /// Writes one collected [`Entry`] (as [`KeyLogWriter::secret`]).
    pub fn entry(&mut self, entry: &Entry) -> io::Result<()> {
        self.secret(entry.label, &entry.tunnel_id, &entry.value)
    }

    /// Writes a `# …` comment line (line breaks in `text` become spaces).
    pub fn comment(&mut self, text: &str) -> io::Result<()> {
        let one_line: String = text
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        writeln!(self.out, "# {one_line}")?;
        self.out.flush()
    }

    /// The sink back.
    pub fn into_inner(self) -> W {
        self.out
    }
}
