//! Echoing untrusted input back in messages, bounded: a 1 MB argument or URL must not become
//! a 1 MB line in an error. Every message that quotes what a user or a peer gave goes through
//! [`shown`] (quoted) or [`shortened`] (bare); [`line`](fn@line) bounds a whole message as a
//! last guard.

/// Characters of an input quoted in full; longer ones are cut and their length given.
pub const MAX_ECHO_CHARS: usize = 64;

/// Characters of one message line.
pub const MAX_LINE_CHARS: usize = 1024;

/// `value` quoted (`"abc"`), or its first [`MAX_ECHO_CHARS`] characters and its length in
/// bytes (`"abcd…" (1048576 bytes)`).
pub fn shown(value: &str) -> String {
    cut(value, MAX_ECHO_CHARS).map_or_else(
        || format!("{value:?}"),
        |head| format!("\"{}…\" ({} bytes)", head.escape_debug(), value.len()),
    )
}

/// `value` as it is, or its first [`MAX_ECHO_CHARS`] characters and its length in bytes
/// (`abcd… (1048576 bytes)`).
pub fn shortened(value: &str) -> String {
    cut(value, MAX_ECHO_CHARS).map_or_else(
        || value.to_owned(),
        |head| format!("{head}… ({} bytes)", value.len()),
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
    fn short_values_are_echoed_whole_and_long_ones_cut_with_their_length() {
        assert_eq!(shown("266"), "\"266\"");
        assert_eq!(shortened("266"), "266");
        let long = "a".repeat(1 << 20);
        let echoed = shown(&long);
        assert!(echoed.ends_with("…\" (1048576 bytes)"), "{echoed}");
        assert!(echoed.len() < 100);
        assert_eq!(
            shortened(&long),
            format!("{}… (1048576 bytes)", "a".repeat(64))
        );
        let wide = "é".repeat(100);
        assert!(shown(&wide).ends_with("(200 bytes)"));
        assert_eq!(line("short"), "short");
        assert!(line(&long).ends_with("… (1048576 bytes in all)"));
    }
}
