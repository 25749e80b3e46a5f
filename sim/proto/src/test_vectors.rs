//! Loads the known-answer vectors kept in `fixtures/vectors/` (copied with their source fields
//! as gathered for `docs/protocol.md` §12).

use std::path::PathBuf;

/// Path of a vector file in the workspace's `fixtures/vectors/`.
pub(crate) fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vectors")
        .join(name)
}

/// Parses a vector file as JSON.
pub(crate) fn load(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}
