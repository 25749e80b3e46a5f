//! Printing results: one JSON object on stdout for `--json`, readable lines otherwise.

/// Prints a JSON value as one line on stdout.
pub fn print(value: &serde_json::Value) {
    say!("{value}");
}
