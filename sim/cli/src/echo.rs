//! Echoing user input back in messages, bounded: a 1 MB argument must not become a 1 MB
//! line on stderr. Every message that quotes an input goes through [`shown`]; `main` also
//! bounds the whole error line with [`line`] as a last guard for text coming from libraries.

/// Characters of an input quoted in full; longer ones are cut and their length given.
pub const MAX_ECHO_CHARS: usize = 64;

/// Characters of one error line on stderr.
pub const MAX_LINE_CHARS: usize = 1024;

/// `value` quoted (`"abc"`), or its first [`MAX_ECHO_CHARS`] characters and its length in
/// bytes (`"abcd…" (1048576 bytes)`).
pub fn shown(value: &str) -> String {
    cut(value, MAX_ECHO_CHARS).map_or_else(
        || format!("{value:?}"),
        |head| format!("\"{}…\" ({} bytes)", head.escape_debug(), value.len()),
    )
}

/// A message line of at most about [`MAX_LINE_CHARS`] characters, its length given when cut.
pub fn line(message: &str) -> String {
    cut(message, MAX_LINE_CHARS).map_or_else(
        || message.to_owned(),
        |head| format!("{head}… ({} bytes in all)", message.len()),
    )
}

/// The first `max` characters of `value`, when it has more.
fn cut(value: &str, max: usize) -> Option<&str> {
    value
        .char_indices()
        .nth(max)
        .and_then(|(end, _)| value.get(..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole_and_long_ones_cut_with_their_length() {
        assert_eq!(shown("266"), "\"266\"");
        let long = "a".repeat(1 << 20);
        let echoed = shown(&long);
        assert!(echoed.ends_with("…\" (1048576 bytes)"), "{echoed}");
        assert!(echoed.len() < 100);
        let wide = "é".repeat(100);
        assert!(shown(&wide).ends_with("(200 bytes)"));
        assert_eq!(line("short"), "short");
        assert!(line(&long).ends_with("… (1048576 bytes in all)"));
    }
}
