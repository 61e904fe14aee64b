//! The text rewrites Mermaid applies before its ER lexer sees a diagram (`mermaid.parse`:
//! `cleanupText`, `removeDirectives`, `cleanupComments`, twice, then `encodeEntities` and a
//! final `"\n"`), with a map from the rewritten text back to the source for error positions.
//!
//! They change what parses: a `%%` line vanishes, `#name;` becomes non-ASCII text (so
//! `fill:#f9f;` lexes as one word), the last `;` of a `style ... #...;` line is dropped.

/// One rewrite pass: at each anchor `(new, old)` a segment of the new text starts that
/// came from `old` in the pass's input.
type Anchors = Vec<(usize, usize)>;

pub(super) struct Prepared {
    pub text: String,
    /// Passes that changed something, in the order they ran.
    passes: Vec<Anchors>,
}

impl Prepared {
    /// Where a byte offset of the rewritten text came from, as an offset into the input.
    pub fn origin(&self, mut pos: usize) -> usize {
        for anchors in self.passes.iter().rev() {
            let i = anchors.partition_point(|&(new, _)| new <= pos);
            pos = match i.checked_sub(1).and_then(|k| anchors.get(k).map(|a| (k, *a))) {
                Some((k, (new, old))) => {
                    let mapped = old + (pos - new);
                    // A replaced segment may be longer than what it replaced: stay inside it.
                    match anchors.get(k + 1) {
                        Some(&(_, next_old)) => mapped.min(next_old.max(old)),
                        None => mapped,
                    }
                }
                None => pos,
            };
        }
        pos
    }
}

/// Builds one pass's output: copied and replaced segments, each anchored.
struct Out {
    s: String,
    anchors: Anchors,
}

impl Out {
    fn new(cap: usize) -> Out {
        Out {
            s: String::with_capacity(cap),
            anchors: Vec::new(),
        }
    }
    fn copy(&mut self, from: &str, start: usize, end: usize) {
        if let Some(part) = from.get(start..end).filter(|p| !p.is_empty()) {
            self.anchors.push((self.s.len(), start));
            self.s.push_str(part);
        }
    }
    fn put(&mut self, text: &str, old: usize) {
        self.anchors.push((self.s.len(), old));
        self.s.push_str(text);
    }
}

pub(super) fn prepare(src: &str) -> Prepared {
    let mut passes = Vec::new();
    let mut text = src.to_string();
    // Mermaid's order. `mermaid.parse` preprocesses twice (`parse`, then
    // `getDiagramFromText`), so a directive or comment uncovered by the first round goes in
    // the second. `tag_quotes` keeps lengths, so it needs no map.
    let passes_in_order = [
        crlf,
        directives,
        comments,
        directives,
        comments,
        style_semicolons,
        entities,
    ];
    for (k, pass) in passes_in_order.iter().enumerate() {
        if let Some(out) = pass(&text) {
            text = out.s;
            passes.push(out.anchors);
        }
        if k == 0 {
            tag_quotes(&mut text);
        }
    }
    text.push('\n');
    Prepared { text, passes }
}

/// `\r\n` and a lone `\r` become `\n`.
fn crlf(s: &str) -> Option<Out> {
    if !s.contains('\r') {
        return None;
    }
    let mut out = Out::new(s.len());
    let mut from = 0;
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'\r' {
            out.copy(s, from, i);
            if b.get(i + 1) == Some(&b'\n') {
                from = i + 1;
            } else {
                out.put("\n", i);
                from = i + 1;
            }
        }
    }
    out.copy(s, from, s.len());
    Some(out)
}

/// `cleanupText` rewrites `="..."` inside `<tag ...>` to `='...'` (same length, no map).
fn tag_quotes(s: &mut String) {
    if !s.contains("=\"") {
        return;
    }
    let mut bytes = std::mem::take(s).into_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let is_tag = bytes[i] == b'<' && bytes.get(i + 1).is_some_and(|c| is_word(*c));
        if !is_tag {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && is_word(bytes[j]) {
            j += 1;
        }
        let Some(close) = bytes[j..].iter().position(|&c| c == b'>').map(|k| j + k) else {
            i += 1;
            continue;
        };
        // `="([^"]*)"` inside the attributes, left to right.
        let mut k = j;
        while k + 1 < close {
            if bytes[k] == b'='
                && bytes[k + 1] == b'"'
                && let Some(end) = bytes[k + 2..close].iter().position(|&c| c == b'"')
            {
                bytes[k + 1] = b'\'';
                bytes[k + 2 + end] = b'\'';
                k = k + 3 + end;
                continue;
            }
            k += 1;
        }
        i = close + 1;
    }
    // Only ASCII quotes were swapped for ASCII quotes: still UTF-8.
    *s = String::from_utf8(bytes).unwrap_or_default();
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `%%{type: args}%%` directives are removed wherever they are (Mermaid's `directiveRegex`:
/// `%%{`, a word, then either a word or anything up to `}%%`, then `}%%` if present).
fn directives(s: &str) -> Option<Out> {
    if !s.contains("%%{") {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Out::new(s.len());
    let mut from = 0;
    let mut i = 0;
    while let Some(k) = s.get(i..).and_then(|r| r.find("%%{")) {
        let start = i + k;
        let mut j = skip_ws(s, start + 3);
        let word_start = j;
        while j < b.len() && is_word(b[j]) {
            j += 1;
        }
        if j == word_start {
            i = start + 1;
            continue;
        }
        // `(\w+)\s*:` or `(\w+)`.
        let after_colon = skip_ws(s, j);
        if b.get(after_colon) == Some(&b':') {
            j = after_colon + 1;
        }
        j = skip_ws(s, j);
        let arg_start = j;
        while j < b.len() && is_word(b[j]) {
            j += 1;
        }
        if j == arg_start {
            // Anything (lines included) up to `}%%`.
            j = s[j..].find("}%%").map_or(s.len(), |e| j + e);
        }
        j = skip_ws(s, j);
        if s.get(j..).is_some_and(|r| r.starts_with("}%%")) {
            j += 3;
        }
        out.copy(s, from, start);
        from = j;
        i = j.max(start + 1);
    }
    out.copy(s, from, s.len());
    Some(out)
}

fn skip_ws(s: &str, mut i: usize) -> usize {
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        if !super::tokens::js_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// `^\s*%%(?!{)[^\n]+\n?`: a line that starts with `%%` and has something after it goes,
/// with its line break. A bare `%%` stays (and is then a syntax error).
fn comments(s: &str) -> Option<Out> {
    if !s.contains("%%") {
        return None;
    }
    let mut out = Out::new(s.len());
    let mut from = 0;
    let mut changed = false;
    let mut line_start = 0;
    for line in s.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let lead = body.len() - body.trim_start_matches(super::tokens::js_space).len();
        let rest = &body[lead..];
        if let Some(after) = rest.strip_prefix("%%")
            && !after.is_empty()
            && !after.starts_with('{')
        {
            out.copy(s, from, line_start);
            from = line_start + line.len();
            changed = true;
        }
        line_start += line.len();
    }
    if !changed {
        return None;
    }
    out.copy(s, from, s.len());
    Some(out)
}

/// `style.*:\S*#.*;` and `classDef.*:\S*#.*;` (per line, case-sensitive): the last `;` of a
/// line where `style` (or `classDef`) is followed by `:`, then `#` with no space between,
/// then `;`, is removed.
fn style_semicolons(s: &str) -> Option<Out> {
    if !s.contains('#') || !s.contains(';') {
        return None;
    }
    let mut text: std::borrow::Cow<str> = s.into();
    let mut result: Option<Out> = None;
    for word in ["style", "classDef"] {
        let mut drops = Vec::new();
        let mut line_start = 0;
        for line in split_js_lines(&text) {
            if let Some(p) = semicolon_to_drop(line, word) {
                drops.push(line_start + p);
            }
            line_start += line.len();
        }
        if drops.is_empty() {
            continue;
        }
        let mut out = Out::new(text.len());
        let mut from = 0;
        for d in drops {
            out.copy(&text, from, d);
            from = d + 1;
        }
        out.copy(&text, from, text.len());
        // Two passes of this kind would need two maps; keep the first and fold the second.
        result = Some(match result {
            None => out,
            Some(first) => compose(first, out),
        });
        text = result.as_ref().map(|o| o.s.clone()).unwrap_or_default().into();
    }
    result
}

/// Composes two passes into one (rare: both `style` and `classDef` rewrites on one text).
fn compose(first: Out, second: Out) -> Out {
    let mut anchors = Vec::with_capacity(second.anchors.len());
    let pre = Prepared {
        text: String::new(),
        passes: vec![first.anchors],
    };
    for (new, mid) in second.anchors {
        anchors.push((new, pre.origin(mid)));
    }
    Out { s: second.s, anchors }
}

/// Lines as JavaScript's `.` sees them: split after `\n`, `\u2028` or `\u2029`.
fn split_js_lines(s: &str) -> impl Iterator<Item = &str> {
    s.split_inclusive(['\n', '\u{2028}', '\u{2029}'])
}

fn semicolon_to_drop(line: &str, word: &str) -> Option<usize> {
    let start = line.find(word)? + word.len();
    let last_semi = line.rfind(';')?;
    let mut armed = false;
    for (i, c) in line.get(start..)?.char_indices() {
        let i = start + i;
        if i >= last_semi {
            break;
        }
        if c == ':' {
            armed = true;
        } else if super::tokens::js_space(c) {
            armed = false;
        } else if c == '#' && armed {
            return Some(last_semi);
        }
    }
    None
}

/// `#\w+;` becomes `ﬂ°\w+¶ß` (`ﬂ°°` for digits): text, not a `#` and a `;`.
fn entities(s: &str) -> Option<Out> {
    if !s.contains('#') || !s.contains(';') {
        return None;
    }
    let b = s.as_bytes();
    let mut out: Option<Out> = None;
    let mut from = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'#' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && is_word(b[j]) {
            j += 1;
        }
        if j > i + 1 && b.get(j) == Some(&b';') {
            let o = out.get_or_insert_with(|| Out::new(s.len() + 16));
            o.copy(s, from, i);
            let inner = &s[i + 1..j];
            let digits = inner.bytes().all(|c| c.is_ascii_digit());
            o.put(
                if digits {
                    "\u{FB02}\u{B0}\u{B0}"
                } else {
                    "\u{FB02}\u{B0}"
                },
                i,
            );
            o.copy(s, i + 1, j);
            o.put("\u{B6}\u{DF}", j);
            from = j + 1;
            i = j + 1;
        } else {
            i = j.max(i + 1);
        }
    }
    let mut o = out?;
    o.copy(s, from, s.len());
    Some(o)
}

/// Mermaid's `frontMatterRegex` (`^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+`):
/// a diagram that opens with `---` needs a closing `---` line indented exactly like the
/// opening one and followed by a line break; otherwise Mermaid rejects the diagram
/// ("Diagrams beginning with --- are not valid"). `false` only for an unclosed block.
pub(super) fn front_matter_closed(src: &str) -> bool {
    use super::tokens::js_space;
    let newline = |c: char| c == '\n' || c == '\r';
    let indent_end = src.find(|c: char| !js_space(c) || newline(c)).unwrap_or(src.len());
    let indent = &src[..indent_end];
    if !src[indent_end..].starts_with("---") {
        return true;
    }
    let after = indent_end + 3;
    let ws_end = skip_ws(src, after);
    let Some(first) = src[after..ws_end].find(newline) else {
        return false;
    };
    let mut k = after + first + 1;
    while let Some(n) = src.get(k..).and_then(|r| r.find(newline)) {
        let line = k + n + 1;
        if let Some(rest) = src.get(line..).and_then(|r| r.strip_prefix(indent))
            && let Some(tail) = rest.strip_prefix("---")
        {
            let ws = tail.len() - tail.trim_start_matches(js_space).len();
            if tail[..ws].contains(newline) {
                return true;
            }
        }
        k = line;
    }
    false
}
