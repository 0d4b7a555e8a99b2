//! Corpus text is untrusted: before it reaches a terminal, control
//! characters (C0 but newline, DEL, C1) and bidirectional overrides are
//! replaced, so no escape sequence from an article can drive the terminal.

/// Text safe to print: `\t` and `\r` become spaces, other controls `�`.
pub fn clean(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            '\t' | '\r' => ' ',
            c if is_unsafe(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn escapes_never_survive() {
        assert_eq!(
            clean("a\x1b[31mb\x07\u{9b}c"),
            "a\u{FFFD}[31mb\u{FFFD}\u{FFFD}c"
        );
        assert_eq!(clean("x\u{202E}y\tz\nw"), "x\u{FFFD}y z\nw");
        assert_eq!(clean("Guaidó"), "Guaidó");
    }
}
