//! JavaScript regular-expression character classes, as Mermaid's lexer sees characters.

/// `\s` in a JavaScript regular expression (and what `String.prototype.trim` removes).
pub(super) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// Characters `.` does not match.
pub(super) fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `\w` without the `u` flag: ASCII letters, digits and `_`.
pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// JavaScript `trim`.
pub(super) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}
