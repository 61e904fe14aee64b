//! The lexer of Mermaid's `erDiagram.jison`, rule for rule. Jison takes the FIRST rule that
//! matches (not the longest), case-insensitively, in one of several states, so the order
//! below is the grammar: `one-to-many` starts with the keyword `one`, `u-turn` with the
//! cardinality `u`, a line holding `direction TB` anywhere is a `direction` statement, and
//! a `style` line ending in a space runs on into the next line.

use super::super::er::{Cardinality, KeyKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum T {
    ErDiagram,
    Newline,
    /// Jison's `EOF` token (rule `$`, only in the initial state).
    Eof,
    /// The input is used up (`$end`); the parser accepts only after `Eof`.
    End,
    /// `"quoted"` without `%`, `\`, or line breaks.
    EntityName,
    /// Any other `"quoted"` text.
    Word,
    UnicodeText,
    Num,
    DecimalNum,
    EntityOne,
    Card(Cardinality),
    /// `--`/`to` (true) or `..`/`.-`/`-.`/`optionally to` (false).
    Rel(bool),
    Colon,
    StyleSep,
    Comma,
    BlockStart,
    BlockStop,
    Sqs,
    Sqe,
    Brkt,
    Style,
    ClassDef,
    Class,
    Subgraph,
    EndKw,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMulti,
    Direction,
    AttrKey(KeyKind),
    AttrWord,
    Comment,
    StyleText,
    Semi,
    /// A single character no rule names (jison returns it as its own token).
    Char(char),
    /// No rule matches (only possible in a `style`/`classDef` statement).
    LexError,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub t: T,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Initial,
    Block,
    BlockBq,
    Style,
    AccTitle,
    AccDescr,
    AccDescrMulti,
}

pub(super) struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    stack: Vec<State>,
    done: bool,
    /// Where the current `{`, `` ` ``, `accDescr {` or `style` began (for messages).
    pub block_at: usize,
    pub bq_at: usize,
    pub descr_at: usize,
    /// A whitespace run inside a `style`/`classDef` statement swallowed a line break.
    pub style_ran_on: Option<usize>,
    // Caches that keep scans linear on long lines.
    dir_from: usize,
    dir_line_end: usize,
    dir_hit: Option<(usize, usize)>,
    tilde_from: usize,
    tilde_stop: usize,
    tilde_line: (usize, usize, Option<usize>),
}

/// JavaScript's `\s`.
pub(super) fn js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// JavaScript's `\w` (ASCII only without the `u` flag).
fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Ends a line for JavaScript's `.`.
fn line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Characters of `UNICODE_TEXT`: `([^\x00-\x7F]|\w|-|\*|\.)+`.
fn text_char(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*' | '.')
}

/// Characters of `STYLE_TEXT`: `([^\x00-\x7F]|\w|-|\*)+`.
fn style_char(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*')
}

/// First and following characters of an attribute word (`[\*A-Za-z_\u00C0-\uFFFF]` and
/// `[A-Za-z0-9\-\_\[\]\(\)\.,\u00C0-\uFFFF\*]`).
fn attr_first(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '*' | '_') || c >= '\u{C0}'
}
fn attr_next(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '[' | ']' | '(' | ')' | '.' | ',' | '*') || c >= '\u{C0}'
}

const CARD_WORDS: &[(&str, bool, Cardinality)] = &[
    ("one or zero", true, Cardinality::ZeroOrOne),
    ("one or more", true, Cardinality::OneOrMore),
    ("one or many", true, Cardinality::OneOrMore),
    ("1+", false, Cardinality::OneOrMore),
    ("|o", true, Cardinality::ZeroOrOne),
    ("zero or one", true, Cardinality::ZeroOrOne),
    ("zero or more", true, Cardinality::ZeroOrMore),
    ("zero or many", true, Cardinality::ZeroOrMore),
    ("0+", false, Cardinality::ZeroOrMore),
    ("}o", true, Cardinality::ZeroOrMore),
    ("many(0)", false, Cardinality::ZeroOrMore),
    ("many(1)", false, Cardinality::OneOrMore),
    ("many", true, Cardinality::ZeroOrMore),
    ("}|", false, Cardinality::OneOrMore),
    ("one", true, Cardinality::ExactlyOne),
    ("only one", true, Cardinality::ExactlyOne),
];

impl<'a> Lexer<'a> {
    pub fn new(s: &'a str, start: usize) -> Lexer<'a> {
        Lexer {
            s,
            b: s.as_bytes(),
            pos: start,
            stack: vec![State::Initial],
            done: false,
            block_at: 0,
            bq_at: 0,
            descr_at: 0,
            style_ran_on: None,
            dir_from: usize::MAX,
            dir_line_end: 0,
            dir_hit: None,
            tilde_from: usize::MAX,
            tilde_stop: 0,
            tilde_line: (usize::MAX, 0, None),
        }
    }

    pub fn state(&self) -> State {
        self.stack.last().copied().unwrap_or(State::Initial)
    }

    fn push(&mut self, st: State) {
        self.stack.push(st);
    }

    /// Jison's `popState` never pops the last state.
    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// `literal` at `at`, ASCII case-insensitively, then a word boundary when `boundary`.
    fn lit(&self, at: usize, literal: &str, boundary: bool) -> bool {
        let n = literal.len();
        let Some(head) = self.b.get(at..at + n) else {
            return false;
        };
        head.eq_ignore_ascii_case(literal.as_bytes())
            && (!boundary || !self.b.get(at + n).is_some_and(|&c| word_byte(c)))
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.s.get(at..).and_then(|r| r.chars().next())
    }

    /// End of the run of characters satisfying `f` from `at`.
    fn run(&self, at: usize, f: impl Fn(char) -> bool) -> usize {
        let rest = self.s.get(at..).unwrap_or("");
        at + rest.find(|c: char| !f(c)).unwrap_or(rest.len())
    }

    fn tok(&mut self, t: T, start: usize, end: usize) -> Tok {
        self.pos = end;
        Tok { t, start, end }
    }

    pub fn next(&mut self) -> Tok {
        loop {
            let at = self.pos;
            if self.done {
                return Tok {
                    t: T::End,
                    start: at,
                    end: at,
                };
            }
            if at >= self.b.len() {
                // Rules are still tried on the empty rest; only some match it.
                self.done = true;
                let t = match self.state() {
                    State::Initial => T::Eof,
                    State::AccTitle => {
                        self.pop();
                        T::AccTitleValue
                    }
                    State::AccDescr => {
                        self.pop();
                        T::AccDescrValue
                    }
                    State::AccDescrMulti => T::AccDescrMulti,
                    _ => T::End,
                };
                return Tok { t, start: at, end: at };
            }
            let found = match self.state() {
                State::Initial => self.initial(at),
                State::Block => self.block(at),
                State::BlockBq => {
                    if self.b[at] == b'`' {
                        self.pop();
                        self.pos = at + 1;
                        None
                    } else {
                        let end = self.run(at, |c| c != '`');
                        Some(self.tok(T::AttrWord, at, end))
                    }
                }
                State::Style => self.style(at),
                State::AccTitle | State::AccDescr => {
                    let t = if self.state() == State::AccTitle {
                        T::AccTitleValue
                    } else {
                        T::AccDescrValue
                    };
                    self.pop();
                    let end = self.run(at, |c| c != '\n');
                    Some(self.tok(t, at, end))
                }
                State::AccDescrMulti => {
                    if self.b[at] == b'}' {
                        self.pop();
                        self.pos = at + 1;
                        None
                    } else {
                        let end = self.run(at, |c| c != '}');
                        Some(self.tok(T::AccDescrMulti, at, end))
                    }
                }
            };
            if let Some(t) = found {
                return t;
            }
        }
    }

    /// The initial state. `None` when a rule matched without a token (whitespace).
    fn initial(&mut self, at: usize) -> Option<Tok> {
        let b = self.b;
        // Keyword rules are tried only where their first letter is (same result, faster).
        let lower = b[at].to_ascii_lowercase();
        // accTitle\s*:\s*   accDescr\s*:\s*   accDescr\s*\{\s*
        if lower == b'a' && (self.lit(at, "accTitle", false) || self.lit(at, "accDescr", false)) {
            let title = self.lit(at, "accTitle", false);
            let j = self.run(at + 8, js_space);
            match b.get(j) {
                Some(b':') => {
                    let end = self.run(j + 1, js_space);
                    self.push(if title { State::AccTitle } else { State::AccDescr });
                    return Some(self.tok(if title { T::AccTitle } else { T::AccDescr }, at, end));
                }
                Some(b'{') if !title => {
                    self.descr_at = at;
                    self.pos = self.run(j + 1, js_space);
                    self.push(State::AccDescrMulti);
                    return None;
                }
                _ => {}
            }
        }
        // .*direction\s+(TB|BT|RL|LR)[^\n]*
        if let Some(end) = self.direction(at) {
            return Some(self.tok(T::Direction, at, end));
        }
        let c = b[at];
        match c {
            b' ' | b'\t' | b'\r' => {
                self.pos = at
                    + b[at..]
                        .iter()
                        .position(|&x| !matches!(x, b' ' | b'\t' | b'\r'))
                        .unwrap_or(b.len() - at);
                return None;
            }
            b'\n' => {
                let end = at + b[at..].iter().position(|&x| x != b'\n').unwrap_or(b.len() - at);
                return Some(self.tok(T::Newline, at, end));
            }
            b'"' => {
                return Some(match b[at + 1..].iter().position(|&x| x == b'"') {
                    Some(k) => {
                        let inner = &b[at + 1..at + 1 + k];
                        let plain = !inner.is_empty()
                            && !inner
                                .iter()
                                .any(|x| matches!(x, b'%' | b'\r' | b'\n' | 0x0b | 0x08 | b'\\'));
                        self.tok(if plain { T::EntityName } else { T::Word }, at, at + k + 2)
                    }
                    None => self.tok(T::Char('"'), at, at + 1),
                });
            }
            _ => {}
        }
        if self.lit(at, "erDiagram", true) {
            return Some(self.tok(T::ErDiagram, at, at + 9));
        }
        let simple = match c {
            b'{' => Some(T::BlockStart),
            b'#' => Some(T::Brkt),
            b',' => Some(T::Comma),
            b':' if b.get(at + 1..at + 3) == Some(b"::") => {
                return Some(self.tok(T::StyleSep, at, at + 3));
            }
            b':' => Some(T::Colon),
            _ => None,
        };
        if let Some(t) = simple {
            if t == T::BlockStart {
                self.block_at = at;
                self.push(State::Block);
            }
            return Some(self.tok(t, at, at + 1));
        }
        if c == b'[' {
            return Some(self.tok(T::Sqs, at, at + 1));
        }
        if c == b']' {
            return Some(self.tok(T::Sqe, at, at + 1));
        }
        if !matches!(
            lower,
            b's' | b'c' | b'e' | b'o' | b'z' | b'm' | b'|' | b'}' | b'0' | b'1'
        ) {
            return Some(self.rest_of_initial(at, c));
        }
        if self.lit(at, "style", true) {
            self.push(State::Style);
            return Some(self.tok(T::Style, at, at + 5));
        }
        if self.lit(at, "classDef", true) {
            self.push(State::Style);
            return Some(self.tok(T::ClassDef, at, at + 8));
        }
        if self.lit(at, "class", true) {
            return Some(self.tok(T::Class, at, at + 5));
        }
        if self.lit(at, "subgraph", true) {
            return Some(self.tok(T::Subgraph, at, at + 8));
        }
        if self.lit(at, "end", true) {
            let end = self.run(at + 3, js_space);
            return Some(self.tok(T::EndKw, at, end));
        }
        for &(word, boundary, card) in CARD_WORDS {
            if self.lit(at, word, boundary) {
                return Some(self.tok(T::Card(card), at, at + word.len()));
            }
        }
        Some(self.rest_of_initial(at, c))
    }

    /// The initial state's rules from `[0-9]+\.[0-9]+` on.
    fn rest_of_initial(&mut self, at: usize, c: u8) -> Tok {
        let b = self.b;
        if c.is_ascii_digit() {
            let digits = self.run(at, |x| x.is_ascii_digit());
            // [0-9]+\.[0-9]+
            if b.get(digits) == Some(&b'.') && b.get(digits + 1).is_some_and(u8::is_ascii_digit) {
                let end = self.run(digits + 1, |x| x.is_ascii_digit());
                return self.tok(T::DecimalNum, at, end);
            }
            if c == b'1' {
                // 1(?=\s+[A-Za-z_"'])  1(?=\s+[0-9])  1(?=(--|\.\.|\.-|-\.))  1\b
                let ws = self.run(at + 1, js_space);
                let spaced = ws > at + 1
                    && b.get(ws)
                        .is_some_and(|&x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'"' | b'\''));
                let linked = matches!(b.get(at + 1..at + 3), Some(b"--" | b".." | b".-" | b"-."));
                if spaced || linked {
                    return self.tok(T::Card(Cardinality::ExactlyOne), at, at + 1);
                }
                if !b.get(at + 1).is_some_and(|&x| word_byte(x)) {
                    return self.tok(T::EntityOne, at, at + 1);
                }
            }
            return self.tok(T::Num, at, digits);
        }
        const SYMBOLS: &[(&str, T)] = &[
            ("||", T::Card(Cardinality::ExactlyOne)),
            ("o|", T::Card(Cardinality::ZeroOrOne)),
            ("o{", T::Card(Cardinality::ZeroOrMore)),
            ("|{", T::Card(Cardinality::OneOrMore)),
        ];
        for &(sym, t) in SYMBOLS {
            if self.lit(at, sym, false) {
                return self.tok(t, at, at + 2);
            }
        }
        if (c == b'u' || c == b'U') && matches!(b.get(at + 1), Some(b'.' | b'-' | b'|')) {
            return self.tok(T::Card(Cardinality::MdParent), at, at + 1);
        }
        const LINKS: &[(&str, bool, bool)] = &[
            ("..", false, false),
            ("--", false, true),
            ("to", true, true),
            ("optionally to", true, false),
            (".-", false, false),
            ("-.", false, false),
        ];
        for &(link, boundary, identifying) in LINKS {
            if self.lit(at, link, boundary) {
                return self.tok(T::Rel(identifying), at, at + link.len());
            }
        }
        let end = self.run(at, text_char);
        if end > at {
            return self.tok(T::UnicodeText, at, end);
        }
        let ch = self.char_at(at).unwrap_or('\0');
        self.tok(T::Char(ch), at, at + ch.len_utf8())
    }

    /// `.*direction\s+(TB|BT|RL|LR)[^\n]*` from `at`: the end of the token, if it matches.
    /// The last occurrence on the line is found once per line.
    fn direction(&mut self, at: usize) -> Option<usize> {
        if !(self.dir_from <= at && at < self.dir_line_end) {
            let rest = self.s.get(at..).unwrap_or("");
            let line_end = at + rest.find(line_break).unwrap_or(rest.len());
            self.dir_from = at;
            self.dir_line_end = line_end;
            self.dir_hit = None;
            let line = &self.b[at..line_end];
            let mut k = 0;
            while k + 9 <= line.len() {
                if line[k] | 0x20 == b'd' && line[k..k + 9].eq_ignore_ascii_case(b"direction") {
                    let q = at + k;
                    let ws = self.run(q + 9, js_space);
                    let dir = self.b.get(ws..ws + 2).map(|d| d.to_ascii_lowercase());
                    if ws > q + 9 && matches!(dir.as_deref(), Some(b"tb" | b"bt" | b"rl" | b"lr")) {
                        let end = self.run(ws + 2, |c| c != '\n');
                        self.dir_hit = Some((q, end));
                    }
                }
                k += 1;
            }
        }
        match self.dir_hit {
            Some((q, end)) if at <= q => Some(end),
            _ => None,
        }
    }

    /// Inside an entity's `{ ... }`.
    fn block(&mut self, at: usize) -> Option<Tok> {
        let c = self.char_at(at).unwrap_or('\0');
        if js_space(c) {
            self.pos = self.run(at, js_space);
            return None;
        }
        let b = self.b;
        // \b((?:PK)|(?:FK)|(?:UK))\b
        for (k, kind) in [("pk", KeyKind::Pk), ("fk", KeyKind::Fk), ("uk", KeyKind::Uk)] {
            if self.lit(at, k, true) {
                return Some(self.tok(T::AttrKey(kind), at, at + 2));
            }
        }
        // ([^\s]*)[~].*[~]([^\s]*): a `~` in this word and a later one on the line.
        if let Some(first) = self.tilde_in_word(at)
            && let Some(last) = self.last_tilde_on_line(at)
            && last > first
        {
            let end = self.run(last + 1, |x| !js_space(x));
            return Some(self.tok(T::AttrWord, at, end));
        }
        if attr_first(c) {
            let end = self.run(at + c.len_utf8(), attr_next);
            return Some(self.tok(T::AttrWord, at, end));
        }
        match b[at] {
            b'`' => {
                self.bq_at = at;
                self.push(State::BlockBq);
                self.pos = at + 1;
                None
            }
            b'"' => Some(match b[at + 1..].iter().position(|&x| x == b'"') {
                Some(k) => self.tok(T::Comment, at, at + k + 2),
                None => self.tok(T::Char('"'), at, at + 1),
            }),
            b'}' => {
                self.pop();
                Some(self.tok(T::BlockStop, at, at + 1))
            }
            _ => Some(self.tok(T::Char(c), at, at + c.len_utf8())),
        }
    }

    /// The first `~` of the non-space run starting at `at`, cached so that a long run read
    /// token by token is scanned once.
    fn tilde_in_word(&mut self, at: usize) -> Option<usize> {
        if !(self.tilde_from <= at && at <= self.tilde_stop) {
            self.tilde_from = at;
            self.tilde_stop = self.run(at, |c| c != '~' && !js_space(c));
        }
        (self.b.get(self.tilde_stop) == Some(&b'~')).then_some(self.tilde_stop)
    }

    fn last_tilde_on_line(&mut self, at: usize) -> Option<usize> {
        let (from, end, last) = self.tilde_line;
        if from <= at && at < end {
            return last;
        }
        let rest = self.s.get(at..).unwrap_or("");
        let line_end = at + rest.find(line_break).unwrap_or(rest.len());
        let last = self.b[at..line_end].iter().rposition(|&x| x == b'~').map(|k| at + k);
        self.tilde_line = (at, line_end, last);
        last
    }

    /// Inside `style` and `classDef` statements.
    fn style(&mut self, at: usize) -> Option<Tok> {
        let b = self.b;
        if b[at] == b'\n' {
            self.pop();
            let end = at + b[at..].iter().position(|&x| x != b'\n').unwrap_or(b.len() - at);
            return Some(self.tok(T::Newline, at, end));
        }
        let c = self.char_at(at).unwrap_or('\0');
        if js_space(c) {
            let end = self.run(at, js_space);
            if self.style_ran_on.is_none() && b[at..end].contains(&b'\n') {
                self.style_ran_on = Some(at);
            }
            self.pos = end;
            return None;
        }
        let t = match c {
            ':' => T::Colon,
            ',' => T::Comma,
            '#' => T::Brkt,
            ';' => T::Semi,
            _ if style_char(c) => {
                let end = self.run(at, style_char);
                return Some(self.tok(T::StyleText, at, end));
            }
            _ => T::LexError,
        };
        Some(self.tok(t, at, at + c.len_utf8()))
    }
}
