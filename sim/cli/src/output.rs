//! Writing results to stdout.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`hybridsim … | head -1`);
//! a tool that scripts pipe into must not, so results are written through [`line`], which
//! drops what the reader no longer wants.

use std::fmt;
use std::io::Write;

/// Writes one line to stdout, ignoring a closed pipe.
pub fn line(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
}
