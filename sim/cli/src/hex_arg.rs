//! Reading hex command-line arguments with errors that say which argument and what is wrong.

use crate::failure::Failure;

/// Decodes `text` (either letter case) into exactly `N` bytes.
pub fn fixed<const N: usize>(name: &str, text: &str) -> Result<[u8; N], Failure> {
    let bytes = any_length(name, text)?;
    bytes.as_slice().try_into().map_err(|_| {
        Failure::bad_input(format!(
            "{name}: {} bytes ({} hex digits), expected {N} bytes ({} hex digits)",
            bytes.len(),
            text.len(),
            2 * N
        ))
    })
}

/// Decodes `text` (either letter case) into bytes of any length.
pub fn any_length(name: &str, text: &str) -> Result<Vec<u8>, Failure> {
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_hexdigit())
    {
        return Err(Failure::bad_input(format!(
            "{name}: character {i} ({c:?}) is not a hex digit"
        )));
    }
    hex::decode(text).map_err(|_| {
        Failure::bad_input(format!("{name}: odd number of hex digits ({})", text.len()))
    })
}
