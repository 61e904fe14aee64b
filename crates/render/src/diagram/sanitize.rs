//! The SVG sanitizer. It parses the drawing library's output into tags, attributes and
//! text, keeps drawing elements and attributes from allow-lists, checks every value, and
//! writes a canonical document (every value quoted and escaped, every element closed).
//! The browser therefore reads exactly what we wrote, whatever the input looked like;
//! [`active_content`] then re-reads the result with html5ever's tokenizer, the way a
//! browser would, and refuses anything that could run script or load content.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use std::cell::RefCell;

/// Elements a diagram needs; any other element is dropped and its text kept, except for
/// the elements in [`DROP_WITH_CONTENT`].
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "marker",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "pattern",
];

/// Elements whose content is code, markup from elsewhere or animation (which can rewrite
/// attributes after we checked them): dropped with everything inside.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "foreignObject",
    "iframe",
    "object",
    "embed",
    "animate",
    "animateMotion",
    "animateTransform",
    "set",
    "image",
    "use",
    "handler",
    "listener",
];

/// Attributes kept, by exact (case-sensitive) SVG name. No event handler, no link, no
/// animation target can be named here.
const ATTRIBUTES: &[&str] = &[
    "alignment-baseline",
    "aria-describedby",
    "aria-label",
    "aria-labelledby",
    "aria-roledescription",
    "baseline-shift",
    "class",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "cx",
    "cy",
    "d",
    "display",
    "dominant-baseline",
    "dx",
    "dy",
    "fill",
    "fill-opacity",
    "fill-rule",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "fx",
    "fy",
    "gradientTransform",
    "gradientUnits",
    "height",
    "id",
    "letter-spacing",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "offset",
    "opacity",
    "orient",
    "pathLength",
    "patternUnits",
    "points",
    "preserveAspectRatio",
    "r",
    "refX",
    "refY",
    "role",
    "rotate",
    "rx",
    "ry",
    "spreadMethod",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
    "text-decoration",
    "textLength",
    "transform",
    "version",
    "viewBox",
    "visibility",
    "width",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xmlns",
    "y",
    "y1",
    "y2",
];

/// `style` declarations that are also presentation attributes: they are kept as
/// attributes, because a page's CSP blocks inline `style` attributes (and attributes
/// cannot carry selectors or at-rules).
const STYLE_AS_ATTRIBUTE: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-anchor",
    "text-decoration",
    "dominant-baseline",
    "visibility",
    "display",
    "stop-color",
    "stop-opacity",
];

/// Attributes whose value is text (names, labels), not a CSS or geometry value.
const TEXT_ATTRIBUTES: &[&str] = &[
    "aria-describedby",
    "aria-label",
    "aria-labelledby",
    "aria-roledescription",
    "class",
    "id",
    "role",
];

/// Whether a presentation or geometry value is inert: it cannot load anything (`url()`
/// only to a fragment of this document), cannot escape its declaration and cannot run
/// script.
fn safe_value(value: &str) -> bool {
    // Every pattern refused below needs one of these bytes (a scheme's `:`, a call's `(`,
    // an escape, markup, a block, an at-rule, a declaration end, a comment's `/`) or a
    // control character: most values (numbers, paths, colours) have none and are done.
    if !value.bytes().any(|b| {
        matches!(b, b':' | b'(' | b'\\' | b'<' | b'>' | b'{' | b'}' | b'@' | b';' | b'/') || b.is_ascii_control()
    }) {
        return true;
    }
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    if squashed.contains("javascript:")
        || squashed.contains("expression(")
        || squashed.contains("data:")
        || squashed.contains('\\')
        || squashed.contains("/*")
        || squashed.contains(['<', '>', '{', '}', '@', ';'])
    {
        return false;
    }
    let mut rest = squashed.as_str();
    while let Some(at) = rest.find("url(") {
        let inner = &rest[at + 4..];
        let ok = inner.strip_prefix('#').is_some_and(|id| {
            let end = id.find(')').unwrap_or(id.len());
            end > 0
                && id[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
        if !ok {
            return false;
        }
        rest = &inner[1..];
    }
    true
}

/// Whether a text attribute's value (a name or label: `id`, `class`, `aria-*`) is free of
/// what a browser could ever treat as a script URL or a resource: text attributes may hold
/// any other character, escaped on output.
fn inert_text(value: &str) -> bool {
    // A script URL needs `:`, an `expression(` or `url(` needs `(`.
    if !value.bytes().any(|b| b == b':' || b == b'(') {
        return true;
    }
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    !(squashed.contains("javascript:")
        || squashed.contains("expression(")
        || squashed.split("url(").skip(1).any(|u| !u.starts_with('#')))
}

/// An attribute name as the SVG namespace spells it: a letter, then letters, digits,
/// `-` or `:`. Anything else (`/onmouseover`, `"x`) is not a name we keep.
fn well_formed_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
}

/// Statements whose values the drawing library copies into attributes or CSS.
/// (`class A,B name` only names classes; `classDef` holds their values.)
const STYLE_STATEMENTS: &[&str] = &[
    "style",
    "linkStyle",
    "classDef",
    // sequence diagrams: `rect rgb(...)`, `box Aqua Group`
    "rect",
    "box",
    // C4
    "UpdateElementStyle",
    "UpdateRelStyle",
    "UpdateBoundaryStyle",
];

/// Style keys written after a quadrant chart point (`Point A: [0.3, 0.6] color: #f00`).
const POINT_STYLE_KEYS: &[&str] = &["color:", "stroke-color:", "stroke-width:", "radius:"];

/// A style value in the diagram source that no drawing needs and that could only be meant
/// to break out of an attribute or load something: markup, a backslash escape, a script
/// URL, `expression(`, or a `url()` to anything but a fragment. Checked on style
/// statements (also several on one line, split at `;`), point styles, `%%{init}%%`
/// directives and front matter, before drawing. Labels are not checked here: markup in
/// labels is Mermaid's own feature, and the SVG sanitizer keeps it inert.
pub fn unsafe_style(src: &str) -> Option<String> {
    let mut in_front = false;
    for (i, line) in src.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed == "---" && (i == 0 || in_front) {
            in_front = !in_front;
            continue;
        }
        let whole_line = in_front || trimmed.starts_with("%%{");
        for t in trimmed.split(';').map(str::trim) {
            let first = t.split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
            let point_style = t
                .rfind(']')
                .is_some_and(|at| POINT_STYLE_KEYS.iter().any(|k| t[at..].contains(k)));
            if !(whole_line || STYLE_STATEMENTS.contains(&first) || point_style) {
                continue;
            }
            if let Some(bad) = style_problem(if whole_line { trimmed } else { t }) {
                return Some(format!("line {} holds {bad} in a style value", i + 1));
            }
        }
    }
    None
}

fn style_problem(t: &str) -> Option<&'static str> {
    let squashed: String = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let url_outside = squashed.split("url(").skip(1).any(|u| !u.starts_with('#'));
    // A tag opener, not a lone `<` or an arrow; an escape that hides a character
    // (`\7d`, `\u007D`), not a YAML `\n`.
    let tag = squashed
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')));
    let escape = squashed
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && (w[1].is_ascii_hexdigit() || matches!(w[1], b'u' | b'x')));
    if tag {
        Some("markup")
    } else if escape {
        Some("a backslash escape")
    } else if squashed.contains("javascript:") || squashed.contains("expression(") {
        Some("a script")
    } else if url_outside {
        Some("a url() to another document")
    } else {
        None
    }
}

#[derive(Debug, PartialEq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Start {
        name: &'a str,
        attrs: Vec<(&'a str, Option<&'a str>)>,
        self_closing: bool,
    },
    End(&'a str),
}

/// Splits markup into text, start tags and end tags; comments, CDATA, doctypes and
/// processing instructions are skipped. A `<` that opens no tag is text.
pub(crate) fn pieces(src: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &src[i..];
        let skip_to = |end: &str, from: usize| rest[from..].find(end).map_or(src.len(), |e| i + from + e + end.len());
        let next = rest.as_bytes().get(1).copied();
        let (piece, end) = if rest.starts_with("<!--") {
            (None, skip_to("-->", 4))
        } else if rest.starts_with("<![CDATA[") {
            (None, skip_to("]]>", 9))
        } else if matches!(next, Some(b'!' | b'?')) {
            (None, skip_to(">", 2))
        } else if next == Some(b'/') && rest.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic) {
            let name_len = rest[2..]
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len() - 2);
            (Some(Piece::End(&rest[2..2 + name_len])), skip_to(">", 2 + name_len))
        } else if next.is_some_and(|b| b.is_ascii_alphabetic()) {
            let (piece, used) = start_tag(rest);
            (Some(piece), i + used)
        } else {
            i += 1;
            continue; // a lone `<`: text
        };
        if text_start < i {
            out.push(Piece::Text(&src[text_start..i]));
        }
        out.extend(piece);
        i = end;
        text_start = end;
    }
    if text_start < src.len() {
        out.push(Piece::Text(&src[text_start..]));
    }
    out
}

/// Reads a start tag at the start of `s` (which begins with `<` and a letter); returns it
/// and the bytes used. Quoted values may hold `>`; an unterminated tag ends the input.
fn start_tag(s: &str) -> (Piece<'_>, usize) {
    let b = s.as_bytes();
    let name_end = s[1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(s.len(), |e| e + 1);
    let name = &s[1..name_end];
    let mut attrs = Vec::new();
    let mut i = name_end;
    let mut self_closing = false;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'>' {
            i += 1;
            break;
        }
        self_closing = false;
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        // A quote or other odd byte can start a name; always move on.
        if i == key_start {
            i += 1;
        }
        let key = &s[key_start..i];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let value = match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[j + 1..].find(q as char).map_or(s.len(), |e| j + 1 + e);
                    let v = &s[j + 1..end];
                    j = (end + 1).min(s.len());
                    v
                }
                _ => {
                    let start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    &s[start..j]
                }
            };
            attrs.push((key, Some(value)));
            i = j;
        } else {
            attrs.push((key, None));
        }
    }
    (
        Piece::Start {
            name,
            attrs,
            self_closing,
        },
        i,
    )
}

/// Replaces the XML entities and numeric character references the drawing library writes.
fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => entity.strip_prefix('#').and_then(|num| {
                    let n = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    n.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Appends `s` escaped for HTML and XML text and quoted attribute values; control
/// characters other than newline and tab (invalid in XML) are dropped.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// The attributes kept for one element, in order, values decoded and checked; `style`
/// declarations become presentation attributes.
fn clean_attributes(attrs: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::new();
    let set =
        |kept: &mut Vec<(String, String)>, name: &str, value: String| match kept.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => kept.push((name.to_string(), value)),
        };
    let mut styles = Vec::new();
    for &(name, value) in attrs {
        if !well_formed_name(name) {
            continue;
        }
        let value = decode(value.unwrap_or(""));
        if name == "style" {
            styles.push(value);
            continue;
        }
        if !ATTRIBUTES.contains(&name) {
            continue;
        }
        let keep = if TEXT_ATTRIBUTES.contains(&name) {
            inert_text(&value)
        } else {
            safe_value(&value)
        };
        if !keep {
            continue;
        }
        set(&mut kept, name, value);
    }
    // Inline style wins over presentation attributes in CSS, so it is applied last.
    for style in styles {
        for declaration in style.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let property = property.trim().to_ascii_lowercase();
            let value = value.trim().trim_end_matches("!important").trim();
            if STYLE_AS_ATTRIBUTE.contains(&property.as_str()) && !value.is_empty() && safe_value(value) {
                set(&mut kept, &property, value.to_string());
            }
        }
    }
    kept
}

enum Frame<'a> {
    /// Written out; must be closed.
    Keep(&'a str),
    /// Dropped, its content kept.
    Unwrap(&'a str),
    /// A link (`<a>`), written as a `<g>` with its checked attributes: the link goes,
    /// its placement (`transform`) stays, or the nodes it wraps would move.
    AsGroup(&'a str),
}

/// Rewrites SVG keeping allowed elements and attributes, every value checked and escaped,
/// every kept element closed in order.
pub fn sanitize_svg(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut stack: Vec<Frame> = Vec::new();
    // Inside an element dropped with its content: its name and how many of the same
    // name are open inside it.
    let mut skipping: Option<(&str, usize)> = None;
    for piece in pieces(svg) {
        if let Some((name, depth)) = &mut skipping {
            match piece {
                Piece::Start {
                    name: n,
                    self_closing: false,
                    ..
                } if n.eq_ignore_ascii_case(name) => *depth += 1,
                Piece::End(n) if n.eq_ignore_ascii_case(name) => {
                    if *depth == 0 {
                        skipping = None;
                    } else {
                        *depth -= 1;
                    }
                }
                _ => {}
            }
            continue;
        }
        match piece {
            Piece::Text(t) => escape_into(&mut out, &decode(t)),
            Piece::Start {
                name,
                attrs,
                self_closing,
            } => {
                if DROP_WITH_CONTENT.iter().any(|d| d.eq_ignore_ascii_case(name)) {
                    if !self_closing {
                        skipping = Some((name, 0));
                    }
                    continue;
                }
                // A link is written as a group (see `Frame::AsGroup`).
                let link = name.eq_ignore_ascii_case("a");
                if !link && !ELEMENTS.contains(&name) {
                    if !self_closing {
                        stack.push(Frame::Unwrap(name));
                    }
                    continue;
                }
                out.push('<');
                out.push_str(if link { "g" } else { name });
                for (k, v) in clean_attributes(&attrs) {
                    out.push(' ');
                    out.push_str(&k);
                    out.push_str("=\"");
                    escape_into(&mut out, &v);
                    out.push('"');
                }
                if self_closing {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    stack.push(if link { Frame::AsGroup(name) } else { Frame::Keep(name) });
                }
            }
            Piece::End(name) => {
                let open = stack.iter().rposition(|f| match f {
                    Frame::Keep(n) | Frame::Unwrap(n) | Frame::AsGroup(n) => *n == name,
                });
                if let Some(at) = open {
                    for frame in stack.drain(at..).rev() {
                        close(&mut out, frame);
                    }
                }
            }
        }
    }
    for frame in stack.into_iter().rev() {
        close(&mut out, frame);
    }
    out
}

fn close(out: &mut String, frame: Frame<'_>) {
    let written = match frame {
        Frame::Keep(n) => n,
        Frame::AsGroup(_) => "g",
        Frame::Unwrap(_) => return,
    };
    out.push_str("</");
    out.push_str(written);
    out.push('>');
}

/// HTML elements that have no end tag (they never nest).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];

/// How deeply elements nest in `html` as a browser's tokenizer reads it: start tags open
/// (void elements excepted, `/>` or not), end tags close only an element of their name
/// that is open. Comments, CDATA and bogus markup are skipped the way a browser skips them.
pub fn max_open_depth(html: &str) -> usize {
    struct Depth {
        open: RefCell<Vec<String>>,
        /// How many of each name are open: an end tag for a name not open costs nothing
        /// (a scan of the stack for each stray `</p>` would be quadratic).
        counts: RefCell<std::collections::HashMap<String, usize>>,
        deepest: std::cell::Cell<usize>,
    }
    impl TokenSink for Depth {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token {
                let name = tag.name.to_ascii_lowercase();
                let mut open = self.open.borrow_mut();
                let mut counts = self.counts.borrow_mut();
                match tag.kind {
                    TagKind::StartTag if !VOID.contains(&name.as_str()) => {
                        open.push(name.to_string());
                        *counts.entry(name.to_string()).or_insert(0) += 1;
                        self.deepest.set(self.deepest.get().max(open.len()));
                    }
                    TagKind::EndTag if counts.get(&*name).is_some_and(|&n| n > 0) => {
                        // Amortized linear: every element scanned here is closed.
                        while let Some(top) = open.pop() {
                            if let Some(n) = counts.get_mut(&top) {
                                *n -= 1;
                            }
                            if *top == *name {
                                break;
                            }
                        }
                    }
                    TagKind::StartTag | TagKind::EndTag => {}
                }
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(
        Depth {
            open: RefCell::new(Vec::new()),
            counts: RefCell::new(std::collections::HashMap::new()),
            deepest: std::cell::Cell::new(0),
        },
        TokenizerOpts::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.deepest.get()
}

/// What a browser's tokenizer finds in `markup` that could run script or load content:
/// a script-like element, an event handler, a link, or a value with a script URL or a
/// `url()` that leaves the document. `None` when there is nothing.
pub fn active_content(markup: &str) -> Option<String> {
    struct Finder {
        found: RefCell<Option<String>>,
    }
    impl TokenSink for Finder {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
                && self.found.borrow().is_none()
            {
                let name = tag.name.to_ascii_lowercase();
                let what = if DROP_WITH_CONTENT.iter().any(|d| d.eq_ignore_ascii_case(&name))
                    || matches!(name.as_str(), "a" | "base" | "meta" | "link" | "form")
                {
                    Some(format!("a <{name}> element"))
                } else {
                    tag.attrs.iter().find_map(|a| {
                        let key = a.name.local.to_ascii_lowercase().to_string();
                        // What is looked for below holds a `:` or a `(`, which neither
                        // dropping spaces nor lowercasing makes: most values (path data,
                        // numbers) are not copied at all.
                        let value: String = if a.value.contains([':', '(']) {
                            a.value
                                .chars()
                                .filter(|c| !c.is_whitespace() && !c.is_control())
                                .flat_map(char::to_lowercase)
                                .collect()
                        } else {
                            String::new()
                        };
                        if key.starts_with("on") {
                            Some(format!("an event handler attribute `{key}`"))
                        } else if key.contains("href") || key == "src" || key.ends_with("action") {
                            Some(format!("a link attribute `{key}`"))
                        } else if value.contains("javascript:") || value.contains("expression(") {
                            Some(format!("script in the value of `{key}`"))
                        } else if value.contains("url(") && !value.split("url(").skip(1).all(|u| u.starts_with('#')) {
                            Some(format!("an outside url() in `{key}`"))
                        } else {
                            None
                        }
                    })
                };
                *self.found.borrow_mut() = what;
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(markup));
    let tokenizer = Tokenizer::new(
        Finder {
            found: RefCell::new(None),
        },
        TokenizerOpts::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.found.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(dirty: &str, expect: &str) {
        let clean = sanitize_svg(dirty);
        assert_eq!(clean, expect);
        assert_eq!(active_content(&clean), None, "{clean}");
    }

    #[test]
    fn keeps_drawing_and_drops_active_content() {
        check(
            "<svg viewBox=\"0 0 1 1\" onload=\"x()\"><script>alert(1)</script><a href=\"javascript:x\"><tspan>y</tspan></a><rect fill=\"url(http://evil/x)\" stroke=\"#333\"/><path marker-end=\"url(#arrow)\"/><foreignObject><div>hi</div></foreignObject><text>a &lt; b</text></svg>",
            "<svg viewBox=\"0 0 1 1\"><g><tspan>y</tspan></g><rect stroke=\"#333\"/><path marker-end=\"url(#arrow)\"/><text>a &lt; b</text></svg>",
        );
        // A link's placement stays (the nodes inside it would move), its target goes.
        check(
            "<svg><a href=\"https://x\" xlink:href=\"https://x\" target=\"_blank\" transform=\"translate(5,7)\" class=\"n\"><rect/></a></svg>",
            "<svg><g transform=\"translate(5,7)\" class=\"n\"><rect/></g></svg>",
        );
    }

    #[test]
    fn attribute_names_are_read_as_a_browser_reads_them() {
        // `/onmouseover` once passed a prefix test; the browser reads `onmouseover`.
        check(
            "<svg><rect /onmouseover=\"alert(1)\" width=\"2\"/><rect\nonclick=x fill=red></rect></svg>",
            "<svg><rect width=\"2\"/><rect fill=\"red\"></rect></svg>",
        );
        check(
            "<svg><rect \"onclick=alert(1) x=\"1\"/></svg>",
            "<svg><rect x=\"1\"/></svg>",
        );
    }

    #[test]
    fn injected_quotes_and_brackets_cannot_escape_a_value() {
        // What a style value such as `red" onmouseover="alert(1)` looks like once a drawing
        // library pasted it into an attribute without escaping.
        check(
            "<svg><rect fill=\"red\" onmouseover=\"alert(1)\" stroke=\"blue\"/></svg>",
            "<svg><rect fill=\"red\" stroke=\"blue\"/></svg>",
        );
        check(
            "<svg><rect fill=\"red\"><script>alert(1)</script>\"/></svg>",
            "<svg><rect fill=\"red\">&quot;/&gt;</rect></svg>",
        );
        check(
            "<svg><text class=\"a&quot; onclick=&quot;x\">t</text></svg>",
            "<svg><text class=\"a&quot; onclick=&quot;x\">t</text></svg>",
        );
    }

    #[test]
    fn style_becomes_checked_presentation_attributes() {
        check(
            "<svg><rect style=\"fill:#f9f;stroke:#333;stroke-width:4px;max-width:100px;background:url(http://x)\"/></svg>",
            "<svg><rect fill=\"#f9f\" stroke=\"#333\" stroke-width=\"4px\"/></svg>",
        );
        check(
            "<svg><rect fill=\"red\" style=\"fill:url(javascript:alert(1));stroke:expression(alert(1))\"/></svg>",
            "<svg><rect fill=\"red\"/></svg>",
        );
        check(
            "<svg><rect fill=\"u\\72l(x)\" stroke=\"a;b\"/></svg>",
            "<svg><rect/></svg>",
        );
    }

    #[test]
    fn text_attributes_never_carry_script_urls() {
        // Found by the svg_differential fuzzer: the sanitizer kept what its re-read refused.
        check(
            "<svg id=\"javascript:\"><g role=\"url(x)\" class=\"a b\"/></svg>",
            "<svg><g class=\"a b\"/></svg>",
        );
    }

    #[test]
    fn unbalanced_markup_is_closed_in_order() {
        check("<svg><g><text>x</g>", "<svg><g><text>x</text></g></svg>");
        check("<svg></text><a><g></a></g></svg>", "<svg><g><g></g></g></svg>");
        check(
            "<svg><style><style>x</style>y</style><text>z</text></svg>",
            "<svg><text>z</text></svg>",
        );
        check(
            "<svg><text>a < b && c</text><!-- <script> --></svg>",
            "<svg><text>a &lt; b &amp;&amp; c</text></svg>",
        );
    }

    #[test]
    fn style_values_that_try_to_break_out_are_refused() {
        for (src, expect) in [
            ("graph TD\nA-->B\nstyle A fill:#f9f,stroke:#333\n", None),
            (
                "graph TD\nA-->B\nclassDef hot fill:#f00,color:#fff\nclass A hot\n",
                None,
            ),
            (
                "graph TD\nA-->B\nstyle A fill:red\"><script>x</script>\n",
                Some("line 3 holds markup in a style value"),
            ),
            (
                "graph TD\nA-->B\nlinkStyle 0 stroke:url(https://x/y)\n",
                Some("line 3 holds a url() to another document in a style value"),
            ),
            (
                "---\nconfig:\n  themeVariables:\n    primaryColor: \"\\u0022 onload=\"\n---\ngraph TD\nA-->B\n",
                Some("line 4 holds a backslash escape in a style value"),
            ),
            (
                "%%{init: {'themeVariables': {'lineColor': 'javascript:alert(1)'}}}%%\ngraph TD\nA-->B\n",
                Some("line 1 holds a script in a style value"),
            ),
            ("graph TD\nA[\"<b>bold</b>\"]-->B\n", None),
            (
                "flowchart TD\n  A --> B; style A fill:red\"><svg onload=\"x\">\n",
                Some("line 2 holds markup in a style value"),
            ),
            (
                "quadrantChart\n  Point A: [0.3, 0.6] color: red\"><img src=x onerror=\"y\">\n",
                Some("line 2 holds markup in a style value"),
            ),
            (
                "quadrantChart\n  Point A: [0.3, 0.6] color: #ff3300, radius: 10\n",
                None,
            ),
            (
                "sequenceDiagram\n  rect url(http://x/y)\n  A->>B: hi\n  end\n",
                Some("line 2 holds a url() to another document in a style value"),
            ),
            (
                "classDiagram\n  class Shape <<interface>>\n  class A[\"two\\nlines\"]\n",
                None,
            ),
            (
                "---\ntitle: Hello -->\nconfig:\n  themeCSS: \"a\\nb\"\n---\nflowchart\nA-->B\n",
                None,
            ),
        ] {
            assert_eq!(unsafe_style(src).as_deref(), expect, "{src}");
        }
    }

    #[test]
    fn nesting_is_measured_as_a_browser_reads_it() {
        assert_eq!(max_open_depth("<p><b>x</b></p><br><img src=x>"), 2);
        // `<!-->` is a whole comment to a browser: the divs after it are real.
        assert_eq!(max_open_depth(&format!("<!-->{}", "<div>".repeat(100))), 100);
        // An end tag closes only what is open.
        assert_eq!(max_open_depth(&"<div></p>".repeat(100)), 100);
        assert_eq!(max_open_depth(&"<div/>".repeat(10)), 10);
    }

    #[test]
    fn finds_what_a_browser_would_run() {
        assert_eq!(
            active_content("<svg><script>x</script></svg>").as_deref(),
            Some("a <script> element")
        );
        assert_eq!(
            active_content("<svg><rect/onclick=\"x\"/></svg>").as_deref(),
            Some("an event handler attribute `onclick`")
        );
        assert_eq!(
            active_content("<svg><text>turn on= off javascript:x</text></svg>"),
            None
        );
        assert_eq!(
            active_content("<svg><rect fill=\"url( http://x )\"/></svg>").as_deref(),
            Some("an outside url() in `fill`")
        );
        assert_eq!(active_content("<svg><path marker-end=\"url(#a)\"/></svg>"), None);
        // Spaces, controls and case inside the scheme, and entities, are seen through.
        assert_eq!(
            active_content("<svg><rect class=\"JaVa\tScRiPt&#58;x\"/></svg>").as_deref(),
            Some("script in the value of `class`")
        );
        assert_eq!(
            active_content("<svg><rect fill=\"URL&#40;http://x)\"/></svg>").as_deref(),
            Some("an outside url() in `fill`")
        );
    }
}
