//! Mermaid's text preprocessing before its state parser runs, with a map back to the
//! original offsets. Mermaid rewrites the text (line endings, front matter, `%%{...}%%`
//! directives, whole-line `%%` comments, `#entity;` codes, a final new line), and what its
//! lexer sees depends on those rewrites, so we replay them instead of guessing.

use super::js::{is_js_space, is_line_terminator, is_word_byte};

/// One piece of a rewritten text: from `new` on, either a copy of the previous text from
/// `old` on, or inserted text that stands for the previous text at `old`.
#[derive(Clone, Copy, Debug)]
struct Seg {
    new: usize,
    old: usize,
    copy: bool,
}

/// A rewritten text under construction.
#[derive(Default)]
struct Out {
    text: String,
    segs: Vec<Seg>,
}

impl Out {
    fn copy(&mut self, src: &str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        if let Some(part) = src.get(start..end) {
            self.segs.push(Seg {
                new: self.text.len(),
                old: start,
                copy: true,
            });
            self.text.push_str(part);
        }
    }

    fn insert(&mut self, s: &str, old: usize) {
        self.segs.push(Seg {
            new: self.text.len(),
            old,
            copy: false,
        });
        self.text.push_str(s);
    }
}

/// The text Mermaid's state parser receives, and how to find its offsets in the source.
pub(super) struct Pre {
    pub text: String,
    /// One map per rewrite, oldest first.
    stages: Vec<Vec<Seg>>,
    src_len: usize,
}

/// Why Mermaid would not reach the state parser at all.
pub(super) struct PreError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

impl Pre {
    /// The source offset of an offset in the rewritten text.
    pub fn to_src(&self, mut pos: usize) -> usize {
        for segs in self.stages.iter().rev() {
            let i = segs.partition_point(|s| s.new <= pos);
            pos = match i.checked_sub(1).and_then(|i| segs.get(i)) {
                Some(s) if s.copy => s.old + (pos - s.new),
                Some(s) => s.old,
                None => 0,
            };
        }
        pos.min(self.src_len)
    }

    fn push(&mut self, out: Out) {
        self.text = out.text;
        self.stages.push(out.segs);
    }
}

/// Replays Mermaid's preprocessing (`preprocessDiagram`, then `encodeEntities` and the
/// trailing new line of `Diagram.fromText`).
pub(super) fn preprocess(src: &str) -> Result<Pre, PreError> {
    let mut pre = Pre {
        text: String::new(),
        stages: Vec::new(),
        src_len: src.len(),
    };
    pre.push(line_endings(src));
    quote_tag_attributes(&mut pre.text);
    let fm = front_matter(&pre.text).map_err(|e| PreError {
        range: pre.to_src(e.range.start)..pre.to_src(e.range.end),
        message: e.message,
    })?;
    pre.push(fm);
    let d = directives(&pre.text);
    pre.push(d);
    let c = comment_lines(&pre.text);
    pre.push(c);
    let mut e = drop_style_semicolons(&pre.text, "style");
    pre.push(e);
    e = drop_style_semicolons(&pre.text, "classDef");
    pre.push(e);
    let mut e = entity_codes(&pre.text);
    e.insert("\n", pre.text.len());
    pre.push(e);
    Ok(pre)
}

/// `\r\n?` becomes `\n`.
fn line_endings(src: &str) -> Out {
    let mut out = Out::default();
    let b = src.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'\r') {
            out.copy(src, start, i);
            out.insert("\n", i);
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    out.copy(src, start, b.len());
    out
}

/// `<tag a="x">` becomes `<tag a='x'>` (same length, so no map is needed).
fn quote_tag_attributes(text: &mut String) {
    let mut b = std::mem::take(text).into_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'<') || !b.get(i + 1).is_some_and(|&c| is_word_byte(c)) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while b.get(j).is_some_and(|&c| is_word_byte(c)) {
            j += 1;
        }
        let Some(k) = b
            .get(j..)
            .and_then(|rest| rest.iter().position(|&c| c == b'>'))
            .map(|p| p + j)
        else {
            break; // no `>` anywhere after: no later tag can match either
        };
        let mut a = j;
        while a + 1 < k {
            if b.get(a..a + 2) == Some(b"=\"")
                && let Some(q) = b.get(a + 2..k).and_then(|r| r.iter().position(|&c| c == b'"'))
            {
                let (open, close) = (a + 1, a + 2 + q);
                for i in [open, close] {
                    if let Some(c) = b.get_mut(i) {
                        *c = b'\'';
                    }
                }
                a = close + 1;
                continue;
            }
            a += 1;
        }
        i = k + 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes, so this stays UTF-8.
    *text = String::from_utf8(b).unwrap_or_default();
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// End of the run of JavaScript `\s` characters from `i`.
fn js_space_end(s: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(s, i) {
        if !is_js_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// Front matter, as `/^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s` removes it.
fn front_matter(text: &str) -> Result<Out, PreError> {
    let mut out = Out::default();
    let mut indent_end = 0;
    while let Some(c) = char_at(text, indent_end) {
        if !is_js_space(c) || c == '\n' || c == '\r' {
            break;
        }
        indent_end += c.len_utf8();
    }
    let indent = text.get(..indent_end).unwrap_or("");
    let after_dashes = indent_end + 3;
    if text.get(indent_end..after_dashes) != Some("---") {
        out.copy(text, 0, text.len());
        return Ok(out);
    }
    let b = text.as_bytes();
    let is_nl = |i: usize| matches!(b.get(i), Some(b'\n' | b'\r'));
    // Closing lines: a new line, the indent, `---`, white space holding a new line.
    let mut closings: Vec<(usize, usize)> = Vec::new();
    for k in after_dashes..b.len() {
        if !is_nl(k) || !text.get(k + 1..).is_some_and(|r| r.starts_with(indent)) {
            continue;
        }
        let d = k + 1 + indent.len();
        if text.get(d..d + 3) != Some("---") {
            continue;
        }
        let ws_end = js_space_end(text, d + 3);
        if let Some(m) = (d + 3..ws_end).rev().find(|&m| is_nl(m)) {
            closings.push((k, m + 1));
        }
    }
    let open_ws_end = js_space_end(text, after_dashes);
    // The opening `\s*[\n\r]` backtracks from the longest white space run.
    for c in (after_dashes..open_ws_end).rev().filter(|&c| is_nl(c)) {
        let i = closings.partition_point(|&(k, _)| k < c + 1);
        if let Some(&(k, end)) = closings.get(i) {
            check_yaml(text.get(c + 1..k).unwrap_or(""), indent, c + 1)?;
            out.copy(text, end, text.len());
            return Ok(out);
        }
    }
    Err(PreError {
        message: "front matter opened by `---` is never closed by a `---` line, so Mermaid finds no diagram type"
            .to_string(),
        range: indent_end..after_dashes,
    })
}

/// Mermaid loads front matter with js-yaml and fails on a YAML error. The body is
/// checked with our YAML parser; an empty body (or only comments) is fine.
fn check_yaml(body: &str, indent: &str, at: usize) -> Result<(), PreError> {
    let dedented: String = if indent.is_empty() {
        body.to_string()
    } else {
        body.split('\n')
            .map(|l| l.strip_prefix(indent).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let blank = dedented.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    });
    if blank {
        return Ok(());
    }
    match serde_saphyr::from_str::<serde_json::Value>(&dedented) {
        Ok(_) => Ok(()),
        Err(e) => {
            let first = e.to_string();
            let first = first
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            Err(PreError {
                message: format!("front matter is not valid YAML: {first}"),
                range: at..at + body.len(),
            })
        }
    }
}

/// `%%{ ... }%%` directives, as Mermaid's `directiveRegex` removes them.
fn directives(text: &str) -> Out {
    let mut out = Out::default();
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let word_end = |mut p: usize| {
        while b.get(p).is_some_and(|&c| is_word_byte(c)) {
            p += 1;
        }
        p
    };
    while i + 3 <= b.len() {
        if b.get(i..i + 3) != Some(b"%%{") {
            i += 1;
            continue;
        }
        let p = js_space_end(text, i + 3);
        let w = word_end(p);
        if w == p {
            i += 1;
            continue;
        }
        let q = js_space_end(text, w);
        let p2 = if b.get(q) == Some(&b':') { q + 1 } else { w };
        let p2 = js_space_end(text, p2);
        let w2 = word_end(p2);
        let mut p3 = w2;
        if w2 == p2 {
            while let Some(c) = char_at(text, p3) {
                if text.get(p3..).is_some_and(|r| r.starts_with("}%%")) || (c != '\n' && is_line_terminator(c)) {
                    break;
                }
                p3 += c.len_utf8();
            }
        }
        p3 = js_space_end(text, p3);
        if text.get(p3..).is_some_and(|r| r.starts_with("}%%")) {
            p3 += 3;
        }
        out.copy(text, start, i);
        start = p3;
        i = p3;
    }
    out.copy(text, start, b.len());
    out
}

/// Whole-line comments (`/^\s*%%(?!{)[^\n]+\n?/gm`), then leading white space.
fn comment_lines(text: &str) -> Out {
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let b = text.as_bytes();
    let mut start = 0;
    let mut line = 0;
    while line <= b.len() {
        let j = js_space_end(text, line);
        let is_comment = b.get(j..j + 2) == Some(b"%%") && b.get(j + 2).is_some_and(|&c| c != b'{' && c != b'\n');
        if is_comment {
            let end = b
                .get(j..)
                .and_then(|r| r.iter().position(|&c| c == b'\n'))
                .map_or(b.len(), |p| j + p + 1);
            kept.push((start, line));
            start = end;
            line = end;
            if end >= b.len() {
                break;
            }
            continue;
        }
        // The next line start after `j` (JavaScript's `^` also follows `\r`, U+2028, U+2029).
        let mut k = j;
        let mut next = None;
        while let Some(c) = char_at(text, k) {
            k += c.len_utf8();
            if is_line_terminator(c) {
                next = Some(k);
                break;
            }
        }
        match next {
            Some(n) => line = n,
            None => break,
        }
    }
    kept.push((start, b.len()));
    let mut out = Out::default();
    let mut first = true;
    for (a, z) in kept {
        let a = if first { js_space_end(text, a).min(z.max(a)) } else { a };
        if first && a >= z {
            continue; // still only white space: `trimStart` goes on into the next piece
        }
        first = false;
        out.copy(text, a, z);
    }
    out
}

/// `encodeEntities` drops the last `;` of a line where `style` (or `classDef`) is followed
/// by `:`, non-space characters, `#`, and a `;` (`/style.*:\S*#.*;/g`).
fn drop_style_semicolons(text: &str, word: &str) -> Out {
    let mut out = Out::default();
    let mut start = 0;
    let mut seg_start = 0;
    let mut drops = Vec::new();
    let mut ends: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| is_line_terminator(c))
        .map(|(i, _)| i)
        .collect();
    ends.push(text.len());
    for end in ends {
        if let Some(seg) = text.get(seg_start..end)
            && let Some(at) = semicolon_to_drop(seg, word)
        {
            drops.push(seg_start + at);
        }
        seg_start = end + char_at(text, end).map_or(1, char::len_utf8);
    }
    for d in drops {
        out.copy(text, start, d);
        start = d + 1;
    }
    out.copy(text, start, text.len());
    out
}

fn semicolon_to_drop(seg: &str, word: &str) -> Option<usize> {
    let s = seg.find(word)?;
    let last_semi = seg.rfind(';')?;
    // The first `#` reachable from a `:` after the word through non-space characters.
    let mut best: Option<usize> = None;
    let mut run_hash: Option<usize> = None; // nearest `#` ahead before any white space
    for (i, c) in seg.char_indices().rev() {
        if i < s + word.len() {
            break;
        }
        if c == ':'
            && let Some(h) = run_hash
        {
            best = Some(best.map_or(h, |b| b.min(h)));
        }
        if c == '#' {
            run_hash = Some(i);
        } else if is_js_space(c) {
            run_hash = None;
        }
    }
    match best {
        Some(h) if last_semi > h => Some(last_semi),
        _ => None,
    }
}

/// `#name;` becomes `ﬂ°name¶ß` (`ﬂ°°` for numbers), as `encodeEntities` writes it.
fn entity_codes(text: &str) -> Out {
    let mut out = Out::default();
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'#') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while b.get(j).is_some_and(|&c| is_word_byte(c)) {
            j += 1;
        }
        if j == i + 1 || b.get(j) != Some(&b';') {
            i += 1;
            continue;
        }
        let inner = text.get(i + 1..j).unwrap_or("");
        out.copy(text, start, i);
        let numeric = inner.bytes().all(|c| c.is_ascii_digit());
        out.insert(
            if numeric {
                "\u{FB02}\u{B0}\u{B0}"
            } else {
                "\u{FB02}\u{B0}"
            },
            i,
        );
        out.copy(text, i + 1, j);
        out.insert("\u{B6}\u{DF}", j);
        start = j + 1;
        i = j + 1;
    }
    out.copy(text, start, b.len());
    out
}
