//! Class diagrams (`classDiagram`, `classDiagram-v2`): classes with members and generics,
//! relations with cardinalities and labels, namespaces, annotations, notes, styling and
//! interaction lines. Accepts exactly what Mermaid 11's own parser accepts: the text goes
//! through Mermaid's preprocessing (`prep`), its jison lexer rule for rule (`lexer`), and a
//! parser for its grammar, and the one semantic check of its class database that can fail
//! (a standalone `<<annotation>> A` before `A` exists).

mod lexer;
mod prep;

use super::MermaidError;
use lexer::{Tok, Token};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

/// What a class diagram declares. Classes are the ones Mermaid creates: a bare `A` line or
/// `note for A` names a class without creating it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassDiagram {
    pub classes: Vec<Class>,
    pub relations: Vec<Relation>,
    pub namespaces: Vec<Namespace>,
    pub notes: Vec<Note>,
    /// `direction TB|BT|RL|LR`, the last one written.
    pub direction: Option<String>,
    /// `accTitle: ...`.
    pub acc_title: Option<String>,
    /// `accDescr: ...` or `accDescr { ... }`.
    pub acc_descr: Option<String>,
    /// Names defined by `classDef`.
    pub style_classes: Vec<String>,
    /// `click`, `link`, `callback`, `style` and `cssClass` lines, by the class they name.
    pub interactions: Vec<Interaction>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Class {
    /// The class id (`Square` for `Square~Shape~`).
    pub name: String,
    /// The generic type (`Shape` for `Square~Shape~`).
    pub generic: Option<String>,
    /// The display label of `class A["label"]`.
    pub label: Option<String>,
    /// Attributes and methods, from `A : ...` lines and `{ ... }` bodies, in order.
    pub members: Vec<Member>,
    /// Annotations such as `interface` (from `<<interface>>`).
    pub annotations: Vec<String>,
    /// CSS classes attached with `:::name`.
    pub css_classes: Vec<String>,
    /// The namespace the class is declared in (index into `namespaces`), if any.
    pub namespace: Option<usize>,
    /// Where the class is first created.
    pub range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberKind {
    Attribute,
    /// A member with `)` after its first character.
    Method,
}

#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// The member as written, trimmed (`+getName() String`).
    pub text: String,
    pub kind: MemberKind,
    /// `+`, `-`, `#` or `~`.
    pub visibility: Option<char>,
    /// `$` (static) or `*` (abstract).
    pub classifier: Option<char>,
    pub range: Range<usize>,
}

/// A relation end's head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Head {
    /// `o`
    Aggregation,
    /// `<|` or `|>`
    Extension,
    /// `*`
    Composition,
    /// `<` or `>`
    Dependency,
    /// `()`
    Lollipop,
}

#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    /// The class ids at both ends, as written left to right (generics stripped).
    pub from: String,
    pub to: String,
    /// The heads at the left and right end of the line.
    pub from_head: Option<Head>,
    pub to_head: Option<Head>,
    /// `..` rather than `--`.
    pub dotted: bool,
    /// The relation as written (`<|--`, `*--`, `o--`, `-->`, `..>`, `..|>`, `--`, `..`).
    pub arrow: String,
    pub from_cardinality: Option<String>,
    pub to_cardinality: Option<String>,
    pub label: Option<String>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Namespace {
    /// The name as written (`Inner`, `com.example`); Mermaid's id prefixes the parents'.
    pub name: String,
    pub label: Option<String>,
    /// The enclosing namespace (index into `namespaces`). A namespace written twice under
    /// the same parent is one namespace.
    pub parent: Option<usize>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub text: String,
    /// The class of `note for A "..."`.
    pub class: Option<String>,
    /// The namespace the note is written in (index into `namespaces`).
    pub namespace: Option<usize>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Interaction {
    /// The class named (as written).
    pub class: String,
    /// `click`, `link`, `callback`, `style` or `cssClass`.
    pub keyword: String,
    pub range: Range<usize>,
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> ClassDiagram {
    let text = prep::preprocess(src);
    let (toks, unclosed) = lexer::tokenize(&text.text);
    let mut p = Parser {
        text: &text.text,
        map: &text,
        src,
        toks,
        unclosed,
        i: 0,
        model: ClassDiagram::default(),
        keys: HashMap::new(),
        namespace_keys: HashMap::new(),
    };
    if let Err(e) = p.document() {
        errors.push(MermaidError {
            message: e.message,
            range: p.origin(e.range),
        });
    }
    p.model
}

/// A parse error, positioned in the preprocessed text.
struct PErr {
    message: String,
    range: Range<usize>,
}

type PResult<T> = Result<T, PErr>;

/// One open `namespace` while its body is parsed.
struct Frame {
    /// Index into `namespaces`.
    index: usize,
    opened: usize,
}

struct Parser<'a> {
    text: &'a str,
    map: &'a prep::Mapped,
    src: &'a str,
    toks: Vec<Token>,
    /// What the text leaves open at its end (an unclosed string...), and where it opened.
    unclosed: Option<(&'static str, usize)>,
    i: usize,
    model: ClassDiagram,
    /// Class key (id before any `~`) to index in `model.classes`.
    keys: HashMap<String, usize>,
    /// (parent, name) to index in `model.namespaces`.
    namespace_keys: HashMap<(Option<usize>, String), usize>,
}

fn is_alnum(t: Tok) -> bool {
    matches!(t, Tok::Alpha | Tok::Num | Tok::Minus | Tok::UnicodeText)
}

fn head(t: Tok) -> Option<Head> {
    match t {
        Tok::Aggregation => Some(Head::Aggregation),
        Tok::Extension => Some(Head::Extension),
        Tok::Composition => Some(Head::Composition),
        Tok::Dependency => Some(Head::Dependency),
        Tok::Lollipop => Some(Head::Lollipop),
        _ => None,
    }
}

fn is_style_component(t: Tok) -> bool {
    matches!(
        t,
        Tok::Alpha | Tok::Num | Tok::Colon | Tok::Space | Tok::Brkt | Tok::Style | Tok::Pct | Tok::Label
    )
}

/// Tokens that can only be part of a mangled arrow where a relation was being read.
fn is_arrowish(t: Tok) -> bool {
    head(t).is_some()
        || matches!(
            t,
            Tok::Line
                | Tok::DottedLine
                | Tok::Minus
                | Tok::Dot
                | Tok::AnnotationStart
                | Tok::AnnotationEnd
                | Tok::Equals
                | Tok::Punctuation
                | Tok::Plus
        )
}

const RELATIONS: &str = "<|--, *--, o--, -->, --, ..>, ..|>, <|.., .., ()--, --(), or two-sided ones like <|--|> \
     (a head `<|`, `|>`, `*`, `o`, `<`, `>` or `()` on either side of `--` or `..`)";

impl<'a> Parser<'a> {
    fn peek(&self) -> Token {
        self.toks.get(self.i).or(self.toks.last()).copied().unwrap_or(Token {
            kind: Tok::End,
            start: 0,
            end: 0,
        })
    }

    fn kind(&self) -> Tok {
        self.peek().kind
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn slice(&self, r: Range<usize>) -> &'a str {
        self.text.get(r).unwrap_or("")
    }

    fn tok_text(&self, t: Token) -> &'a str {
        self.slice(t.start..t.end)
    }

    fn origin(&self, r: Range<usize>) -> Range<usize> {
        let a = self.map.origin(r.start);
        let b = if r.end > r.start {
            self.map.origin(r.end - 1) + 1
        } else {
            a
        };
        // Keep the range on char boundaries of the source.
        let fix = |mut x: usize| {
            x = x.min(self.src.len());
            while x > 0 && !self.src.is_char_boundary(x) {
                x -= 1;
            }
            x
        };
        let (a, b) = (fix(a), fix(b.max(a)));
        let b = if b < a { a } else { b };
        // A multi-byte char ends past `b`: extend to its end.
        let b = self
            .src
            .get(b..)
            .and_then(|s| s.chars().next())
            .filter(|_| r.end > r.start && b == a)
            .map_or(b, |c| b + c.len_utf8());
        a..b.min(self.src.len())
    }

    /// 1-based line in the diagram source of a preprocessed offset.
    fn line_of(&self, at: usize) -> usize {
        let o = self.map.origin(at).min(self.src.len());
        self.src
            .as_bytes()
            .get(..o)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            + 1
    }

    fn describe(&self, t: Token) -> String {
        match t.kind {
            Tok::NewLine if t.end >= self.text.len() => "the end of the diagram".to_string(),
            Tok::NewLine => "the end of the line".to_string(),
            Tok::Eof | Tok::EofInStruct | Tok::End => "the end of the diagram".to_string(),
            Tok::Str => format!("the string \"{}\"", clip(self.tok_text(t))),
            Tok::Direction(_) => "a `direction` line".to_string(),
            Tok::Member => format!("the member `{}`", clip(self.tok_text(t).trim())),
            _ => format!("`{}`", clip(self.tok_text(t).trim())),
        }
    }

    fn error_at(&self, t: Token, message: String) -> PErr {
        let range = if t.end > t.start {
            t.start..t.end
        } else {
            t.start..t.start
        };
        PErr { message, range }
    }

    /// "expected X, found Y" at the next token (lexer failures get their own message).
    fn unexpected(&self, expected: &str) -> PErr {
        let t = self.peek();
        // Tokens lexed from the very end of the text: say what was left open.
        if let Some((what, at)) = self.unclosed
            && t.start + 1 >= self.text.len()
        {
            let line = self.line_of(at);
            return PErr {
                message: format!("expected {what} opened at line {line}, found the end of the diagram"),
                range: at..at + 1,
            };
        }
        if t.kind == Tok::Unrecognized {
            let c = self.tok_text(t);
            let hint = match c {
                ";" => ": class diagrams have no `;` separator, put each statement on its own line",
                "{" | "}" => ": braces only open and close a body after `class Name` or `namespace Name`",
                _ => "",
            };
            return self.error_at(
                t,
                format!("unexpected character `{c}` (Mermaid's class diagram lexer has no token for it here){hint}"),
            );
        }
        self.error_at(t, format!("expected {expected}, found {}", self.describe(t)))
    }

    fn expect(&mut self, kind: Tok, expected: &str) -> PResult<Token> {
        if self.kind() == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// "unknown relation" for a mangled arrow around token `t`.
    fn bad_relation(&self, t: Token) -> PErr {
        if t.kind == Tok::Unrecognized {
            return self.unexpected("a relation");
        }
        let arrow_char = |c: char| "<>|*().-=o!~+:".contains(c);
        let bytes = self.text;
        let mut a = t.start;
        while let Some(c) = bytes
            .get(..a)
            .and_then(|s| s.chars().next_back())
            .filter(|&c| arrow_char(c))
        {
            a -= c.len_utf8();
        }
        let mut b = t.end.max(t.start);
        while let Some(c) = bytes.get(b..).and_then(|s| s.chars().next()).filter(|&c| arrow_char(c)) {
            b += c.len_utf8();
        }
        let arrow = self.slice(a..b).trim();
        if arrow.is_empty() {
            return self.unexpected("a relation");
        }
        PErr {
            message: format!("unknown relation `{}`; expected one of {RELATIONS}", clip(arrow)),
            range: a..b,
        }
    }

    fn document(&mut self) -> PResult<()> {
        self.expect(Tok::ClassDiagram, "`classDiagram`")?;
        self.expect(Tok::NewLine, "a new line after `classDiagram`")?;
        if self.kind() == Tok::Eof {
            return Err(
                self.unexpected("at least one statement after `classDiagram` (Mermaid rejects an empty class diagram)")
            );
        }
        loop {
            // A relation or a bare name followed by arrow-like leftovers is a mangled arrow.
            let names_first = matches!(self.kind(), k if is_alnum(k) || k == Tok::BquoteStr);
            self.statement()?;
            match self.kind() {
                Tok::NewLine => {
                    self.bump();
                    if self.kind() == Tok::Eof {
                        return Ok(());
                    }
                }
                Tok::Eof => return Ok(()),
                k if names_first && is_arrowish(k) => return Err(self.bad_relation(self.peek())),
                _ => return Err(self.unexpected("a new line after the statement")),
            }
        }
    }

    fn statement(&mut self) -> PResult<()> {
        let t = self.peek();
        match t.kind {
            Tok::Namespace => self.namespace(),
            Tok::Class => self.class_statement(None),
            Tok::AnnotationStart => self.annotation(),
            Tok::NoteFor | Tok::Note => self.note(None),
            Tok::ClassDef => self.class_def(),
            Tok::Direction(d) => {
                self.bump();
                self.model.direction = Some(d.to_string());
                Ok(())
            }
            Tok::AccTitle => {
                self.bump();
                let v = self.expect(Tok::AccTitleValue, "the accessible title")?;
                self.model.acc_title = Some(self.tok_text(v).trim().to_string());
                Ok(())
            }
            Tok::AccDescr => {
                self.bump();
                let v = self.expect(Tok::AccDescrValue, "the accessible description")?;
                self.model.acc_descr = Some(self.tok_text(v).trim().to_string());
                Ok(())
            }
            Tok::AccDescrMultiline => {
                self.bump();
                self.model.acc_descr = Some(self.tok_text(t).trim().to_string());
                Ok(())
            }
            Tok::Callback | Tok::Link | Tok::Click => self.click(),
            Tok::Style => self.style(),
            Tok::CssClass => self.css_class(),
            Tok::Member => {
                self.bump();
                Ok(())
            }
            k if is_alnum(k) || k == Tok::BquoteStr => self.relation_or_member(),
            _ => Err(self.unexpected(
                "a statement (`class A`, a relation like `A --> B`, a member like `A : +int x`, `namespace`, \
                 `note`, `<<annotation>> A`, `direction`, `style`, `classDef`, `click`, ...)",
            )),
        }
    }

    /// `className`: words, `.`-separated parts, a backtick name, an optional `~generic~`.
    /// Returns (id, generic, range).
    fn class_name(&mut self) -> PResult<(String, Option<String>, Range<usize>)> {
        let first = self.peek();
        let mut name = String::new();
        loop {
            let t = self.peek();
            if is_alnum(t.kind) {
                self.bump();
                name.push_str(self.tok_text(t));
                let end = t.end;
                match self.kind() {
                    Tok::Dot => {
                        self.bump();
                        name.push('.');
                        let k = self.kind();
                        if !(is_alnum(k) || k == Tok::BquoteStr) {
                            return Err(self.unexpected("the rest of the class name after `.`"));
                        }
                    }
                    Tok::GenericType => {
                        let g = self.bump();
                        return Ok((name, Some(self.tok_text(g).to_string()), first.start..g.end + 1));
                    }
                    k if is_alnum(k) || k == Tok::BquoteStr => {}
                    _ => return Ok((name, None, first.start..end)),
                }
            } else if t.kind == Tok::BquoteStr {
                self.bump();
                name.push_str(self.tok_text(t));
                if self.kind() == Tok::GenericType {
                    let g = self.bump();
                    return Ok((name, Some(self.tok_text(g).to_string()), first.start..g.end + 1));
                }
                // The closing backtick.
                return Ok((name, None, first.start.saturating_sub(1)..t.end + 1));
            } else if name.is_empty() {
                return Err(self.unexpected("a class name"));
            } else {
                return Err(self.unexpected("the rest of the class name"));
            }
        }
    }

    /// Mermaid's `addClass`: creates the class unless its key exists.
    fn add_class(&mut self, name: &str, generic: Option<&str>, range: Range<usize>) -> usize {
        let key = class_key(name, generic);
        if let Some(&i) = self.keys.get(&key) {
            return i;
        }
        let i = self.model.classes.len();
        let range = self.origin(range);
        self.model.classes.push(Class {
            name: key.clone(),
            generic: generic.map(str::to_string),
            label: None,
            members: Vec::new(),
            annotations: Vec::new(),
            css_classes: Vec::new(),
            namespace: None,
            range,
        });
        self.keys.insert(key, i);
        i
    }

    /// Mermaid's `addMember`. A member with `)` after its first character is a method, and
    /// Mermaid's method pattern `(.+)\((.*)\)` must then match, or its class database fails.
    fn add_member(&mut self, class: usize, raw: &str, range: Range<usize>) -> PResult<()> {
        let text = raw.trim();
        let at = range.clone();
        let range = self.origin(range);
        let Some(c) = self.model.classes.get_mut(class) else {
            return Ok(());
        };
        if text.len() >= 4 && text.starts_with("<<") && text.ends_with(">>") {
            c.annotations.push(text[2..text.len() - 2].to_string());
            return Ok(());
        }
        if text.is_empty() {
            return Ok(());
        }
        let method = text.find(')').is_some_and(|i| i > 0);
        if method {
            let skip = text.chars().next().map_or(0, char::len_utf8);
            let open = text.get(skip..).and_then(|t| t.find('(')).map(|i| i + skip);
            let close = text.rfind(')');
            if !matches!((open, close), (Some(o), Some(c)) if o < c) {
                let name = c.name.clone();
                return Err(PErr {
                    message: format!(
                        "member `{}` of class `{name}` has `)` but no `name(` before it: Mermaid takes it for a method and fails",
                        clip(text)
                    ),
                    range: at,
                });
            }
        }
        let visibility = text.chars().next().filter(|c| "+-#~".contains(*c));
        let classifier = if method {
            let after = text.rfind(')').map_or("", |i| &text[i + 1..]);
            after
                .chars()
                .next()
                .filter(|c| "$*".contains(*c))
                .or_else(|| after.chars().last().filter(|c| "$*".contains(*c)))
        } else {
            text.chars().last().filter(|c| "$*".contains(*c))
        };
        let kind = if method {
            MemberKind::Method
        } else {
            MemberKind::Attribute
        };
        c.members.push(Member {
            text: text.to_string(),
            kind,
            visibility,
            classifier,
            range,
        });
        Ok(())
    }

    fn relation_or_member(&mut self) -> PResult<()> {
        let (name, generic, range) = self.class_name()?;
        let t = self.peek();
        if t.kind == Tok::Label {
            self.bump();
            let i = self.add_class(&name, generic.as_deref(), range);
            let label = self.tok_text(t);
            self.add_member(i, label.strip_prefix(':').unwrap_or(label), t.start + 1..t.end)?;
            return Ok(());
        }
        if t.kind != Tok::Str && head(t.kind).is_none() && !matches!(t.kind, Tok::Line | Tok::DottedLine) {
            // A bare class name is a statement that creates nothing.
            return Ok(());
        }
        let from_card = if t.kind == Tok::Str {
            let c = self.bump();
            Some(self.tok_text(c).to_string())
        } else {
            None
        };
        let arrow_start = self.peek();
        let from_head = head(arrow_start.kind);
        if from_head.is_some() {
            self.bump();
        }
        let line = self.peek();
        let dotted = match line.kind {
            Tok::Line => false,
            Tok::DottedLine => true,
            k if is_arrowish(k) => return Err(self.bad_relation(line)),
            _ => return Err(self.unexpected(&format!("a relation ({RELATIONS})"))),
        };
        self.bump();
        let mut arrow_end = line.end;
        let to_head = head(self.kind());
        if to_head.is_some() {
            arrow_end = self.bump().end;
        }
        let to_card = if self.kind() == Tok::Str {
            let c = self.bump();
            Some(self.tok_text(c).to_string())
        } else {
            None
        };
        let next = self.peek();
        if !(is_alnum(next.kind) || next.kind == Tok::BquoteStr) {
            if is_arrowish(next.kind) {
                return Err(self.bad_relation(next));
            }
            return Err(self.unexpected("the class at the other end of the relation"));
        }
        let (to, to_generic, to_range) = self.class_name()?;
        let mut label = None;
        let mut end = to_range.end;
        if self.kind() == Tok::Label {
            let l = self.bump();
            end = l.end;
            let text = self.tok_text(l);
            label = Some(text.strip_prefix(':').unwrap_or(text).trim().to_string());
        }
        // Mermaid's `addRelation`: a lollipop end is an interface, not a class.
        let no_head = |h: Option<Head>| h.is_none();
        if from_head == Some(Head::Lollipop) && no_head(to_head) {
            self.add_class(&to, to_generic.as_deref(), to_range.clone());
        } else if to_head == Some(Head::Lollipop) && no_head(from_head) {
            self.add_class(&name, generic.as_deref(), range.clone());
        } else {
            self.add_class(&name, generic.as_deref(), range.clone());
            self.add_class(&to, to_generic.as_deref(), to_range.clone());
        }
        let arrow = self
            .slice(arrow_start.start..arrow_end)
            .split_whitespace()
            .collect::<String>();
        let range = self.origin(range.start..end);
        self.model.relations.push(Relation {
            from: class_key(&name, generic.as_deref()),
            to: class_key(&to, to_generic.as_deref()),
            from_head,
            to_head,
            dotted,
            arrow,
            from_cardinality: from_card,
            to_cardinality: to_card,
            label,
            range,
        });
        Ok(())
    }

    fn class_statement(&mut self, namespace: Option<usize>) -> PResult<()> {
        let kw = self.bump();
        let (name, generic, range) = self.class_name()?;
        let mut label = None;
        if self.kind() == Tok::Sqs {
            self.bump();
            let s = self.expect(Tok::Str, "a quoted label after `[`")?;
            self.expect(Tok::Sqe, "`]` after the label")?;
            label = Some(self.tok_text(s).to_string());
        }
        let i = self.add_class(&name, generic.as_deref(), range);
        if let Some(c) = self.model.classes.get_mut(i) {
            if label.is_some() {
                c.label = label;
            }
            if namespace.is_some() {
                c.namespace = namespace;
            }
        }
        let display = if name.is_empty() { "?".to_string() } else { name.clone() };
        match self.kind() {
            Tok::StyleSeparator => {
                self.bump();
                let css = self.peek();
                if !is_alnum(css.kind) {
                    return Err(self.unexpected("a CSS class name after `:::`"));
                }
                self.bump();
                let css = self.tok_text(css).to_string();
                if let Some(c) = self.model.classes.get_mut(i) {
                    c.css_classes.push(css);
                }
                if self.kind() == Tok::StructStart {
                    let open = self.bump();
                    // Mermaid's grammar has no empty body after `:::name`.
                    self.members(i, &display, open, false)?;
                }
            }
            Tok::StructStart => {
                let open = self.bump();
                self.members(i, &display, open, true)?;
            }
            Tok::AnnotationStart => {
                self.bump();
                let a = self.peek();
                if !is_alnum(a.kind) {
                    return Err(self.unexpected("one word for the annotation after `<<`"));
                }
                self.bump();
                self.expect(Tok::AnnotationEnd, "`>>` to close the annotation")?;
                let a = self.tok_text(a).to_string();
                if let Some(c) = self.model.classes.get_mut(i) {
                    c.annotations.push(a);
                }
                if self.kind() == Tok::StructStart {
                    let open = self.bump();
                    self.members(i, &display, open, true)?;
                }
            }
            _ => {}
        }
        let _ = kw;
        Ok(())
    }

    /// Members up to the closing `}` of a class body opened by `open`.
    fn members(&mut self, class: usize, name: &str, open: Token, allow_empty: bool) -> PResult<()> {
        let mut any = false;
        loop {
            let t = self.peek();
            match t.kind {
                Tok::Member => {
                    self.bump();
                    any = true;
                    let raw = self.tok_text(t);
                    self.add_member(class, raw, t.start..t.end)?;
                }
                Tok::StructStop if any || allow_empty => {
                    self.bump();
                    return Ok(());
                }
                Tok::StructStop => {
                    return Err(self.error_at(
                        t,
                        format!("expected a member in the body of class `{name}`: Mermaid does not accept an empty body after `:::style`"),
                    ));
                }
                Tok::EofInStruct | Tok::Eof => {
                    return Err(self.error_at(
                        t,
                        format!(
                            "expected `}}` to close class `{name}` opened at line {}",
                            self.line_of(open.start)
                        ),
                    ));
                }
                Tok::OpenInStruct => {
                    return Err(self.error_at(
                        t,
                        format!(
                            "unexpected `{{` in the body of class `{name}` (opened at line {}); bodies do not nest",
                            self.line_of(open.start)
                        ),
                    ));
                }
                Tok::Str => {
                    return Err(self.error_at(
                        t,
                        format!("a member of class `{name}` cannot start with `\"` (Mermaid reads it as a string)"),
                    ));
                }
                _ => return Err(self.unexpected(&format!("a member or `}}` in the body of class `{name}`"))),
            }
        }
    }

    fn annotation(&mut self) -> PResult<()> {
        let open = self.bump();
        let a = self.peek();
        if !is_alnum(a.kind) {
            return Err(self.unexpected("one word for the annotation after `<<`"));
        }
        self.bump();
        self.expect(Tok::AnnotationEnd, "`>>` to close the annotation")?;
        let (name, generic, range) = self.class_name()?;
        let key = class_key(&name, generic.as_deref());
        let annotation = self.tok_text(a).to_string();
        match self.keys.get(&key).copied() {
            Some(i) => {
                if let Some(c) = self.model.classes.get_mut(i) {
                    c.annotations.push(annotation);
                }
                Ok(())
            }
            // Mermaid's `addAnnotation` looks the class up and fails on a missing one.
            None => Err(PErr {
                message: format!(
                    "`<<{annotation}>> {key}` annotates a class that does not exist yet; declare `class {key}` (or use it in a relation) before this line"
                ),
                range: open.start..range.end,
            }),
        }
    }

    fn note(&mut self, namespace: Option<usize>) -> PResult<()> {
        let kw = self.bump();
        let class = if kw.kind == Tok::NoteFor {
            let (name, generic, _) = self.class_name()?;
            Some(class_key(&name, generic.as_deref()))
        } else {
            None
        };
        let s = self.expect(Tok::Str, "the note text in double quotes")?;
        let range = self.origin(kw.start..s.end + 1);
        self.model.notes.push(Note {
            text: self.tok_text(s).to_string(),
            class,
            namespace,
            range,
        });
        Ok(())
    }

    fn interaction(&mut self, class: &str, kw: Token, end: usize) {
        let keyword = self.tok_text(kw).to_string();
        let range = self.origin(kw.start..end);
        self.model.interactions.push(Interaction {
            class: class.to_string(),
            keyword,
            range,
        });
    }

    fn click(&mut self) -> PResult<()> {
        let kw = self.bump();
        let (name, generic, _) = self.class_name()?;
        let class = class_key(&name, generic.as_deref());
        let end;
        match kw.kind {
            Tok::Callback => {
                end = self.expect(Tok::Str, "the callback name in double quotes")?.end;
                if self.kind() == Tok::Str {
                    self.bump();
                }
            }
            Tok::Link => {
                end = self.expect(Tok::Str, "the link URL in double quotes")?.end;
                self.link_tail();
            }
            _ => match self.kind() {
                Tok::CallbackName => {
                    end = self.bump().end;
                    match self.kind() {
                        Tok::Str => {
                            self.bump();
                        }
                        Tok::CallbackArgs => {
                            self.bump();
                            if self.kind() == Tok::Str {
                                self.bump();
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Href => {
                    self.bump();
                    end = self.expect(Tok::Str, "the link URL in double quotes after `href`")?.end;
                    self.link_tail();
                }
                _ => return Err(self.unexpected("`call function()` or `href \"url\"` after the class name")),
            },
        }
        self.interaction(&class, kw, end);
        Ok(())
    }

    /// `[LINK_TARGET | STR [LINK_TARGET]]` after a link URL.
    fn link_tail(&mut self) {
        match self.kind() {
            Tok::LinkTarget => {
                self.bump();
            }
            Tok::Str => {
                self.bump();
                if self.kind() == Tok::LinkTarget {
                    self.bump();
                }
            }
            _ => {}
        }
    }

    fn style(&mut self) -> PResult<()> {
        let kw = self.bump();
        let id = self.expect(Tok::Alpha, "a class id (one word) after `style`")?;
        let end = self.styles()?;
        let class = self.tok_text(id).to_string();
        self.interaction(&class, kw, end);
        Ok(())
    }

    /// `stylesOpt`: style components, groups separated by `,`. Returns where they end.
    fn styles(&mut self) -> PResult<usize> {
        let mut end;
        loop {
            if !is_style_component(self.kind()) {
                return Err(self.unexpected("a style such as `fill:#f96`"));
            }
            end = self.bump().end;
            while is_style_component(self.kind()) {
                end = self.bump().end;
            }
            if self.kind() == Tok::Comma {
                self.bump();
            } else {
                return Ok(end);
            }
        }
    }

    fn css_class(&mut self) -> PResult<()> {
        let kw = self.bump();
        let ids = self.expect(Tok::Str, "the class ids in double quotes after `cssClass`")?;
        let css = self.expect(Tok::Alpha, "the CSS class name")?;
        let css_name = self.tok_text(css).to_string();
        let ids_text = self.tok_text(ids);
        for id in ids_text.split(',') {
            let key = class_key(id, None);
            if let Some(&i) = self.keys.get(&key)
                && let Some(c) = self.model.classes.get_mut(i)
            {
                c.css_classes.push(css_name.clone());
            }
        }
        self.interaction(ids_text, kw, css.end);
        Ok(())
    }

    fn class_def(&mut self) -> PResult<()> {
        self.bump();
        let mut names = vec![self.expect(Tok::Alpha, "a style class name after `classDef`")?];
        while self.kind() == Tok::Comma {
            self.bump();
            names.push(self.expect(Tok::Alpha, "another style class name after `,`")?);
        }
        self.styles()?;
        for n in names {
            let n = self.tok_text(n).to_string();
            self.model.style_classes.push(n);
        }
        Ok(())
    }

    /// `namespace N { ... }`, nested ones included, with an explicit stack.
    fn namespace(&mut self) -> PResult<()> {
        let mut stack: Vec<Frame> = Vec::new();
        self.open_namespace(&mut stack)?;
        let mut after_item = false;
        loop {
            let (index, opened) = match stack.last() {
                Some(f) => (f.index, f.opened),
                None => return Ok(()),
            };
            let ns = self
                .model
                .namespaces
                .get(index)
                .map_or(String::new(), |n| n.name.clone());
            if after_item {
                match self.kind() {
                    Tok::NewLine => {
                        self.bump();
                        if self.kind() != Tok::StructStop {
                            after_item = false;
                            continue;
                        }
                    }
                    Tok::StructStop => {}
                    Tok::EofInStruct | Tok::Eof => return Err(self.unclosed_namespace(&ns, opened)),
                    _ => return Err(self.unexpected(&format!("a new line or `}}` to close namespace `{ns}`"))),
                }
                self.bump();
                stack.pop();
                if stack.is_empty() {
                    return Ok(());
                }
                continue;
            }
            match self.kind() {
                Tok::Class => self.class_statement(Some(index))?,
                Tok::NoteFor | Tok::Note => self.note(Some(index))?,
                Tok::Namespace => {
                    self.open_namespace(&mut stack)?;
                    continue;
                }
                Tok::EofInStruct | Tok::Eof => return Err(self.unclosed_namespace(&ns, opened)),
                _ => {
                    return Err(self.unexpected(&format!(
                        "`class`, `note` or `namespace` in namespace `{ns}` (relations and members go outside namespaces)"
                    )));
                }
            }
            after_item = true;
        }
    }

    fn unclosed_namespace(&self, ns: &str, opened: usize) -> PErr {
        self.error_at(
            self.peek(),
            format!(
                "expected `}}` to close namespace `{ns}` opened at line {}",
                self.line_of(opened)
            ),
        )
    }

    /// `namespace Name ["label"] {` and an optional new line; pushes the frame.
    fn open_namespace(&mut self, stack: &mut Vec<Frame>) -> PResult<()> {
        let kw = self.bump();
        let mut name = String::new();
        let first = self.peek();
        loop {
            let t = self.peek();
            if is_alnum(t.kind) {
                self.bump();
                name.push_str(self.tok_text(t));
                if self.kind() == Tok::Dot {
                    self.bump();
                    name.push('.');
                    let k = self.kind();
                    if !(is_alnum(k) || k == Tok::BquoteStr) {
                        return Err(self.unexpected("the rest of the namespace name after `.`"));
                    }
                } else if !(is_alnum(self.kind()) || self.kind() == Tok::BquoteStr) {
                    break;
                }
            } else if t.kind == Tok::BquoteStr {
                self.bump();
                name.push_str(self.tok_text(t));
                break;
            } else {
                return Err(self.unexpected("a namespace name"));
            }
        }
        let mut label = None;
        if self.kind() == Tok::Sqs {
            self.bump();
            let s = self.expect(Tok::Str, "a quoted label after `[`")?;
            self.expect(Tok::Sqe, "`]` after the label")?;
            label = Some(self.tok_text(s).to_string());
        }
        let open = self.expect(
            Tok::StructStart,
            &format!("`{{` to open namespace `{name}` on the same line"),
        )?;
        if self.kind() == Tok::NewLine {
            self.bump();
        }
        let parent = stack.last().map(|f| f.index);
        let range = self.origin(kw.start..first.end.max(open.start));
        let index = match self.namespace_keys.get(&(parent, name.clone())) {
            Some(&i) => {
                if let (Some(n), Some(l)) = (self.model.namespaces.get_mut(i), label) {
                    n.label = Some(l);
                }
                i
            }
            None => {
                let i = self.model.namespaces.len();
                self.namespace_keys.insert((parent, name.clone()), i);
                self.model.namespaces.push(Namespace {
                    name,
                    label,
                    parent,
                    range,
                });
                i
            }
        };
        stack.push(Frame {
            index,
            opened: kw.start,
        });
        Ok(())
    }
}

/// Mermaid's class key: the id before a `~` that is not its first character.
fn class_key(name: &str, generic: Option<&str>) -> String {
    match name.find('~') {
        Some(i) if i > 0 => name[..i].to_string(),
        _ if name.is_empty() && generic.is_some() => String::new(),
        _ => name.to_string(),
    }
}

/// At most 40 chars of `s`, for messages.
fn clip(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `src` and renders the model and the error compactly, one item a line.
    fn show(src: &str) -> String {
        let mut errors = Vec::new();
        let d = parse(src, &mut errors);
        let mut out = Vec::new();
        for c in &d.classes {
            let mut line = format!("class {}", c.name);
            if let Some(g) = &c.generic {
                line += &format!("~{g}~");
            }
            if let Some(l) = &c.label {
                line += &format!(" label={l:?}");
            }
            if let Some(n) = c.namespace {
                line += &format!(" ns={}", qualified(&d, n));
            }
            for m in &c.members {
                let kind = if m.kind == MemberKind::Method { "method" } else { "attr" };
                let vis = m.visibility.map_or(String::new(), |v| v.to_string());
                let cl = m.classifier.map_or(String::new(), |v| v.to_string());
                line += &format!(" [{kind}{vis}{cl} {}]", m.text);
            }
            for a in &c.annotations {
                line += &format!(" <<{a}>>");
            }
            for css in &c.css_classes {
                line += &format!(" :::{css}");
            }
            out.push(line);
        }
        for r in &d.relations {
            let mut line = format!("rel {} {} {}", r.from, r.arrow, r.to);
            if r.from_cardinality.is_some() || r.to_cardinality.is_some() {
                line += &format!(" card={:?},{:?}", r.from_cardinality, r.to_cardinality);
            }
            if let Some(l) = &r.label {
                line += &format!(" label={l:?}");
            }
            out.push(line);
        }
        for (i, n) in d.namespaces.iter().enumerate() {
            let parent = n.parent.map(|p| qualified(&d, p));
            out.push(format!("ns {} parent={parent:?} label={:?}", qualified(&d, i), n.label));
        }
        for n in &d.notes {
            out.push(format!("note {:?} for={:?}", n.text, n.class));
        }
        if let Some(dir) = &d.direction {
            out.push(format!("direction {dir}"));
        }
        if let Some(t) = &d.acc_title {
            out.push(format!("accTitle {t:?}"));
        }
        if let Some(t) = &d.acc_descr {
            out.push(format!("accDescr {t:?}"));
        }
        for i in &d.interactions {
            out.push(format!("{} {}", i.keyword, i.class));
        }
        for s in &d.style_classes {
            out.push(format!("classDef {s}"));
        }
        for e in &errors {
            let text = src.get(e.range.clone()).unwrap_or("?");
            out.push(format!(
                "error {}..{} {:?}: {}",
                e.range.start, e.range.end, text, e.message
            ));
        }
        out.join("\n")
    }

    fn qualified(d: &ClassDiagram, mut i: usize) -> String {
        let mut parts = Vec::new();
        while let Some(n) = d.namespaces.get(i) {
            parts.push(n.name.as_str());
            match n.parent {
                Some(p) => i = p,
                None => break,
            }
        }
        parts.reverse();
        parts.join(".")
    }

    /// Every verdict below was checked against Mermaid 11.17.2 (tools/mermaid-oracle).
    fn check(src: &str, expect: &str) {
        let got = show(src);
        assert_eq!(got, expect.trim(), "\nsource:\n{src}\n--- got:\n{got}\n");
    }

    #[test]
    fn classes_members_generics_labels() {
        check(
            "classDiagram\n  class Animal {\n    +int age\n    +isMammal() bool$\n    -List~T~ items*\n  }\n  class Square~Shape~[\"A square\"]\n  class `My Class`\n  Animal : +String gender\n  Animal: +mate()*",
            r#"
class Animal [attr+ +int age] [method+$ +isMammal() bool$] [attr-* -List~T~ items*] [attr+ +String gender] [method+* +mate()*]
class Square~Shape~ label="A square"
class My Class"#,
        );
        // Words join without spaces, `.` parts stay, digits and `-` are name parts.
        check(
            "classDiagram\nclass My Class\nclass a.b-1",
            "class MyClass\nclass a.b-1",
        );
        // An empty body, and a body on one line.
        check(
            "classDiagram\nclass A {}\nclass B { +x }",
            "class A\nclass B [attr+ +x]",
        );
    }

    #[test]
    fn relations_of_every_kind() {
        check(
            "classDiagram\nA <|-- B\nC *-- D\nE o-- F\nG --> H\nI ..> J\nK ..|> L\nM -- N\nO .. P\nQ <|--|> R\nS <--> T\nU --* V\nW --o X",
            r#"
class A
class B
class C
class D
class E
class F
class G
class H
class I
class J
class K
class L
class M
class N
class O
class P
class Q
class R
class S
class T
class U
class V
class W
class X
rel A <|-- B
rel C *-- D
rel E o-- F
rel G --> H
rel I ..> J
rel K ..|> L
rel M -- N
rel O .. P
rel Q <|--|> R
rel S <--> T
rel U --* V
rel W --o X"#,
        );
        check(
            "classDiagram\nCustomer \"1\" --> \"*\" Ticket : buys\nA~T~ --> \"0..1\" B",
            r#"
class Customer
class Ticket
class A~T~
class B
rel Customer --> Ticket card=Some("1"),Some("*") label="buys"
rel A --> B card=None,Some("0..1")"#,
        );
        // A lollipop end is an interface, not a class.
        check(
            "classDiagram\nfoo ()-- A\nB --() bar",
            "class A\nclass B\nrel foo ()-- A\nrel B --() bar",
        );
        // Mermaid's lexer: `<|---` is `<|--` then a class named `-B`.
        check("classDiagram\nA <|--- B", "class A\nclass -B\nrel A <|-- -B");
    }

    #[test]
    fn namespaces_notes_annotations() {
        check(
            "classDiagram\nnamespace Shapes[\"Geometry\"] {\n  class Circle\n  note for Circle \"round\"\n  namespace Solid {\n    class Cube\n  }\n}\nnamespace a.b { class C }\nnote \"free\"",
            r#"
class Circle ns=Shapes
class Cube ns=Shapes.Solid
class C ns=a.b
ns Shapes parent=None label=Some("Geometry")
ns Shapes.Solid parent=Some("Shapes") label=None
ns a.b parent=None label=None
note "round" for=Some("Circle")
note "free" for=None"#,
        );
        check(
            "classDiagram\nclass Shape <<interface>> {\n  <<abstract>>\n  +draw()\n}\nclass Shape\n<<service>> Shape",
            "class Shape [method+ +draw()] <<interface>> <<abstract>> <<service>>",
        );
    }

    #[test]
    fn other_statements() {
        check(
            "---\ntitle: T\n---\n%%{init: {\"theme\": \"dark\"}}%%\nclassDiagram-v2\n%% a comment\ndirection RL\naccTitle: The title\naccDescr {\n  long\n}\nclass A:::hot\nclick A call doIt(\"x\") \"tip\"\nclick A href \"https://x\" \"tip\" _blank\nlink A \"https://y\" _self\ncallback A \"fn\" \"tip\"\ncssClass \"A\" cold\nstyle A fill:#f9f,stroke:#333,stroke-width:4px\nclassDef hot,cold fill:#f96;",
            r#"
class A :::hot :::cold
direction RL
accTitle "The title"
accDescr "long"
click A
click A
link A
callback A
cssClass A
style A
classDef hot
classDef cold"#,
        );
    }

    #[test]
    fn mermaid_lexer_quirks() {
        // A trailing comment eats its new line: the two names join.
        check("classDiagram\nA %% note\nB", "");
        // Any line holding `direction LR` is a direction statement.
        check("classDiagram\nA : direction LR here", "direction LR");
        // `#name;` is an entity, not a comment or a color.
        check("classDiagram\nA : #amp; x", "class A [attr ﬂ°amp¶ß x]");
    }

    #[test]
    fn rejects_structure_errors() {
        check(
            "classDiagram",
            r#"error 12..12 "": expected at least one statement after `classDiagram` (Mermaid rejects an empty class diagram), found the end of the diagram"#,
        );
        check(
            "classDiagram A",
            r#"error 13..14 "A": expected a new line after `classDiagram`, found `A`"#,
        );
        check(
            "classDiagram\nclass A {\n  +int x",
            "class A [attr+ +int x]\nerror 31..31 \"\": expected `}` to close class `A` opened at line 2",
        );
        check(
            "classDiagram\nclass A {{\n}",
            "class A\nerror 22..23 \"{\": unexpected `{` in the body of class `A` (opened at line 2); bodies do not nest",
        );
        check(
            "classDiagram\nclass A {\n\"x\"\n}",
            "class A\nerror 24..25 \"x\": a member of class `A` cannot start with `\"` (Mermaid reads it as a string)",
        );
        check(
            "classDiagram\nclass A:::hot {}",
            "class A :::hot\nerror 28..29 \"}\": expected a member in the body of class `A`: Mermaid does not accept an empty body after `:::style`",
        );
        check(
            "classDiagram\nnamespace N {}",
            r#"
ns N parent=None label=None
error 26..27 "}": expected `class`, `note` or `namespace` in namespace `N` (relations and members go outside namespaces), found `}`"#,
        );
        check(
            "classDiagram\nnamespace N {\n  A --> B\n}",
            r#"
ns N parent=None label=None
error 29..30 "A": expected `class`, `note` or `namespace` in namespace `N` (relations and members go outside namespaces), found `A`"#,
        );
        check(
            "classDiagram\nnamespace N {\n  class A\n",
            "class A ns=N\nns N parent=None label=None\nerror 37..37 \"\": expected `}` to close namespace `N` opened at line 2",
        );
        check(
            "classDiagram\nnamespace N\n{\n class A\n}",
            r#"error 24..25 "\n": expected `{` to open namespace `N` on the same line, found the end of the line"#,
        );
    }

    #[test]
    fn rejects_relation_errors() {
        check(
            "classDiagram\nA ---> B",
            "class A\nclass -\nrel A -- -\nerror 15..19 \"--->\": unknown relation `--->`; expected one of <|--, *--, o--, -->, --, ..>, ..|>, <|.., .., ()--, --(), or two-sided ones like <|--|> (a head `<|`, `|>`, `*`, `o`, `<`, `>` or `()` on either side of `--` or `..`)",
        );
        check(
            "classDiagram\nA <|-.- B",
            "error 15..20 \"<|-.-\": unknown relation `<|-.-`; expected one of <|--, *--, o--, -->, --, ..>, ..|>, <|.., .., ()--, --(), or two-sided ones like <|--|> (a head `<|`, `|>`, `*`, `o`, `<`, `>` or `()` on either side of `--` or `..`)",
        );
        check(
            "classDiagram\nA <|--",
            r#"error 19..19 "": expected the class at the other end of the relation, found the end of the diagram"#,
        );
        check(
            "classDiagram\nA \"1\" \"2\" --> B",
            "error 20..21 \"2\": expected a relation (<|--, *--, o--, -->, --, ..>, ..|>, <|.., .., ()--, --(), or two-sided ones like <|--|> (a head `<|`, `|>`, `*`, `o`, `<`, `>` or `()` on either side of `--` or `..`)), found the string \"2\"",
        );
    }

    #[test]
    fn rejects_lexer_and_database_errors() {
        check(
            "classDiagram\nA --> B; B --> C",
            "class A\nclass B\nrel A --> B\nerror 20..21 \";\": unexpected character `;` (Mermaid's class diagram lexer has no token for it here): class diagrams have no `;` separator, put each statement on its own line",
        );
        check(
            "classDiagram\nclass A::x",
            "class A\nerror 20..21 \":\": unexpected character `:` (Mermaid's class diagram lexer has no token for it here)",
        );
        check(
            "classDiagram\n<<interface>> Shape",
            r#"error 13..32 "<<interface>> Shape": `<<interface>> Shape` annotates a class that does not exist yet; declare `class Shape` (or use it in a relation) before this line"#,
        );
        check(
            "classDiagram\nA : foo)",
            "class A\nerror 16..21 \" foo)\": member `foo)` of class `A` has `)` but no `name(` before it: Mermaid takes it for a method and fails",
        );
        check(
            "classDiagram\nA : foo(a: int)",
            r#"
class A [attr foo(a]
error 22..28 ": int)": expected a new line after the statement, found `: int)`"#,
        );
        check(
            "classDiagram\nnote \"abc",
            r#"
note "abc\n" for=None
error 18..19 "\"": expected `"` to close the string opened at line 2, found the end of the diagram"#,
        );
        check(
            "classDiagram\nA\naccDescr { x",
            r#"
accDescr "x"
error 15..16 "a": expected `}` to close `accDescr {` opened at line 3, found the end of the diagram"#,
        );
        check(
            "classDiagram\nclick A \"https://x\"",
            r#"error 22..31 "https://x": expected `call function()` or `href "url"` after the class name, found the string "https://x""#,
        );
        check(
            "classDiagram\nstyle A stroke-width:2px",
            r#"
style A
error 27..28 "-": expected a new line after the statement, found `-`"#,
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            "classDiagram\n`",
            "classDiagram\nA~",
            "classDiagram\nclick A call",
            "classDiagram\n}}}}",
            "classDiagram\nnamespace",
            "classDiagram\né~ü`ß\"",
            "---\n---\nclassDiagram\nA",
            "classDiagram\r\nA\r\n",
        ] {
            let mut errors = Vec::new();
            parse(src, &mut errors);
            for e in &errors {
                assert!(src.get(e.range.clone()).is_some(), "{src:?}: {e:?}");
            }
        }
        // Deep nesting and long lines stay linear (explicit stack, cached line scans).
        let deep = format!(
            "classDiagram\n{}class A\n{}",
            "namespace N {\n".repeat(5000),
            "}\n".repeat(5000)
        );
        let mut errors = Vec::new();
        let d = parse(&deep, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(d.namespaces.len(), 5000);
        let long = format!("classDiagram\n{}", "A --> B : x ".repeat(100_000));
        let mut errors = Vec::new();
        parse(&long, &mut errors);
        assert_eq!(errors.len(), 1);
    }
}
