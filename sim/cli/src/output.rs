//! Writing results: lines to stdout, and the files a user asked for.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`hybridsim … | head -1`);
//! a tool that scripts pipe into must not, so results are written through [`line`](fn@line), which
//! drops what the reader no longer wants.

use std::fmt;
use std::io::Write;

/// Writes one line to stdout, ignoring a closed pipe.
pub fn line(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
}

/// Writes each of `lines` to stdout, one a line, ignoring a closed pipe.
pub fn lines<L: fmt::Display>(lines: impl IntoIterator<Item = L>) {
    for l in lines {
        line(format_args!("{l}"));
    }
}

/// Writes `contents` to the file at `path` (created or replaced): exit 2 naming the file when
/// it cannot be written (a missing folder, no permission).
pub fn write_file(path: &std::path::Path, contents: impl AsRef<[u8]>) -> crate::failure::Outcome {
    std::fs::write(path, contents).map_err(|e| {
        crate::failure::Failure::bad_input(format!(
            "cannot write {}: {e}",
            crate::input::shown(path)
        ))
    })
}
