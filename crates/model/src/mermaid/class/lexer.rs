//! Mermaid's class-diagram lexer, rule for rule: jison tries the rules active in the current
//! start condition in order and takes the first that matches (not the longest), and start
//! conditions nest on a stack (`class` inside `namespace-body`, `string` anywhere...). Its
//! quirks are Mermaid's: a line containing `direction LR` anywhere is a direction statement,
//! digits lex as words, `o` alone is an aggregation head, `;` is no separator.

use super::prep::{js_line_end, js_space, js_word};
use crate::mermaid::unicode::is_unicode_text;

/// Token kinds, named after the grammar's terminals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    NewLine,
    Eof,
    ClassDiagram,
    Sqs,
    Str,
    Sqe,
    Dot,
    GenericType,
    Label,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMultiline,
    StructStart,
    StructStop,
    Namespace,
    StyleSeparator,
    AnnotationStart,
    AnnotationEnd,
    Class,
    Member,
    NoteFor,
    Note,
    ClassDef,
    Alpha,
    Comma,
    /// `direction TB|BT|RL|LR` (the whole rest of the line).
    Direction(&'static str),
    Aggregation,
    Extension,
    Composition,
    Dependency,
    Lollipop,
    Line,
    DottedLine,
    Callback,
    Link,
    LinkTarget,
    Click,
    CallbackName,
    CallbackArgs,
    Href,
    Style,
    CssClass,
    Num,
    Colon,
    Brkt,
    Pct,
    Minus,
    UnicodeText,
    BquoteStr,
    // Lexed but used by no grammar rule: always a parse error.
    EdgeState,
    Punctuation,
    Plus,
    Equals,
    Space,
    EofInStruct,
    OpenInStruct,
    /// No rule matched here ("Lexical error ... Unrecognized text").
    Unrecognized,
    /// jison's own end of input (`$end`), which follows the grammar's `EOF` token. When the
    /// last round at the end of the text yields another token (an unclosed string or
    /// `accDescr {`), `$end` comes without `EOF` and the parse fails.
    End,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub kind: Tok,
    /// Byte range of the matched text in the preprocessed text.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial,
    AccTitle,
    AccDescr,
    AccDescrMultiline,
    CallbackName,
    CallbackArgs,
    Str,
    Namespace,
    NamespaceBody,
    Class,
    ClassBody,
    Generic,
    Bqstring,
}

/// The rules every start condition shares (`<*>` in the grammar), in order; 83-86 and 97
/// are INITIAL only, 59/60 and 62/63 belong to `generic` and `bqstring`.
const SHARED_HEAD: &[u8] = &[50, 51, 52, 53, 54, 55, 56, 57, 58];
const SHARED_TAIL: &[u8] = &[
    61, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 87, 88, 89, 90, 91, 92, 93, 94, 95,
    96, 98,
];
const INITIAL_HEAD: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 14, 15, 16, 17, 18, 26, 27, 28, 29, 39];
const INITIAL_TAIL: &[u8] = &[
    61, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91,
    92, 93, 94, 95, 96, 97, 98,
];

/// The rules tried in a state, in order: (own rules before the shared ones, own rules
/// between the keywords and the rest, tail).
fn rules(state: State) -> [&'static [u8]; 4] {
    match state {
        State::Initial => [INITIAL_HEAD, SHARED_HEAD, &[], INITIAL_TAIL],
        State::AccTitle => [&[7, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::AccDescr => [&[9, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::AccDescrMultiline => [&[11, 12, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::CallbackName => [&[19, 20, 21, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::CallbackArgs => [&[22, 23, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::Str => [&[24, 25, 26], SHARED_HEAD, &[], SHARED_TAIL],
        State::Namespace => [&[26, 29, 30, 31, 32, 33], SHARED_HEAD, &[], SHARED_TAIL],
        State::NamespaceBody => [&[26, 29, 34, 35, 36, 37, 38, 39], SHARED_HEAD, &[], SHARED_TAIL],
        State::Class => [&[26, 40, 41, 42, 43], SHARED_HEAD, &[], SHARED_TAIL],
        State::ClassBody => [&[26, 44, 45, 46, 47, 48, 49], SHARED_HEAD, &[], SHARED_TAIL],
        State::Generic => [&[26], SHARED_HEAD, &[59, 60], SHARED_TAIL],
        State::Bqstring => [&[26], SHARED_HEAD, &[61, 62, 63], SHARED_TAIL],
    }
}

/// What a matched rule does.
enum Action {
    Token(Tok),
    Skip,
    Push(State, Option<Tok>),
    Pop(Option<Tok>),
    /// Pops twice (`}` in `class` closes a namespace body too).
    Pop2(Tok),
    /// Pops, then pushes (`(` after a callback name starts its arguments).
    Swap(State),
    /// Pops and gives the text back to be lexed again in the outer state.
    PopUnput,
}

fn action(rule: u8) -> Action {
    use Action::*;
    match rule {
        0 => Token(Tok::Direction("TB")),
        1 => Token(Tok::Direction("BT")),
        2 => Token(Tok::Direction("RL")),
        3 => Token(Tok::Direction("LR")),
        4 | 5 | 14 | 31 | 37 | 41 | 48 => Skip,
        6 => Push(State::AccTitle, Some(Tok::AccTitle)),
        7 => Pop(Some(Tok::AccTitleValue)),
        8 => Push(State::AccDescr, Some(Tok::AccDescr)),
        9 => Pop(Some(Tok::AccDescrValue)),
        10 => Push(State::AccDescrMultiline, None),
        11 | 19 | 22 | 24 | 59 | 62 => Pop(None),
        12 => Token(Tok::AccDescrMultiline),
        13 | 36 => Token(Tok::NewLine),
        15 | 16 => Token(Tok::ClassDiagram),
        17 | 38 | 46 => Token(Tok::EdgeState),
        18 => Push(State::CallbackName, None),
        20 => Swap(State::CallbackArgs),
        21 => Token(Tok::CallbackName),
        23 => Token(Tok::CallbackArgs),
        25 => Token(Tok::Str),
        26 => Push(State::Str, None),
        27 => Token(Tok::Style),
        28 => Token(Tok::ClassDef),
        29 => Push(State::Namespace, Some(Tok::Namespace)),
        30 | 40 => Pop(Some(Tok::NewLine)),
        32 => Push(State::NamespaceBody, Some(Tok::StructStart)),
        33 => PopUnput,
        34 | 44 => Pop(Some(Tok::StructStop)),
        35 | 45 => Token(Tok::EofInStruct),
        39 => Push(State::Class, Some(Tok::Class)),
        42 => Pop2(Tok::StructStop),
        43 => Push(State::ClassBody, Some(Tok::StructStart)),
        47 => Token(Tok::OpenInStruct),
        49 => Token(Tok::Member),
        50 => Token(Tok::CssClass),
        51 => Token(Tok::Callback),
        52 => Token(Tok::Link),
        53 => Token(Tok::Click),
        54 => Token(Tok::NoteFor),
        55 => Token(Tok::Note),
        56 => Token(Tok::AnnotationStart),
        57 => Token(Tok::AnnotationEnd),
        58 => Token(Tok::Href),
        60 => Token(Tok::GenericType),
        61 => Push(State::Generic, None),
        63 => Token(Tok::BquoteStr),
        64 => Push(State::Bqstring, None),
        65..=68 => Token(Tok::LinkTarget),
        69 | 70 => Token(Tok::Extension),
        71 | 72 => Token(Tok::Dependency),
        73 => Token(Tok::Composition),
        74 => Token(Tok::Aggregation),
        75 => Token(Tok::Lollipop),
        76 => Token(Tok::Line),
        77 => Token(Tok::DottedLine),
        78 => Token(Tok::Label),
        79 => Token(Tok::StyleSeparator),
        80 => Token(Tok::Minus),
        81 => Token(Tok::Dot),
        82 => Token(Tok::Plus),
        83 => Token(Tok::Colon),
        84 => Token(Tok::Comma),
        85 | 86 => Token(Tok::Brkt),
        87 => Token(Tok::Pct),
        88 | 89 => Token(Tok::Equals),
        90 => Token(Tok::Alpha),
        91 => Token(Tok::Sqs),
        92 => Token(Tok::Sqe),
        93 => Token(Tok::Punctuation),
        94 => Token(Tok::Num),
        95 => Token(Tok::UnicodeText),
        96 | 97 => Token(Tok::Space),
        _ => Token(Tok::Eof),
    }
}

/// Length of the leading run of `s` whose chars satisfy `f`.
fn run(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.char_indices().find(|&(_, c)| !f(c)).map_or(s.len(), |(i, _)| i)
}

/// `\s*(\r?\n)+`: white space up to and including its last new line.
fn newlines(s: &str) -> Option<usize> {
    let ws = run(s, js_space);
    s[..ws].rfind('\n').map(|i| i + 1)
}

/// `word\b`.
fn keyword(s: &str, word: &str) -> Option<usize> {
    let rest = s.strip_prefix(word)?;
    (!rest.starts_with(js_word)).then_some(word.len())
}

/// `key\s*<open>\s*` (`accTitle\s*:\s*`).
fn key_open(s: &str, key: &str, open: char) -> Option<usize> {
    let rest = s.strip_prefix(key)?;
    let a = run(rest, js_space);
    let rest2 = rest[a..].strip_prefix(open)?;
    Some(key.len() + a + open.len_utf8() + run(rest2, js_space))
}

/// `\s*` then `tail`.
fn ws_then(s: &str, tail: &str) -> Option<usize> {
    let a = run(s, js_space);
    s[a..].starts_with(tail).then_some(a + tail.len())
}

pub(super) struct Lexer<'a> {
    s: &'a str,
    pos: usize,
    stack: Vec<State>,
    /// Where each state of `stack` was entered (for "unclosed ..." messages).
    opened: Vec<usize>,
    done: bool,
    /// `.*direction\s+XX[^\n]*` per rule, for the line ending at `dir_line_end`: where the
    /// rightmost `direction` that works starts, and where the match ends. Cached so a long
    /// line costs one scan, not one per token (text is only read forwards).
    dir_line_end: usize,
    dir_cache: [Option<(usize, usize)>; 4],
}

impl<'a> Lexer<'a> {
    pub fn new(s: &'a str) -> Self {
        Lexer {
            s,
            pos: 0,
            stack: vec![State::Initial],
            opened: vec![0],
            done: false,
            dir_line_end: usize::MAX,
            dir_cache: [None; 4],
        }
    }

    fn state(&self) -> State {
        self.stack.last().copied().unwrap_or(State::Initial)
    }

    fn pop(&mut self) {
        // jison never pops its last state.
        if self.stack.len() > 1 {
            self.stack.pop();
            self.opened.pop();
        }
    }

    fn push(&mut self, st: State, at: usize) {
        self.stack.push(st);
        self.opened.push(at);
    }

    /// What the text leaves open at its end that Mermaid needs closed, and where it opened.
    pub fn unclosed(&self) -> Option<(&'static str, usize)> {
        let at = self.opened.last().copied().unwrap_or(0);
        let what = match self.state() {
            State::Str => "`\"` to close the string",
            State::Generic => "`~` to close the generic type",
            State::Bqstring => "a backtick to close the name",
            State::AccDescrMultiline => "`}` to close `accDescr {`",
            State::CallbackName => "`(` after the callback name",
            State::CallbackArgs => "`)` to close the callback arguments",
            _ => return None,
        };
        Some((what, at))
    }

    /// The next token; once the text is used up (or unrecognized), `End` for ever.
    pub fn next_token(&mut self) -> Token {
        // Each round consumes text or changes state; the bound only guards against a bug.
        for _ in 0..64 + self.s.len().saturating_mul(4) {
            if self.done {
                return Token {
                    kind: Tok::End,
                    start: self.pos,
                    end: self.pos,
                };
            }
            let rest = self.s.get(self.pos..).unwrap_or("");
            if rest.is_empty() {
                self.done = true;
            }
            let state = self.state();
            let found = rules(state)
                .iter()
                .flat_map(|r| r.iter())
                .find_map(|&r| self.try_rule(r, rest).map(|n| (r, n)));
            let Some((rule, len)) = found else {
                if rest.is_empty() {
                    return Token {
                        kind: Tok::End,
                        start: self.pos,
                        end: self.pos,
                    };
                }
                self.done = true;
                let end = self.pos + rest.chars().next().map_or(0, char::len_utf8);
                return Token {
                    kind: Tok::Unrecognized,
                    start: self.pos,
                    end,
                };
            };
            let start = self.pos;
            self.pos += len;
            let end = self.pos;
            let tok = |kind| Token { kind, start, end };
            match action(rule) {
                Action::Token(kind) => return tok(kind),
                Action::Skip => {}
                Action::Push(st, t) => {
                    self.push(st, start);
                    if let Some(kind) = t {
                        return tok(kind);
                    }
                }
                Action::Pop(t) => {
                    self.pop();
                    if let Some(kind) = t {
                        return tok(kind);
                    }
                }
                Action::Pop2(kind) => {
                    self.pop();
                    self.pop();
                    return tok(kind);
                }
                Action::Swap(st) => {
                    self.pop();
                    self.push(st, start);
                }
                Action::PopUnput => {
                    self.pos = start;
                    if self.stack.len() > 1 {
                        self.pop();
                    } else {
                        self.done = true;
                        return Token {
                            kind: Tok::Unrecognized,
                            start,
                            end,
                        };
                    }
                }
            }
        }
        self.done = true;
        Token {
            kind: Tok::Unrecognized,
            start: self.pos,
            end: self.pos,
        }
    }

    /// The length rule `rule` matches at the start of `s`, if it does.
    fn try_rule(&mut self, rule: u8, s: &str) -> Option<usize> {
        let first = s.chars().next();
        match rule {
            0..=3 => self.direction(rule, s),
            4 | 5 => {
                let rest = s.strip_prefix("%%")?;
                let line = rest.find('\n').unwrap_or(rest.len());
                Some(2 + line + run(&rest[line..], |c| c == '\n' || c == '\r'))
            }
            6 => key_open(s, "accTitle", ':'),
            8 => key_open(s, "accDescr", ':'),
            10 => key_open(s, "accDescr", '{'),
            7 | 9 => Some(s.find('\n').unwrap_or(s.len())),
            11 | 44 | 34 | 42 => (first == Some('}')).then_some(1),
            12 => Some(s.find('}').unwrap_or(s.len())),
            13 | 30 | 36 | 40 => newlines(s),
            14 | 31 | 37 | 41 => {
                let n = run(s, js_space);
                (n > 0).then_some(n)
            }
            15 => keyword(s, "classDiagram-v2"),
            16 => keyword(s, "classDiagram"),
            17 | 38 | 46 => s.starts_with("[*]").then_some(3),
            18 => {
                let rest = s.strip_prefix("call")?;
                let n = run(rest, js_space);
                (n > 0).then_some(4 + n)
            }
            19 => {
                let rest = s.strip_prefix('(')?;
                let n = run(rest, js_space);
                rest[n..].starts_with(')').then_some(n + 2)
            }
            20 => (first == Some('(')).then_some(1),
            21 => Some(s.find('(').unwrap_or(s.len())),
            22 => (first == Some(')')).then_some(1),
            23 => Some(s.find(')').unwrap_or(s.len())),
            24 | 26 => (first == Some('"')).then_some(1),
            25 => Some(s.find('"').unwrap_or(s.len())),
            27 => keyword(s, "style"),
            28 => keyword(s, "classDef"),
            29 => keyword(s, "namespace"),
            32 | 43 => (first == Some('{')).then_some(1),
            33 => (first == Some('}')).then_some(1),
            35 | 45 | 98 => s.is_empty().then_some(0),
            39 => keyword(s, "class"),
            47 => (first == Some('{')).then_some(1),
            48 => (first == Some('\n')).then_some(1),
            49 => Some(s.find(['{', '}', '\n']).unwrap_or(s.len())),
            50 => keyword(s, "cssClass"),
            51 => keyword(s, "callback"),
            52 => keyword(s, "link"),
            53 => keyword(s, "click"),
            54 => keyword(s, "note for"),
            55 => keyword(s, "note"),
            56 => s.starts_with("<<").then_some(2),
            57 => s.starts_with(">>").then_some(2),
            58 => keyword(s, "href"),
            59 | 61 => (first == Some('~')).then_some(1),
            60 => Some(s.find('~').unwrap_or(s.len())),
            62 | 64 => (first == Some('`')).then_some(1),
            63 => {
                let n = s.find('`').unwrap_or(s.len());
                (n > 0).then_some(n)
            }
            65 => keyword(s, "_self"),
            66 => keyword(s, "_blank"),
            67 => keyword(s, "_parent"),
            68 => keyword(s, "_top"),
            69 => ws_then(s, "<|"),
            70 => ws_then(s, "|>"),
            71 => ws_then(s, ">"),
            72 => ws_then(s, "<"),
            73 => ws_then(s, "*"),
            74 => {
                let a = run(s, js_space);
                keyword(&s[a..], "o").map(|n| a + n)
            }
            75 => ws_then(s, "()"),
            76 => s.starts_with("--").then_some(2),
            77 => s.starts_with("..").then_some(2),
            78 => {
                let rest = s.strip_prefix(':')?;
                let n = rest.find([':', '\n', ';']).unwrap_or(rest.len());
                (n > 0).then_some(1 + n)
            }
            79 => s.starts_with(":::").then_some(3),
            80 => (first == Some('-')).then_some(1),
            81 => (first == Some('.')).then_some(1),
            82 => (first == Some('+')).then_some(1),
            83 => (first == Some(':')).then_some(1),
            84 => (first == Some(',')).then_some(1),
            85 | 86 => (first == Some('#')).then_some(1),
            87 => (first == Some('%')).then_some(1),
            88 | 89 => (first == Some('=')).then_some(1),
            90 => {
                let n = run(s, js_word);
                (n > 0).then_some(n)
            }
            91 => (first == Some('[')).then_some(1),
            92 => (first == Some(']')).then_some(1),
            93 => first.filter(|c| "!\"#$%&'*+,-.`?\\/".contains(*c)).map(|_| 1),
            94 => {
                let n = run(s, |c| c.is_ascii_digit());
                (n > 0).then_some(n)
            }
            95 => first.filter(|&c| is_unicode_text(c)).map(char::len_utf8),
            96 | 97 => first.filter(|&c| js_space(c)).map(char::len_utf8),
            _ => None,
        }
    }

    /// `.*direction\s+XX[^\n]*` from the current position.
    fn direction(&mut self, rule: u8, s: &str) -> Option<usize> {
        // The cache holds for every position up to the end of the line it was made for.
        if self.dir_line_end == usize::MAX || self.pos > self.dir_line_end {
            let line_len = s.find(js_line_end).unwrap_or(s.len());
            self.dir_line_end = self.pos + line_len;
            self.dir_cache = [None; 4];
            let line = &s[..line_len];
            for (k, word) in ["TB", "BT", "RL", "LR"].iter().enumerate() {
                // Greedy `.*`: the rightmost `direction` on the line that works.
                let mut upto = line.len();
                while let Some(d) = line[..upto].rfind("direction") {
                    let after = &s[d + 9..];
                    let ws = run(after, js_space);
                    if ws > 0 && after[ws..].starts_with(word) {
                        let tail = d + 9 + ws + 2;
                        let end = tail + s[tail..].find('\n').unwrap_or(s.len() - tail);
                        self.dir_cache[k] = Some((self.pos + d, self.pos + end));
                        break;
                    }
                    upto = d;
                }
            }
        }
        let (d, end) = self.dir_cache[usize::from(rule)]?;
        (d >= self.pos).then(|| end - self.pos)
    }
}

/// All tokens of `s`, ending with `End` (or `Unrecognized`, where lexing stops), and what
/// the text leaves unclosed (see `Lexer::unclosed`).
pub(super) fn tokenize(s: &str) -> (Vec<Token>, Option<(&'static str, usize)>) {
    let mut lx = Lexer::new(s);
    let mut out = Vec::new();
    loop {
        let t = lx.next_token();
        out.push(t);
        if t.kind == Tok::Unrecognized {
            return (out, None);
        }
        if t.kind == Tok::End {
            return (out, lx.unclosed());
        }
    }
}
