//! The state diagram lexer, modelled on Mermaid's jison lexer: a stack of start conditions,
//! rules tried in order with the first match winning, case-insensitive keywords. Its quirks
//! are Mermaid's (a line holding `direction LR` anywhere is a direction statement, a quoted
//! string at top level is a `click` argument, `--` is only known inside a composite state).
//! The `.*X` rules are answered from position indexes so a long line stays linear.

use super::js::{is_js_space, is_line_terminator, is_word_byte, js_trim};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dir {
    Tb,
    Bt,
    Rl,
    Lr,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Tb => "TB",
            Dir::Bt => "BT",
            Dir::Rl => "RL",
            Dir::Lr => "LR",
        }
    }
}

/// Mermaid's token kinds (`DefaultClassDefId` and `Invalid` are tokens its grammar does
/// not know, so they are always a parse error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum T {
    Click,
    Href,
    Str,
    Default,
    Dir(Dir),
    Nl,
    Scale,
    Width,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMulti,
    ClassDef,
    DefaultClassDefId,
    ClassDefId,
    ClassDefStyleOpts,
    Class,
    ClassEntityIds,
    StyleClass,
    Style,
    StyleIds,
    StyleOpts,
    Fork,
    Join,
    Choice,
    StateDescr,
    As,
    Id,
    CompositState,
    StructStart,
    StructStop,
    Note,
    LeftOf,
    RightOf,
    NoteText,
    Sd,
    HideEmpty,
    EdgeState,
    Descr,
    Arrow,
    Concurrent,
    StyleSep,
    Invalid,
    Eof,
}

/// A token: its kind, the text it covers and the value Mermaid keeps (`val`), as byte
/// ranges of the preprocessed text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub t: T,
    pub start: usize,
    pub end: usize,
    pub val: (usize, usize),
}

/// Why lexing stopped.
#[derive(Clone, Debug)]
pub(super) enum LexError {
    /// No rule matches at this offset ("Lexical error ... Unrecognized text").
    Unrecognized(usize),
    /// `state Two words {` ("State name must be a single word").
    StateNameWords(usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cond {
    Initial,
    Struct,
    State,
    StateString,
    StateId,
    Note,
    NoteId,
    NoteText,
    FloatingNote,
    FloatingNoteId,
    ClassDef,
    ClassDefId,
    Class,
    ClassStyle,
    Style,
    StyleDefStyles,
    Scale,
    AccTitle,
    AccDescr,
    AccDescrMultiline,
}

/// Positions the `.*X` rules need, so each is answered in logarithmic time.
struct Index {
    /// Offsets of characters `.` does not match.
    terminators: Vec<usize>,
    /// Offsets of `\n`.
    newlines: Vec<usize>,
    /// Starts of `direction\s+XX`, per direction.
    dirs: [Vec<usize>; 4],
    /// Starts of `<<fork>>`, `<<join>>`, `<<choice>>`, `[[fork]]`, `[[join]]`, `[[choice]]`.
    markers: [Vec<usize>; 6],
    braces: Vec<usize>,
    last_quote: Option<usize>,
}

const MARKERS: [(&str, T); 6] = [
    ("<<fork>>", T::Fork),
    ("<<join>>", T::Join),
    ("<<choice>>", T::Choice),
    ("[[fork]]", T::Fork),
    ("[[join]]", T::Join),
    ("[[choice]]", T::Choice),
];

const DIRS: [(&[u8; 2], Dir); 4] = [(b"tb", Dir::Tb), (b"bt", Dir::Bt), (b"rl", Dir::Rl), (b"lr", Dir::Lr)];

fn ci(b: &[u8], at: usize, word: &str) -> bool {
    b.get(at..at + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

impl Index {
    fn new(s: &str) -> Index {
        let b = s.as_bytes();
        let mut ix = Index {
            terminators: Vec::new(),
            newlines: Vec::new(),
            dirs: Default::default(),
            markers: Default::default(),
            braces: Vec::new(),
            last_quote: None,
        };
        for (i, c) in s.char_indices() {
            match c {
                '{' => ix.braces.push(i),
                '"' => ix.last_quote = Some(i),
                'd' | 'D' if ci(b, i, "direction") => {
                    let ws_end = space_end(s, i + 9);
                    if ws_end > i + 9 {
                        for (k, (code, _)) in DIRS.iter().enumerate() {
                            if b.get(ws_end..ws_end + 2).is_some_and(|w| w.eq_ignore_ascii_case(*code)) {
                                ix.dirs[k].push(i);
                            }
                        }
                    }
                }
                '<' | '[' => {
                    for (k, (m, _)) in MARKERS.iter().enumerate() {
                        if ci(b, i, m) {
                            ix.markers[k].push(i);
                        }
                    }
                }
                '\n' => {
                    ix.terminators.push(i);
                    ix.newlines.push(i);
                }
                _ if is_line_terminator(c) => ix.terminators.push(i),
                _ => {}
            }
        }
        ix
    }

    /// End of the `.`-line holding `p` (the first line terminator at or after `p`).
    fn seg_end(&self, p: usize, len: usize) -> usize {
        let i = self.terminators.partition_point(|&t| t < p);
        self.terminators.get(i).copied().unwrap_or(len)
    }
}

/// The last entry of a sorted list that is in `lo..hi`.
fn last_in(v: &[usize], lo: usize, hi: usize) -> Option<usize> {
    let i = v.partition_point(|&x| x < hi);
    i.checked_sub(1).and_then(|i| v.get(i)).copied().filter(|&x| x >= lo)
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// End of the `\s*` run from `i`.
fn space_end(s: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(s, i) {
        if !is_js_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// End of the `((?!\n)\s)*` run from `i`.
fn space_end_no_nl(s: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(s, i) {
        if c == '\n' || !is_js_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// End of the run of characters from `i` for which `keep` holds.
fn run_end(s: &str, mut i: usize, keep: impl Fn(char) -> bool) -> usize {
    while let Some(c) = char_at(s, i) {
        if !keep(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

fn word_end(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_word_byte(c)) {
        i += 1;
    }
    i
}

fn is_word_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(|&c| is_word_byte(c))
}

/// `\b` at `i`.
fn boundary(b: &[u8], i: usize) -> bool {
    let before = i > 0 && is_word_at(b, i - 1);
    before != is_word_at(b, i)
}

/// Rule outcome: a token, a skipped match, or no rule matched.
enum Step {
    Tok(T, usize, (usize, usize)),
    Skip(usize),
    None,
    Throw(LexError),
}

pub(super) struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    stack: Vec<Cond>,
    done: bool,
    ix: Index,
}

/// Lexes the whole text: the tokens up to the end (`Eof` last) or up to a lexical error.
pub(super) fn lex(s: &str) -> (Vec<Tok>, Option<LexError>) {
    let mut lx = Lexer {
        s,
        b: s.as_bytes(),
        pos: 0,
        stack: vec![Cond::Initial],
        done: false,
        ix: Index::new(s),
    };
    let mut toks = Vec::new();
    let mut empty_steps = 0;
    loop {
        let eof = Tok {
            t: T::Eof,
            start: s.len(),
            end: s.len(),
            val: (s.len(), s.len()),
        };
        if lx.done {
            toks.push(eof);
            return (toks, None);
        }
        let at_end = lx.pos >= s.len();
        if at_end {
            lx.done = true;
        }
        let start = lx.pos;
        match lx.step() {
            Step::Tok(t, end, val) => {
                lx.pos = end.max(start);
                toks.push(Tok {
                    t,
                    start,
                    end: lx.pos,
                    val,
                });
            }
            Step::Skip(end) => lx.pos = end.max(start),
            Step::None if at_end => {
                toks.push(eof);
                return (toks, None);
            }
            Step::None => return (toks, Some(LexError::Unrecognized(start))),
            Step::Throw(e) => return (toks, Some(e)),
        }
        // Empty matches only happen where the rule leaves its condition; this guard keeps
        // a mistake here from looping forever.
        empty_steps = if lx.pos == start { empty_steps + 1 } else { 0 };
        if empty_steps > 64 {
            return (toks, Some(LexError::Unrecognized(start)));
        }
    }
}

impl Lexer<'_> {
    /// The bytes not lexed yet.
    fn rest(&self) -> &[u8] {
        self.b.get(self.pos..).unwrap_or(&[])
    }

    fn top(&self) -> Cond {
        self.stack.last().copied().unwrap_or(Cond::Initial)
    }

    fn push(&mut self, c: Cond) {
        self.stack.push(c);
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// `popState(); pushState(c)`.
    fn swap(&mut self, c: Cond) {
        self.pop();
        self.push(c);
    }

    fn starts(&self, word: &str) -> bool {
        ci(self.b, self.pos, word)
    }

    /// `word\s+`: the end, if there is white space after the keyword.
    fn kw_space(&self, word: &str) -> Option<usize> {
        if !self.starts(word) {
            return None;
        }
        let e = space_end(self.s, self.pos + word.len());
        (e > self.pos + word.len()).then_some(e)
    }

    /// `word\b`.
    fn kw_boundary(&self, word: &str) -> Option<usize> {
        let e = self.pos + word.len();
        (self.starts(word) && boundary(self.b, e)).then_some(e)
    }

    /// Mermaid's `processId`: an id running into `%%` stops there; one starting with it
    /// is dropped (the text is consumed, no token).
    fn process_id(&self, start: usize, end: usize) -> Option<usize> {
        let text = self.s.get(start..end).unwrap_or("");
        match text.find("%%") {
            Some(0) => None,
            Some(i) => Some(start + i),
            None => Some(end),
        }
    }

    fn tok(&self, t: T, end: usize) -> Step {
        Step::Tok(t, end, (self.pos, end))
    }

    /// `.*direction\s+XX[^\n]*`, as rules 4-7 (and 43-46) match it.
    fn direction(&self) -> Option<Step> {
        let seg = self.ix.seg_end(self.pos, self.s.len());
        for (k, (_, dir)) in DIRS.iter().enumerate() {
            if let Some(q) = last_in(&self.ix.dirs[k], self.pos, seg) {
                // `[^\n]*` runs to the next `\n` after the direction (the white space
                // before `XX` may itself hold new lines).
                let after = space_end(self.s, q + 9) + 2;
                let i = self.ix.newlines.partition_point(|&n| n < after);
                let end = self.ix.newlines.get(i).copied().unwrap_or(self.s.len());
                return Some(Step::Tok(T::Dir(*dir), end, (q, end)));
            }
        }
        None
    }

    fn skip_common(&self) -> Option<Step> {
        // ((?!\n)\s)+, #[^\n]*, %%(?!\{)[^\n]*
        let e = space_end_no_nl(self.s, self.pos);
        if e > self.pos {
            return Some(Step::Skip(e));
        }
        let line_end = |from: usize| {
            self.b
                .get(from..)
                .and_then(|r| r.iter().position(|&c| c == b'\n'))
                .map_or(self.b.len(), |p| from + p)
        };
        if self.b.get(self.pos) == Some(&b'#') {
            return Some(Step::Skip(line_end(self.pos)));
        }
        if self.starts("%%") && self.b.get(self.pos + 2) != Some(&b'{') {
            return Some(Step::Skip(line_end(self.pos)));
        }
        None
    }

    fn step(&mut self) -> Step {
        match self.top() {
            Cond::Initial => self.initial(),
            Cond::Struct => self.structure(),
            Cond::State => self.state(),
            Cond::StateString => {
                if self.b.get(self.pos) == Some(&b'"') {
                    self.pop();
                    return Step::Skip(self.pos + 1);
                }
                let e = self
                    .rest()
                    .iter()
                    .position(|&c| c == b'"')
                    .map_or(self.b.len(), |p| self.pos + p);
                self.tok(T::StateDescr, e)
            }
            Cond::StateId => {
                let e = run_end(self.s, self.pos, |c| c != '\n' && c != '{');
                match self.process_id(self.pos, e) {
                    None => Step::Skip(e),
                    Some(e) => {
                        self.pop();
                        self.tok(T::Id, e)
                    }
                }
            }
            Cond::Note => {
                if let Some(e) = self.kw_boundary("left of") {
                    self.swap(Cond::NoteId);
                    return self.tok(T::LeftOf, e);
                }
                if let Some(e) = self.kw_boundary("right of") {
                    self.swap(Cond::NoteId);
                    return self.tok(T::RightOf, e);
                }
                if self.b.get(self.pos) == Some(&b'"') {
                    self.swap(Cond::FloatingNote);
                    return Step::Skip(self.pos + 1);
                }
                Step::None
            }
            Cond::NoteId => {
                let a = space_end(self.s, self.pos);
                let e = run_end(self.s, a, |c| c != ':' && c != '-' && !is_js_space(c));
                if e == a {
                    return Step::None;
                }
                match self.process_id(self.pos, e) {
                    None => Step::Skip(e),
                    Some(e) => {
                        self.swap(Cond::NoteText);
                        Step::Tok(T::Id, e, (a.min(e), e))
                    }
                }
            }
            Cond::NoteText => self.note_text(),
            Cond::FloatingNote => {
                let a = space_end(self.s, self.pos);
                if ci(self.b, a, "as") {
                    self.swap(Cond::FloatingNoteId);
                    return self.tok(T::As, space_end(self.s, a + 2));
                }
                if self.b.get(self.pos) == Some(&b'"') {
                    return Step::Skip(self.pos + 1);
                }
                let e = self
                    .rest()
                    .iter()
                    .position(|&c| c == b'"')
                    .map_or(self.b.len(), |p| self.pos + p);
                self.tok(T::NoteText, e)
            }
            Cond::FloatingNoteId => {
                let e = self
                    .rest()
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(self.b.len(), |p| self.pos + p);
                match self.process_id(self.pos, e) {
                    None => Step::Skip(e),
                    Some(e) => {
                        self.pop();
                        self.tok(T::Id, e)
                    }
                }
            }
            Cond::ClassDef => {
                if let Some(e) = self.kw_space("default") {
                    self.swap(Cond::ClassDefId);
                    return self.tok(T::DefaultClassDefId, e);
                }
                let w = word_end(self.b, self.pos);
                let e = space_end(self.s, w);
                if w > self.pos && e > w {
                    self.swap(Cond::ClassDefId);
                    return Step::Tok(T::ClassDefId, e, (self.pos, w));
                }
                Step::None
            }
            Cond::ClassDefId => self.rest_of_line(T::ClassDefStyleOpts),
            Cond::Class => {
                // (\w+)+((,\s*\w+)*)
                let mut e = word_end(self.b, self.pos);
                if e == self.pos {
                    return Step::None;
                }
                while self.b.get(e) == Some(&b',') {
                    let a = space_end(self.s, e + 1);
                    let w = word_end(self.b, a);
                    if w == a {
                        break;
                    }
                    e = w;
                }
                self.swap(Cond::ClassStyle);
                self.tok(T::ClassEntityIds, e)
            }
            Cond::ClassStyle => self.rest_of_line(T::StyleClass),
            Cond::Style => {
                let w = self.pos
                    + self
                        .rest()
                        .iter()
                        .take_while(|&&c| is_word_byte(c) || c == b',')
                        .count();
                let e = space_end(self.s, w);
                if w > self.pos && e > w {
                    self.swap(Cond::StyleDefStyles);
                    return Step::Tok(T::StyleIds, e, (self.pos, w));
                }
                Step::None
            }
            Cond::StyleDefStyles => self.rest_of_line(T::StyleOpts),
            Cond::Scale => {
                let d = self.pos + self.rest().iter().take_while(|c| c.is_ascii_digit()).count();
                if d > self.pos {
                    return self.tok(T::Width, d);
                }
                let a = space_end(self.s, self.pos);
                if a > self.pos && ci(self.b, a, "width") && boundary(self.b, a + 5) {
                    self.pop();
                    return Step::Skip(a + 5);
                }
                Step::None
            }
            Cond::AccTitle => self.rest_of_line(T::AccTitleValue),
            Cond::AccDescr => self.rest_of_line(T::AccDescrValue),
            Cond::AccDescrMultiline => {
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pop();
                    return Step::Skip(self.pos + 1);
                }
                let e = self
                    .rest()
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(self.b.len(), |p| self.pos + p);
                self.tok(T::AccDescrMulti, e)
            }
        }
    }

    /// `[^\n]*` then leave the condition.
    fn rest_of_line(&mut self, t: T) -> Step {
        let e = self
            .rest()
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |p| self.pos + p);
        self.pop();
        self.tok(t, e)
    }

    fn note_text(&mut self) -> Step {
        // \s*:[^:\n;]+
        let a = space_end(self.s, self.pos);
        if self.b.get(a) == Some(&b':') {
            let e = run_end(self.s, a + 1, |c| !matches!(c, ':' | '\n' | ';'));
            if e > a + 1 {
                self.pop();
                return Step::Tok(T::NoteText, e, (a + 1, e));
            }
        }
        // [\s\S]*?\n\s*end note\b
        let mut from = self.pos;
        while let Some(p) = self.b.get(from..).and_then(|r| r.iter().position(|&c| c == b'\n')) {
            let nl = from + p;
            let w = space_end(self.s, nl + 1);
            if ci(self.b, w, "end note") && boundary(self.b, w + 8) {
                self.pop();
                return Step::Tok(T::NoteText, w + 8, (self.pos, nl));
            }
            from = nl + 1;
        }
        Step::None
    }

    fn id_rule(&mut self) -> Step {
        // [^:\n\s\-\{]+ through processId
        let e = run_end(self.s, self.pos, |c| {
            !matches!(c, ':' | '\n' | '-' | '{') && !is_js_space(c)
        });
        if e == self.pos {
            return Step::None;
        }
        match self.process_id(self.pos, e) {
            None => Step::Skip(e),
            Some(e) => self.tok(T::Id, e),
        }
    }

    fn descr_rule(&self) -> Option<Step> {
        // \s*:(?:[^:\n;]|:[^:\n;])+
        let a = space_end(self.s, self.pos);
        if self.b.get(a) != Some(&b':') {
            return None;
        }
        let plain = |c: char| !matches!(c, ':' | '\n' | ';');
        let mut e = a + 1;
        loop {
            match char_at(self.s, e) {
                Some(c) if plain(c) => e += c.len_utf8(),
                Some(':') => match char_at(self.s, e + 1) {
                    Some(c) if plain(c) => e += 1 + c.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        (e > a + 1).then_some(Step::Tok(T::Descr, e, (a + 1, e)))
    }

    /// Rules shared by the top level and composite states, from `classDef` on.
    fn statement_keywords(&mut self) -> Option<Step> {
        if let Some(e) = self.kw_space("classDef") {
            self.push(Cond::ClassDef);
            return Some(self.tok(T::ClassDef, e));
        }
        if let Some(e) = self.kw_space("class") {
            self.push(Cond::Class);
            return Some(self.tok(T::Class, e));
        }
        if let Some(e) = self.kw_space("style") {
            self.push(Cond::Style);
            return Some(self.tok(T::Style, e));
        }
        None
    }

    fn initial(&mut self) -> Step {
        if let Some(e) = self.kw_boundary("click") {
            return self.tok(T::Click, e);
        }
        if let Some(e) = self.kw_boundary("href") {
            return self.tok(T::Href, e);
        }
        if self.b.get(self.pos) == Some(&b'"') && self.ix.last_quote.is_some_and(|q| q > self.pos) {
            let e = self
                .rest()
                .get(1..)
                .unwrap_or(&[])
                .iter()
                .position(|&c| c == b'"')
                .map_or(self.b.len(), |p| self.pos + 2 + p);
            return Step::Tok(T::Str, e, (self.pos + 1, e.saturating_sub(1)));
        }
        if let Some(e) = self.kw_boundary("default") {
            return self.tok(T::Default, e);
        }
        if let Some(step) = self.direction() {
            return step;
        }
        if self.b.get(self.pos) == Some(&b'\n') {
            let e = self.pos + self.rest().iter().take_while(|&&c| c == b'\n').count();
            return self.tok(T::Nl, e);
        }
        let e = space_end(self.s, self.pos);
        if e > self.pos {
            return Step::Skip(e);
        }
        if let Some(step) = self.skip_common() {
            return step;
        }
        if let Some(e) = self.kw_space("scale") {
            self.push(Cond::Scale);
            return self.tok(T::Scale, e);
        }
        for (word, cond, t) in [
            ("accTitle", Cond::AccTitle, T::AccTitle),
            ("accDescr", Cond::AccDescr, T::AccDescr),
        ] {
            if self.starts(word) {
                let a = space_end(self.s, self.pos + word.len());
                if self.b.get(a) == Some(&b':') {
                    self.push(cond);
                    return self.tok(t, space_end(self.s, a + 1));
                }
            }
        }
        if self.starts("accDescr") {
            let a = space_end(self.s, self.pos + 8);
            if self.b.get(a) == Some(&b'{') {
                self.push(Cond::AccDescrMultiline);
                return Step::Skip(space_end(self.s, a + 1));
            }
        }
        if let Some(step) = self.statement_keywords() {
            return step;
        }
        if let Some(e) = self.kw_space("state") {
            self.push(Cond::State);
            return Step::Skip(e);
        }
        if self.b.get(self.pos) == Some(&b'{') {
            self.swap(Cond::Struct);
            return self.tok(T::StructStart, self.pos + 1);
        }
        if let Some(e) = self.kw_space("note") {
            self.push(Cond::Note);
            return self.tok(T::Note, e);
        }
        if let Some(e) = self
            .kw_space("stateDiagram")
            .or_else(|| self.kw_space("stateDiagram-v2"))
        {
            return self.tok(T::Sd, e);
        }
        if let Some(e) = self.kw_boundary("hide empty description") {
            return self.tok(T::HideEmpty, e);
        }
        if let Some(step) = self.shared_tail(false) {
            return step;
        }
        if self.pos >= self.s.len() {
            return self.tok(T::Nl, self.pos);
        }
        let c = char_at(self.s, self.pos).map_or(1, char::len_utf8);
        self.tok(T::Invalid, self.pos + c)
    }

    /// `[*]`, ids, descriptions, `-->`, (`--` inside composites) and `:::`.
    fn shared_tail(&mut self, in_struct: bool) -> Option<Step> {
        if self.starts("[*]") {
            return Some(self.tok(T::EdgeState, self.pos + 3));
        }
        if let s @ (Step::Tok(..) | Step::Skip(_)) = self.id_rule() {
            return Some(s);
        }
        if let Some(step) = self.descr_rule() {
            return Some(step);
        }
        if self.starts("-->") {
            return Some(self.tok(T::Arrow, self.pos + 3));
        }
        if in_struct && self.starts("--") {
            return Some(self.tok(T::Concurrent, self.pos + 2));
        }
        if self.starts(":::") {
            return Some(self.tok(T::StyleSep, self.pos + 3));
        }
        None
    }

    fn structure(&mut self) -> Step {
        if let Some(step) = self.skip_common() {
            return step;
        }
        if let Some(step) = self.statement_keywords() {
            return step;
        }
        if let Some(e) = self.kw_space("state") {
            self.push(Cond::State);
            return Step::Skip(e);
        }
        if let Some(step) = self.direction() {
            return step;
        }
        match self.b.get(self.pos) {
            Some(b'}') => {
                self.pop();
                return self.tok(T::StructStop, self.pos + 1);
            }
            Some(b'\n') => return Step::Skip(self.pos + 1),
            _ => {}
        }
        if let Some(e) = self.kw_space("note") {
            self.push(Cond::Note);
            return self.tok(T::Note, e);
        }
        self.shared_tail(true).unwrap_or(Step::None)
    }

    fn state(&mut self) -> Step {
        if let Some(step) = self.skip_common() {
            return step;
        }
        let seg = self.ix.seg_end(self.pos, self.s.len());
        for (k, (m, t)) in MARKERS.iter().enumerate() {
            if let Some(q) = last_in(&self.ix.markers[k], self.pos, seg) {
                self.pop();
                let name = self.s.get(self.pos..q).map(js_trim).unwrap_or("");
                let a = self
                    .s
                    .get(self.pos..q)
                    .and_then(|r| r.find(name))
                    .map_or(self.pos, |i| self.pos + i);
                return Step::Tok(*t, q + m.len(), (a, a + name.len()));
            }
        }
        if let Some(step) = self.direction() {
            return step;
        }
        if self.b.get(self.pos) == Some(&b'"') {
            self.push(Cond::StateString);
            return Step::Skip(self.pos + 1);
        }
        let a = space_end(self.s, self.pos);
        if ci(self.b, a, "as") {
            let e = space_end(self.s, a + 2);
            if e > a + 2 {
                self.push(Cond::StateId);
                return self.tok(T::As, e);
            }
        }
        // \w+\s+\w+.*?\{ : Mermaid throws "State name must be a single word".
        let w = word_end(self.b, self.pos);
        if w > self.pos {
            let r = space_end(self.s, w);
            if r > w && is_word_at(self.b, r) {
                let seg = self.ix.seg_end(r, self.s.len());
                let i = self.ix.braces.partition_point(|&x| x <= r);
                if self.ix.braces.get(i).is_some_and(|&x| x < seg) {
                    return Step::Throw(LexError::StateNameWords(self.pos, word_end(self.b, r)));
                }
            }
        }
        let e = run_end(self.s, self.pos, |c| c != '{' && !is_js_space(c));
        if e > self.pos {
            return self.tok(T::CompositState, e);
        }
        match self.b.get(self.pos) {
            Some(b'\n') => {
                self.pop();
                Step::Skip(self.pos + 1)
            }
            Some(b'{') => {
                self.swap(Cond::Struct);
                self.tok(T::StructStart, self.pos + 1)
            }
            _ => Step::None,
        }
    }
}
