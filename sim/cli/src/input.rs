//! Reading the files a user names, bounded: every file input (options JSON, profiles, PEM
//! certificates, QR pictures, exports) goes through here, so `/dev/zero` or a huge file
//! cannot make the tool read until memory runs out. Advert lines are the exception: they
//! are streamed from FIFOs line by line by the standalone desktop, not read whole.

use crate::failure::Failure;
use hybridsim_proto::echo;
use std::io::Read;
use std::path::Path;

/// The largest file read as input: far above any options file, profile, certificate, QR
/// picture or authenticator-app export.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Checks that `path` is a regular file within [`MAX_INPUT_BYTES`], for files another
/// library opens itself (TLS certificates and keys).
pub fn check(path: &Path) -> Result<(), Failure> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(path, MAX_INPUT_BYTES));
    }
    Ok(())
}

/// `path`, once [`check`]ed.
pub fn checked(path: &Path) -> Result<&Path, Failure> {
    check(path).map(|()| path)
}

/// The bytes of the regular file at `path`, at most [`MAX_INPUT_BYTES`] of them.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    read_at_most(path, MAX_INPUT_BYTES)
}

/// The bytes of the regular file at `path`, at most `limit` of them (inputs larger than
/// [`MAX_INPUT_BYTES`] by nature, such as captured sessions).
pub fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(path, &e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

/// The text of the regular file at `path`, at most [`MAX_INPUT_BYTES`] of it.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| Failure::bad_input(format!("{}: not UTF-8 text ({e})", shown(path))))
}

/// A path as messages show it (bounded, like every echoed input).
pub fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    if text.chars().count() > echo::MAX_ECHO_CHARS {
        echo::shown(&text)
    } else {
        text
    }
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Failure {
    Failure::bad_input(format!("cannot read {}: {e}", shown(path)))
}

fn not_regular(path: &Path) -> Failure {
    Failure::bad_input(format!(
        "{} is not a regular file (a device, FIFO or directory): give a file",
        shown(path)
    ))
}

fn too_large(path: &Path, limit: u64) -> Failure {
    Failure::bad_input(format!(
        "{} is larger than the input limit of {} MiB",
        shown(path),
        limit >> 20
    ))
}
