//! Byte offsets (what the checker's spans hold) <-> LSP positions (0-based line, column
//! in UTF-16 code units, as the protocol's default encoding requires).
//!
//! Lines end at `\n` (a `\r` before it belongs to the terminator), as the model's
//! [`LineIndex`] counts them; a column past the end of its line means the end of the line,
//! and a line past the end of the text means the end of the text, as the protocol asks.

use designdoc_model::{LineIndex, Span, floor_char_boundary};
use lsp_types::{Position, Range};

/// A document's text with its line index: every conversion for one version of a buffer.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub text: String,
    index: LineIndex,
}

impl Text {
    pub fn new(text: String) -> Text {
        let index = LineIndex::new(&text);
        Text { text, index }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The position of byte `offset` (floored to a char boundary, clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.index.line_of(offset);
        let start = self.index.line_start(line);
        let units: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(units))
    }

    pub fn range(&self, span: Span) -> Range {
        let start = self.position(span.start);
        let end = self.position(span.end.max(span.start));
        Range::new(start, end)
    }

    /// The byte offset of `pos`; a position inside a surrogate pair falls to the start of
    /// its character.
    pub fn offset(&self, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let span = self.index.line_span(&self.text, line);
        let Some(content) = self.text.get(span.start..span.end) else {
            return span.start;
        };
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in content.char_indices() {
            if units >= want {
                return span.start + i;
            }
            units += c.len_utf16();
            if units > want {
                return span.start + i;
            }
        }
        span.end
    }

    /// The byte span of `range` (start and end ordered, so a reversed range is no panic).
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        Span::new(a.min(b), a.max(b))
    }

    /// Replaces `range` with `new_text` (an incremental change from the client).
    pub fn edit(&mut self, range: Range, new_text: &str) {
        let span = self.span(range);
        self.text.replace_range(span.start..span.end, new_text);
        self.index = LineIndex::new(&self.text);
    }

    /// The 0-based line of `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.index.line_of(offset)
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.index.line_start(line)
    }

    /// The text of 0-based `line` up to byte `offset` (the part before the cursor).
    pub fn line_before(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset);
        let start = self.line_start(self.line_of(offset));
        self.text.get(start..offset).unwrap_or("")
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input` marks one place with `|`; `expect` is its (line, UTF-16 column). Checks
    /// both directions.
    fn check(input: &str, expect: (u32, u32)) {
        let at = input.find('|').expect("a `|` marks the place");
        let text = Text::new(input.replacen('|', "", 1));
        let pos = text.position(at);
        assert_eq!((pos.line, pos.character), expect, "{input:?}");
        assert_eq!(text.offset(pos), at, "{input:?}");
    }

    #[test]
    fn utf16_columns() {
        check("|abc", (0, 0));
        check("ab|c", (0, 2));
        check("abc\n|def", (1, 0));
        check("abc\nde|f", (1, 2));
        // é is 2 bytes and 1 unit; 概 is 3 bytes and 1 unit; 😀 is 4 bytes and 2 units.
        check("é|x", (0, 1));
        check("概述|x", (0, 2));
        check("😀|x", (0, 2));
        check("a😀b😀|c", (0, 6));
        check("## Über 😀\n- 概|述", (1, 3));
        check("a\r\n|b", (1, 0));
        check("abc|", (0, 3));
        check("abc\n|", (1, 0));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = Text::new("ab😀\ncd\n".to_string());
        // Past the end of a line: the end of that line, before its terminator.
        assert_eq!(text.offset(Position::new(0, 99)), 6);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(text.offset(Position::new(0, 3)), 2);
        // Past the last line: the end of the text.
        assert_eq!(text.offset(Position::new(9, 0)), text.as_str().len());
        // Inside a multi-byte char: floored.
        assert_eq!(text.position(3), Position::new(0, 2));
        assert_eq!(text.position(999), Position::new(2, 0));
    }

    #[test]
    fn incremental_edits() {
        let mut text = Text::new("# Ü\n\n## 概述\n".to_string());
        text.edit(Range::new(Position::new(2, 3), Position::new(2, 5)), "Overview");
        assert_eq!(text.as_str(), "# Ü\n\n## Overview\n");
        text.edit(Range::new(Position::new(0, 2), Position::new(0, 3)), "😀 T");
        assert_eq!(text.as_str(), "# 😀 T\n\n## Overview\n");
        // A reversed range is read in order.
        text.edit(Range::new(Position::new(1, 0), Position::new(0, 6)), "");
        assert_eq!(text.as_str(), "# 😀 T\n## Overview\n");
        assert_eq!(text.position(text.as_str().len()), Position::new(2, 0));
    }

    #[test]
    fn every_position_and_edit_is_safe() {
        // Every line and column (past the ends too) on text with 1-, 2-, 3- and 4-byte
        // chars, CRLF and a last line without terminator: no panic, offsets on char
        // boundaries, and edits between any two of them leave valid text.
        let source = "a😀é\r\n概述\n\n## x😀\nlast";
        let text = Text::new(source.to_string());
        let mut positions = Vec::new();
        for line in 0..8 {
            for character in 0..12 {
                let at = text.offset(Position::new(line, character));
                assert!(source.is_char_boundary(at), "{line}:{character} -> {at}");
                positions.push(Position::new(line, character));
            }
        }
        for &a in positions.iter().step_by(7) {
            for &b in positions.iter().step_by(5) {
                let mut t = text.clone();
                t.edit(Range::new(a, b), "ü😀\n");
                assert!(t.as_str().contains("ü😀"));
            }
        }
        for offset in 0..source.len() + 3 {
            let pos = text.position(offset);
            assert!(text.offset(pos) <= source.len());
        }
    }
}
