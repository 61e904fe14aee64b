//! Sequence diagrams (`sequenceDiagram`): participants and actors, messages with their
//! arrow kinds, activations, notes, boxes and the `loop`/`alt`/`opt`/`par`/`critical`/
//! `break`/`rect` blocks. Rejects what Mermaid's own parser rejects.
//!
//! Mermaid's sequence grammar is a jison lexer (first matching rule wins, with lexer
//! states) under an LALR grammar, run on text that Mermaid first rewrites (line endings,
//! front matter, `%%{...}%%` directives, comment lines, `#name;` entities). Much of what
//! it accepts or rejects comes from that lexer rather than from the grammar (a message
//! text ends at `#` or `;`, a name may contain spaces, a line ending in blanks after
//! `autonumber` loses its new line), so this file models the three layers in turn:
//! [`preprocess`], [`Lexer`] (one function per lexer state, rules in Mermaid's order) and
//! [`Parser`] (the grammar, with an explicit stack of open blocks), and then the checks
//! Mermaid's database makes while it applies the parsed statements (deactivating an
//! inactive participant, `create`/`destroy` without their message, one participant in
//! two boxes).

use super::MermaidError;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

/// A parsed sequence diagram. Indices in messages, notes and boxes point into
/// `participants`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SequenceDiagram {
    /// Participants in order of first mention (declared or used in a message or note).
    pub participants: Vec<Participant>,
    /// Messages in source order.
    pub messages: Vec<Message>,
    /// Notes in source order.
    pub notes: Vec<Note>,
    /// `loop`/`alt`/... blocks in the order they open.
    pub blocks: Vec<Block>,
    /// `box ... end` groups of participants.
    pub boxes: Vec<ParticipantBox>,
    /// `title ...` (or `title: ...`), when given.
    pub title: Option<String>,
    /// Whether an `autonumber` statement (other than `autonumber off`) appears.
    pub autonumber: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Participant {
    pub id: String,
    /// The alias shown instead of the id (`participant A as Alice`), else the id.
    pub label: String,
    /// `actor` rather than `participant` (or another `@{ "type": ... }`).
    pub actor: bool,
    /// How it is drawn: `participant`, `actor`, or the `type` of an `@{ ... }` config
    /// (`database`, `queue`, ...).
    pub shape: String,
    /// Introduced with `create`.
    pub created: bool,
    /// Named in a `destroy` statement.
    pub destroyed: bool,
    /// Where the participant is first named.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Message {
    /// Indices into `participants`.
    pub from: usize,
    pub to: usize,
    /// The arrow as written (`->>`, `-->>`, `-x`, `-)`, `<<->>`, `-|\`, ...).
    pub arrow: String,
    /// `+` (activates the receiver), `-` (deactivates the sender), or `None`.
    pub activation: Option<char>,
    /// `()` written at the sender's end (`A()->>B`) and at the receiver's end (`A->>()B`).
    pub central: (bool, bool),
    pub text: String,
    pub range: Range<usize>,
}

/// Where a note sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotePlacement {
    LeftOf,
    RightOf,
    Over,
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub placement: NotePlacement,
    /// One participant, or two for `over A,B`.
    pub participants: Vec<usize>,
    pub text: String,
    pub range: Range<usize>,
}

/// The kinds of block that open with a keyword and close with `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    Loop,
    Rect,
    Opt,
    Alt,
    Par,
    ParOver,
    Critical,
    Break,
}

impl BlockKind {
    fn keyword(self) -> &'static str {
        match self {
            BlockKind::Loop => "loop",
            BlockKind::Rect => "rect",
            BlockKind::Opt => "opt",
            BlockKind::Alt => "alt",
            BlockKind::Par => "par",
            BlockKind::ParOver => "par_over",
            BlockKind::Critical => "critical",
            BlockKind::Break => "break",
        }
    }

    /// The keyword that starts another section of this block (`else` in `alt`, ...).
    fn section_keyword(self) -> Option<&'static str> {
        match self {
            BlockKind::Alt => Some("else"),
            BlockKind::Par | BlockKind::ParOver => Some("and"),
            BlockKind::Critical => Some("option"),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    /// The text after the keyword (a condition, a colour for `rect`).
    pub label: String,
    /// Labels of the further sections (`else ...`, `and ...`, `option ...`).
    pub sections: Vec<String>,
    /// Blocks this one is nested in.
    pub depth: usize,
    /// From the keyword to the end of its `end` (to the keyword alone if never closed).
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParticipantBox {
    /// The text after `box` (colour and title as written).
    pub label: String,
    pub participants: Vec<usize>,
    pub range: Range<usize>,
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> SequenceDiagram {
    let pre = preprocess(src);
    let mut parser = Parser::new(src, &pre);
    parser.run();
    let Parser {
        model,
        syntax,
        semantic,
        ..
    } = parser;
    // Mermaid applies the statements only once the whole text has parsed, so a
    // database error is only reported for a diagram without a syntax error.
    if let Some(e) = syntax.or(semantic) {
        errors.push(e);
    }
    model
}

// ---------------------------------------------------------------------------------------
// Preprocessing: what `mermaid.parse` does to the text before the sequence lexer sees it.

/// Text as the lexer sees it, with the source offset of every byte (for error ranges).
struct Pre {
    text: String,
    origin: Vec<usize>,
    src_len: usize,
}

impl Pre {
    /// Source offset of a text offset (the end of the text maps to the end of the source).
    fn at(&self, i: usize) -> usize {
        self.origin.get(i).copied().unwrap_or(self.src_len)
    }

    /// Source range of a text range (never empty when the text range is not).
    fn range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.at(r.start);
        let end = if r.end > r.start {
            self.at(r.end - 1).saturating_add(1).min(self.src_len)
        } else {
            start
        };
        start..end.max(start)
    }

    /// Applies edits (sorted, disjoint ranges of `text` and their replacements); the
    /// bytes of a replacement take the source offset of the start of what they replace.
    fn edit(self, edits: &[(Range<usize>, &str)]) -> Pre {
        if edits.is_empty() {
            return self;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut origin = Vec::with_capacity(self.text.len());
        let mut last = 0;
        for (r, with) in edits {
            if r.start < last || r.end > self.text.len() {
                continue;
            }
            if let Some(keep) = self.text.get(last..r.start) {
                text.push_str(keep);
                origin.extend_from_slice(self.origin.get(last..r.start).unwrap_or(&[]));
            }
            let o = self.at(r.start);
            text.push_str(with);
            origin.extend(std::iter::repeat_n(o, with.len()));
            last = r.end;
        }
        if let Some(keep) = self.text.get(last..) {
            text.push_str(keep);
            origin.extend_from_slice(self.origin.get(last..).unwrap_or(&[]));
        }
        Pre {
            text,
            origin,
            src_len: self.src_len,
        }
    }
}

/// JavaScript's `\s` (and what `trim` removes).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// JavaScript's `\w` (ASCII only without the `u` flag).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// End of the run of JavaScript whitespace starting at `i`.
fn skip_space(s: &str, i: usize) -> usize {
    let rest = s.get(i..).unwrap_or("");
    i + rest.find(|c: char| !is_js_space(c)).unwrap_or(rest.len())
}

/// End of the run of bytes from `i` that satisfy `keep`.
fn run_bytes(b: &[u8], i: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut j = i;
    while j < b.len() && keep(b[j]) {
        j += 1;
    }
    j
}

fn preprocess(src: &str) -> Pre {
    let pre = Pre {
        text: src.to_string(),
        origin: (0..src.len()).collect(),
        src_len: src.len(),
    };
    // `cleanupText`: `\r\n` and lone `\r` become `\n`.
    let mut edits = Vec::new();
    let b = src.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'\r' {
            edits.push((i..i + 1, if b.get(i + 1) == Some(&b'\n') { "" } else { "\n" }));
        }
    }
    let mut pre = pre.edit(&edits);
    // `mermaid.parse` runs `preprocessDiagram` and then `getDiagramFromText` runs it
    // again: a directive that only appears once another is removed goes too.
    for _ in 0..2 {
        pre = strip_front_matter(pre);
        pre = remove_directives(pre);
        pre = cleanup_comments(pre);
    }
    let pre = drop_style_semicolons(pre, "style");
    let pre = drop_style_semicolons(pre, "classDef");
    let pre = encode_entities(pre);
    // `Diagram.fromText` appends a new line.
    let mut pre = pre;
    pre.text.push('\n');
    pre.origin.push(pre.src_len);
    pre
}

/// Mermaid's front matter: `---` (after blanks) on the first line, up to a line with the
/// same indentation and `---`, and the blank lines after it.
fn strip_front_matter(pre: Pre) -> Pre {
    let t = &pre.text;
    let b = t.as_bytes();
    let indent = run_bytes(b, 0, |c| c == b' ' || c == b'\t');
    if !t[indent..].starts_with("---") {
        return pre;
    }
    // `-{3}\s*[\n\r]`: blanks, then a new line (any of those in the blank run).
    let after = indent + 3;
    let ws = skip_space(t, after);
    let Some(first_nl) = t[after..ws].find('\n').map(|k| after + k) else {
        return pre;
    };
    let indent_str = &t[..indent];
    // `(.*?)[\n\r]\1-{3}\s*[\n\r]+`: the first closing line that works.
    let mut search = first_nl + 1;
    while let Some(k) = t.get(search..).and_then(|r| r.find('\n')).map(|k| search + k) {
        let close = k + 1;
        if t[close..].starts_with(indent_str) && t[close + indent..].starts_with("---") {
            let after = close + indent + 3;
            let ws = skip_space(t, after);
            if let Some(last_nl) = t[after..ws].rfind('\n') {
                let end = after + last_nl + 1;
                return pre.edit(&[(0..end, "")]);
            }
        }
        search = k + 1;
    }
    pre
}

/// `%%{ ... }%%` directives, removed wherever they are (an unclosed one runs to the end).
fn remove_directives(pre: Pre) -> Pre {
    let t = &pre.text;
    let b = t.as_bytes();
    let mut edits = Vec::new();
    let mut i = 0;
    while let Some(k) = t.get(i..).and_then(|r| r.find("%%{")) {
        let start = i + k;
        let mut p = skip_space(t, start + 3);
        let w = run_bytes(b, p, is_word_byte);
        if w == p {
            i = start + 1;
            continue;
        }
        let after_ws = skip_space(t, w);
        p = if b.get(after_ws) == Some(&b':') {
            after_ws + 1
        } else {
            w
        };
        p = skip_space(t, p);
        if b.get(p).is_some_and(|&c| is_word_byte(c)) {
            p = run_bytes(b, p, is_word_byte);
        } else {
            // `((?!}%%).|\r?\n)*`: anything but `}%%` (and the rarer line separators).
            let rest = &t[p..];
            let mut end = rest.len();
            for (j, c) in rest.char_indices() {
                if rest[j..].starts_with("}%%") || matches!(c, '\r' | '\u{2028}' | '\u{2029}') {
                    end = j;
                    break;
                }
            }
            p += end;
        }
        p = skip_space(t, p);
        if t[p..].starts_with("}%%") {
            p += 3;
        }
        edits.push((start..p, ""));
        i = p.max(start + 1);
    }
    pre.edit(&edits)
}

/// `cleanupComments`: lines holding only a `%%` comment go (with blank lines before
/// them), then leading whitespace.
fn cleanup_comments(pre: Pre) -> Pre {
    let t = &pre.text;
    let b = t.as_bytes();
    let mut edits = Vec::new();
    let mut line_start = 0;
    let mut ws_cache = (usize::MAX, 0); // (position, end of whitespace from there)
    while line_start <= t.len() {
        let w = if ws_cache.0 <= line_start && line_start <= ws_cache.1 {
            ws_cache.1
        } else {
            let w = skip_space(t, line_start);
            ws_cache = (line_start, w);
            w
        };
        let mut next = None;
        if t[w..].starts_with("%%") && b.get(w + 2) != Some(&b'{') {
            let eol = t[w + 2..].find('\n').map_or(t.len(), |k| w + 2 + k);
            if eol > w + 2 {
                let end = if eol < t.len() { eol + 1 } else { eol };
                edits.push((line_start..end, ""));
                next = Some(end);
            }
        }
        line_start = match next {
            Some(end) if end < t.len() => end,
            Some(_) => break,
            None => match t[line_start..].find('\n') {
                Some(k) => line_start + k + 1,
                None => break,
            },
        };
        if line_start == t.len() {
            break;
        }
    }
    let pre = pre.edit(&edits);
    let lead = skip_space(&pre.text, 0);
    pre.edit(&[(0..lead, "")])
}

/// `encodeEntities` first drops the last `;` of a line matching `style.*:\S*#.*;` (and
/// the same with `classDef`).
fn drop_style_semicolons(pre: Pre, word: &str) -> Pre {
    let t = &pre.text;
    let mut edits = Vec::new();
    let mut line_start = 0;
    for line in t.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if let Some(s) = body.find(word) {
            let from = s + word.len();
            // `:\S*#`: a colon, then a `#` before any whitespace (one pass: a colon
            // counts until the next whitespace).
            let mut hash = None;
            let mut colon = false;
            for (i, c) in body[from..].char_indices() {
                match c {
                    ':' => colon = true,
                    '#' if colon => {
                        hash = Some(from + i);
                        break;
                    }
                    c if is_js_space(c) => colon = false,
                    _ => {}
                }
            }
            if let (Some(h), Some(semi)) = (hash, body.rfind(';'))
                && semi > h
            {
                edits.push((line_start + semi..line_start + semi + 1, ""));
            }
        }
        line_start += line.len();
    }
    pre.edit(&edits)
}

/// `#name;` and `#123;` become entity placeholders: neither the `#` (a comment) nor the
/// `;` (a statement break) is seen by the lexer.
fn encode_entities(pre: Pre) -> Pre {
    let t = &pre.text;
    let b = t.as_bytes();
    let mut edits = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' {
            let w = run_bytes(b, i + 1, is_word_byte);
            if w > i + 1 && b.get(w) == Some(&b';') {
                edits.push((i..i + 1, "\u{1}"));
                edits.push((w..w + 1, "\u{2}"));
                i = w + 1;
                continue;
            }
        }
        i += 1;
    }
    pre.edit(&edits)
}

// ---------------------------------------------------------------------------------------
// Lexer: Mermaid's jison lexer, state by state.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Newline,
    Invalid,
    Sd,
    Create,
    Box,
    RestOfLine,
    End,
    Autonumber,
    Num,
    Off,
    Activate,
    Deactivate,
    Title,
    LegacyTitle,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMultiline,
    Block(BlockKind),
    Else,
    And,
    OptionKw,
    Participant,
    ActorKw,
    Destroy,
    As,
    Note,
    Over,
    LeftOf,
    RightOf,
    Links,
    Link,
    Properties,
    Details,
    Comma,
    Plus,
    Minus,
    Central,
    Actor,
    ConfigStart,
    ConfigContent,
    ConfigEnd,
    Arrow,
    Txt,
    /// No lexer rule matches (Mermaid: "Lexical error").
    LexError,
    Eof,
}

impl Tok {
    fn describe(self) -> &'static str {
        match self {
            Tok::Newline => "end of line",
            Tok::Invalid => "an unexpected character",
            Tok::Sd => "`sequenceDiagram`",
            Tok::Create => "`create`",
            Tok::Box => "`box`",
            Tok::RestOfLine => "text",
            Tok::End => "`end`",
            Tok::Autonumber => "`autonumber`",
            Tok::Num => "a number",
            Tok::Off => "`off`",
            Tok::Activate => "`activate`",
            Tok::Deactivate => "`deactivate`",
            Tok::Title => "a title",
            Tok::LegacyTitle => "a title",
            Tok::AccTitle => "`accTitle`",
            Tok::AccTitleValue => "text",
            Tok::AccDescr => "`accDescr`",
            Tok::AccDescrValue => "text",
            Tok::AccDescrMultiline => "`accDescr { ... }`",
            Tok::Block(BlockKind::Loop) => "`loop`",
            Tok::Block(BlockKind::Rect) => "`rect`",
            Tok::Block(BlockKind::Opt) => "`opt`",
            Tok::Block(BlockKind::Alt) => "`alt`",
            Tok::Block(BlockKind::Par) => "`par`",
            Tok::Block(BlockKind::ParOver) => "`par_over`",
            Tok::Block(BlockKind::Critical) => "`critical`",
            Tok::Block(BlockKind::Break) => "`break`",
            Tok::Else => "`else`",
            Tok::And => "`and`",
            Tok::OptionKw => "`option`",
            Tok::Participant => "`participant`",
            Tok::ActorKw => "`actor`",
            Tok::Destroy => "`destroy`",
            Tok::As => "`as`",
            Tok::Note => "`note`",
            Tok::Over => "`over`",
            Tok::LeftOf => "`left of`",
            Tok::RightOf => "`right of`",
            Tok::Links => "`links`",
            Tok::Link => "`link`",
            Tok::Properties => "`properties`",
            Tok::Details => "`details`",
            Tok::Comma => "`,`",
            Tok::Plus => "`+`",
            Tok::Minus => "`-`",
            Tok::Central => "`()`",
            Tok::Actor => "a participant name",
            Tok::ConfigStart => "`@{`",
            Tok::ConfigContent => "participant configuration",
            Tok::ConfigEnd => "`}`",
            Tok::Arrow => "an arrow",
            Tok::Txt => "`:` and a text",
            Tok::LexError => "a character no rule accepts",
            Tok::Eof => "the end of the diagram",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    /// Range in the preprocessed text; names are trimmed.
    span: (usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial,
    Id,
    Alias,
    Line,
    Config,
    AccTitle,
    AccDescr,
    AccDescrMultiline,
}

/// The arrows, as error messages list them.
const ARROW_LIST: &str = "->>, -->>, ->, -->, -x, --x, -), --), <<->>, <<-->>, and the half arrows -|\\, -|/, -\\\\, -//, /|-, \\|-, //-, \\\\- (dotted with --)";

/// Every arrow, longest first where one is a prefix of another (Mermaid's rule order).
const ARROWS: &[&str] = &[
    "->>", "<<->>", "-->>", "<<-->>", "->", "-->", "-x", "--x", "-)", "--)", "--|\\", "--|/", "--\\\\", "--//", "/|--",
    "\\|--", "//--", "\\\\--", "-|\\", "-|/", "-\\\\", "-//", "/|-", "\\|-", "//-", "\\\\-",
];

/// What an arrow rule matches at the start of `rest` (`x` in any case).
fn arrow_at(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    ARROWS.iter().find_map(|a| {
        let a = a.as_bytes();
        let ok = b.len() >= a.len()
            && a.iter().zip(b).all(|(&p, &c)| {
                if p == b'x' {
                    c.eq_ignore_ascii_case(&b'x')
                } else {
                    p == c
                }
            });
        ok.then_some(a.len())
    })
}

/// Keywords of the first lexer state, in Mermaid's order, each followed by `\b`.
const KEYWORDS: &[(&str, Tok, Option<State>)] = &[
    ("box", Tok::Box, Some(State::Line)),
    ("participant", Tok::Participant, Some(State::Id)),
    ("actor", Tok::ActorKw, Some(State::Id)),
    ("create", Tok::Create, None),
    ("destroy", Tok::Destroy, Some(State::Id)),
    ("loop", Tok::Block(BlockKind::Loop), Some(State::Line)),
    ("rect", Tok::Block(BlockKind::Rect), Some(State::Line)),
    ("opt", Tok::Block(BlockKind::Opt), Some(State::Line)),
    ("alt", Tok::Block(BlockKind::Alt), Some(State::Line)),
    ("else", Tok::Else, Some(State::Line)),
    ("par", Tok::Block(BlockKind::Par), Some(State::Line)),
    ("par_over", Tok::Block(BlockKind::ParOver), Some(State::Line)),
    ("and", Tok::And, Some(State::Line)),
    ("critical", Tok::Block(BlockKind::Critical), Some(State::Line)),
    ("option", Tok::OptionKw, Some(State::Line)),
    ("break", Tok::Block(BlockKind::Break), Some(State::Line)),
    ("end", Tok::End, None),
    ("left of", Tok::LeftOf, None),
    ("right of", Tok::RightOf, None),
    ("links", Tok::Links, None),
    ("link", Tok::Link, None),
    ("properties", Tok::Properties, None),
    ("details", Tok::Details, None),
    ("over", Tok::Over, None),
    ("note", Tok::Note, None),
    ("activate", Tok::Activate, Some(State::Id)),
    ("deactivate", Tok::Deactivate, Some(State::Id)),
];

/// `word\b` at the start of `rest`, case-insensitively.
fn keyword_at(rest: &str, word: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= word.len()
        && b[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        && !b.get(word.len()).is_some_and(|&c| is_word_byte(c))
}

/// Case-insensitive prefix test (no word boundary).
fn starts_with_ci(rest: &str, word: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= word.len() && b[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

/// Characters that start no name in a message (`[^/\\+()<\->:\n,;]`).
fn actor_head_stop(b: u8) -> bool {
    matches!(
        b,
        b'/' | b'\\' | b'+' | b'(' | b')' | b'<' | b'-' | b'>' | b':' | b'\n' | b',' | b';'
    )
}

/// Characters that end a part of a name after the first (`[^+<\->:\n,;]`).
fn actor_tail_stop(b: u8) -> bool {
    matches!(b, b'+' | b'<' | b'-' | b'>' | b':' | b'\n' | b',' | b';')
}

/// Where a name may not continue with `-...`: the starts of arrows and `()`.
fn arrow_ahead(rest: &[u8]) -> bool {
    const STARTS: &[&[u8]] = &[
        b"--", b"-)", b"-\\", b"-/", b"-|\\", b"-|/", b"/|-", b"\\|-", b"//-", b"\\\\-", b"()",
    ];
    STARTS.iter().any(|s| rest.starts_with(s))
        || (rest.len() >= 2 && rest[0] == b'-' && rest[1].eq_ignore_ascii_case(&b'x'))
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    stack: Vec<State>,
    done: bool,
}

/// What a matched rule does.
enum Act {
    Skip,
    Emit(Tok),
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            stack: Vec::new(),
            done: false,
        }
    }

    fn state(&self) -> State {
        self.stack.last().copied().unwrap_or(State::Initial)
    }

    fn begin(&mut self, s: State) {
        self.stack.push(s);
    }

    fn pop(&mut self) {
        self.stack.pop();
    }

    fn next_token(&mut self) -> Token {
        loop {
            if self.done {
                return Token {
                    tok: Tok::Eof,
                    span: (self.pos, self.pos),
                };
            }
            if self.pos >= self.text.len() {
                self.done = true;
            }
            let start = self.pos;
            let rest = self.text.get(start..).unwrap_or("");
            let m = match self.state() {
                State::Initial => self.initial(rest),
                State::Id => self.id(rest),
                State::Alias => self.alias(rest),
                State::Line => self.line(rest),
                State::Config => self.config(rest),
                State::AccTitle | State::AccDescr => {
                    let len = rest.find('\n').unwrap_or(rest.len());
                    let tok = if self.state() == State::AccTitle {
                        Tok::AccTitleValue
                    } else {
                        Tok::AccDescrValue
                    };
                    self.pop();
                    Some((len, Act::Emit(tok)))
                }
                State::AccDescrMultiline => {
                    if rest.starts_with('}') {
                        self.pop();
                        Some((1, Act::Skip))
                    } else {
                        Some((rest.find('}').unwrap_or(rest.len()), Act::Emit(Tok::AccDescrMultiline)))
                    }
                }
            };
            let Some((len, act)) = m else {
                if rest.is_empty() {
                    return Token {
                        tok: Tok::Eof,
                        span: (start, start),
                    };
                }
                // Mermaid stops with a lexical error; so do we (the parser reports it).
                self.done = true;
                return Token {
                    tok: Tok::LexError,
                    span: (start, start + rest.chars().next().map_or(0, char::len_utf8)),
                };
            };
            self.pos = start + len;
            match act {
                Act::Skip => continue,
                Act::Emit(tok) => {
                    let span = if tok == Tok::Actor {
                        trimmed(self.text, start, start + len)
                    } else {
                        (start, start + len)
                    };
                    return Token { tok, span };
                }
            }
        }
    }

    fn initial(&mut self, rest: &str) -> Option<(usize, Act)> {
        let b = rest.as_bytes();
        let first = rest.chars().next();
        // [\n]+
        if b.first() == Some(&b'\n') {
            return Some((run_bytes(b, 0, |c| c == b'\n'), Act::Emit(Tok::Newline)));
        }
        // \s+ (a run that may include new lines)
        if first.is_some_and(is_js_space) {
            return Some((skip_space(rest, 0), Act::Skip));
        }
        // #[^\n]*  and  %(?!\{)[^\n]*
        if b.first() == Some(&b'#') || (b.first() == Some(&b'%') && b.get(1) != Some(&b'{')) {
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Skip));
        }
        // [^\}]%%[^\n]*  (one UTF-16 unit, then `%%`)
        if let Some(c) = first
            && c != '}'
            && (c as u32) <= 0xFFFF
            && rest[c.len_utf8()..].starts_with("%%")
        {
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Skip));
        }
        if let Some(len) = number_at(b) {
            return Some((len, Act::Emit(Tok::Num)));
        }
        for &(word, tok, state) in KEYWORDS {
            if keyword_at(rest, word) {
                if let Some(s) = state {
                    self.begin(s);
                }
                return Some((word.len(), Act::Emit(tok)));
            }
        }
        // title\s[^#\n;]+  and  title:\s[^#\n;]+
        for (head, tok) in [("title", Tok::Title), ("title:", Tok::LegacyTitle)] {
            if starts_with_ci(rest, head)
                && let Some(c) = rest[head.len()..].chars().next()
                && is_js_space(c)
            {
                let from = head.len() + c.len_utf8();
                let len = run_bytes(b, from, |c| !matches!(c, b'#' | b'\n' | b';'));
                if len > from {
                    return Some((len, Act::Emit(tok)));
                }
            }
        }
        // accTitle\s*:\s*  accDescr\s*:\s*  accDescr\s*\{\s*
        for (head, state) in [("acctitle", State::AccTitle), ("accdescr", State::AccDescr)] {
            if starts_with_ci(rest, head) {
                let p = skip_space(rest, head.len());
                if b.get(p) == Some(&b':') {
                    self.begin(state);
                    let tok = if state == State::AccTitle {
                        Tok::AccTitle
                    } else {
                        Tok::AccDescr
                    };
                    return Some((skip_space(rest, p + 1), Act::Emit(tok)));
                }
            }
        }
        if starts_with_ci(rest, "accdescr") {
            let p = skip_space(rest, 8);
            if b.get(p) == Some(&b'{') {
                self.begin(State::AccDescrMultiline);
                return Some((skip_space(rest, p + 1), Act::Skip));
            }
        }
        for &(word, tok) in &[
            ("sequencediagram", Tok::Sd),
            ("autonumber", Tok::Autonumber),
            ("off", Tok::Off),
        ] {
            if keyword_at(rest, word) {
                return Some((word.len(), Act::Emit(tok)));
            }
        }
        match b.first() {
            Some(b',') => return Some((1, Act::Emit(Tok::Comma))),
            Some(b';') => return Some((1, Act::Emit(Tok::Newline))),
            _ => {}
        }
        if let Some(len) = message_actor_at(b) {
            return Some((len, Act::Emit(Tok::Actor)));
        }
        if let Some(len) = arrow_at(rest) {
            return Some((len, Act::Emit(Tok::Arrow)));
        }
        // :(?:(?:no)?wrap)?[^#\n;]*
        if b.first() == Some(&b':') {
            return Some((
                run_bytes(b, 1, |c| !matches!(c, b'#' | b'\n' | b';')),
                Act::Emit(Tok::Txt),
            ));
        }
        match b.first() {
            Some(b'+') => Some((1, Act::Emit(Tok::Plus))),
            Some(b'-') => Some((1, Act::Emit(Tok::Minus))),
            Some(b'(') if b.get(1) == Some(&b')') => Some((2, Act::Emit(Tok::Central))),
            None => Some((0, Act::Emit(Tok::Newline))),
            // `.`: one character (line separators were taken by `\s+`).
            Some(_) => Some((first.map_or(1, char::len_utf8), Act::Emit(Tok::Invalid))),
        }
    }

    /// After `participant`, `actor`, `destroy`, `activate`, `deactivate`.
    fn id(&mut self, rest: &str) -> Option<(usize, Act)> {
        let b = rest.as_bytes();
        if let Some(c) = rest.chars().next()
            && c != '\n'
            && is_js_space(c)
        {
            let len = rest.find(|c: char| c == '\n' || !is_js_space(c)).unwrap_or(rest.len());
            return Some((len, Act::Skip));
        }
        if b.first() == Some(&b'#') {
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Skip));
        }
        if rest.starts_with("@{") {
            self.begin(State::Config);
            return Some((2, Act::Emit(Tok::ConfigStart)));
        }
        let space_at = |i: usize| rest.get(i..).and_then(|r| r.chars().next()).is_some_and(is_js_space);
        // [^<=>\-:\n,;@\s]+(?=@\{)
        let r11 = run_chars(rest, |c| {
            !matches!(c, '<' | '=' | '>' | '-' | ':' | '\n' | ',' | ';' | '@') && !is_js_space(c)
        });
        if r11 > 0 && rest[r11..].starts_with("@{") {
            return Some((r11, Act::Emit(Tok::Actor)));
        }
        // [^<>:\n,;@\s]+(?=\s+as\s)
        let r12 = run_chars(rest, |c| {
            !matches!(c, '<' | '>' | ':' | '\n' | ',' | ';' | '@') && !is_js_space(c)
        });
        if r12 > 0 && space_at(r12) {
            let p = skip_space(rest, r12);
            if starts_with_ci(&rest[p..], "as") && space_at(p + 2) {
                self.begin(State::Alias);
                return Some((r12, Act::Emit(Tok::Actor)));
            }
        }
        // [^<>:\n,;@]+(?=\s*[\n;#]|$)
        let r13 = run_bytes(b, 0, |c| !matches!(c, b'<' | b'>' | b':' | b'\n' | b',' | b';' | b'@'));
        if r13 > 0 {
            let end = match b.get(r13) {
                None | Some(b'\n') | Some(b';') => Some(r13),
                // Back off to a `#` inside the name, after blanks or not.
                _ => rest[..r13].rfind('#').filter(|&h| h > 0),
            };
            if let Some(end) = end {
                self.pop();
                return Some((end, Act::Emit(Tok::Actor)));
            }
        }
        // [^<>:\n,;@]*<[^\n]*
        if b.get(r13) == Some(&b'<') {
            self.pop();
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Emit(Tok::Invalid)));
        }
        // [^\n]+
        let eol = rest.find('\n').unwrap_or(rest.len());
        if eol > 0 {
            self.pop();
            return Some((eol, Act::Emit(Tok::Invalid)));
        }
        None
    }

    /// After a name followed by ` as `.
    fn alias(&mut self, rest: &str) -> Option<(usize, Act)> {
        if let Some(c) = rest.chars().next()
            && c != '\n'
            && is_js_space(c)
        {
            let len = rest.find(|c: char| c == '\n' || !is_js_space(c)).unwrap_or(rest.len());
            return Some((len, Act::Skip));
        }
        if rest.starts_with('#') {
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Skip));
        }
        self.pop();
        self.pop();
        if keyword_at(rest, "as") {
            self.begin(State::Line);
            return Some((2, Act::Emit(Tok::As)));
        }
        Some((0, Act::Emit(Tok::Newline)))
    }

    /// The rest of a line after `box`, `loop`, `else`, `as`, ...
    fn line(&mut self, rest: &str) -> Option<(usize, Act)> {
        if let Some(c) = rest.chars().next()
            && c != '\n'
            && is_js_space(c)
        {
            let len = rest.find(|c: char| c == '\n' || !is_js_space(c)).unwrap_or(rest.len());
            return Some((len, Act::Skip));
        }
        if rest.starts_with('#') {
            return Some((rest.find('\n').unwrap_or(rest.len()), Act::Skip));
        }
        self.pop();
        let len = run_bytes(rest.as_bytes(), 0, |c| !matches!(c, b'#' | b'\n' | b';'));
        Some((len, Act::Emit(Tok::RestOfLine)))
    }

    /// Inside `@{ ... }`.
    fn config(&mut self, rest: &str) -> Option<(usize, Act)> {
        if let Some(after) = rest.strip_prefix('}') {
            // \}(?=\s+as\s)
            let p = skip_space(after, 0);
            if p > 0 && starts_with_ci(&after[p..], "as") && after[p + 2..].chars().next().is_some_and(is_js_space) {
                self.pop();
                self.begin(State::Alias);
            } else {
                self.pop();
                self.pop();
            }
            return Some((1, Act::Emit(Tok::ConfigEnd)));
        }
        let len = rest.find('}').unwrap_or(rest.len());
        (len > 0).then_some((len, Act::Emit(Tok::ConfigContent)))
    }
}

/// Byte length of the run of characters from the start of `s` that satisfy `keep`.
fn run_chars(s: &str, keep: impl Fn(char) -> bool) -> usize {
    s.find(|c: char| !keep(c)).unwrap_or(s.len())
}

/// `s[start..end]` without JavaScript whitespace at either end.
fn trimmed(s: &str, start: usize, end: usize) -> (usize, usize) {
    let part = s.get(start..end).unwrap_or("");
    let lead = part.len() - part.trim_start_matches(is_js_space).len();
    let body = part.trim_matches(is_js_space);
    (start + lead, start + lead + body.len())
}

/// `([0-9]+(\.[0-9]{1,2})?|\.[0-9]{1,2})(?=[ \n]+)`.
fn number_at(b: &[u8]) -> Option<usize> {
    let gap = |i: usize| matches!(b.get(i), Some(b' ' | b'\n'));
    let int = run_bytes(b, 0, |c| c.is_ascii_digit());
    if int > 0 && gap(int) {
        return Some(int);
    }
    if b.get(int) == Some(&b'.') {
        let frac = run_bytes(b, int + 1, |c| c.is_ascii_digit()) - (int + 1);
        if (1..=2).contains(&frac) && gap(int + 1 + frac) {
            return Some(int + 1 + frac);
        }
    }
    None
}

/// A name in a message or note: a head without arrow characters, then parts that may be
/// joined by dashes as long as the dashes do not start an arrow.
fn message_actor_at(b: &[u8]) -> Option<usize> {
    let mut p = run_bytes(b, 0, |c| !actor_head_stop(c));
    if p == 0 {
        return None;
    }
    loop {
        if arrow_ahead(&b[p..]) {
            break;
        }
        let dashes = run_bytes(b, p, |c| c == b'-');
        let part = run_bytes(b, dashes, |c| !actor_tail_stop(c));
        if part == dashes {
            break;
        }
        p = part;
    }
    Some(p)
}

// ---------------------------------------------------------------------------------------
// Parser: the grammar over the tokens, then the database's checks.

/// A block still waiting for its `end`.
struct Open {
    kind: BlockKind,
    /// Into `model.blocks`.
    index: usize,
    /// The keyword's span, for "never closed".
    keyword: (usize, usize),
}

struct ActorState {
    index: usize,
    /// The box it belongs to.
    group: Option<usize>,
}

struct Parser<'a> {
    src: &'a str,
    pre: &'a Pre,
    lx: Lexer<'a>,
    tok: Token,
    model: SequenceDiagram,
    /// The first syntax error (Mermaid stops at it).
    syntax: Option<MermaidError>,
    /// The first error of the database checks (reported only without a syntax error).
    semantic: Option<MermaidError>,
    actors: HashMap<String, ActorState>,
    /// Activations minus deactivations per name (Mermaid counts names, participants or
    /// not: `activate X` does not declare `X`).
    active: HashMap<String, i64>,
    current_box: Option<usize>,
    /// A `create`d participant waiting for the message that creates it.
    last_created: Option<String>,
    /// A `destroy`ed participant waiting for the message that destroys it.
    last_destroyed: Option<String>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, pre: &'a Pre) -> Self {
        let mut lx = Lexer::new(&pre.text);
        let tok = lx.next_token();
        Parser {
            src,
            pre,
            lx,
            tok,
            model: SequenceDiagram::default(),
            syntax: None,
            semantic: None,
            actors: HashMap::new(),
            active: HashMap::new(),
            current_box: None,
            last_created: None,
            last_destroyed: None,
        }
    }

    fn advance(&mut self) -> Token {
        let t = self.tok;
        self.tok = self.lx.next_token();
        t
    }

    fn text(&self, span: (usize, usize)) -> &'a str {
        self.pre.text.get(span.0..span.1).unwrap_or("")
    }

    fn src_range(&self, span: (usize, usize)) -> Range<usize> {
        self.pre.range(span.0..span.1)
    }

    fn line_of(&self, span: (usize, usize)) -> usize {
        let at = self.pre.at(span.0).min(self.src.len());
        self.src.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count() + 1
    }

    fn fail(&mut self, message: String, span: (usize, usize)) {
        if self.syntax.is_none() {
            let mut range = self.src_range(span);
            if range.is_empty() {
                // Point at the character where the token was expected, if there is one.
                let end = self
                    .src
                    .get(range.start..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, char::len_utf8);
                range.end = range.start + end;
            }
            self.syntax = Some(MermaidError { message, range });
        }
    }

    fn fail_db(&mut self, message: String, span: (usize, usize)) {
        if self.semantic.is_none() {
            self.semantic = Some(MermaidError {
                message,
                range: self.src_range(span),
            });
        }
    }

    /// Takes a token of kind `want`, or records what was expected instead.
    fn expect(&mut self, want: Tok, what: &str, after: &str) -> Option<Token> {
        if self.tok.tok == want {
            return Some(self.advance());
        }
        let found = self.found();
        self.fail(format!("expected {what} after {after}, found {found}"), self.tok.span);
        None
    }

    fn found(&self) -> String {
        match self.tok.tok {
            Tok::Actor | Tok::Invalid | Tok::Arrow | Tok::Txt | Tok::LexError => {
                let t = self.text(self.tok.span);
                if t.trim().is_empty() {
                    return "end of line".to_string();
                }
                let t: String = t.chars().take(40).collect();
                format!("`{}`", t.replace('\u{1}', "#").replace('\u{2}', ";"))
            }
            other => other.describe().to_string(),
        }
    }

    fn run(&mut self) {
        if let Some(at) = undetected(&self.pre.text) {
            let span = (at, at + self.pre.text[at..].chars().next().map_or(0, char::len_utf8));
            self.fail(
                "no diagram type detected: after directives and comments the text must start with `sequenceDiagram`"
                    .to_string(),
                span,
            );
            return;
        }
        while self.tok.tok == Tok::Newline {
            self.advance();
        }
        if self
            .expect(Tok::Sd, "`sequenceDiagram`", "the start of the diagram")
            .is_none()
        {
            return;
        }
        let mut open: Vec<Open> = Vec::new();
        while self.syntax.is_none() {
            let t = self.tok;
            match t.tok {
                Tok::Eof => {
                    if let Some(o) = open.last() {
                        let what = o.kind.keyword();
                        let line = self.line_of(o.keyword);
                        self.fail(
                            format!("expected `end` to close the `{what}` opened at line {line}"),
                            o.keyword,
                        );
                    }
                    return;
                }
                Tok::Newline | Tok::Invalid => {
                    self.advance();
                }
                Tok::End => match open.pop() {
                    Some(o) => {
                        self.advance();
                        let end = self.pre.range(t.span.0..t.span.1).end;
                        if let Some(b) = self.model.blocks.get_mut(o.index) {
                            b.range.end = end;
                        }
                    }
                    None => self.fail(
                        "`end` without an open block (`loop`, `alt`, `box`, ...)".to_string(),
                        t.span,
                    ),
                },
                Tok::Else | Tok::And | Tok::OptionKw => {
                    let kw = self.text(t.span).to_ascii_lowercase();
                    let fits = open
                        .last()
                        .and_then(|o| o.kind.section_keyword())
                        .is_some_and(|k| k == kw);
                    if !fits {
                        let home = match t.tok {
                            Tok::Else => "an `alt`",
                            Tok::And => "a `par`",
                            _ => "a `critical`",
                        };
                        self.fail(format!("`{kw}` outside {home} block"), t.span);
                        continue;
                    }
                    self.advance();
                    let label = self.rest_of_line();
                    if let Some(b) = open.last().and_then(|o| self.model.blocks.get_mut(o.index)) {
                        b.sections.push(label);
                    }
                }
                Tok::Block(kind) => {
                    self.advance();
                    let label = self.rest_of_line();
                    let range = self.src_range(t.span);
                    self.model.blocks.push(Block {
                        kind,
                        label,
                        sections: Vec::new(),
                        depth: open.len(),
                        range,
                    });
                    open.push(Open {
                        kind,
                        index: self.model.blocks.len() - 1,
                        keyword: t.span,
                    });
                }
                Tok::Box => self.boxed(t),
                _ => self.statement(),
            }
        }
    }

    /// The text the lexer takes after a block keyword (always there, maybe empty).
    fn rest_of_line(&mut self) -> String {
        if self.tok.tok == Tok::RestOfLine {
            let t = self.advance();
            return self.text(t.span).trim_matches(is_js_space).to_string();
        }
        String::new()
    }

    /// `box ... end`: only participant declarations inside.
    fn boxed(&mut self, kw: Token) {
        self.advance();
        let label = self.rest_of_line();
        let range = self.src_range(kw.span);
        self.model.boxes.push(ParticipantBox {
            label,
            participants: Vec::new(),
            range,
        });
        self.current_box = Some(self.model.boxes.len() - 1);
        while self.syntax.is_none() {
            match self.tok.tok {
                Tok::Newline => {
                    self.advance();
                }
                Tok::Participant | Tok::ActorKw | Tok::Destroy => self.participant_statement(false),
                Tok::End => {
                    let t = self.advance();
                    if let Some(b) = self.model.boxes.last_mut() {
                        b.range.end = self.pre.range(t.span.0..t.span.1).end;
                    }
                    self.current_box = None;
                    return;
                }
                Tok::Eof => {
                    let line = self.line_of(kw.span);
                    self.fail(
                        format!("expected `end` to close the `box` opened at line {line}"),
                        kw.span,
                    );
                }
                _ => {
                    let found = self.found();
                    self.fail(
                        format!(
                            "a `box` holds only `participant`, `actor` and `destroy` lines and its `end`, found {found}"
                        ),
                        self.tok.span,
                    );
                }
            }
        }
    }

    fn statement(&mut self) {
        let t = self.tok;
        match t.tok {
            Tok::Participant | Tok::ActorKw | Tok::Destroy => self.participant_statement(false),
            Tok::Create => {
                self.advance();
                if matches!(self.tok.tok, Tok::Participant | Tok::ActorKw | Tok::Destroy) {
                    self.participant_statement(true);
                } else {
                    let found = self.found();
                    self.fail(
                        format!("expected `participant` or `actor` after `create`, found {found}"),
                        self.tok.span,
                    );
                }
            }
            Tok::Autonumber => {
                self.advance();
                match self.tok.tok {
                    Tok::Num => {
                        self.advance();
                        if self.tok.tok == Tok::Num {
                            self.advance();
                        }
                    }
                    Tok::Off => {
                        self.advance();
                        self.expect(Tok::Newline, "end of line", "`autonumber off`");
                        return;
                    }
                    _ => {}
                }
                if self
                    .expect(Tok::Newline, "end of line or a number", "`autonumber`")
                    .is_some()
                {
                    self.model.autonumber = true;
                }
            }
            Tok::Activate | Tok::Deactivate => {
                self.advance();
                let kw = if t.tok == Tok::Activate {
                    "`activate`"
                } else {
                    "`deactivate`"
                };
                let Some(a) = self.expect(Tok::Actor, "a participant name", kw) else {
                    return;
                };
                if self
                    .expect(Tok::Newline, "end of line", "the participant name")
                    .is_some()
                {
                    let name = self.text(a.span).to_string();
                    if t.tok == Tok::Activate {
                        self.activate(&name);
                    } else {
                        self.deactivate(&name, a.span);
                    }
                }
            }
            Tok::Note => self.note(),
            Tok::Links | Tok::Link | Tok::Properties | Tok::Details => {
                self.advance();
                let kw = t.tok.describe();
                let Some(a) = self.expect(Tok::Actor, "a participant name", kw) else {
                    return;
                };
                if self
                    .expect(Tok::Txt, "`:` and a text", "the participant name")
                    .is_some()
                    && self.expect(Tok::Newline, "end of line", "the text").is_some()
                {
                    let name = self.text(a.span).to_string();
                    self.add_actor(&name, a.span, None, None);
                }
            }
            Tok::Title | Tok::LegacyTitle => {
                self.advance();
                let skip = if t.tok == Tok::Title { 6 } else { 7 };
                let title = self.text(t.span).get(skip..).unwrap_or("").trim_matches(is_js_space);
                self.model.title = Some(title.to_string());
            }
            Tok::AccTitle => {
                self.advance();
                self.expect(Tok::AccTitleValue, "a text", "`accTitle:`");
            }
            Tok::AccDescr => {
                self.advance();
                self.expect(Tok::AccDescrValue, "a text", "`accDescr:`");
            }
            Tok::AccDescrMultiline => {
                self.advance();
            }
            Tok::Actor => self.signal(),
            _ => {
                let found = self.found();
                let hint = match t.tok {
                    Tok::Arrow | Tok::Plus | Tok::Minus | Tok::Central => " (a message starts with the sender's name)",
                    Tok::Txt => " (a `:` text follows a message or note)",
                    _ => "",
                };
                self.fail(
                    format!(
                        "expected a statement (a message, `participant`, `note`, `loop`, ...), found {found}{hint}"
                    ),
                    t.span,
                );
            }
        }
    }

    /// `participant`/`actor` NAME [`@{...}`] [`as` ALIAS], `destroy` NAME.
    fn participant_statement(&mut self, create: bool) {
        let kw = self.advance();
        let kw_name = kw.tok.describe();
        let Some(name) = self.expect(Tok::Actor, "a participant name", kw_name) else {
            return;
        };
        let id = self.text(name.span).to_string();
        if kw.tok == Tok::Destroy {
            if self
                .expect(Tok::Newline, "end of line", "the participant name")
                .is_some()
            {
                self.destroy_or_create(&id, name.span, create, None, None, kw.tok);
            }
            return;
        }
        let mut config = None;
        if self.tok.tok == Tok::ConfigStart {
            self.advance();
            let Some(c) = self.expect(Tok::ConfigContent, "the participant's settings", "`@{`") else {
                return;
            };
            if self
                .expect(Tok::ConfigEnd, "`}`", "the participant's settings")
                .is_none()
            {
                return;
            }
            config = Some(c);
        }
        let mut alias = None;
        if self.tok.tok == Tok::As {
            self.advance();
            alias = Some(self.rest_of_line());
        }
        let what = if alias.is_some() {
            "the alias"
        } else {
            "the participant name"
        };
        if self.expect(Tok::Newline, "end of line", what).is_none() {
            return;
        }
        if let Some(c) = config
            && let Some(problem) = config_problem(self.text(c.span))
        {
            self.fail_db(
                format!("cannot read the settings of participant `{id}`: {problem}"),
                c.span,
            );
        }
        let shape = config
            .and_then(|c| config_type(self.text(c.span)))
            .unwrap_or(if kw.tok == Tok::ActorKw { "actor" } else { "participant" })
            .to_string();
        self.destroy_or_create(&id, name.span, create, alias, Some(shape), kw.tok);
    }

    fn destroy_or_create(
        &mut self,
        id: &str,
        span: (usize, usize),
        create: bool,
        alias: Option<String>,
        shape: Option<String>,
        kw: Tok,
    ) {
        if create {
            if self.actors.contains_key(id) {
                self.fail_db(
                    format!(
                        "cannot `create` participant `{id}`: it already exists (use `as` aliases for a second one)"
                    ),
                    span,
                );
            }
            self.last_created = Some(id.to_string());
            let i = self.add_actor(id, span, alias, shape.or(Some("participant".to_string())));
            if let Some(p) = self.model.participants.get_mut(i) {
                p.created = true;
            }
        } else if kw == Tok::Destroy {
            self.last_destroyed = Some(id.to_string());
            if let Some(a) = self.actors.get(id)
                && let Some(p) = self.model.participants.get_mut(a.index)
            {
                p.destroyed = true;
            }
        } else {
            self.add_actor(id, span, alias, shape);
        }
    }

    fn note(&mut self) {
        self.advance();
        let placement = match self.tok.tok {
            Tok::LeftOf => NotePlacement::LeftOf,
            Tok::RightOf => NotePlacement::RightOf,
            Tok::Over => NotePlacement::Over,
            _ => {
                let found = self.found();
                self.fail(
                    format!("expected `left of`, `right of` or `over` after `note`, found {found}"),
                    self.tok.span,
                );
                return;
            }
        };
        let start = self.tok.span;
        self.advance();
        let Some(a) = self.expect(Tok::Actor, "a participant name", "the note's placement") else {
            return;
        };
        let mut names = vec![a];
        if placement == NotePlacement::Over && self.tok.tok == Tok::Comma {
            self.advance();
            let Some(b) = self.expect(Tok::Actor, "a participant name", "`,`") else {
                return;
            };
            names.push(b);
        }
        let Some(txt) = self.expect(Tok::Txt, "`:` and the note's text", "the participant name") else {
            return;
        };
        if self.expect(Tok::Newline, "end of line", "the note").is_none() {
            return;
        }
        let participants = names
            .iter()
            .map(|n| {
                let name = self.text(n.span).to_string();
                self.add_actor(&name, n.span, None, None)
            })
            .collect();
        let text = message_text(self.text(txt.span));
        let range = self.pre.range(start.0..txt.span.1);
        self.model.notes.push(Note {
            placement,
            participants,
            text,
            range,
        });
    }

    /// `A ->> B : text`, with `+`/`-` activation or `()` central connections.
    fn signal(&mut self) {
        let from = self.advance();
        let central_from = self.tok.tok == Tok::Central;
        if central_from {
            self.advance();
        }
        if self.tok.tok != Tok::Arrow {
            let name = self.text(from.span).to_string();
            let message = match self.tok.tok {
                Tok::Invalid | Tok::Minus | Tok::Plus | Tok::LexError => {
                    let bad = self.arrow_like(self.tok.span);
                    self.tok.span = bad;
                    format!(
                        "unknown arrow `{}` after `{name}`; expected one of {ARROW_LIST}",
                        self.text(bad)
                    )
                }
                Tok::Txt | Tok::Newline | Tok::Eof => {
                    let before = self
                        .pre
                        .text
                        .get(..from.span.0)
                        .unwrap_or("")
                        .trim_end_matches([' ', '\t']);
                    let hint = if before.ends_with(';') {
                        " (`;` ends a statement: write `#59;` for a semicolon in a text)"
                    } else {
                        ""
                    };
                    format!(
                        "expected an arrow after `{name}` (one of {ARROW_LIST}), found {}; a name alone is not a statement{hint}",
                        self.found()
                    )
                }
                _ => format!(
                    "expected an arrow after `{name}` (one of {ARROW_LIST}), found {}",
                    self.found()
                ),
            };
            self.fail(message, self.tok.span);
            return;
        }
        let arrow = self.advance();
        let mut activation = None;
        let mut central_to = false;
        match self.tok.tok {
            Tok::Plus | Tok::Minus if !central_from => {
                activation = Some(if self.tok.tok == Tok::Plus { '+' } else { '-' });
                self.advance();
            }
            Tok::Central => {
                central_to = true;
                self.advance();
            }
            _ => {}
        }
        if self.tok.tok != Tok::Actor {
            let adjacent = self.tok.span.0 == arrow.span.1;
            let message = if adjacent
                && matches!(
                    self.tok.tok,
                    Tok::Arrow | Tok::Invalid | Tok::Minus | Tok::Plus | Tok::LexError
                ) {
                let bad = self.arrow_like(arrow.span);
                self.tok.span = bad;
                format!("unknown arrow `{}`; expected one of {ARROW_LIST}", self.text(bad))
            } else {
                let arrow_text = self.text(arrow.span);
                format!(
                    "expected the receiver's name after `{arrow_text}`, found {}",
                    self.found()
                )
            };
            self.fail(message, self.tok.span);
            return;
        }
        let to = self.advance();
        let receiver = format!("the receiver `{}`", self.text(to.span));
        let Some(txt) = self.expect(Tok::Txt, "`:` and the message text", &receiver) else {
            return;
        };
        if self.expect(Tok::Newline, "end of line", "the message").is_none() {
            return;
        }
        // The database's order: both participants, the message, then the activation.
        let from_name = self.text(from.span).to_string();
        let to_name = self.text(to.span).to_string();
        let fi = self.add_actor(&from_name, from.span, None, None);
        let ti = self.add_actor(&to_name, to.span, None, None);
        let message_span = (from.span.0, txt.span.1);
        if let Some(created) = self.last_created.take() {
            if to_name != created {
                self.fail_db(
                    format!("participant `{created}` is created but the next message is not sent to it"),
                    message_span,
                );
            }
        } else if let Some(destroyed) = self.last_destroyed.take()
            && to_name != destroyed
            && from_name != destroyed
        {
            self.fail_db(
                format!(
                    "participant `{destroyed}` is destroyed but the next message neither comes from it nor goes to it"
                ),
                message_span,
            );
        }
        match activation {
            Some('+') => self.activate(&to_name),
            Some(_) => self.deactivate(&from_name, from.span),
            None => {}
        }
        let arrow = self.text(arrow.span).to_string();
        let text = message_text(self.text(txt.span));
        let range = self.pre.range(message_span.0..message_span.1);
        self.model.messages.push(Message {
            from: fi,
            to: ti,
            arrow,
            activation,
            central: (central_from, central_to),
            text,
            range,
        });
    }

    /// The run of arrow-like characters from `span`'s start (for "unknown arrow").
    fn arrow_like(&self, span: (usize, usize)) -> (usize, usize) {
        let rest = self.pre.text.get(span.0..).unwrap_or("");
        let len = run_chars(rest, |c| {
            matches!(
                c,
                '-' | '<' | '>' | '/' | '\\' | '|' | 'x' | 'X' | ')' | '(' | '=' | '~' | '+'
            )
        });
        (span.0, span.0 + len.max(span.1 - span.0))
    }

    fn activate(&mut self, name: &str) {
        *self.active.entry(name.to_string()).or_default() += 1;
    }

    fn deactivate(&mut self, name: &str, span: (usize, usize)) {
        let count = self.active.entry(name.to_string()).or_default();
        *count -= 1;
        if *count < 0 {
            self.fail_db(
                format!("`{name}` is deactivated but is not active (activate it first)"),
                span,
            );
        }
    }

    /// Mermaid's `addActor`: a name is a participant from its first mention; a later
    /// declaration may give it an alias or a shape, but not a second box.
    fn add_actor(&mut self, id: &str, span: (usize, usize), alias: Option<String>, shape: Option<String>) -> usize {
        let current = self.current_box;
        if let Some(a) = self.actors.get_mut(id) {
            let (index, old_group) = (a.index, a.group);
            if old_group.is_none() {
                a.group = current;
            }
            if let (Some(cur), Some(old)) = (current, old_group)
                && cur != old
            {
                let label = |i: usize| self.model.boxes.get(i).map_or(String::new(), |b| b.label.clone());
                let (old_name, cur_name) = (label(old), label(cur));
                self.fail_db(
                    format!("participant `{id}` is in two boxes (`{old_name}` and `{cur_name}`); a participant belongs to one box"),
                    span,
                );
            }
            if old_group.is_none()
                && let Some(b) = current.and_then(|c| self.model.boxes.get_mut(c))
            {
                b.participants.push(index);
            }
            if let Some(p) = self.model.participants.get_mut(index) {
                if let Some(label) = alias {
                    p.label = label;
                }
                if let Some(shape) = shape {
                    p.actor = shape != "participant";
                    p.shape = shape;
                }
            }
            return index;
        }
        let index = self.model.participants.len();
        let shape = shape.unwrap_or_else(|| "participant".to_string());
        self.model.participants.push(Participant {
            id: id.to_string(),
            label: alias.unwrap_or_else(|| id.to_string()),
            actor: shape != "participant",
            shape,
            created: false,
            destroyed: false,
            range: self.src_range(span),
        });
        self.actors.insert(id.to_string(), ActorState { index, group: current });
        if let Some(b) = current.and_then(|c| self.model.boxes.get_mut(c)) {
            b.participants.push(index);
        }
        index
    }
}

/// Where Mermaid's type detection fails: it skips blanks and `%%` comment lines and
/// expects `sequenceDiagram` (case-sensitive, unlike the lexer).
fn undetected(text: &str) -> Option<usize> {
    let mut i = 0;
    loop {
        i = skip_space(text, i);
        if text[i..].starts_with("%%")
            && let Some(nl) = text[i..].find('\n')
        {
            i += nl + 1;
            continue;
        }
        break;
    }
    (!text[i..].starts_with("sequenceDiagram")).then_some(i)
}

/// The text of a `: text` token, without the colon and a `wrap:`/`nowrap:` prefix.
fn message_text(txt: &str) -> String {
    let t = txt.strip_prefix(':').unwrap_or(txt).trim_matches(is_js_space);
    let t = t.strip_prefix(':').unwrap_or(t);
    let t = t
        .strip_prefix("wrap:")
        .or_else(|| t.strip_prefix("nowrap:"))
        .unwrap_or(t);
    t.trim_matches(is_js_space).replace('\u{1}', "#").replace('\u{2}', ";")
}

/// The `type` of a participant's `@{ ... }` settings, when it is a plain value.
fn config_type(content: &str) -> Option<&'static str> {
    const TYPES: &[&str] = &[
        "actor",
        "boundary",
        "collections",
        "control",
        "database",
        "entity",
        "participant",
        "queue",
    ];
    let at = content.find("type")?;
    let rest = content[at + 4..].trim_start_matches(['"', '\'']).trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().trim_start_matches(['"', '\'']);
    TYPES.iter().copied().find(|t| rest.starts_with(t))
}

/// What makes Mermaid's YAML reader refuse a participant's settings. Mermaid trims them;
/// one line is read as the YAML flow mapping `{\n...\n}`, which this follows the way
/// js-yaml reads flow collections (entries separated by commas, quoted and plain
/// scalars, nested `[...]`, no duplicated keys). Several lines are read as block YAML:
/// see [`block_config_problem`].
fn config_problem(content: &str) -> Option<&'static str> {
    let content = content.trim_matches(is_js_space);
    if content.contains('\n') {
        return block_config_problem(content);
    }
    let yaml: Vec<char> = format!("{{\n{content}\n}}").chars().collect();
    let anchors = content.contains('&');
    #[derive(PartialEq)]
    enum Phase {
        EntryStart,
        AfterKey,
        AfterValue,
    }
    struct Frame {
        term: char,
        read_next: bool,
        phase: Phase,
        /// Reading a value (not a key) when a nested collection closes.
        in_value: bool,
        keys: Option<std::collections::HashSet<String>>,
    }
    let new_frame = |term: char| Frame {
        term,
        read_next: true,
        phase: Phase::EntryStart,
        in_value: false,
        keys: (term == '}').then(std::collections::HashSet::new),
    };
    let mut stack = vec![new_frame('}')];
    let mut i = 1;
    loop {
        i = yaml_skip(&yaml, i);
        let ch = yaml.get(i).copied();
        let Some(top) = stack.last_mut() else {
            return ch.map(|_| "text after the closing `}`");
        };
        match top.phase {
            Phase::EntryStart => {
                if ch == Some(top.term) {
                    i += 1;
                    stack.pop();
                    if let Some(parent) = stack.last_mut() {
                        parent.phase = if parent.in_value {
                            Phase::AfterValue
                        } else {
                            Phase::AfterKey
                        };
                    }
                    continue;
                }
                if ch.is_none() {
                    return Some("a bracket is never closed");
                }
                if !top.read_next {
                    return Some("a comma is missing between two entries");
                }
                if top.term == '}' && ch == Some('?') && yaml.get(i + 1).is_none_or(|c| c.is_whitespace()) {
                    i += 1;
                    continue;
                }
                top.in_value = false;
                match yaml_node(&yaml, i, anchors) {
                    Err(e) => return Some(e),
                    Ok(YamlNode::Open(term, next)) => {
                        i = next;
                        stack.push(new_frame(term));
                    }
                    Ok(YamlNode::Scalar(key, next)) => {
                        i = next;
                        if let Some(keys) = top.keys.as_mut()
                            && !keys.insert(key)
                        {
                            return Some("a key is given twice");
                        }
                        top.phase = Phase::AfterKey;
                    }
                }
            }
            Phase::AfterKey => {
                if ch == Some(':') {
                    i = yaml_skip(&yaml, i + 1);
                    let next = yaml.get(i).copied();
                    if next == Some(',') || next == Some(top.term) {
                        top.phase = Phase::AfterValue;
                        continue;
                    }
                    top.in_value = true;
                    match yaml_node(&yaml, i, anchors) {
                        Err(e) => return Some(e),
                        Ok(YamlNode::Open(term, next)) => {
                            i = next;
                            stack.push(new_frame(term));
                        }
                        Ok(YamlNode::Scalar(_, next)) => {
                            i = next;
                            top.phase = Phase::AfterValue;
                        }
                    }
                } else {
                    top.phase = Phase::AfterValue;
                }
            }
            Phase::AfterValue => {
                top.read_next = ch == Some(',');
                if top.read_next {
                    i += 1;
                }
                top.phase = Phase::EntryStart;
            }
        }
    }
}

/// Settings over several lines, read as a block mapping whose first key is at column 0
/// (the settings are trimmed). Only `key: value` pairs with a quoted or simple plain
/// value are judged (a more indented line after a closed quoted value, text after a
/// quoted value, an unclosed quote, a key given twice); anything else YAML could mean
/// is accepted.
fn block_config_problem(content: &str) -> Option<&'static str> {
    let mut keys = std::collections::HashSet::new();
    // The previous pair ended with a closed quoted value: nothing may continue it.
    let mut closed = false;
    let mut at = 0; // start of the current line in `content`
    let mut first = true;
    while at < content.len() {
        let line_end = content[at..].find('\n').map_or(content.len(), |k| at + k);
        let line = &content[at..line_end];
        let next_line = (line_end + 1).min(content.len());
        let body = line.trim_start_matches([' ', '\t']);
        if body.trim().is_empty() || body.starts_with('#') {
            at = next_line.max(line_end);
            if line_end == content.len() {
                break;
            }
            continue;
        }
        let indent = line.len() - body.len();
        // A more indented line may only continue a plain value, and not with a pair.
        if !first && indent > 0 {
            return (closed || simple_key(body).is_some())
                .then_some("a line is indented more than the first (settings over several lines are YAML)");
        }
        let Some((key, rest)) = simple_key(body) else {
            // A quoted scalar closed on its line may only be followed by `:` or a comment.
            if let Some(q @ ('"' | '\'')) = body.chars().next()
                && let Some(close) = closing_quote(&body[1..], q)
            {
                let after = body[1 + close + 1..].trim_start_matches([' ', '\t']);
                if !after.is_empty() && !after.starts_with([':', '#']) {
                    return Some("text after a quoted value (settings over several lines are YAML)");
                }
            }
            // After a pair, a line at column 0 must be another pair.
            let plain = body.chars().next().is_some_and(|c| !"-?:,[]{}#&*!|>'\"%@`".contains(c));
            return (!first && plain && !keys.is_empty())
                .then_some("a line of the settings is not a `key: value` pair");
        };
        first = false;
        if !keys.insert(key) {
            return Some("a key is given twice");
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        closed = false;
        match rest.chars().next() {
            Some(q @ ('"' | '\'')) => {
                // The closing quote, maybe on a later line: one scan of the rest.
                let open = line_end - rest.len();
                let Some(close) = closing_quote(&content[open + 1..], q).map(|c| open + 1 + c) else {
                    return Some("a quoted value is never closed");
                };
                let close_end = content[close..].find('\n').map_or(content.len(), |k| close + k);
                let after = content[close + 1..close_end].trim_start_matches([' ', '\t']);
                if !after.is_empty() && !after.starts_with('#') {
                    return Some(
                        "text after a quoted value (settings over several lines are YAML, not JSON: no commas)",
                    );
                }
                closed = true;
                at = close_end + 1;
            }
            Some(c) if !"[]{}&*!|>%@`#".contains(c) && !rest.contains(['"', '\'', '[', ']', '{', '}', '#']) => {
                at = line_end + 1;
            }
            _ => return None,
        }
    }
    None
}

/// Where a quoted value that started before `text` closes (`\"` and `''` escape).
fn closing_quote(text: &str, q: char) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if q == '"' && c == '\\' {
            chars.next();
        } else if c == q {
            if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// `key:` at the start of a block mapping line (quoted or plain), and what follows.
fn simple_key(body: &str) -> Option<(String, &str)> {
    let (key, rest) = match body.chars().next()? {
        q @ ('"' | '\'') => {
            let close = closing_quote(&body[1..], q)? + 1;
            (
                body[1..close].to_string(),
                body[close + 1..].trim_start_matches([' ', '\t']),
            )
        }
        _ => {
            let colon = body.find(": ").or_else(|| body.find(":\t"))?;
            let key = &body[..colon];
            // A plain key may not start with an indicator nor hold a comment.
            if key.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c))
                || key.contains(" #")
                || key.contains("\t#")
            {
                return None;
            }
            (key.trim_end().to_string(), &body[colon..])
        }
    };
    let rest = rest.strip_prefix(':')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((key, rest))
}

/// Skips blanks, new lines and `#` comments.
fn yaml_skip(y: &[char], mut i: usize) -> usize {
    while let Some(&c) = y.get(i) {
        if c == '#' {
            while y.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
        } else if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
            i += 1;
        } else {
            break;
        }
    }
    i
}

enum YamlNode {
    /// A scalar (its value, roughly) and where it ends.
    Scalar(String, usize),
    /// A nested `[` or `{` (its closing bracket) and where its content starts.
    Open(char, usize),
}

/// One node in a flow collection at `i` (after any anchor or tag).
fn yaml_node(y: &[char], mut i: usize, anchors: bool) -> Result<YamlNode, &'static str> {
    // `&anchor` and `!tag` properties before the node.
    while let Some(&c) = y.get(i) {
        if c != '&' && c != '!' {
            break;
        }
        while y.get(i).is_some_and(|&c| !c.is_whitespace() && !",[]{}".contains(c)) {
            i += 1;
        }
        i = yaml_skip(y, i);
    }
    let Some(&c) = y.get(i) else {
        return Ok(YamlNode::Scalar(String::new(), i));
    };
    match c {
        '[' => Ok(YamlNode::Open(']', i + 1)),
        '{' => Ok(YamlNode::Open('}', i + 1)),
        '"' => {
            let mut j = i + 1;
            let mut value = String::new();
            loop {
                match y.get(j) {
                    None => return Err("a quoted value is never closed"),
                    Some('"') => return Ok(YamlNode::Scalar(value, j + 1)),
                    Some('\\') => {
                        let hex = match y.get(j + 1) {
                            Some('x') => 2,
                            Some('u') => 4,
                            Some('U') => 8,
                            Some(
                                '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"' | '/' | '\\'
                                | 'N' | '_' | 'L' | 'P' | '\n',
                            ) => 0,
                            _ => return Err("a quoted value has an unknown escape (`\\...`)"),
                        };
                        for k in 0..hex {
                            if !y.get(j + 2 + k).is_some_and(char::is_ascii_hexdigit) {
                                return Err("a quoted value has an unknown escape (`\\...`)");
                            }
                        }
                        if let Some(&e) = y.get(j + 1) {
                            value.push(e);
                        }
                        j += 2 + hex;
                    }
                    Some(&c) => {
                        value.push(c);
                        j += 1;
                    }
                }
            }
        }
        '\'' => {
            let mut j = i + 1;
            let mut value = String::new();
            loop {
                match y.get(j) {
                    None => return Err("a quoted value is never closed"),
                    Some('\'') if y.get(j + 1) == Some(&'\'') => {
                        value.push('\'');
                        j += 2;
                    }
                    Some('\'') => return Ok(YamlNode::Scalar(value, j + 1)),
                    Some(&c) => {
                        value.push(c);
                        j += 1;
                    }
                }
            }
        }
        '*' if !anchors => Err("an alias (`*name`) names no anchor"),
        ',' => Err("an entry is empty (`,` where a value was expected)"),
        ']' | '}' => Err("a bracket closes nothing"),
        '%' | '@' | '`' | '|' | '>' => Err("a value starts with a character YAML reserves"),
        _ => {
            // A plain scalar ends at a flow indicator, at `: ` and before ` #`.
            let mut j = i;
            while let Some(&c) = y.get(j) {
                let next = y.get(j + 1).copied();
                if ",[]{}\n".contains(c)
                    || (c == ':' && j > i && next.is_none_or(|n| n.is_whitespace() || ",[]{}".contains(n)))
                    || (c.is_whitespace() && next == Some('#'))
                {
                    break;
                }
                j += 1;
            }
            let value: String = y[i..j].iter().collect();
            Ok(YamlNode::Scalar(value.trim().to_string(), j.max(i + 1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DiagramModel, parse_diagram};

    /// The model and errors of `src`, one line each.
    fn show(src: &str) -> String {
        let d = parse_diagram(src);
        let mut out = String::new();
        if let DiagramModel::Sequence(sq) = &d.model {
            let id = |i: usize| sq.participants.get(i).map_or("?", |p| p.id.as_str());
            if let Some(t) = &sq.title {
                out.push_str(&format!("title {t:?}\n"));
            }
            if sq.autonumber {
                out.push_str("autonumber\n");
            }
            for p in &sq.participants {
                let flags = match (p.created, p.destroyed) {
                    (true, true) => " created destroyed",
                    (true, false) => " created",
                    (false, true) => " destroyed",
                    _ => "",
                };
                out.push_str(&format!("participant {} {:?} {}{flags}\n", p.id, p.label, p.shape));
            }
            for m in &sq.messages {
                let (cf, ct) = (if m.central.0 { "()" } else { "" }, if m.central.1 { "()" } else { "" });
                let act = m.activation.map_or(String::new(), String::from);
                out.push_str(&format!(
                    "message {}{cf} {}{act}{ct} {} {:?}\n",
                    id(m.from),
                    m.arrow,
                    id(m.to),
                    m.text
                ));
            }
            for n in &sq.notes {
                let ids: Vec<&str> = n.participants.iter().map(|&i| id(i)).collect();
                out.push_str(&format!("note {:?} {} {:?}\n", n.placement, ids.join(","), n.text));
            }
            for b in &sq.blocks {
                out.push_str(&format!(
                    "block {:?} {:?} {:?} depth={}\n",
                    b.kind, b.label, b.sections, b.depth
                ));
            }
            for b in &sq.boxes {
                let ids: Vec<&str> = b.participants.iter().map(|&i| id(i)).collect();
                out.push_str(&format!("box {:?} [{}]\n", b.label, ids.join(",")));
            }
        }
        for e in &d.errors {
            let at = src.get(e.range.clone()).unwrap_or("");
            out.push_str(&format!(
                "error {}..{} {}: {at:?}\n",
                e.range.start, e.range.end, e.message
            ));
        }
        out
    }

    fn check(src: &str, expect: &str) {
        let got = show(src);
        assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
    }

    /// Declarations (alias, `actor`, `@{...}` shape) and every arrow family.
    #[test]
    fn participants_and_arrows() {
        check(
            "sequenceDiagram\n    participant A as Alice\n    actor B\n    participant D@{ \"type\": \"database\" } as Store\n    A->>B: hi\n    B-->>A: ok\n    A->B: open\n    A-->B: dotted open\n    A-xB: cross\n    A--xB: dotted cross\n    A-)B: async\n    A--)B: dotted async\n    A<<->>B: both\n    A<<-->>B: both dotted\n    A-|\\B: half\n    A//-B: half reverse\n    A->>D: store\n",
            r##"
participant A "Alice" participant
participant B "B" actor
participant D "Store" database
message A ->> B "hi"
message B -->> A "ok"
message A -> B "open"
message A --> B "dotted open"
message A -x B "cross"
message A --x B "dotted cross"
message A -) B "async"
message A --) B "dotted async"
message A <<->> B "both"
message A <<-->> B "both dotted"
message A -|\ B "half"
message A //- B "half reverse"
message A ->> D "store""##,
        );
    }

    /// `+`/`-` activations, `activate`, notes, `()` central connections, `autonumber`.
    #[test]
    fn activations_notes_autonumber() {
        check(
            "sequenceDiagram\n    autonumber 10 5\n    A->>+B: start\n    B-->>-A: done\n    activate A\n    deactivate A\n    Note left of A: l\n    note right of B: r\n    Note over A,B: both\n    A->>()B: central\n    A()->>()B: dual\n    autonumber off\n",
            r##"
autonumber
participant A "A" participant
participant B "B" participant
message A ->>+ B "start"
message B -->>- A "done"
message A ->>() B "central"
message A() ->>() B "dual"
note LeftOf A "l"
note RightOf B "r"
note Over A,B "both""##,
        );
    }

    /// Every block kind, its sections (`else`, `and`, `option`) and nesting.
    #[test]
    fn blocks_and_sections() {
        check(
            "sequenceDiagram\n    loop every minute\n        A->>B: ping\n    end\n    alt ok\n        B->>A: yes\n    else failed\n        B->>A: no\n    end\n    par one\n        A->>B: x\n    and two\n        A->>C: y\n    end\n    critical connect\n        A->>B: c\n    option timeout\n        A->>B: t\n    end\n    opt maybe\n        break stop\n            A->>B: b\n        end\n    end\n    rect rgb(0, 0, 255)\n        A->>B: r\n    end\n    par_over overlap\n        A->>B: o\n    end\n",
            r##"
participant A "A" participant
participant B "B" participant
participant C "C" participant
message A ->> B "ping"
message B ->> A "yes"
message B ->> A "no"
message A ->> B "x"
message A ->> C "y"
message A ->> B "c"
message A ->> B "t"
message A ->> B "b"
message A ->> B "r"
message A ->> B "o"
block Loop "every minute" [] depth=0
block Alt "ok" ["failed"] depth=0
block Par "one" ["two"] depth=0
block Critical "connect" ["timeout"] depth=0
block Opt "maybe" [] depth=0
block Break "stop" [] depth=1
block Rect "rgb(0, 0, 255)" [] depth=0
block ParOver "overlap" [] depth=0"##,
        );
    }

    /// `box ... end` groups and the `create`/`destroy` lifecycle.
    #[test]
    fn boxes_create_destroy() {
        check(
            "sequenceDiagram\n    box Aqua Team\n        participant A\n        actor B\n    end\n    create participant C\n    A->>C: hello\n    destroy C\n    C->>A: bye\n",
            r##"
participant A "A" participant
participant B "B" actor
participant C "C" participant created destroyed
message A ->> C "hello"
message C ->> A "bye"
box "Aqua Team" [A,B]"##,
        );
    }

    /// What Mermaid's lexer makes of `;`, `#`, entities, `%%`, `end` followed by a statement, names with
    /// spaces and dashes, keyword case, and a `title` that swallows the next line (all accepted by the
    /// oracle).
    #[test]
    fn lexer_quirks_mermaid_accepts() {
        check(
            "sequenceDiagram; A->>B: one; B->>A: two # a comment\n    %% a comment line\n    A->>B: I #9829; you #59; really\n    loop x\n    A->>B: y\n    end A->>B: after end\n    John Doe-Smith->>B: names hold spaces and dashes\n    LOOP upper case\n    NOTE over B: keywords ignore case\n    END\n    title\n    A->>B: swallowed by the title\n",
            r##"
title "A->>B: swallowed by the title"
participant A "A" participant
participant B "B" participant
participant John Doe-Smith "John Doe-Smith" participant
message A ->> B "one"
message B ->> A "two"
message A ->> B "I #9829; you #59; really"
message A ->> B "y"
message A ->> B "after end"
message John Doe-Smith ->> B "names hold spaces and dashes"
note Over B "keywords ignore case"
block Loop "x" [] depth=0
block Loop "upper case" [] depth=0"##,
        );
    }

    /// Front matter, a directive, CRLF line ends, accessibility statements.
    #[test]
    fn front_matter_directives_crlf() {
        check(
            "---\r\ntitle: t\r\n---\r\n%%{init: {\"theme\": \"dark\"}}%%\r\nsequenceDiagram\r\n    accTitle: a title\r\n    accDescr { a\r\n    description }\r\n    A->>B: hi\r\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->> B "hi""##,
        );
    }

    /// Blocks: never closed, `end` with nothing open, a section keyword in the wrong block (the oracle
    /// rejects each).
    #[test]
    fn unclosed_and_stray_blocks() {
        // unclosed block
        check(
            "sequenceDiagram\n    A->>B: hi\n    loop forever\n        B->>A: hi\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->> B "hi"
message B ->> A "hi"
block Loop "forever" [] depth=0
error 34..38 expected `end` to close the `loop` opened at line 3: "loop""##,
        );
        // unclosed box
        check(
            "sequenceDiagram\n    box Team\n    participant A\n",
            r##"
participant A "A" participant
box "Team" [A]
error 20..23 expected `end` to close the `box` opened at line 2: "box""##,
        );
        // stray end
        check(
            "sequenceDiagram\n    A->>B: hi\n    end\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->> B "hi"
error 34..37 `end` without an open block (`loop`, `alt`, `box`, ...): "end""##,
        );
        // else outside alt
        check(
            "sequenceDiagram\n    loop x\n    else y\n    end\n",
            r##"
block Loop "x" [] depth=0
error 31..35 `else` outside an `alt` block: "else""##,
        );
    }

    /// Messages: mangled or missing arrows, no receiver, no text, `;` inside a text, `-x` inside a
    /// name (rejected by the oracle).
    #[test]
    fn arrow_and_message_errors() {
        // unknown arrow
        check(
            "sequenceDiagram\n    A->>>B: hi\n",
            r##"
error 21..25 unknown arrow `->>>`; expected one of ->>, -->>, ->, -->, -x, --x, -), --), <<->>, <<-->>, and the half arrows -|\, -|/, -\\, -//, /|-, \|-, //-, \\- (dotted with --): "->>>""##,
        );
        // unknown arrow before
        check(
            "sequenceDiagram\n    A=>>B: hi\n",
            r##"
error 22..24 unknown arrow `>>` after `A=`; expected one of ->>, -->>, ->, -->, -x, --x, -), --), <<->>, <<-->>, and the half arrows -|\, -|/, -\\, -//, /|-, \|-, //-, \\- (dotted with --): ">>""##,
        );
        // missing arrow
        check(
            "sequenceDiagram\n    Alice Bob: hi\n",
            r##"
error 29..33 expected an arrow after `Alice Bob` (one of ->>, -->>, ->, -->, -x, --x, -), --), <<->>, <<-->>, and the half arrows -|\, -|/, -\\, -//, /|-, \|-, //-, \\- (dotted with --)), found `: hi`; a name alone is not a statement: ": hi""##,
        );
        // missing receiver
        check(
            "sequenceDiagram\n    A->>: hi\n",
            r##"
error 24..28 expected the receiver's name after `->>`, found `: hi`: ": hi""##,
        );
        // missing text
        check(
            "sequenceDiagram\n    A->>B\n",
            r##"
error 25..26 expected `:` and the message text after the receiver `B`, found end of line: "\n""##,
        );
        // semicolon in text
        check(
            "sequenceDiagram\n    A->>B: a; b\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->> B "a"
error 31..32 expected an arrow after `b` (one of ->>, -->>, ->, -->, -x, --x, -), --), <<->>, <<-->>, and the half arrows -|\, -|/, -\\, -//, /|-, \|-, //-, \\- (dotted with --)), found end of line; a name alone is not a statement (`;` ends a statement: write `#59;` for a semicolon in a text): "\n""##,
        );
        // dash x in a name is an arrow
        check(
            "sequenceDiagram\n    Mary-x-ray->>B: hi\n",
            r##"
error 30..33 expected `:` and the message text after the receiver `ray`, found `->>`: "->>""##,
        );
    }

    /// Statements the grammar refuses (rejected by the oracle).
    #[test]
    fn statement_errors() {
        // participant without name
        check(
            "sequenceDiagram\n    participant\n    A->>B: hi\n",
            r##"
error 31..32 expected a participant name after `participant`, found end of line: "\n""##,
        );
        // participant bad name
        check(
            "sequenceDiagram\n    participant A: x\n",
            r##"
error 32..36 expected a participant name after `participant`, found `A: x`: "A: x""##,
        );
        // lexical error
        check(
            "sequenceDiagram\n    activate\n",
            r##"
error 28..29 expected a participant name after `activate`, found end of line: "\n""##,
        );
        // message in box
        check(
            "sequenceDiagram\n    box Team\n    A->>B: hi\n    end\n",
            r##"
box "Team" []
error 33..34 a `box` holds only `participant`, `actor` and `destroy` lines and its `end`, found `A`: "A""##,
        );
        // autonumber trailing blank
        check(
            "sequenceDiagram\n    autonumber \n    A->>B: hi\n",
            r##"
error 36..37 expected end of line or a number after `autonumber`, found `A`: "A""##,
        );
        // note without placement
        check(
            "sequenceDiagram\n    Note A: hi\n",
            r##"
error 25..26 expected `left of`, `right of` or `over` after `note`, found `A`: "A""##,
        );
        // stray token
        check(
            "sequenceDiagram\n    + A->>B: hi\n",
            r##"
error 20..21 expected a statement (a message, `participant`, `note`, `loop`, ...), found `+` (a message starts with the sender's name): "+""##,
        );
        // create not participant
        check(
            "sequenceDiagram\n    create A\n",
            r##"
error 27..28 expected `participant` or `actor` after `create`, found `A`: "A""##,
        );
        // no type after directive
        check(
            "%%{init: {}}%%%\nsequenceDiagram\n    A->>B: hi\n",
            r##"
error 14..15 no diagram type detected: after directives and comments the text must start with `sequenceDiagram`: "%""##,
        );
    }

    /// What Mermaid's database refuses once the text has parsed (rejected by the oracle).
    #[test]
    fn database_errors() {
        // deactivate inactive
        check(
            "sequenceDiagram\n    A->>B: hi\n    deactivate B\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->> B "hi"
error 45..46 `B` is deactivated but is not active (activate it first): "B""##,
        );
        // deactivate by message
        check(
            "sequenceDiagram\n    A->>-B: hi\n",
            r##"
participant A "A" participant
participant B "B" participant
message A ->>- B "hi"
error 20..21 `A` is deactivated but is not active (activate it first): "A""##,
        );
        // create without message
        check(
            "sequenceDiagram\n    A->>B: hi\n    create participant C\n    A->>B: not to C\n",
            r##"
participant A "A" participant
participant B "B" participant
participant C "C" participant created
message A ->> B "hi"
message A ->> B "not to C"
error 59..74 participant `C` is created but the next message is not sent to it: "A->>B: not to C""##,
        );
        // create existing
        check(
            "sequenceDiagram\n    A->>B: hi\n    create participant B\n    A->>B: again\n",
            r##"
participant A "A" participant
participant B "B" participant created
message A ->> B "hi"
message A ->> B "again"
error 53..54 cannot `create` participant `B`: it already exists (use `as` aliases for a second one): "B""##,
        );
        // destroy without message
        check(
            "sequenceDiagram\n    A->>B: hi\n    destroy B\n    A->>C: elsewhere\n",
            r##"
participant A "A" participant
participant B "B" participant destroyed
participant C "C" participant
message A ->> B "hi"
message A ->> C "elsewhere"
error 48..64 participant `B` is destroyed but the next message neither comes from it nor goes to it: "A->>C: elsewhere""##,
        );
        // two boxes
        check(
            "sequenceDiagram\n    box One\n    participant A\n    end\n    box Two\n    participant A\n    end\n",
            r##"
participant A "A" participant
box "One" [A]
box "Two" []
error 82..83 participant `A` is in two boxes (`One` and `Two`); a participant belongs to one box: "A""##,
        );
    }

    /// `@{...}` settings Mermaid's YAML reader refuses (rejected by the oracle).
    #[test]
    fn participant_settings_errors() {
        // config unclosed quote
        check(
            "sequenceDiagram\n    participant A@{ \"type\": \"database }\n",
            r##"
participant A "A" database
error 35..54 cannot read the settings of participant `A`: a quoted value is never closed: " \"type\": \"database ""##,
        );
        // config missing comma
        check(
            "sequenceDiagram\n    participant A@{ \"type\" \"database\" }\n",
            r##"
participant A "A" participant
error 35..54 cannot read the settings of participant `A`: a comma is missing between two entries: " \"type\" \"database\" ""##,
        );
        // config duplicate key
        check(
            "sequenceDiagram\n    participant A@{ \"type\": \"a\", \"type\": \"b\" }\n",
            r##"
participant A "A" participant
error 35..61 cannot read the settings of participant `A`: a key is given twice: " \"type\": \"a\", \"type\": \"b\" ""##,
        );
        // config unclosed brace
        check(
            "sequenceDiagram\n    participant A@{ \"type\": \"queue\"\n    participant B\n    A->>B: hi\n}\n",
            r##"
participant A "A" queue
error 35..84 cannot read the settings of participant `A`: a line is indented more than the first (settings over several lines are YAML): " \"type\": \"queue\"\n    participant B\n    A->>B: hi\n""##,
        );
    }

    /// Every prefix of a diagram using most constructs, and odd characters: no panic.
    #[test]
    fn never_panics() {
        let rich = "---\r\ntitle: t\r\n---\r\n%%{init: {}}%%\nsequenceDiagram\n  box rgb(1,2,3) Ü 😀\n  participant A@{ \"type\": \"queue\", 'alias': 'it''s' } as Ä\n  actor B as Bé\n  end\n  autonumber 1.5 2\n  A->>+B: x #59; y #quot; z\n  B-->>-A: ok # note\n  A()<<-->>()B: dual\n  create participant C\n  A-|\\C: hi\n  destroy C\n  C--//A: bye\n  critical c\n    Note over A,B: n\n  option o\n    loop l\n      A-xB: t\n    end\n  end\n  title T\n  accDescr {\n  d }\n  links A: {\"a\": \"b\"}\n";
        for (i, _) in rich.char_indices() {
            let _ = show(&rich[..i]);
        }
        for src in [
            "sequenceDiagram",
            "sequenceDiagram\n%%{",
            "sequenceDiagram\n\u{2028}A->>B: x\u{2029}",
            "sequenceDiagram\nparticipant A@{",
            "sequenceDiagram\nparticipant A@{ [[[[[[ }",
            "sequenceDiagram\nparticipant A@{\n\"a\": \"\n\n",
            "sequenceDiagram\naccDescr {",
            "sequenceDiagram\nA\u{0}->>B: \u{0}",
            "sequenceDiagram\n😀->>😀: 😀\n😀%%x",
            "\u{feff}sequenceDiagram\n",
            "---\n---\nsequenceDiagram\n",
        ] {
            let _ = show(src);
        }
    }

    /// Sizes the brief names (1 MB on one line, 5,000 nested blocks, 10,000 participants)
    /// finish quickly: every pass is linear.
    #[test]
    fn large_inputs_stay_linear() {
        let mb = 1 << 20;
        let long_text = format!("sequenceDiagram\nA->>B: {}\n", "x".repeat(mb));
        assert!(parse_diagram(&long_text).errors.is_empty());
        for line in [
            "-".repeat(mb),
            " ".repeat(mb),
            format!("style{}", ":".repeat(mb)),
            format!("A{}", "-a".repeat(mb / 2)),
            format!("participant A@{{ {} }}", "[".repeat(mb)),
            format!("participant A@{{\n\"a\": \"{}", "\n".repeat(mb)),
            format!("participant {}", "#".repeat(mb)),
            format!("%%{{a {}", "x\n".repeat(mb / 2)),
            format!("{}x", "\n ".repeat(mb / 2)),
            format!("autonumber {}", "1".repeat(mb)),
        ] {
            let src = format!("sequenceDiagram\n{line}\n");
            let _ = parse_diagram(&src);
        }
        let nested = format!(
            "sequenceDiagram\n{}A->>B: x\n{}",
            "loop l\n".repeat(5000),
            "end\n".repeat(5000)
        );
        let d = parse_diagram(&nested);
        assert!(d.errors.is_empty());
        let DiagramModel::Sequence(sq) = &d.model else {
            panic!("a sequence diagram")
        };
        assert_eq!((sq.blocks.len(), sq.blocks.last().map(|b| b.depth)), (5000, Some(4999)));
        let many: String = (0..10_000).map(|i| format!("P{i}->>P{}: m\n", i + 1)).collect();
        let d = parse_diagram(&format!("sequenceDiagram\n{many}"));
        let DiagramModel::Sequence(sq) = &d.model else {
            panic!("a sequence diagram")
        };
        assert_eq!(
            (sq.participants.len(), sq.messages.len(), d.errors.len()),
            (10_001, 10_000, 0)
        );
    }
}
