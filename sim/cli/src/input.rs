//! The files a user names, read through `hybridsim_files` (regular files only, bounded) at
//! the input limit; its errors are exit 2. TLS files are read bounded by the libraries that
//! load them. Advert lines are streamed from FIFOs line by line, not read whole.

use crate::failure::Failure;
use hybridsim_files::MAX_INPUT_BYTES;
use std::path::Path;

/// The bytes of the regular file at `path`, at most the input limit of them.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    read_at_most(path, MAX_INPUT_BYTES)
}

/// The bytes of the regular file at `path`, at most `limit` of them (inputs larger than the
/// input limit by nature, such as captured sessions).
pub fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    Ok(hybridsim_files::read_bytes(path, limit)?)
}

/// The text of the regular file at `path`, at most the input limit of it.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    Ok(hybridsim_files::read_text(path, MAX_INPUT_BYTES)?)
}

/// The file at `path` read as text and parsed by `parse`: exit 2 naming the file when it
/// cannot be read or does not parse.
pub fn parsed<T, E: std::fmt::Display>(
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, Failure> {
    crate::failure::OrFail::or_bad_input_on(parse(&read_text(path)?), path.display())
}

/// A path as messages show it (bounded, like every echoed input).
pub use hybridsim_files::shown;
