//! State diagrams (`stateDiagram` / `stateDiagram-v2`): states, composite states,
//! transitions, `[*]`, choice/fork/join, notes and concurrency (`--`). Rejects what
//! Mermaid's own parser rejects.
//!
//! Mermaid's verdict comes from three layers, and we replay each: its text preprocessing
//! (`pre`), its jison lexer with start conditions and first-match rules (`lexer`), and its
//! grammar, which is small enough to check here by hand: a document is a sequence of
//! statements and new lines, statements need no separator, composite states nest.

mod js;
mod lexer;
mod pre;

use super::MermaidError;
use js::js_trim;
use lexer::{LexError, T, Tok};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

#[derive(Clone, Debug, Default, Serialize)]
pub struct StateDiagram {
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
    pub notes: Vec<Note>,
    /// `classDef NAME styles` lines.
    pub class_defs: Vec<ClassDef>,
    /// The last top-level `direction` (`TB`, `BT`, `RL`, `LR`).
    pub direction: Option<String>,
    pub acc_title: Option<String>,
    pub acc_descr: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct State {
    pub id: String,
    /// The description shown (`state "Long name" as S`, `S : text`), else the id.
    pub label: String,
    /// Every description given (`state "..." as S`, each `S : text`), in order.
    pub descriptions: Vec<String>,
    /// The composite state this one is declared in (index into `states`).
    pub parent: Option<usize>,
    /// `choice`, `fork`, `join`; `start`/`end` for `[*]`; none for an ordinary state.
    pub stereotype: Option<String>,
    /// Declared with a body (`state S { ... }`).
    pub composite: bool,
    /// Concurrency dividers (`--`) in its body: it has `dividers + 1` regions.
    pub dividers: usize,
    /// The `direction` set inside its body.
    pub direction: Option<String>,
    /// Classes applied with `:::name` or `class S name`.
    pub classes: Vec<String>,
    /// Where the state is first named.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Transition {
    /// Indices into `states`; `[*]` is a start or end state of its own, one of each per
    /// composite state (and one of each at top level).
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// The state it is attached to (`note left of S`); none for a floating note.
    pub state: Option<usize>,
    /// `left of`, `right of`, or `floating` (`note "text" as N`).
    pub position: String,
    pub text: String,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClassDef {
    pub name: String,
    pub styles: String,
    pub range: Range<usize>,
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> StateDiagram {
    let pre = match pre::preprocess(src) {
        Ok(pre) => pre,
        Err(e) => {
            errors.push(MermaidError {
                message: e.message,
                range: e.range,
            });
            return StateDiagram::default();
        }
    };
    let (toks, lex_error) = lexer::lex(&pre.text);
    let mut p = Parser {
        src,
        text: &pre.text,
        pre: &pre,
        toks,
        i: 0,
        lex_error,
        model: StateDiagram::default(),
        ids: HashMap::new(),
        edges: HashMap::new(),
        open: Vec::new(),
    };
    if let Err(e) = p.run() {
        errors.push(e);
    }
    p.model
}

/// A composite state whose `}` has not come yet.
struct Open {
    state: usize,
    brace: Tok,
}

struct Parser<'a> {
    src: &'a str,
    text: &'a str,
    pre: &'a pre::Pre,
    toks: Vec<Tok>,
    i: usize,
    lex_error: Option<LexError>,
    model: StateDiagram,
    ids: HashMap<String, usize>,
    /// `[*]` states by (scope, is start).
    edges: HashMap<(Option<usize>, bool), usize>,
    open: Vec<Open>,
}

type Res<T> = Result<T, MermaidError>;

/// How a token reads in a message.
fn describe(t: T) -> &'static str {
    match t {
        T::Click => "`click`",
        T::Href => "`href`",
        T::Str => "a quoted string",
        T::Default => "`default`",
        T::Dir(_) => "a `direction` line",
        T::Nl => "a line break",
        T::Scale => "`scale`",
        T::Width => "a width",
        T::AccTitle => "`accTitle:`",
        T::AccTitleValue | T::AccDescrValue | T::AccDescrMulti => "accessibility text",
        T::AccDescr => "`accDescr:`",
        T::ClassDef => "`classDef`",
        T::DefaultClassDefId => "`default`",
        T::ClassDefId => "a class name",
        T::ClassDefStyleOpts | T::StyleOpts => "styles",
        T::Class => "`class`",
        T::ClassEntityIds => "state names",
        T::StyleClass => "a class name",
        T::Style => "`style`",
        T::StyleIds => "state names",
        T::Fork => "a `<<fork>>` state",
        T::Join => "a `<<join>>` state",
        T::Choice => "a `<<choice>>` state",
        T::StateDescr => "a quoted state description",
        T::As => "`as`",
        T::Id => "a state name",
        T::CompositState => "a state name",
        T::StructStart => "`{`",
        T::StructStop => "`}`",
        T::Note => "`note`",
        T::LeftOf => "`left of`",
        T::RightOf => "`right of`",
        T::NoteText => "note text",
        T::Sd => "a second `stateDiagram` header",
        T::HideEmpty => "`hide empty description`",
        T::EdgeState => "`[*]`",
        T::Descr => "a `: description`",
        T::Arrow => "`-->`",
        T::Concurrent => "`--`",
        T::StyleSep => "`:::`",
        T::Invalid => "an unexpected character",
        T::Eof => "the end of the diagram",
    }
}

const STATEMENT: &str = "a new statement (a state, a transition `A --> B`, `state`, `note`, `classDef`, ...)";

impl Parser<'_> {
    fn range(&self, start: usize, end: usize) -> Range<usize> {
        let a = floor_boundary(self.src, self.pre.to_src(start));
        let b = floor_boundary(self.src, self.pre.to_src(end)).max(a);
        a..b
    }

    fn tok_range(&self, t: &Tok) -> Range<usize> {
        self.range(t.start, t.end)
    }

    fn val(&self, t: &Tok) -> &str {
        js_trim(self.text.get(t.val.0..t.val.1).unwrap_or(""))
    }

    fn raw(&self, t: &Tok) -> &str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    fn line_of(&self, src_offset: usize) -> usize {
        1 + self
            .src
            .as_bytes()
            .iter()
            .take(src_offset)
            .filter(|&&c| c == b'\n')
            .count()
    }

    fn err(&self, message: String, range: Range<usize>) -> MermaidError {
        MermaidError { message, range }
    }

    /// The next token, or the lexical error Mermaid's lexer hits when asked for it.
    fn peek(&self) -> Res<Tok> {
        match self.toks.get(self.i) {
            Some(t) => Ok(*t),
            None => Err(self.lex_failure()),
        }
    }

    fn next(&mut self) -> Res<Tok> {
        let t = self.peek()?;
        self.i += 1;
        Ok(t)
    }

    fn expect(&mut self, want: &[T], what: &str) -> Res<Tok> {
        let t = self.next()?;
        if want.contains(&t.t) {
            Ok(t)
        } else {
            Err(self.unexpected(&t, what))
        }
    }

    fn lex_failure(&self) -> MermaidError {
        match &self.lex_error {
            Some(LexError::StateNameWords(a, b)) => {
                let found = self.text.get(*a..*b).unwrap_or("");
                self.err(
                    format!(
                        "state name must be a single word (found `{}`); quote it: `state \"...\" as Id`",
                        found.replace('\n', " ")
                    ),
                    self.range(*a, *b),
                )
            }
            Some(LexError::Unrecognized(at)) => self.char_error(*at),
            None => self.err(
                "unexpected end of the diagram".to_string(),
                self.range(self.text.len(), self.text.len()),
            ),
        }
    }

    /// A message for a character Mermaid's lexer does not accept at `at`.
    fn char_error(&self, at: usize) -> MermaidError {
        let rest = self.text.get(at..).unwrap_or("");
        let c = rest.chars().next().unwrap_or(' ');
        let one = self.range(at, at + c.len_utf8());
        let prev = self.toks.last().map(|t| t.t);
        match c {
            '-' | '<' | '=' | '.' if rest.starts_with('-') || rest.starts_with("<-") => self.arrow_error(at),
            ':' => self.err("`:` must be followed by a description".to_string(), one),
            '{' => self.err(
                "unexpected `{`: inside a composite state a nested one opens with `state NAME {`".to_string(),
                one,
            ),
            _ if prev == Some(T::Note) => self.err(
                "expected `left of STATE`, `right of STATE` or a quoted text after `note`".to_string(),
                one,
            ),
            _ if matches!(prev, Some(T::LeftOf | T::RightOf)) => {
                self.err("expected a state name after `note left of`/`right of`".to_string(), one)
            }
            _ if prev == Some(T::Id)
                && self.toks.len() >= 2
                && self
                    .toks
                    .get(self.toks.len() - 2)
                    .is_some_and(|t| matches!(t.t, T::LeftOf | T::RightOf)) =>
            {
                self.err(
                    "expected `: text` after the note's state, or a multi-line note closed by an `end note` line"
                        .to_string(),
                    one,
                )
            }
            _ if prev == Some(T::ClassDef) => {
                self.err("expected a class name and styles after `classDef`".to_string(), one)
            }
            _ if prev == Some(T::Class) => self.err("expected state names after `class`".to_string(), one),
            _ if prev == Some(T::Style) => self.err("expected state names and styles after `style`".to_string(), one),
            _ if prev == Some(T::Scale) || prev == Some(T::Width) => self.err(
                "expected a width after `scale`, as in `scale 350 width`".to_string(),
                one,
            ),
            _ => self.err(format!("unexpected character `{}`", c.escape_debug()), one),
        }
    }

    fn arrow_error(&self, at: usize) -> MermaidError {
        let rest = self.text.get(at..).unwrap_or("");
        let len = rest
            .find(|c: char| !matches!(c, '-' | '<' | '>' | '=' | '.' | '|' | 'x' | 'o'))
            .unwrap_or(rest.len());
        let arrow = rest.get(..len.max(1)).unwrap_or("-");
        let range = self.range(at, at + arrow.len());
        if arrow == "--" {
            return self.err(
                "`--` (concurrency divider) is only allowed inside a composite state `state S { ... }`".to_string(),
                range,
            );
        }
        self.err(format!("unknown arrow `{arrow}`; transitions use `-->`"), range)
    }

    fn unexpected(&self, t: &Tok, expected: &str) -> MermaidError {
        let mut range = self.tok_range(t);
        // A line break Mermaid adds at the end has no width: point at what came before.
        if range.is_empty()
            && let Some(prev) = self.i.checked_sub(2).and_then(|i| self.toks.get(i))
        {
            range = self.tok_range(prev);
        }
        match t.t {
            T::Invalid if self.raw(t).starts_with('-') || self.raw(t).starts_with('<') => self.arrow_error(t.start),
            T::Invalid if self.raw(t) == ":" => self.err("`:` must be followed by a description".to_string(), range),
            T::Eof if !self.open.is_empty() => self.unclosed(),
            T::Default => self.err(
                format!("`default` is a reserved word in state diagrams (Mermaid reads it as a keyword); expected {expected}"),
                range,
            ),
            T::Str => self.err(
                format!("a quoted string is only allowed in `click` at top level; expected {expected}"),
                range,
            ),
            T::DefaultClassDefId => self.err(
                "`classDef default` is rejected by Mermaid's state diagram parser; give the class another name"
                    .to_string(),
                range,
            ),
            _ => {
                let shown = match t.t {
                    T::Id | T::CompositState | T::Invalid => format!("`{}`", self.raw(t)),
                    _ => describe(t.t).to_string(),
                };
                self.err(format!("expected {expected}, found {shown}"), range)
            }
        }
    }

    fn unclosed(&self) -> MermaidError {
        match self.open.last() {
            Some(o) => {
                let r = self.tok_range(&o.brace);
                let name = self.model.states.get(o.state).map_or("", |s| s.id.as_str());
                self.err(
                    format!(
                        "expected `}}` to close state `{name}` opened at line {}",
                        self.line_of(r.start)
                    ),
                    r,
                )
            }
            None => self.err(
                "unexpected end of the diagram".to_string(),
                self.range(self.text.len(), self.text.len()),
            ),
        }
    }

    fn scope(&self) -> Option<usize> {
        self.open.last().map(|o| o.state)
    }

    fn state(&mut self, id: &str, range: Range<usize>) -> usize {
        if let Some(&i) = self.ids.get(id) {
            return i;
        }
        let i = self.model.states.len();
        self.model.states.push(State {
            id: id.to_string(),
            label: id.to_string(),
            descriptions: Vec::new(),
            parent: self.scope(),
            stereotype: None,
            composite: false,
            dividers: 0,
            direction: None,
            classes: Vec::new(),
            range,
        });
        self.ids.insert(id.to_string(), i);
        i
    }

    /// `[*]` as the start (source) or end (target) of the current scope.
    fn edge_state(&mut self, start: bool, range: Range<usize>) -> usize {
        let key = (self.scope(), start);
        if let Some(&i) = self.edges.get(&key) {
            return i;
        }
        let i = self.model.states.len();
        self.model.states.push(State {
            id: "[*]".to_string(),
            label: "[*]".to_string(),
            descriptions: Vec::new(),
            parent: self.scope(),
            stereotype: Some(if start { "start" } else { "end" }.to_string()),
            composite: false,
            dividers: 0,
            direction: None,
            classes: Vec::new(),
            range,
        });
        self.edges.insert(key, i);
        i
    }

    /// `ID`, `[*]`, optionally followed by `:::class`.
    fn id_statement(&mut self, first: Tok, as_source: bool) -> Res<usize> {
        let range = self.tok_range(&first);
        let idx = if first.t == T::EdgeState {
            self.edge_state(as_source, range)
        } else {
            let id = self.val(&first).to_string();
            self.state(&id, range)
        };
        if self.peek()?.t == T::StyleSep {
            self.next()?;
            let class = self.expect(&[T::Id], "a class name after `:::`")?;
            let class = self.val(&class).to_string();
            if let Some(s) = self.model.states.get_mut(idx) {
                s.classes.push(class);
            }
        }
        Ok(idx)
    }

    /// Records a description; Mermaid ignores empty ones.
    fn describe_state(&mut self, idx: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(s) = self.model.states.get_mut(idx) {
            if s.descriptions.is_empty() {
                s.label = text.to_string();
            }
            s.descriptions.push(text.to_string());
        }
    }

    /// Mermaid's `extract` throws "Group nodes can only have label" for a composite state
    /// given more than one description, wherever they are.
    fn check_composite_labels(&self) -> Res<()> {
        match self
            .model
            .states
            .iter()
            .find(|s| s.composite && s.descriptions.len() > 1)
        {
            Some(s) => Err(self.err(
                format!(
                    "composite state `{}` has {} descriptions; Mermaid allows a composite state only one label",
                    s.id,
                    s.descriptions.len()
                ),
                s.range.clone(),
            )),
            None => Ok(()),
        }
    }

    fn set_direction(&mut self, dir: &str) {
        match self.open.last().map(|o| o.state) {
            Some(i) => {
                if let Some(s) = self.model.states.get_mut(i) {
                    s.direction = Some(dir.to_string());
                }
            }
            None => self.model.direction = Some(dir.to_string()),
        }
    }

    fn open_body(&mut self, idx: usize) -> Res<()> {
        if self.peek()?.t == T::StructStart {
            let brace = self.next()?;
            if let Some(s) = self.model.states.get_mut(idx) {
                s.composite = true;
            }
            self.open.push(Open { state: idx, brace });
        }
        Ok(())
    }

    fn run(&mut self) -> Res<()> {
        loop {
            let t = self.next()?;
            match t.t {
                T::Nl => {}
                T::Sd => break,
                _ => return Err(self.unexpected(&t, "the `stateDiagram` header")),
            }
        }
        loop {
            let t = self.next()?;
            match t.t {
                T::Nl => {}
                T::Eof if self.open.is_empty() => return self.check_composite_labels(),
                T::Eof => return Err(self.unclosed()),
                T::StructStop if !self.open.is_empty() => {
                    self.open.pop();
                }
                _ => self.statement(t)?,
            }
        }
    }

    fn statement(&mut self, t: Tok) -> Res<()> {
        match t.t {
            T::ClassDef => {
                let name = self.expect(&[T::ClassDefId], "a class name after `classDef`")?;
                let styles = self.expect(&[T::ClassDefStyleOpts], "styles after the class name")?;
                let (name, styles) = (self.val(&name).to_string(), self.val(&styles).to_string());
                let range = self.range(t.start, styles_end(&self.toks, self.i));
                self.model.class_defs.push(ClassDef { name, styles, range });
            }
            T::Style => {
                self.expect(&[T::StyleIds], "state names after `style`")?;
                self.expect(&[T::StyleOpts], "styles after the state names")?;
            }
            T::Class => {
                let ids = self.expect(&[T::ClassEntityIds], "state names after `class`")?;
                let class = self.expect(&[T::StyleClass], "a class name")?;
                let class = self.val(&class).to_string();
                let range = self.tok_range(&ids);
                let names: Vec<String> = self.val(&ids).split(',').map(|s| js_trim(s).to_string()).collect();
                for name in names {
                    let i = self.state(&name, range.clone());
                    if let Some(s) = self.model.states.get_mut(i) {
                        s.classes.push(class.clone());
                    }
                }
            }
            T::Id | T::EdgeState => {
                let from = self.id_statement(t, true)?;
                match self.peek()?.t {
                    T::Descr => {
                        let d = self.next()?;
                        let text = self.val(&d).to_string();
                        self.describe_state(from, &text);
                    }
                    T::Arrow => {
                        self.next()?;
                        let second = self.expect(&[T::Id, T::EdgeState], "a state (or `[*]`) after `-->`")?;
                        let to = self.id_statement(second, false)?;
                        let mut end = self.toks.get(self.i.saturating_sub(1)).map_or(t.end, |x| x.end);
                        let mut label = None;
                        if self.peek()?.t == T::Descr {
                            let d = self.next()?;
                            end = d.end;
                            label = Some(self.val(&d).to_string());
                        }
                        let range = self.range(t.start, end);
                        self.model.transitions.push(Transition { from, to, label, range });
                    }
                    _ => {}
                }
            }
            T::HideEmpty => {}
            T::Scale => {
                self.expect(&[T::Width], "a width after `scale`, as in `scale 350 width`")?;
            }
            T::CompositState => {
                let id = self.val(&t).to_string();
                let idx = self.state(&id, self.tok_range(&t));
                self.open_body(idx)?;
            }
            T::StateDescr => {
                let descr = self.val(&t).to_string();
                self.expect(&[T::As], "`as ID` after the quoted state description")?;
                let id_tok = self.expect(&[T::Id], "a state id after `as`")?;
                let raw_id = self.val(&id_tok).to_string();
                let id = raw_id.split(':').next().map(js_trim).unwrap_or("").to_string();
                let idx = self.state(&id, self.tok_range(&id_tok));
                // `state "d" as S:e` is still one (two-part) description to Mermaid, and
                // with a body it keeps the description untrimmed (`" "` counts).
                let raw = self.text.get(t.val.0..t.val.1).unwrap_or("").to_string();
                let with_body = self.peek()?.t == T::StructStart;
                self.describe_state(idx, if with_body { &raw } else { &descr });
                self.open_body(idx)?;
            }
            T::Fork | T::Join | T::Choice => {
                let id = self.val(&t).to_string();
                let idx = self.state(&id, self.tok_range(&t));
                let kind = match t.t {
                    T::Fork => "fork",
                    T::Join => "join",
                    _ => "choice",
                };
                if let Some(s) = self.model.states.get_mut(idx) {
                    s.stereotype = Some(kind.to_string());
                }
            }
            T::Concurrent => {
                if let Some(i) = self.scope()
                    && let Some(s) = self.model.states.get_mut(i)
                {
                    s.dividers += 1;
                }
            }
            T::Note => {
                let p = self.expect(
                    &[T::LeftOf, T::RightOf, T::NoteText],
                    "`left of STATE`, `right of STATE` or a quoted text after `note`",
                )?;
                if p.t == T::NoteText {
                    let text = self.val(&p).to_string();
                    self.expect(&[T::As], "`as ID` after a floating note's text")?;
                    let id = self.expect(&[T::Id], "a note id after `as`")?;
                    let range = self.range(t.start, id.end);
                    self.model.notes.push(Note {
                        state: None,
                        position: "floating".to_string(),
                        text,
                        range,
                    });
                } else {
                    let target = self.expect(&[T::Id], "a state name after the note position")?;
                    let text = self.expect(
                        &[T::NoteText],
                        "`: text` after the note's state, or a multi-line note closed by an `end note` line",
                    )?;
                    let id = self.val(&target).to_string();
                    let state = self.state(&id, self.tok_range(&target));
                    let body = self.val(&text).to_string();
                    let range = self.range(t.start, text.end);
                    let position = if p.t == T::LeftOf { "left of" } else { "right of" };
                    self.model.notes.push(Note {
                        state: Some(state),
                        position: position.to_string(),
                        text: body,
                        range,
                    });
                }
            }
            T::Dir(d) => self.set_direction(d.as_str()),
            T::AccTitle => {
                let v = self.expect(&[T::AccTitleValue], "a title after `accTitle:`")?;
                self.model.acc_title = Some(self.val(&v).to_string());
            }
            T::AccDescr => {
                let v = self.expect(&[T::AccDescrValue], "a description after `accDescr:`")?;
                self.model.acc_descr = Some(self.val(&v).to_string());
            }
            T::AccDescrMulti => {
                self.model.acc_descr = Some(self.val(&t).to_string());
            }
            T::Click => {
                self.expect(&[T::Id], "a state name after `click`")?;
                let u = self.expect(&[T::Str, T::Href], "a quoted URL (or `href`) after the state name")?;
                if u.t == T::Href {
                    self.expect(&[T::Str], "a quoted URL after `href`")?;
                } else {
                    self.expect(&[T::Str], "a quoted tooltip after the URL")?;
                }
                self.expect(&[T::Nl], "the end of the line after `click`")?;
            }
            _ => return Err(self.unexpected(&t, STATEMENT)),
        }
        // A statement ends where the next may begin; anything else is out of place.
        let n = self.peek()?;
        if !(starts_line(n.t) || n.t == T::Eof || n.t == T::StructStop && !self.open.is_empty()) {
            let n = self.next()?;
            return Err(self.unexpected(&n, &format!("a line break or {STATEMENT}")));
        }
        Ok(())
    }
}

/// Tokens that may follow a complete statement.
fn starts_line(t: T) -> bool {
    matches!(
        t,
        T::Nl
            | T::ClassDef
            | T::Style
            | T::Class
            | T::Id
            | T::EdgeState
            | T::HideEmpty
            | T::Scale
            | T::CompositState
            | T::StateDescr
            | T::Fork
            | T::Join
            | T::Choice
            | T::Concurrent
            | T::Note
            | T::Dir(_)
            | T::AccTitle
            | T::AccDescr
            | T::AccDescrMulti
            | T::Click
    )
}

fn styles_end(toks: &[Tok], i: usize) -> usize {
    toks.get(i.saturating_sub(1)).map_or(0, |t| t.end)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `src` and renders the model and the errors compactly, one item a line.
    fn show(src: &str) -> String {
        let mut errors = Vec::new();
        let d = parse(src, &mut errors);
        let name = |i: usize| d.states.get(i).map_or("?".to_string(), |s| s.id.clone());
        let mut out = String::new();
        for s in &d.states {
            out.push_str(&format!("state {} {:?}", s.id, s.label));
            if let Some(p) = s.parent {
                out.push_str(&format!(" in {}", name(p)));
            }
            if let Some(k) = &s.stereotype {
                out.push_str(&format!(" <<{k}>>"));
            }
            if s.composite {
                out.push_str(&format!(" composite/{}", s.dividers + 1));
            }
            if let Some(dir) = &s.direction {
                out.push_str(&format!(" {dir}"));
            }
            if !s.classes.is_empty() {
                out.push_str(&format!(" :::{}", s.classes.join(",")));
            }
            out.push('\n');
        }
        for t in &d.transitions {
            out.push_str(&format!("{} --> {} {:?}\n", name(t.from), name(t.to), t.label));
        }
        for n in &d.notes {
            let on = n.state.map_or(String::new(), |i| format!(" {}", name(i)));
            out.push_str(&format!("note {}{on} {:?}\n", n.position, n.text));
        }
        for c in &d.class_defs {
            out.push_str(&format!("classDef {} {:?}\n", c.name, c.styles));
        }
        if let Some(dir) = &d.direction {
            out.push_str(&format!("direction {dir}\n"));
        }
        if let Some(t) = &d.acc_title {
            out.push_str(&format!("accTitle {t:?}\n"));
        }
        if let Some(t) = &d.acc_descr {
            out.push_str(&format!("accDescr {t:?}\n"));
        }
        for e in &errors {
            let at = src.get(e.range.clone()).unwrap_or("");
            out.push_str(&format!(
                "error {}..{} {:?}: {}\n",
                e.range.start, e.range.end, at, e.message
            ));
        }
        out
    }

    /// Every case here was checked against Mermaid 11.17.2 (`tools/mermaid-oracle`).
    fn check(src: &str, expect: &str) {
        let got = show(src);
        assert_eq!(got.trim(), expect.trim(), "\n--- source ---\n{src}\n--- got ---\n{got}");
    }

    #[test]
    fn states_and_transitions() {
        check(
            "stateDiagram-v2\n    [*] --> Still\n    Still --> Moving : push\n    Moving --> [*]\n    Crash\n",
            r#"
state [*] "[*]" <<start>>
state Still "Still"
state Moving "Moving"
state [*] "[*]" <<end>>
state Crash "Crash"
[*] --> Still None
Still --> Moving Some("push")
Moving --> [*] None"#,
        );
    }

    #[test]
    fn descriptions_and_long_names() {
        check(
            "stateDiagram\n    s1 : The first state\n    state \"Long name\" as s2\n    s1 --> s2\n",
            r#"
state s1 "The first state"
state s2 "Long name"
s1 --> s2 None"#,
        );
    }

    #[test]
    fn statements_need_no_separator() {
        // Mermaid's grammar takes `A B` as two states and `A --> B;` as a state `B;`.
        check(
            "stateDiagram-v2\nA B\nC --> D;\n",
            r#"
state A "A"
state B "B"
state C "C"
state D; "D;"
C --> D; None"#,
        );
    }

    #[test]
    fn composite_states_nest() {
        check(
            "stateDiagram-v2\nstate Outer {\n  [*] --> Inner\n  state Inner {\n    direction LR\n    a --> b\n  }\n}\n",
            r#"
state Outer "Outer" composite/1
state [*] "[*]" in Outer <<start>>
state Inner "Inner" in Outer composite/1 LR
state a "a" in Inner
state b "b" in Inner
[*] --> Inner None
a --> b None"#,
        );
    }

    #[test]
    fn concurrency_inside_composites() {
        check(
            "stateDiagram-v2\nstate Active {\n  a --> b\n  --\n  c --> d\n}\n",
            r#"
state Active "Active" composite/2
state a "a" in Active
state b "b" in Active
state c "c" in Active
state d "d" in Active
a --> b None
c --> d None"#,
        );
    }

    #[test]
    fn concurrency_at_top_level_is_rejected() {
        check(
            "stateDiagram-v2\na --> b\n--\nc\n",
            r#"
state a "a"
state b "b"
a --> b None
error 24..26 "--": `--` (concurrency divider) is only allowed inside a composite state `state S { ... }`"#,
        );
    }

    #[test]
    fn choice_fork_join() {
        check(
            "stateDiagram-v2\nstate f <<fork>>\nstate j <<join>>\nstate c <<choice>>\nstate k [[choice]]\nf --> j\n",
            r#"
state f "f" <<fork>>
state j "j" <<join>>
state c "c" <<choice>>
state k "k" <<choice>>
f --> j None"#,
        );
    }

    #[test]
    fn notes() {
        check(
            "stateDiagram-v2\nnote right of A : short\nnote left of A\n  two\n  lines\nend note\nnote \"floating\" as N\n",
            r#"
state A "A"
note right of A "short"
note left of A "two\n  lines"
note floating "floating""#,
        );
    }

    #[test]
    fn note_without_text_is_rejected() {
        check(
            "stateDiagram-v2\nnote left of A\n  text never closed\n",
            r#"
error 30..31 "\n": expected `: text` after the note's state, or a multi-line note closed by an `end note` line"#,
        );
    }

    #[test]
    fn note_text_stops_at_a_colon() {
        // `[^:\n;]+` ends the text at the second `:`, which then starts a description.
        check(
            "stateDiagram-v2\nnote right of A : a: b\n",
            r#"
state A "A"
note right of A "a"
error 35..38 ": b": expected a line break or a new statement (a state, a transition `A --> B`, `state`, `note`, `classDef`, ...), found a `: description`"#,
        );
    }

    #[test]
    fn bad_note_position() {
        check(
            "stateDiagram-v2\nnote over A : x\n",
            r#"error 21..22 "o": expected `left of STATE`, `right of STATE` or a quoted text after `note`"#,
        );
    }

    #[test]
    fn styling() {
        check(
            "stateDiagram-v2\nclassDef hot fill:#f00,color:white\nA:::hot --> B\nclass B hot\nstyle A stroke:#333\n",
            r#"
state A "A" :::hot
state B "B" :::hot
A --> B None
classDef hot "fill:#f00,color:white""#,
        );
    }

    #[test]
    fn classdef_default_is_rejected() {
        check(
            "stateDiagram-v2\nclassDef default fill:#f00\n",
            r#"error 25..33 "default ": `classDef default` is rejected by Mermaid's state diagram parser; give the class another name"#,
        );
    }

    #[test]
    fn comments_accessibility_and_front_matter() {
        check(
            "---\ntitle: T\n---\nstateDiagram-v2\n%% a comment\naccTitle: Title\naccDescr {\n  Long\n}\nA --> B %% trailing\n",
            r#"
state A "A"
state B "B"
A --> B None
accTitle "Title"
accDescr "Long""#,
        );
    }

    #[test]
    fn direction_anywhere_on_a_line() {
        // Mermaid's lexer reads any line holding `direction LR` as a direction statement.
        check("stateDiagram-v2\nA --> B : turn direction LR now\n", "direction LR");
    }

    #[test]
    fn composite_state_with_two_descriptions() {
        // Mermaid's `extract` throws "Group nodes can only have label"; one is fine.
        check(
            "stateDiagram-v2\nstate A {\n  B\n}\nA : one\n",
            "state A \"one\" composite/1\nstate B \"B\" in A",
        );
        check(
            "stateDiagram-v2\nstate A {\n  B\n}\nA : one\nA : two\n",
            r#"
state A "one" composite/1
state B "B" in A
error 22..23 "A": composite state `A` has 2 descriptions; Mermaid allows a composite state only one label"#,
        );
    }

    #[test]
    fn unclosed_composite() {
        check(
            "stateDiagram-v2\nstate A {\n  B\n",
            r#"
state A "A" composite/1
state B "B" in A
error 24..25 "{": expected `}` to close state `A` opened at line 2"#,
        );
    }

    #[test]
    fn brace_after_a_plain_state_inside_a_composite() {
        check(
            "stateDiagram-v2\nstate A {\n  B {\n  }\n}\n",
            r#"
state A "A" composite/1
state B "B" in A
error 30..31 "{": unexpected `{`: inside a composite state a nested one opens with `state NAME {`"#,
        );
    }

    #[test]
    fn unknown_arrows() {
        check(
            "stateDiagram-v2\nA -> B\n",
            r#"
state A "A"
error 18..20 "->": unknown arrow `->`; transitions use `-->`"#,
        );
        check(
            "stateDiagram-v2\nstate S {\n  A - B\n}\n",
            r#"
state S "S" composite/1
state A "A" in S
error 30..31 "-": unknown arrow `-`; transitions use `-->`"#,
        );
    }

    #[test]
    fn chained_and_dangling_transitions() {
        check(
            "stateDiagram-v2\nA --> B --> C\n",
            r#"
state A "A"
state B "B"
A --> B None
error 24..27 "-->": expected a line break or a new statement (a state, a transition `A --> B`, `state`, `note`, `classDef`, ...), found `-->`"#,
        );
        check(
            "stateDiagram-v2\nA -->\n",
            r#"
state A "A"
error 21..22 "\n": expected a state (or `[*]`) after `-->`, found a line break"#,
        );
    }

    #[test]
    fn colon_without_description() {
        check(
            "stateDiagram-v2\nA :\n",
            r#"
state A "A"
error 18..19 ":": `:` must be followed by a description"#,
        );
    }

    #[test]
    fn state_names_are_one_word() {
        check(
            "stateDiagram-v2\nstate Two words {\n}\n",
            r#"error 22..31 "Two words": state name must be a single word (found `Two words`); quote it: `state "..." as Id`"#,
        );
        // Mermaid's rule looks across the line break to the next `{`.
        check(
            "stateDiagram-v2\nstate Moving\nstate Idle {\n}\n",
            r#"error 22..34 "Moving\nstate": state name must be a single word (found `Moving state`); quote it: `state "..." as Id`"#,
        );
    }

    #[test]
    fn quoted_description_needs_as() {
        check(
            "stateDiagram-v2\nstate \"Long name\"\n",
            r#"error 23..32 "Long name": expected `as ID` after the quoted state description, found a line break"#,
        );
    }

    #[test]
    fn quoted_strings_and_keywords_at_top_level() {
        check(
            "stateDiagram-v2\n\"A\" --> B\n",
            r#"error 16..19 "\"A\"": a quoted string is only allowed in `click` at top level; expected a new statement (a state, a transition `A --> B`, `state`, `note`, `classDef`, ...)"#,
        );
        check(
            "stateDiagram-v2\ndefault --> B\n",
            r#"error 16..23 "default": `default` is a reserved word in state diagrams (Mermaid reads it as a keyword); expected a new statement (a state, a transition `A --> B`, `state`, `note`, `classDef`, ...)"#,
        );
        // Inside a composite state the same text is an ordinary id.
        check(
            "stateDiagram-v2\nstate S {\n  \"A\" --> default\n}\n",
            r#"
state S "S" composite/1
state "A" "\"A\"" in S
state default "default" in S
"A" --> default None"#,
        );
    }

    #[test]
    fn scale_and_click() {
        check(
            "stateDiagram-v2\nscale 350 width\nhide empty description\nclick A \"https://x\" \"tip\"\n",
            "",
        );
        check(
            "stateDiagram-v2\nscale wide\n",
            r#"error 22..23 "w": expected a width after `scale`, as in `scale 350 width`"#,
        );
        check(
            "stateDiagram-v2\nclick A\n",
            r#"error 23..24 "\n": expected a quoted URL (or `href`) after the state name, found a line break"#,
        );
    }

    #[test]
    fn stray_closing_brace_at_top_level_is_a_state() {
        // Outside a composite state Mermaid's id rule takes `}` like any other character.
        check("stateDiagram-v2\nA\n}\n", "state A \"A\"\nstate } \"}\"");
    }

    #[test]
    fn entity_codes_and_line_endings() {
        check(
            "stateDiagram-v2\r\nA : say #quot;hi#quot; ; ok\r\n",
            r#"
state A "say ﬂ°quot¶ßhiﬂ°quot¶ß"
state ; ";"
state ok "ok""#,
        );
    }

    #[test]
    fn front_matter_errors() {
        check(
            "---\ntitle: T\nstateDiagram-v2\nA\n",
            r#"error 0..3 "---": front matter opened by `---` is never closed by a `---` line, so Mermaid finds no diagram type"#,
        );
        let got = show("---\ntitle: [x\n---\nstateDiagram-v2\nA\n");
        assert!(
            got.starts_with("error 4..13 \"title: [x\": front matter is not valid YAML"),
            "{got}"
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            "stateDiagram-v2\n\"",
            "stateDiagram-v2\nstate \"",
            "stateDiagram-v2\nnote \"",
            "stateDiagram-v2\naccDescr {",
            "stateDiagram-v2\nstate é <<fork>>",
            "stateDiagram-v2\nclassDef",
            "stateDiagram-v2\n%%{",
            "stateDiagram-v2\n<a b=\"é\">",
            "stateDiagram-v2\nA : é\u{2028}B",
            "---\n",
            "",
        ] {
            let _ = show(src);
        }
        let deep = format!("stateDiagram-v2\n{}{}", "state S {\n".repeat(5000), "}\n".repeat(5000));
        assert_eq!(show(&deep).lines().filter(|l| l.starts_with("error")).count(), 0);
    }
}
