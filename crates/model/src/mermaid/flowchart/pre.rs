//! What Mermaid does to a diagram's text before its flowchart lexer sees it, step by step
//! (`\r\n` to `\n`, front matter, `%%{...}%%` directives, `%%` comment lines, leading
//! white space, entity codes, a final new line, `}` before a new line), keeping a map from
//! every position of the result back to the source so that errors point at what was written.

use super::lexer::js_space_at;

/// One rewriting step: where each piece of its output came from.
struct Layer {
    /// `(output start, input start, copied)`, sorted; a replaced piece maps to its start.
    segs: Vec<(usize, usize, bool)>,
}

impl Layer {
    fn back(&self, pos: usize) -> usize {
        let i = self.segs.partition_point(|&(o, _, _)| o <= pos);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            Some(&(o, src, true)) => src + (pos - o),
            Some(&(_, src, false)) => src,
            None => pos,
        }
    }
}

/// The text the lexer reads, and the way back to the source.
pub(super) struct Pre {
    pub(super) text: String,
    /// The YAML of the front matter and its source offset.
    pub(super) front: Option<(String, usize)>,
    layers: Vec<Layer>,
    src_len: usize,
}

impl Pre {
    /// The source offset of a position in [`Pre::text`].
    pub(super) fn to_src(&self, pos: usize) -> usize {
        let mut p = pos;
        for layer in self.layers.iter().rev() {
            p = layer.back(p);
        }
        p.min(self.src_len)
    }
}

/// Replaces the byte ranges of `edits` (sorted, disjoint) and records the map.
fn apply(inp: &str, edits: &[(usize, usize, String)]) -> (String, Layer) {
    let mut out = String::with_capacity(inp.len() + 16);
    let mut segs = Vec::with_capacity(edits.len() * 2 + 1);
    let mut at = 0;
    for (a, b, rep) in edits {
        if *a > at {
            segs.push((out.len(), at, true));
            out.push_str(inp.get(at..*a).unwrap_or(""));
        }
        segs.push((out.len(), *a, false));
        out.push_str(rep);
        at = *b;
    }
    if at < inp.len() {
        segs.push((out.len(), at, true));
        out.push_str(inp.get(at..).unwrap_or(""));
    }
    (out, Layer { segs })
}

struct Steps {
    text: String,
    layers: Vec<Layer>,
}

impl Steps {
    fn step(&mut self, edits: Vec<(usize, usize, String)>) {
        if edits.is_empty() {
            return;
        }
        let (text, layer) = apply(&self.text, &edits);
        self.text = text;
        self.layers.push(layer);
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of the run of JS white space (`\s`, new lines included) at `p`.
fn ws_end(s: &str, mut p: usize) -> usize {
    while let Some(n) = js_space_at(s, p) {
        p += n;
    }
    p
}

/// The end of the last `\n` in the white-space run at `p`, if the run holds one.
fn last_newline_in_ws(s: &str, p: usize) -> Option<usize> {
    let end = ws_end(s, p);
    s.get(p..end)?.rfind('\n').map(|i| p + i + 1)
}

pub(super) fn preprocess(src: &str) -> Pre {
    let mut st = Steps {
        text: src.to_string(),
        layers: Vec::new(),
    };
    st.step(carriage_returns(&st.text));
    tag_attribute_quotes(&mut st.text);
    let fm = front_matter(&st.text);
    let front = fm.body.and_then(|(a, b)| {
        let body = st.text.get(a..b)?.to_string();
        let mut at = a;
        for layer in st.layers.iter().rev() {
            at = layer.back(at);
        }
        Some((body, at))
    });
    st.step(fm.edits);
    st.step(directives(&st.text));
    st.step(comment_lines(&st.text));
    let lead = st.text.len() - st.text.trim_start_matches(|c: char| js_space_char(c)).len();
    if lead > 0 {
        st.step(vec![(0, lead, String::new())]);
    }
    st.step(style_semicolons(&st.text, "style"));
    st.step(style_semicolons(&st.text, "classDef"));
    st.step(entity_codes(&st.text));
    let end = st.text.len();
    st.step(vec![(end, end, "\n".to_string())]);
    st.step(brace_newlines(&st.text));
    Pre {
        text: st.text,
        front,
        layers: st.layers,
        src_len: src.len(),
    }
}

pub(super) fn js_space_char(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// `\r\n?` becomes `\n`.
fn carriage_returns(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'\r')) {
        let at = i + off;
        let end = if b.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
        edits.push((at, end, "\n".to_string()));
        i = end;
    }
    edits
}

/// In `<tag attr="v">`, Mermaid turns `="v"` into `='v'` (same length, in place).
fn tag_attribute_quotes(s: &mut String) {
    if !s.contains('<') {
        return;
    }
    let mut bytes = std::mem::take(s).into_bytes();
    let mut i = 0;
    let mut next_gt: Option<usize> = None;
    let mut no_more_gt = false;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'<') || no_more_gt {
            i += 1;
            continue;
        }
        let mut w = i + 1;
        while bytes.get(w).is_some_and(|&c| is_word(c)) {
            w += 1;
        }
        if w == i + 1 {
            i += 1;
            continue;
        }
        if next_gt.is_none_or(|g| g < w) {
            next_gt = bytes
                .get(w..)
                .and_then(|r| r.iter().position(|&c| c == b'>'))
                .map(|o| w + o);
        }
        let Some(gt) = next_gt else {
            no_more_gt = true;
            continue;
        };
        // `="([^"]*)"` inside the attributes.
        let mut j = w;
        while j + 1 < gt {
            if bytes.get(j) == Some(&b'=')
                && bytes.get(j + 1) == Some(&b'"')
                && let Some(close) = bytes.get(j + 2..gt).and_then(|r| r.iter().position(|&c| c == b'"'))
            {
                let close = j + 2 + close;
                if let Some(c) = bytes.get_mut(j + 1) {
                    *c = b'\'';
                }
                if let Some(c) = bytes.get_mut(close) {
                    *c = b'\'';
                }
                j = close + 1;
                continue;
            }
            j += 1;
        }
        i = gt + 1;
    }
    // Only ASCII quotes were swapped for ASCII quotes: still UTF-8.
    *s = String::from_utf8(bytes).unwrap_or_default();
}

/// The front matter to remove, and its YAML body when it has no indent.
struct FrontMatter {
    edits: Vec<(usize, usize, String)>,
    body: Option<(usize, usize)>,
}

impl FrontMatter {
    fn none() -> Self {
        FrontMatter {
            edits: Vec::new(),
            body: None,
        }
    }
}

/// `^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+` (dot matches new lines).
fn front_matter(s: &str) -> FrontMatter {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(n) = js_space_at(s, i) {
        if matches!(b.get(i), Some(b'\n' | b'\r')) {
            return FrontMatter::none();
        }
        i += n;
    }
    let indent = s.get(..i).unwrap_or("");
    if !s.get(i..).is_some_and(|r| r.starts_with("---")) {
        return FrontMatter::none();
    }
    let after = i + 3;
    let run_end = ws_end(s, after);
    // Where the body may start: after one of the new lines of the run, the last one first.
    let starts: Vec<usize> = (after..run_end)
        .filter(|&k| matches!(b.get(k), Some(b'\n' | b'\r')))
        .map(|k| k + 1)
        .collect();
    if starts.is_empty() {
        return FrontMatter::none();
    }
    // Closing candidates: a new line, the indent, `---`, white space holding a new line.
    let first = starts.first().copied().unwrap_or(0);
    let mut closings = Vec::new();
    let mut k = first;
    while k < b.len() {
        if matches!(b.get(k), Some(b'\n' | b'\r')) {
            let d = k + 1;
            if s.get(d..).is_some_and(|r| r.starts_with(indent))
                && s.get(d + indent.len()..).is_some_and(|r| r.starts_with("---"))
                && let Some(end) = last_newline_in_ws(s, d + indent.len() + 3)
            {
                closings.push((k, end));
            }
        }
        k += 1;
    }
    let Some(&(last_close, _)) = closings.last() else {
        return FrontMatter::none();
    };
    let Some(&body) = starts.iter().rev().find(|&&st| st <= last_close) else {
        return FrontMatter::none();
    };
    match closings.iter().find(|&&(c, _)| c >= body) {
        Some(&(c, end)) => FrontMatter {
            edits: vec![(0, end, String::new())],
            body: indent.is_empty().then_some((body, c.max(body))),
        },
        None => FrontMatter::none(),
    }
}

/// `%%{\s*(?:\w+\s*:|\w+)\s*(?:\w+|(?:(?!}%%).|\r?\n)*)?\s*(?:}%%)?`, removed anywhere.
fn directives(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|r| r.find("%%{")) {
        let start = from + off;
        let mut p = ws_end(s, start + 3);
        let w0 = p;
        while b.get(p).is_some_and(|&c| is_word(c)) {
            p += 1;
        }
        if p == w0 {
            from = start + 1;
            continue;
        }
        let q = ws_end(s, p);
        if b.get(q) == Some(&b':') {
            p = q + 1;
        }
        p = ws_end(s, p);
        if b.get(p).is_some_and(|&c| is_word(c)) {
            while b.get(p).is_some_and(|&c| is_word(c)) {
                p += 1;
            }
        } else {
            // Any character but a line separator, up to `}%%`.
            loop {
                let rest = s.get(p..).unwrap_or("");
                if rest.is_empty() || rest.starts_with("}%%") {
                    break;
                }
                let Some(c) = rest.chars().next() else { break };
                if c == '\r' {
                    if rest.as_bytes().get(1) == Some(&b'\n') {
                        p += 2;
                        continue;
                    }
                    break;
                }
                if c == '\u{2028}' || c == '\u{2029}' {
                    break;
                }
                p += c.len_utf8();
            }
        }
        p = ws_end(s, p);
        if s.get(p..).is_some_and(|r| r.starts_with("}%%")) {
            p += 3;
        }
        edits.push((start, p, String::new()));
        from = p.max(start + 1);
    }
    edits
}

/// `^\s*%%(?!{)[^\n]+\n?` at every line start.
fn comment_lines(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut line = 0;
    while line <= b.len() {
        let t = ws_end(s, line);
        let hit = b.get(t) == Some(&b'%')
            && b.get(t + 1) == Some(&b'%')
            && b.get(t + 2).is_some_and(|&c| c != b'{' && c != b'\n');
        if hit {
            let end = s.get(t..).and_then(|r| r.find('\n')).map_or(b.len(), |i| t + i + 1);
            edits.push((line, end, String::new()));
            line = end;
            if end == b.len() {
                break;
            }
            continue;
        }
        // Every line start inside the white-space run fails the same way.
        match s.get(t..).and_then(|r| r.find('\n')) {
            Some(i) => line = t + i + 1,
            None => break,
        }
    }
    edits
}

/// `style.*:\S*#.*;` (and the same for `classDef`): the last `;` of the match goes.
fn style_semicolons(s: &str, word: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|r| r.find(word)) {
        let start = from + off;
        let line_end = s
            .get(start..)
            .and_then(|r| r.find(['\n', '\r', '\u{2028}', '\u{2029}']))
            .map_or(b.len(), |i| start + i);
        // The first `#` reached from a `:` through non-space characters.
        let mut colon = false;
        let mut hash = None;
        let mut k = start + word.len();
        while k < line_end {
            let Some(c) = s.get(k..).and_then(|r| r.chars().next()) else {
                break;
            };
            if c == ':' {
                colon = true;
            } else if c == '#' && colon {
                hash = Some(k);
                break;
            } else if js_space_char(c) {
                colon = false;
            }
            k += c.len_utf8();
        }
        let semi = hash.and_then(|h| s.get(h..line_end).and_then(|r| r.rfind(';')).map(|i| h + i));
        match semi {
            Some(e) => {
                edits.push((e, e + 1, String::new()));
                from = e + 1;
            }
            // A later start on this line has fewer choices: it fails too.
            None => from = line_end.max(start + 1),
        }
    }
    edits
}

/// `#\w+;` becomes Mermaid's placeholder for an entity (`ﬂ°` ... `¶ß`).
fn entity_codes(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(off) = b.get(from..).and_then(|r| r.iter().position(|&c| c == b'#')) {
        let at = from + off;
        let mut k = at + 1;
        while b.get(k).is_some_and(|&c| is_word(c)) {
            k += 1;
        }
        if k > at + 1 && b.get(k) == Some(&b';') {
            let inner = s.get(at + 1..k).unwrap_or("");
            let lead = if inner.bytes().all(|c| c.is_ascii_digit()) {
                "\u{fb02}\u{b0}\u{b0}"
            } else {
                "\u{fb02}\u{b0}"
            };
            edits.push((at, k + 1, format!("{lead}{inner}\u{b6}\u{df}")));
            from = k + 1;
        } else {
            from = at + 1;
        }
    }
    edits
}

/// `}\s*\n` becomes `}\n` (the flowchart parser's own first step).
fn brace_newlines(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(off) = b.get(from..).and_then(|r| r.iter().position(|&c| c == b'}')) {
        let at = from + off;
        match last_newline_in_ws(s, at + 1) {
            Some(end) if end > at + 2 => {
                edits.push((at + 1, end, "\n".to_string()));
                from = end;
            }
            Some(end) => from = end,
            None => from = at + 1,
        }
    }
    edits
}
