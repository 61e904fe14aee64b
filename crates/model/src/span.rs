//! Byte spans and the line index that turns them into 1-based line:column positions.

use serde::Serialize;

/// A half-open byte range `start..end` into the document source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at `offset`, used for insertions and "here" markers.
    pub const fn point(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    pub fn shift(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and 1-based column, the column counted in Unicode scalar values
/// (what editors and SARIF consumers show; byte columns mislead on CJK text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// Start offsets of every line, built once per document so that position lookups are
/// a binary search instead of a rescan.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut starts = Vec::with_capacity(source.len() / 40 + 1);
        starts.push(0);
        let mut from = 0;
        // `str::find(char)` uses a vectorised byte search.
        while let Some(i) = source[from..].find('\n') {
            from += i + 1;
            starts.push(from);
        }
        LineIndex {
            starts,
            len: source.len(),
        }
    }

    /// Number of lines (a trailing newline does not start an extra line of content,
    /// but is counted so that an offset at EOF still has a position).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based `line` starts (clamped to the end of the source).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte span of 0-based `line` without its line terminator.
    pub fn line_span(&self, source: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = source.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        Span::new(start, end)
    }

    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let col = source.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line: line + 1, col }
    }

    /// Byte offset of a 1-based line and 1-based character column, clamped to the line.
    pub fn offset_of(&self, source: &str, line: usize, col: usize) -> usize {
        let line0 = line.saturating_sub(1).min(self.starts.len().saturating_sub(1));
        let span = self.line_span(source, line0);
        let text = source.get(span.start..span.end).unwrap_or("");
        let within = text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i);
        span.start + within
    }
}

/// The largest char boundary `<= offset` (spans from byte-oriented tools may split a char).
pub fn floor_char_boundary(s: &str, mut offset: usize) -> usize {
    if offset >= s.len() {
        return s.len();
    }
    while offset > 0 && !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, offset: usize, expect: (usize, usize)) {
        let index = LineIndex::new(source);
        let lc = index.line_col(source, offset);
        assert_eq!((lc.line, lc.col), expect, "offset {offset} in {source:?}");
        assert_eq!(
            index.offset_of(source, lc.line, lc.col),
            floor_char_boundary(source, offset)
        );
    }

    #[test]
    fn positions() {
        check("abc\ndef", 0, (1, 1));
        check("abc\ndef", 3, (1, 4));
        check("abc\ndef", 4, (2, 1));
        check("abc\ndef", 6, (2, 3));
        check("概述\nx", 3, (1, 2));
        check("概述\nx", 7, (2, 1));
        check("a\r\nb", 3, (2, 1));
    }

    #[test]
    fn offset_inside_multibyte_char_is_floored() {
        let s = "é";
        let index = LineIndex::new(s);
        assert_eq!(index.line_col(s, 1), LineCol { line: 1, col: 1 });
    }
}
