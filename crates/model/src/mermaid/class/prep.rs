//! What Mermaid does to a diagram's text before its class-diagram lexer sees it
//! (`preprocessDiagram`, twice, and `encodeEntities` in Mermaid 11): line endings, quotes inside
//! HTML tags, front matter, `%%{...}%%` directives and whole-line `%%` comments, leading
//! white space, `#name;` entities, and a final new line. Every byte of the result keeps the
//! offset of the source byte it came from, so errors point into the diagram as written.

/// Text with, for each byte, the source offset it came from (`map.len() == text.len() + 1`).
pub(super) struct Mapped {
    pub text: String,
    pub map: Vec<usize>,
}

impl Mapped {
    /// The source offset of a byte offset of `text` (the end maps past the last byte).
    pub fn origin(&self, at: usize) -> usize {
        self.map.get(at).or(self.map.last()).copied().unwrap_or(0)
    }
}

/// Builds a new `Mapped` from pieces of an old one and inserted text.
struct Builder {
    text: String,
    map: Vec<usize>,
}

impl Builder {
    fn new(capacity: usize) -> Self {
        Builder {
            text: String::with_capacity(capacity),
            map: Vec::with_capacity(capacity + 1),
        }
    }

    /// Copies `from.text[a..b]` (char boundaries) with its offsets.
    fn copy(&mut self, from: &Mapped, a: usize, b: usize) {
        if let (Some(s), Some(m)) = (from.text.get(a..b), from.map.get(a..b)) {
            self.text.push_str(s);
            self.map.extend_from_slice(m);
        }
    }

    /// Inserts new text, every byte mapped to `origin`.
    fn insert(&mut self, s: &str, origin: usize) {
        self.text.push_str(s);
        self.map.extend(std::iter::repeat_n(origin, s.len()));
    }

    fn finish(mut self, end: usize) -> Mapped {
        self.map.push(end);
        Mapped {
            text: self.text,
            map: self.map,
        }
    }
}

/// JavaScript's `\s`.
pub(super) fn js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// JavaScript's `\w` (ASCII only without the `u` flag).
pub(super) fn js_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A character JavaScript's `.` does not match.
pub(super) fn js_line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// The text Mermaid's class-diagram parser reads for `src`.
pub(super) fn preprocess(src: &str) -> Mapped {
    let mut m = line_endings(src);
    // `mermaid.parse` preprocesses the text and then `getDiagramFromText` does it again: a
    // second front matter block, a directive or comment exposed by the first pass go too.
    for _ in 0..2 {
        m = tag_quotes(m);
        m = front_matter(m);
        m = directives(m);
        m = comments(m);
        m = trim_start(m);
    }
    let m = semicolon_after_color(m, "style");
    let m = semicolon_after_color(m, "classDef");
    let mut m = entities(m);
    // `Diagram.fromText` appends a new line.
    m.text.push('\n');
    let end = m.map.pop().unwrap_or(src.len());
    m.map.push(end);
    m.map.push(end);
    m
}

/// `\r\n` and lone `\r` become `\n`.
fn line_endings(src: &str) -> Mapped {
    let mut b = Builder::new(src.len());
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\r' {
            if let Some(&(_, '\n')) = chars.peek() {
                chars.next();
            }
            b.insert("\n", i);
        } else {
            let len = c.len_utf8();
            b.text.push(c);
            b.map.extend(i..i + len);
        }
    }
    b.finish(src.len())
}

/// In every `<tag ...>`, `="value"` becomes `='value'` (Mermaid's `cleanupText`), which
/// changes where strings start and end.
fn tag_quotes(mut m: Mapped) -> Mapped {
    let bytes = m.text.as_bytes();
    let mut flips = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            let mut j = i + 1;
            while bytes.get(j).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                j += 1;
            }
            // Without a `>` further on, no later `<tag` can match either.
            let Some(close) = bytes[j..].iter().position(|&c| c == b'>').map(|p| j + p) else {
                break;
            };
            let mut k = j;
            while k + 1 < close {
                if bytes[k] == b'=' && bytes[k + 1] == b'"' {
                    match bytes[k + 2..close].iter().position(|&c| c == b'"') {
                        Some(p) => {
                            flips.push(k + 1);
                            flips.push(k + 2 + p);
                            k = k + 3 + p;
                        }
                        None => break,
                    }
                } else {
                    k += 1;
                }
            }
            i = close + 1;
        } else {
            i += 1;
        }
    }
    if !flips.is_empty() {
        // Both quotes are ASCII: swapping them keeps the text valid UTF-8 and every offset.
        let mut bytes = std::mem::take(&mut m.text).into_bytes();
        for f in flips {
            if let Some(b) = bytes.get_mut(f) {
                *b = b'\'';
            }
        }
        m.text = String::from_utf8(bytes).unwrap_or_default();
    }
    m
}

fn drop_prefix(m: Mapped, n: usize) -> Mapped {
    if n == 0 {
        return m;
    }
    let mut b = Builder::new(m.text.len().saturating_sub(n));
    b.copy(&m, n, m.text.len());
    let end = m.origin(m.text.len());
    b.finish(end)
}

fn drop_ranges(m: Mapped, ranges: &[(usize, usize)]) -> Mapped {
    if ranges.is_empty() {
        return m;
    }
    let mut b = Builder::new(m.text.len());
    let mut at = 0;
    for &(a, e) in ranges {
        b.copy(&m, at, a);
        at = e;
    }
    b.copy(&m, at, m.text.len());
    let end = m.origin(m.text.len());
    b.finish(end)
}

/// `^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+` (dot matches new lines).
fn front_matter(m: Mapped) -> Mapped {
    let n = front_matter_len(&m.text).unwrap_or(0);
    drop_prefix(m, n)
}

fn front_matter_len(t: &str) -> Option<usize> {
    let indent_len = t
        .char_indices()
        .find(|&(_, c)| !js_space(c) || c == '\n' || c == '\r')
        .map_or(t.len(), |(i, _)| i);
    let indent = t.get(..indent_len)?;
    let after = indent_len + 3;
    if t.get(indent_len..after)? != "---" {
        return None;
    }
    // `\s*[\n\r]`: the body may start after any new line in the white space that follows;
    // the greedy `\s*` tries the last one first.
    let ws_end = t[after..]
        .char_indices()
        .find(|&(_, c)| !js_space(c))
        .map_or(t.len(), |(i, _)| after + i);
    let mut starts: Vec<usize> = t[after..ws_end]
        .char_indices()
        .filter(|&(_, c)| c == '\n' || c == '\r')
        .map(|(i, _)| after + i + 1)
        .collect();
    // Only the last two matter: an earlier start can close on no other new line than the
    // second-to-last one can (the run is all white space), which also bounds the work.
    starts.reverse();
    starts.truncate(2);
    for body in starts {
        // The lazy body ends at the first `[\n\r] indent --- \s* [\n\r]+`.
        let mut from = body;
        while let Some(q) = t.get(from..).and_then(|s| s.find(['\n', '\r'])).map(|p| from + p) {
            let rest = t.get(q + 1..).unwrap_or("");
            if rest.starts_with(indent) && rest[indent.len()..].starts_with("---") {
                let k = q + 1 + indent.len() + 3;
                let ws_end = skip_ws(t, k);
                if let Some(last_nl) = t[k..ws_end].rfind(['\n', '\r']) {
                    return Some(k + last_nl + 1);
                }
            }
            from = q + 1;
        }
    }
    None
}

/// Removes `%%{...}%%` directives as Mermaid's `directiveRegex` does.
fn directives(m: Mapped) -> Mapped {
    let t = &m.text;
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(p) = t.get(from..).and_then(|s| s.find("%%{")).map(|p| from + p) {
        match directive_end(t, p + 3) {
            Some(e) => {
                ranges.push((p, e));
                from = e;
            }
            None => from = p + 1,
        }
    }
    drop_ranges(m, &ranges)
}

fn skip_ws(t: &str, at: usize) -> usize {
    t.get(at..)
        .and_then(|s| s.char_indices().find(|&(_, c)| !js_space(c)))
        .map_or(t.len(), |(i, _)| at + i)
}

fn skip_word(t: &str, at: usize) -> usize {
    at + t.get(at..).map_or(0, |s| {
        s.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
    })
}

/// `\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?` from `at`.
fn directive_end(t: &str, at: usize) -> Option<usize> {
    let mut i = skip_ws(t, at);
    let w = skip_word(t, i);
    if w == i {
        return None;
    }
    i = w;
    let c = skip_ws(t, i);
    if t.get(c..).is_some_and(|s| s.starts_with(':')) {
        i = c + 1;
    }
    i = skip_ws(t, i);
    let w = skip_word(t, i);
    if w > i {
        i = w;
    } else {
        let rest = t.get(i..).unwrap_or("");
        let mut n = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((k, ch)) = chars.next() {
            if rest[k..].starts_with("}%%") {
                break;
            }
            if !js_line_end(ch) || ch == '\n' {
                n = k + ch.len_utf8();
            } else if ch == '\r' && matches!(chars.peek(), Some(&(_, '\n'))) {
                chars.next();
                n = k + 2;
            } else {
                break;
            }
        }
        i += n;
    }
    i = skip_ws(t, i);
    if t.get(i..).is_some_and(|s| s.starts_with("}%%")) {
        i += 3;
    }
    Some(i)
}

/// Removes whole-line comments: `^\s*%%(?!{)[^\n]+\n?` (multi-line mode), then leading white
/// space is trimmed.
fn comments(m: Mapped) -> Mapped {
    let t = &m.text;
    let mut ranges = Vec::new();
    let mut line = 0;
    while line <= t.len() {
        let p = skip_ws(t, line);
        let rest = t.get(p..).unwrap_or("");
        let eol = rest.find('\n').map_or(t.len(), |i| p + i);
        if rest.starts_with("%%") && !rest[2..].starts_with('{') && eol > p + 2 {
            let end = if eol < t.len() { eol + 1 } else { eol };
            ranges.push((line, end));
            line = end;
            if end == t.len() {
                break;
            }
            continue;
        }
        // The next line start after the white space run (earlier ones reach the same `p`).
        match t.get(p..).and_then(|s| s.find('\n')) {
            Some(i) => line = p + i + 1,
            None => break,
        }
    }
    drop_ranges(m, &ranges)
}

fn trim_start(m: Mapped) -> Mapped {
    let n = skip_ws(&m.text, 0);
    drop_prefix(m, n)
}

/// `encodeEntities`: on a line where `keyword` is followed by `:`, a `#` after it with no
/// space between, and a `;` after that, the line's last `;` is removed
/// (`/style.*:\S*#.*;/g` drops the match's last character).
fn semicolon_after_color(m: Mapped, keyword: &str) -> Mapped {
    let t = &m.text;
    let mut drops = Vec::new();
    let mut start = 0;
    while start < t.len() {
        let end = t[start..].find('\n').map_or(t.len(), |i| start + i);
        let line = &t[start..end];
        if let Some(k) = line.find(keyword)
            && let Some(last_semi) = line.rfind(';')
            && color_before(&line[k + keyword.len()..], last_semi.saturating_sub(k + keyword.len()))
        {
            drops.push((start + last_semi, start + last_semi + 1));
        }
        start = end + 1;
    }
    drop_ranges(m, &drops)
}

/// Whether `s[..limit]` holds a `:` followed (without white space) by a `#`.
fn color_before(s: &str, limit: usize) -> bool {
    let s = s.get(..limit).unwrap_or(s);
    let mut after_colon = false;
    for c in s.chars() {
        if c == ':' {
            after_colon = true;
        } else if c == '#' && after_colon {
            return true;
        } else if js_space(c) {
            after_colon = false;
        }
    }
    false
}

/// `#word;` becomes `ﬂ°word¶ß` (`ﬂ°°digits¶ß` for numbers), as Mermaid encodes entities.
fn entities(m: Mapped) -> Mapped {
    let t = &m.text;
    let bytes = t.as_bytes();
    let mut b: Option<Builder> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            let w = skip_word(t, i + 1);
            if w > i + 1 && bytes.get(w) == Some(&b';') {
                let builder = b.get_or_insert_with(|| Builder::new(t.len() + 16));
                builder.copy(&m, copied, i);
                let inner = &t[i + 1..w];
                let origin = m.origin(i);
                let open = if inner.bytes().all(|c| c.is_ascii_digit()) {
                    "\u{FB02}\u{B0}\u{B0}"
                } else {
                    "\u{FB02}\u{B0}"
                };
                builder.insert(open, origin);
                builder.copy(&m, i + 1, w);
                builder.insert("\u{B6}\u{DF}", m.origin(w));
                copied = w + 1;
                i = w + 1;
                continue;
            }
        }
        i += 1;
    }
    match b {
        None => m,
        Some(mut builder) => {
            builder.copy(&m, copied, t.len());
            let end = m.origin(t.len());
            builder.finish(end)
        }
    }
}
