//! Mermaid's flowchart lexer (jison, `flow.jison` of Mermaid 11): a stack of lexer states,
//! and in each state an ordered list of rules of which the first that matches wins (not
//! the longest). Tokens that look odd here (`x-->` as one arrow, `=` unknown, `A&B` one id)
//! are Mermaid's own reading, confirmed against the real parser.
//!
//! Rules that look ahead a whole line (`.*direction\s+TB`) or a whole word (`[^\s"]+@`)
//! are answered from caches that only move forward, so lexing stays linear.

use crate::mermaid::unicode::is_unicode_text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum T {
    Semi,
    Newline,
    Space,
    Eof,
    Graph,
    NoDir,
    Dir,
    Subgraph,
    Sqs,
    Sqe,
    KwEnd,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMulti,
    ShapeData,
    Amp,
    StyleSep,
    DblCircleStart,
    DblCircleEnd,
    Ps,
    Pe,
    EllipseStart,
    EllipseEnd,
    StadiumStart,
    StadiumEnd,
    SubStart,
    SubEnd,
    PropsStart,
    Colon,
    Pipe,
    CylStart,
    CylEnd,
    DiamondStart,
    DiamondStop,
    TagEnd,
    TrapStart,
    TrapEnd,
    InvTrapStart,
    InvTrapEnd,
    StartLink,
    Link,
    LinkId,
    EdgeText,
    Str,
    MdStr,
    Style,
    LinkStyle,
    ClassDef,
    Class,
    Click,
    Down,
    Up,
    CallbackName,
    CallbackArgs,
    Href,
    LinkTarget,
    Default,
    Interpolate,
    Num,
    Comma,
    NodeString,
    Brkt,
    Minus,
    Mult,
    UnicodeText,
    Text,
    TagStart,
    Sep,
    Direction,
    Quote,
    /// End of input (jison's `$end`), as opposed to the `EOF` token of the last line.
    End,
}

impl T {
    /// How an error message names the token.
    pub(super) fn describe(self) -> &'static str {
        match self {
            T::Semi => "`;`",
            T::Newline => "a new line",
            T::Space => "a space",
            T::Eof | T::End => "the end of the diagram",
            T::Graph => "`graph`/`flowchart`",
            T::NoDir | T::Dir => "a direction",
            T::Subgraph => "`subgraph`",
            T::Sqs => "`[`",
            T::Sqe => "`]`",
            T::KwEnd => "`end`",
            T::AccTitle => "`accTitle:`",
            T::AccTitleValue | T::AccDescrValue | T::AccDescrMulti => "an accessibility text",
            T::AccDescr => "`accDescr:`",
            T::ShapeData => "`@{...}`",
            T::Amp => "`&`",
            T::StyleSep => "`:::`",
            T::DblCircleStart => "`(((`",
            T::DblCircleEnd => "`)))`",
            T::Ps => "`(`",
            T::Pe => "`)`",
            T::EllipseStart => "`(-`",
            T::EllipseEnd => "`-)`",
            T::StadiumStart => "`([`",
            T::StadiumEnd => "`])`",
            T::SubStart => "`[[`",
            T::SubEnd => "`]]`",
            T::PropsStart => "`[|`",
            T::Colon => "`:`",
            T::Pipe => "`|`",
            T::CylStart => "`[(`",
            T::CylEnd => "`)]`",
            T::DiamondStart => "`{`",
            T::DiamondStop => "`}`",
            T::TagEnd => "`>`",
            T::TrapStart => "`[/`",
            T::TrapEnd => "`\\]`",
            T::InvTrapStart => "`[\\`",
            T::InvTrapEnd => "`/]`",
            T::StartLink => "the start of a labelled arrow",
            T::Link => "an arrow",
            T::LinkId => "an edge id (`e1@`)",
            T::EdgeText => "arrow text",
            T::Str => "a quoted string",
            T::MdStr => "a markdown string",
            T::Style => "`style`",
            T::LinkStyle => "`linkStyle`",
            T::ClassDef => "`classDef`",
            T::Class => "`class`",
            T::Click => "a click target",
            T::Down => "`v`",
            T::Up => "`^`",
            T::CallbackName => "a callback name",
            T::CallbackArgs => "callback arguments",
            T::Href => "`href`",
            T::LinkTarget => "a link target",
            T::Default => "`default`",
            T::Interpolate => "`interpolate`",
            T::Num => "a number",
            T::Comma => "`,`",
            T::NodeString => "a name",
            T::Brkt => "`#`",
            T::Minus => "`-`",
            T::Mult => "`*`",
            T::UnicodeText => "a letter",
            T::Text => "text",
            T::TagStart => "`<`",
            T::Sep => "`\\|`",
            T::Direction => "a `direction` statement",
            T::Quote => "`\"`",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub(super) t: T,
    pub(super) start: usize,
    pub(super) end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial,
    Str,
    MdStr,
    AccTitle,
    AccDescr,
    AccDescrMulti,
    Dir,
    Text,
    EllipseText,
    TrapText,
    EdgeText,
    ThickEdgeText,
    DottedEdgeText,
    Click,
    CallbackName,
    CallbackArgs,
    ShapeData,
    ShapeDataStr,
}

/// The rules each state tries, in jison's order (56 stands for the five `direction` rules
/// 56..=60, 46 for the ten direction words 46..=55).
fn rules(state: State) -> &'static [u8] {
    match state {
        State::Initial => &[
            0, 2, 4, 7, 13, 21, 24, 25, 26, 27, 28, 29, 30, 31, 32, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 56, 61, 62,
            63, 64, 65, 66, 67, 68, 69, 70, 71, 73, 74, 76, 77, 79, 82, 84, 86, 87, 88, 90, 92, 96, 97, 98, 99, 100,
            101, 102, 103, 104, 105, 106, 107, 108, 110, 112, 114, 116, 118, 119, 120, 121,
        ],
        State::Str => &[21, 22, 23, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::MdStr => &[19, 20, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::AccTitle => &[1, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::AccDescr => &[3, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::AccDescrMulti => &[5, 6, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::Dir => &[21, 24, 45, 46, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::Text => &[
            21, 24, 79, 82, 83, 84, 85, 86, 89, 90, 91, 92, 96, 97, 109, 110, 111, 112, 113, 114, 115, 116, 117,
        ],
        State::EllipseText => &[21, 24, 79, 80, 81, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::TrapText => &[21, 24, 79, 82, 84, 86, 90, 92, 93, 94, 95, 96, 97, 110, 112, 114, 116],
        State::EdgeText => &[21, 24, 70, 72, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::ThickEdgeText => &[21, 24, 73, 75, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::DottedEdgeText => &[21, 24, 76, 78, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::Click => &[21, 24, 33, 34, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::CallbackName => &[14, 15, 16, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::CallbackArgs => &[17, 18, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::ShapeData => &[8, 11, 12, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
        State::ShapeDataStr => &[9, 10, 21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116],
    }
}

/// Whether rule `r` can match text whose first byte is `c` (`None`: at the end). Lets
/// the lexer skip the rules that cannot match before trying any.
fn may_start(r: u8, c: Option<u8>) -> bool {
    let Some(c) = c else {
        return matches!(r, 1 | 3 | 6 | 16 | 18 | 34 | 121);
    };
    // White space, a non-ASCII byte (which may start a Unicode space), or the body.
    let ws = c.is_ascii_whitespace() || c == 0x0b || c >= 0x80;
    match r {
        0 | 2 | 4 => c == b'a',
        1 | 3 | 6 | 16 | 18 | 34 | 56 | 72 => true,
        5 | 12 | 115 => c == b'}',
        7 => c == b'@',
        8 | 9 | 21 | 23 | 24 | 118 => c == b'"',
        10 | 22 => c != b'"',
        11 => !matches!(c, b'}' | b'^' | b'"'),
        13 | 29 | 30 | 32 => c == b'c',
        14 | 15 | 82 | 84 | 92 | 112 => c == b'(',
        17 | 89 | 91 | 111 => c == b')',
        19 => !matches!(c, b'`' | b'"'),
        20 => c == b'`',
        25 | 36 | 39 => c == b's',
        26 => c == b'd',
        27 => c == b'l',
        28 => c == b'i',
        31 => c == b'h',
        33 | 45 | 120 => ws,
        35 | 38 => c == b'f',
        37 => c == b'g',
        40 => c == b'e',
        41..=44 => c == b'_',
        46 => ws || matches!(c, b'L' | b'R' | b'T' | b'B' | b'<' | b'>' | b'^' | b'v'),
        61 => !(ws && c < 0x80) && c != b'"',
        62 => c.is_ascii_digit(),
        63 | 104 => c == b'#',
        64 | 65 => c == b':',
        66 | 105 => c == b'&',
        67 => c == b';',
        68 => c == b',',
        69 | 103 => c == b'*',
        70 | 71 | 77 => ws || matches!(c, b'x' | b'o' | b'<' | b'-'),
        73 | 74 => ws || matches!(c, b'x' | b'o' | b'<' | b'='),
        75 => c != b'=',
        76 => ws || matches!(c, b'x' | b'o' | b'<' | b'-' | b'.'),
        78 => c != b'.',
        79 => ws || c == b'~',
        80 => matches!(c, b'-' | b'/' | b')'),
        81 | 95 => !matches!(c, b'(' | b')' | b'[' | b']' | b'{' | b'}'),
        83 | 85 | 113 => c == b']',
        86 | 87 | 90 | 96 | 97 | 114 => c == b'[',
        88 | 99 => c == b'>',
        93 => matches!(c, b'\\' | b'(' | b'?' | b'=' | b']'),
        94 => c == b'/',
        98 => c == b'<',
        100 => c == b'^',
        101 => c == b'\\',
        102 => c == b'v',
        106 => c.is_ascii_alphanumeric() || b"!\"#$%&'*+.`?\\_/-".contains(&c),
        107 => c == b'-',
        108 => c >= 0x80,
        109 | 110 => c == b'|',
        116 => c == b'{',
        117 => !matches!(c, b'[' | b']' | b'(' | b')' | b'{' | b'}' | b'|' | b'"'),
        119 => c == b'\n' || c == b'\r',
        _ => false,
    }
}

const STATES: [State; 18] = [
    State::Initial,
    State::Str,
    State::MdStr,
    State::AccTitle,
    State::AccDescr,
    State::AccDescrMulti,
    State::Dir,
    State::Text,
    State::EllipseText,
    State::TrapText,
    State::EdgeText,
    State::ThickEdgeText,
    State::DottedEdgeText,
    State::Click,
    State::CallbackName,
    State::CallbackArgs,
    State::ShapeData,
    State::ShapeDataStr,
];

/// For each state (by its number) and first byte (256: the end), the rules worth trying.
fn candidates() -> &'static Vec<Vec<Vec<u8>>> {
    static TABLE: std::sync::OnceLock<Vec<Vec<Vec<u8>>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        STATES
            .iter()
            .map(|&st| {
                (0..=256usize)
                    .map(|slot| {
                        let c = u8::try_from(slot).ok();
                        rules(st).iter().copied().filter(|&r| may_start(r, c)).collect()
                    })
                    .collect()
            })
            .collect()
    })
}

/// JS `\s` at byte `p`: its length in bytes.
pub(super) fn js_space_at(s: &str, p: usize) -> Option<usize> {
    let c = s.get(p..)?.chars().next()?;
    super::pre::js_space_char(c).then(|| c.len_utf8())
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A line (for `.`, which stops at line terminators) holding `direction\s+XX`: the last
/// start of each of TB, BT, RL, LR, TD on it, with where its match ends.
struct DirLine {
    start: usize,
    end: usize,
    last: [Option<(usize, usize)>; 5],
}

fn line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn direction_lines(s: &str) -> Vec<DirLine> {
    let mut out: Vec<DirLine> = Vec::new();
    // Bounds of the `.`-line of the current occurrence, and the next `\n` at or after a
    // position: occurrences come in order, so both only move forward.
    let mut line = (0usize, 0usize);
    let mut next_nl = 0usize;
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|r| r.find("direction")) {
        let q = from + off;
        from = q + 1;
        let mut p = q + "direction".len();
        let sp = p;
        while let Some(n) = js_space_at(s, p) {
            p += n;
        }
        if p == sp {
            continue;
        }
        let kind = match s.get(p..p + 2) {
            Some("TB") => 0,
            Some("BT") => 1,
            Some("RL") => 2,
            Some("LR") => 3,
            Some("TD") => 4,
            _ => continue,
        };
        if next_nl < p {
            next_nl = s.get(p..).and_then(|r| r.find('\n')).map_or(s.len(), |i| p + i);
        }
        let end = next_nl;
        if q >= line.1 || out.is_empty() {
            let start = s
                .get(line.1.min(q)..q)
                .and_then(|r| r.rfind(line_terminator))
                .map_or(line.1.min(q), |i| {
                    let at = line.1.min(q) + i;
                    at + s.get(at..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8)
                });
            let stop = s
                .get(q..)
                .and_then(|r| r.find(line_terminator))
                .map_or(s.len(), |i| q + i);
            line = (start, stop);
        }
        match out.last_mut() {
            Some(l) if l.start == line.0 => {
                if let Some(slot) = l.last.get_mut(kind) {
                    *slot = Some((q, end));
                }
            }
            _ => {
                let mut last = [None; 5];
                if let Some(slot) = last.get_mut(kind) {
                    *slot = Some((q, end));
                }
                out.push(DirLine {
                    start: line.0,
                    end: line.1,
                    last,
                });
            }
        }
    }
    out
}

pub(super) struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pub(super) pos: usize,
    stack: Vec<State>,
    done: bool,
    first_graph: bool,
    dir_lines: Vec<DirLine>,
    dir_cursor: usize,
    /// `(from, to)`: the white-space run at any position in `from..to` ends at `to`.
    ws: (usize, usize),
    /// `(from, to, last @)`: the `[^\s"]` run through `from..to` and its last usable `@`.
    at_run: (usize, usize, Option<usize>),
}

/// A lexical error: no rule matches at this byte.
pub(super) struct LexError(pub(super) usize);

impl<'a> Lexer<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Lexer {
            s,
            b: s.as_bytes(),
            pos: 0,
            stack: vec![State::Initial],
            done: false,
            first_graph: true,
            dir_lines: if s.contains("direction") {
                direction_lines(s)
            } else {
                Vec::new()
            },
            dir_cursor: 0,
            ws: (0, 0),
            at_run: (0, 0, None),
        }
    }

    /// Whether the lexer is inside a quoted or markdown string.
    pub(super) fn in_string(&self) -> bool {
        matches!(self.state(), State::Str | State::MdStr)
    }

    /// Whether the lexer expects the direction after `graph`.
    pub(super) fn in_direction(&self) -> bool {
        self.state() == State::Dir
    }

    fn state(&self) -> State {
        self.stack.last().copied().unwrap_or(State::Initial)
    }

    fn push(&mut self, st: State) {
        self.stack.push(st);
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    fn at(&self, p: usize) -> Option<u8> {
        self.b.get(p).copied()
    }

    fn starts(&self, p: usize, lit: &str) -> bool {
        self.b.get(p..).is_some_and(|r| r.starts_with(lit.as_bytes()))
    }

    /// `lit\b`.
    fn keyword(&self, p: usize, lit: &str) -> Option<usize> {
        let e = p + lit.len();
        (self.starts(p, lit) && !self.at(e).is_some_and(is_word)).then_some(e)
    }

    fn ws_end(&mut self, p: usize) -> usize {
        if p >= self.ws.0 && p < self.ws.1 {
            return self.ws.1;
        }
        let mut e = p;
        while let Some(n) = js_space_at(self.s, e) {
            e += n;
        }
        self.ws = (p, e);
        e
    }

    /// `\s*[xo<]?` then `body`, then `\s*`.
    fn link_rule(&mut self, p: usize, body: impl Fn(&Self, usize) -> Option<usize>) -> Option<usize> {
        let w = self.ws_end(p);
        let e = body(self, w).or_else(|| {
            if matches!(self.at(w), Some(b'x' | b'o' | b'<')) {
                body(self, w + 1)
            } else {
                None
            }
        })?;
        Some(self.ws_end(e))
    }

    fn run_of(&self, p: usize, c: u8) -> usize {
        let mut e = p;
        while self.at(e) == Some(c) {
            e += 1;
        }
        e
    }

    /// `--+[-xo>]`
    fn solid_body(&self, p: usize) -> Option<usize> {
        let e = self.run_of(p, b'-');
        if e - p >= 2 && matches!(self.at(e), Some(b'x' | b'o' | b'>')) {
            return Some(e + 1);
        }
        (e - p >= 3).then_some(e)
    }

    /// `==+[=xo>]`
    fn thick_body(&self, p: usize) -> Option<usize> {
        let e = self.run_of(p, b'=');
        if e - p >= 2 && matches!(self.at(e), Some(b'x' | b'o' | b'>')) {
            return Some(e + 1);
        }
        (e - p >= 3).then_some(e)
    }

    /// `-?\.+-[xo>]?`
    fn dotted_body(&self, p: usize) -> Option<usize> {
        let d = if self.at(p) == Some(b'-') { p + 1 } else { p };
        let e = self.run_of(d, b'.');
        if e == d || self.at(e) != Some(b'-') {
            return None;
        }
        let e = e + 1;
        Some(if matches!(self.at(e), Some(b'x' | b'o' | b'>')) {
            e + 1
        } else {
            e
        })
    }

    /// `.*direction\s+XX[^\n]*` for the five rules in their order.
    fn direction_rule(&mut self, p: usize) -> Option<usize> {
        while self.dir_lines.get(self.dir_cursor).is_some_and(|l| l.end < p) {
            self.dir_cursor += 1;
        }
        let line = self.dir_lines.get(self.dir_cursor)?;
        if line.start > p {
            return None;
        }
        line.last.iter().flatten().find(|&&(q, _)| q >= p).map(|&(_, end)| end)
    }

    /// `[^\s"]+@(?=[^{"])`: the longest such prefix at `p`.
    fn link_id_rule(&mut self, p: usize) -> Option<usize> {
        if !(p >= self.at_run.0 && p < self.at_run.1) {
            let mut e = p;
            let mut last = None;
            while let Some(c) = self.s.get(e..).and_then(|r| r.chars().next()) {
                if c == '"' || super::pre::js_space_char(c) {
                    break;
                }
                if c == '@' && self.at(e + 1).is_some_and(|n| n != b'{' && n != b'"') {
                    last = Some(e);
                }
                e += c.len_utf8();
            }
            self.at_run = (p, e, last);
        }
        match self.at_run.2 {
            Some(a) if a > p => Some(a + 1),
            _ => None,
        }
    }

    fn node_string(&self, p: usize) -> Option<usize> {
        let mut e = p;
        while let Some(c) = self.at(e) {
            let ok = c.is_ascii_alphanumeric()
                || b"!\"#$%&'*+.`?\\_/".contains(&c)
                || (c == b'-' && self.at(e + 1).is_some_and(|n| !matches!(n, b'>' | b'-' | b'.')));
            if !ok {
                break;
            }
            e += 1;
        }
        (e > p).then_some(e)
    }

    fn char_at(&self, p: usize) -> Option<char> {
        self.s.get(p..).and_then(|r| r.chars().next())
    }

    /// One character, `[^...]`-style: any but those of `not`.
    fn one_char_except(&self, p: usize, not: &[u8]) -> Option<usize> {
        let c = self.char_at(p)?;
        if c.is_ascii() && not.contains(&(c as u8)) {
            return None;
        }
        Some(p + c.len_utf8())
    }

    /// The longest run of characters none of which is in `not` (at least one).
    fn run_except(&self, p: usize, not: &[u8]) -> Option<usize> {
        let e = self
            .b
            .get(p..)
            .and_then(|r| r.iter().position(|c| not.contains(c)))
            .map_or(self.b.len(), |i| p + i);
        (e > p).then_some(e)
    }

    /// Where rule `r` matches at `p` (its end), if it does.
    fn try_rule(&mut self, r: u8, p: usize) -> Option<usize> {
        let len = self.b.len();
        match r {
            0 | 2 | 4 => {
                let word = if r == 0 { "accTitle" } else { "accDescr" };
                if !self.starts(p, word) {
                    return None;
                }
                let w = self.ws_end(p + word.len());
                let want = if r == 4 { b'{' } else { b':' };
                (self.at(w) == Some(want)).then(|| self.ws_end(w + 1))
            }
            1 | 3 => Some(self.s.get(p..).and_then(|r| r.find('\n')).map_or(len, |i| p + i)),
            5 | 12 => (self.at(p) == Some(b'}')).then_some(p + 1),
            6 => Some(
                self.b
                    .get(p..)
                    .and_then(|r| r.iter().position(|&c| c == b'}'))
                    .map_or(len, |i| p + i),
            ),
            7 => self.starts(p, "@{").then_some(p + 2),
            8 | 9 | 23 | 24 => (self.at(p) == Some(b'"')).then_some(p + 1),
            10 | 22 => self.run_except(p, b"\""),
            11 => self.run_except(p, b"}^\""),
            13 => {
                if !self.starts(p, "call") {
                    return None;
                }
                let w = self.ws_end(p + 4);
                (w > p + 4).then_some(w)
            }
            14 => {
                if self.at(p) != Some(b'(') {
                    return None;
                }
                let w = self.ws_end(p + 1);
                (self.at(w) == Some(b')')).then_some(w + 1)
            }
            15 => (self.at(p) == Some(b'(')).then_some(p + 1),
            16 => Some(
                self.b
                    .get(p..)
                    .and_then(|r| r.iter().position(|&c| c == b'('))
                    .map_or(len, |i| p + i),
            ),
            17 => (self.at(p) == Some(b')')).then_some(p + 1),
            18 => Some(
                self.b
                    .get(p..)
                    .and_then(|r| r.iter().position(|&c| c == b')'))
                    .map_or(len, |i| p + i),
            ),
            19 => self.run_except(p, b"`\""),
            20 => self.starts(p, "`\"").then_some(p + 2),
            21 => self.starts(p, "\"`").then_some(p + 2),
            25 => self.keyword(p, "style"),
            26 => self.keyword(p, "default"),
            27 => self.keyword(p, "linkStyle"),
            28 => self.keyword(p, "interpolate"),
            29 => self.keyword(p, "classDef"),
            30 => self.keyword(p, "class"),
            31 => {
                if !self.starts(p, "href") {
                    return None;
                }
                js_space_at(self.s, p + 4).map(|n| p + 4 + n)
            }
            32 => {
                if !self.starts(p, "click") {
                    return None;
                }
                let w = self.ws_end(p + 5);
                (w > p + 5).then_some(w)
            }
            33 => js_space_at(self.s, p).map(|n| p + n),
            34 => {
                let mut e = p;
                while let Some(c) = self.char_at(e) {
                    if super::pre::js_space_char(c) {
                        break;
                    }
                    e += c.len_utf8();
                }
                Some(e)
            }
            35 => self.keyword(p, "flowchart-elk"),
            36 => self.keyword(p, "swimlane-beta"),
            37 => self.keyword(p, "graph"),
            38 => self.keyword(p, "flowchart"),
            39 => self.keyword(p, "subgraph"),
            40 => self.keyword(p, "end").map(|e| self.ws_end(e)),
            41 => self.keyword(p, "_self"),
            42 => self.keyword(p, "_blank"),
            43 => self.keyword(p, "_parent"),
            44 => self.keyword(p, "_top"),
            45 => {
                let w = self.ws_end(p);
                self.s.get(p..w).and_then(|r| r.rfind('\n')).map(|i| p + i + 1)
            }
            46 => {
                // 46..=55: `\s*` then LR, RL, TB, BT, TD, BR (each `\b`), `<`, `>`, `^`, `v\b`.
                let w = self.ws_end(p);
                for d in ["LR", "RL", "TB", "BT", "TD", "BR", "v"] {
                    if let Some(e) = self.keyword(w, d) {
                        return Some(e);
                    }
                    if d == "BR" && matches!(self.at(w), Some(b'<' | b'>' | b'^')) {
                        return Some(w + 1);
                    }
                }
                None
            }
            56 => self.direction_rule(p),
            61 => self.link_id_rule(p),
            62 => {
                let e = self.run_while(p, |c| c.is_ascii_digit());
                (e > p).then_some(e)
            }
            63 | 104 => (self.at(p) == Some(b'#')).then_some(p + 1),
            64 => self.starts(p, ":::").then_some(p + 3),
            65 => (self.at(p) == Some(b':')).then_some(p + 1),
            66 | 105 => (self.at(p) == Some(b'&')).then_some(p + 1),
            67 => (self.at(p) == Some(b';')).then_some(p + 1),
            68 => (self.at(p) == Some(b',')).then_some(p + 1),
            69 | 103 => (self.at(p) == Some(b'*')).then_some(p + 1),
            70 => self.link_rule(p, |l, q| l.solid_body(q)),
            71 => self.link_rule(p, |l, q| l.starts(q, "--").then_some(q + 2)),
            72 => {
                // `[^-]|-(?!-)`
                let c = self.char_at(p)?;
                if c != '-' {
                    Some(p + c.len_utf8())
                } else {
                    (self.at(p + 1) != Some(b'-')).then_some(p + 1)
                }
            }
            73 => self.link_rule(p, |l, q| l.thick_body(q)),
            74 => self.link_rule(p, |l, q| l.starts(q, "==").then_some(q + 2)),
            75 => self.one_char_except(p, b"="),
            76 => self.link_rule(p, |l, q| l.dotted_body(q)),
            77 => self.link_rule(p, |l, q| l.starts(q, "-.").then_some(q + 2)),
            78 => self.one_char_except(p, b"."),
            79 => {
                let w = self.ws_end(p);
                let e = self.run_of(w, b'~');
                (e - w >= 3).then(|| self.ws_end(e))
            }
            80 => (matches!(self.at(p), Some(b'-' | b'/' | b')')) && self.at(p + 1) == Some(b')')).then_some(p + 2),
            81 => self.one_char_except(p, b"()[]{}"),
            82 => self.starts(p, "(-").then_some(p + 2),
            83 => self.starts(p, "])").then_some(p + 2),
            84 => self.starts(p, "([").then_some(p + 2),
            85 => self.starts(p, "]]").then_some(p + 2),
            86 => self.starts(p, "[[").then_some(p + 2),
            87 => self.starts(p, "[|").then_some(p + 2),
            88 | 99 => (self.at(p) == Some(b'>')).then_some(p + 1),
            89 => self.starts(p, ")]").then_some(p + 2),
            90 => self.starts(p, "[(").then_some(p + 2),
            91 => self.starts(p, ")))").then_some(p + 3),
            92 => self.starts(p, "(((").then_some(p + 3),
            93 => (matches!(self.at(p), Some(b'\\' | b'(' | b'?' | b'=' | b']')) && self.at(p + 1) == Some(b']'))
                .then_some(p + 2),
            94 => self.starts(p, "/]").then_some(p + 2),
            95 => match self.at(p) {
                Some(b'/' | b'\\') => (self.at(p + 1) != Some(b']')).then_some(p + 1),
                _ => self.run_except(p, b"\\[](){}/"),
            },
            96 => self.starts(p, "[/").then_some(p + 2),
            97 => self.starts(p, "[\\").then_some(p + 2),
            98 => (self.at(p) == Some(b'<')).then_some(p + 1),
            100 => (self.at(p) == Some(b'^')).then_some(p + 1),
            101 => self.starts(p, "\\|").then_some(p + 2),
            102 => self.keyword(p, "v"),
            106 => self.node_string(p),
            107 => (self.at(p) == Some(b'-')).then_some(p + 1),
            108 => {
                let c = self.char_at(p)?;
                is_unicode_text(c).then(|| p + c.len_utf8())
            }
            109 | 110 => (self.at(p) == Some(b'|')).then_some(p + 1),
            111 | 112 => match self.at(p) {
                Some(b')') if r == 111 => Some(p + 1),
                Some(b'(') if r == 112 => Some(p + 1),
                _ => None,
            },
            113 => (self.at(p) == Some(b']')).then_some(p + 1),
            114 => (self.at(p) == Some(b'[')).then_some(p + 1),
            115 => (self.at(p) == Some(b'}')).then_some(p + 1),
            116 => (self.at(p) == Some(b'{')).then_some(p + 1),
            117 => self.run_except(p, b"[](){}|\""),
            118 => (self.at(p) == Some(b'"')).then_some(p + 1),
            119 => {
                let mut e = p;
                loop {
                    if self.at(e) == Some(b'\n') {
                        e += 1;
                    } else if self.at(e) == Some(b'\r') && self.at(e + 1) == Some(b'\n') {
                        e += 2;
                    } else {
                        break;
                    }
                }
                (e > p).then_some(e)
            }
            120 => js_space_at(self.s, p).map(|n| p + n),
            121 => (p >= len).then_some(p),
            _ => None,
        }
    }

    fn run_while(&self, p: usize, f: impl Fn(u8) -> bool) -> usize {
        let mut e = p;
        while self.at(e).is_some_and(&f) {
            e += 1;
        }
        e
    }

    /// The rule's action: state changes, and the token it returns if any.
    fn action(&mut self, r: u8) -> Option<T> {
        use State as S;
        let t = match r {
            0 => {
                self.push(S::AccTitle);
                T::AccTitle
            }
            1 => {
                self.pop();
                T::AccTitleValue
            }
            2 => {
                self.push(S::AccDescr);
                T::AccDescr
            }
            3 => {
                self.pop();
                T::AccDescrValue
            }
            4 => {
                self.push(S::AccDescrMulti);
                return None;
            }
            5 | 12 | 14 | 17 | 20 | 23 | 33 => {
                self.pop();
                return None;
            }
            6 => T::AccDescrMulti,
            7 => {
                self.push(S::ShapeData);
                T::ShapeData
            }
            8 => {
                self.push(S::ShapeDataStr);
                T::ShapeData
            }
            9 => {
                self.pop();
                T::ShapeData
            }
            10 | 11 => T::ShapeData,
            13 => {
                self.push(S::CallbackName);
                return None;
            }
            15 => {
                self.pop();
                self.push(S::CallbackArgs);
                return None;
            }
            16 => T::CallbackName,
            18 => T::CallbackArgs,
            19 => T::MdStr,
            21 => {
                self.push(S::MdStr);
                return None;
            }
            22 => T::Str,
            24 => {
                self.push(S::Str);
                return None;
            }
            25 => T::Style,
            26 => T::Default,
            27 => T::LinkStyle,
            28 => T::Interpolate,
            29 => T::ClassDef,
            30 => T::Class,
            31 => T::Href,
            32 => {
                self.push(S::Click);
                return None;
            }
            34 => T::Click,
            35..=38 => {
                if self.first_graph {
                    self.first_graph = false;
                    self.push(S::Dir);
                }
                T::Graph
            }
            39 => T::Subgraph,
            40 => T::KwEnd,
            41..=44 => T::LinkTarget,
            45 => {
                self.pop();
                T::NoDir
            }
            46 => {
                self.pop();
                T::Dir
            }
            56 => T::Direction,
            61 => T::LinkId,
            62 => T::Num,
            63 | 104 => T::Brkt,
            64 => T::StyleSep,
            65 => T::Colon,
            66 | 105 => T::Amp,
            67 => T::Semi,
            68 => T::Comma,
            69 | 103 => T::Mult,
            70 | 73 | 76 => {
                self.pop();
                T::Link
            }
            71 => {
                self.push(S::EdgeText);
                T::StartLink
            }
            74 => {
                self.push(S::ThickEdgeText);
                T::StartLink
            }
            77 => {
                self.push(S::DottedEdgeText);
                T::StartLink
            }
            72 | 75 | 78 => T::EdgeText,
            79 => T::Link,
            80 => {
                self.pop();
                T::EllipseEnd
            }
            81 | 95 | 117 => T::Text,
            82 => {
                self.push(S::EllipseText);
                T::EllipseStart
            }
            83 => {
                self.pop();
                T::StadiumEnd
            }
            84 => {
                self.push(S::Text);
                T::StadiumStart
            }
            85 => {
                self.pop();
                T::SubEnd
            }
            86 => {
                self.push(S::Text);
                T::SubStart
            }
            87 => T::PropsStart,
            88 => {
                self.push(S::Text);
                T::TagEnd
            }
            89 => {
                self.pop();
                T::CylEnd
            }
            90 => {
                self.push(S::Text);
                T::CylStart
            }
            91 => {
                self.pop();
                T::DblCircleEnd
            }
            92 => {
                self.push(S::Text);
                T::DblCircleStart
            }
            93 => {
                self.pop();
                T::TrapEnd
            }
            94 => {
                self.pop();
                T::InvTrapEnd
            }
            96 => {
                self.push(S::TrapText);
                T::TrapStart
            }
            97 => {
                self.push(S::TrapText);
                T::InvTrapStart
            }
            98 => T::TagStart,
            99 => T::TagEnd,
            100 => T::Up,
            101 => T::Sep,
            102 => T::Down,
            106 => T::NodeString,
            107 => T::Minus,
            108 => T::UnicodeText,
            109 => {
                self.pop();
                T::Pipe
            }
            110 => {
                self.push(S::Text);
                T::Pipe
            }
            111 => {
                self.pop();
                T::Pe
            }
            112 => {
                self.push(S::Text);
                T::Ps
            }
            113 => {
                self.pop();
                T::Sqe
            }
            114 => {
                self.push(S::Text);
                T::Sqs
            }
            115 => {
                self.pop();
                T::DiamondStop
            }
            116 => {
                self.push(S::Text);
                T::DiamondStart
            }
            118 => T::Quote,
            119 => T::Newline,
            120 => T::Space,
            121 => T::Eof,
            _ => return None,
        };
        Some(t)
    }

    fn first_match(&mut self, p: usize) -> Option<(u8, usize)> {
        let slot = self.at(p).map_or(256, usize::from);
        let table = candidates();
        let list = table
            .get(self.state() as usize)
            .and_then(|t| t.get(slot))
            .map_or(&[][..], Vec::as_slice);
        for &r in list {
            if let Some(e) = self.try_rule(r, p) {
                return Some((r, e));
            }
        }
        None
    }

    /// The next token, or the end of input, or a lexical error.
    pub(super) fn next(&mut self) -> Result<Tok, LexError> {
        let mut idle = 0;
        loop {
            if self.done {
                return Ok(Tok {
                    t: T::End,
                    start: self.b.len(),
                    end: self.b.len(),
                });
            }
            let p = self.pos;
            if p >= self.b.len() {
                self.done = true;
            }
            let Some((r, e)) = self.first_match(p) else {
                if p >= self.b.len() {
                    continue;
                }
                return Err(LexError(p));
            };
            self.pos = e;
            if let Some(t) = self.action(r) {
                return Ok(Tok { t, start: p, end: e });
            }
            // A rule that matched nothing and returned nothing must not spin.
            idle = if e == p { idle + 1 } else { 0 };
            if idle > 8 {
                self.done = true;
            }
        }
    }
}
