//! ER diagrams (`erDiagram`): entities with attributes (type, name, PK/FK/UK, comment) and
//! relationships with cardinalities and labels, parsed as Mermaid's own grammar
//! (`erDiagram.jison`, Mermaid 11) parses them: the same text rewrites first (`prep`), the
//! same first-match lexer (`tokens`), then the grammar below, stopping at the first error
//! as Mermaid does.

mod prep;
mod tokens;

use super::MermaidError;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;
use tokens::{Lexer, State, T, Tok};

#[derive(Clone, Debug, Default, Serialize)]
pub struct ErDiagram {
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Entity {
    pub name: String,
    pub alias: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Has an attribute block `{ ... }` (possibly empty).
    pub defined: bool,
    /// Where the entity is first named.
    pub range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyKind {
    Pk,
    Fk,
    Uk,
}

#[derive(Clone, Debug, Serialize)]
pub struct Attribute {
    pub ty: String,
    pub name: String,
    pub keys: Vec<KeyKind>,
    pub comment: Option<String>,
    pub range: Range<usize>,
}

/// How many of one side relate to one of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cardinality {
    ZeroOrOne,
    ExactlyOne,
    ZeroOrMore,
    OneOrMore,
    /// Mermaid's `u` marker (`u--o{`): the parent of a meta-data relationship.
    MdParent,
}

impl Cardinality {
    pub fn is_many(self) -> bool {
        matches!(self, Cardinality::ZeroOrMore | Cardinality::OneOrMore)
    }
    pub fn is_optional(self) -> bool {
        matches!(self, Cardinality::ZeroOrOne | Cardinality::ZeroOrMore)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Relationship {
    /// Indices into `entities`.
    pub left: usize,
    pub right: usize,
    /// How many `left` entities relate to one `right` (the marker next to `left`).
    pub left_card: Cardinality,
    /// How many `right` entities relate to one `left`.
    pub right_card: Cardinality,
    /// `--` (identifying) rather than `..`.
    pub identifying: bool,
    pub label: String,
    pub range: Range<usize>,
}

/// The first error, in the rewritten text's coordinates.
struct Failure {
    message: String,
    range: Range<usize>,
}

type Parsed<X> = Result<X, Failure>;

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> ErDiagram {
    if !prep::front_matter_closed(src) {
        let at = src.find('-').unwrap_or(0);
        errors.push(MermaidError {
            message: "front matter opened with `---` has no closing `---` line indented like the opening one (Mermaid then rejects the diagram)".to_string(),
            range: at..(at + 3).min(src.len()),
        });
        return ErDiagram::default();
    }
    // Front matter, directives and comments before the header are the caller's; Mermaid's
    // text starts at `erDiagram`.
    let start = super::header_line(src).map_or(src.len(), |(_, at)| at);
    let prepared = prep::prepare(src.get(start..).unwrap_or(""));
    let mut p = Parser::new(&prepared.text);
    let result = p.document();
    let to_src = |pos: usize| floor_boundary(src, start.saturating_add(prepared.origin(pos)));
    let map = |r: &Range<usize>| {
        let a = to_src(r.start);
        a..to_src(r.end).max(a)
    };
    if let Err(f) = result {
        errors.push(MermaidError {
            message: f.message,
            range: map(&f.range),
        });
    }
    let mut er = p.er;
    for e in &mut er.entities {
        e.range = map(&e.range);
        for a in &mut e.attributes {
            a.range = map(&a.range);
        }
    }
    for r in &mut er.relationships {
        r.range = map(&r.range);
    }
    er
}

fn floor_boundary(s: &str, mut pos: usize) -> usize {
    pos = pos.min(s.len());
    while pos > 0 && !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// Tokens that may start an entity name (`entityName` in the grammar).
fn is_name(t: T) -> bool {
    matches!(
        t,
        T::EntityName | T::UnicodeText | T::Num | T::DecimalNum | T::EntityOne
    )
}

/// Tokens that may follow a statement: the start of another one or a line break.
fn starts_line(t: T) -> bool {
    is_name(t)
        || matches!(
            t,
            T::Newline
                | T::Eof
                | T::AccTitle
                | T::AccDescr
                | T::AccDescrMulti
                | T::Direction
                | T::ClassDef
                | T::Class
                | T::Style
                | T::Subgraph
                | T::EndKw
        )
}

fn is_style_part(t: T) -> bool {
    matches!(t, T::StyleText | T::Num | T::Colon | T::Brkt)
}

struct Parser<'a> {
    text: &'a str,
    lx: Lexer<'a>,
    la: Tok,
    er: ErDiagram,
    by_name: HashMap<String, usize>,
    /// End of the last unquoted relationship label, for the "quote it" hint.
    last_label: Option<Tok>,
    /// The entity whose `{ ... }` is being read.
    block_entity: String,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        let mut lx = Lexer::new(text, 0);
        let la = lx.next();
        Parser {
            text,
            lx,
            la,
            er: ErDiagram::default(),
            by_name: HashMap::new(),
            last_label: None,
            block_entity: String::new(),
        }
    }

    fn bump(&mut self) -> Tok {
        let t = self.la;
        self.la = self.lx.next();
        t
    }

    fn slice(&self, t: Tok) -> &'a str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    /// A name as Mermaid keeps it: quotes removed.
    fn name_of(&self, t: Tok) -> String {
        let s = self.slice(t);
        match t.t {
            T::EntityName | T::Word | T::Comment => s.replace('"', ""),
            _ => s.to_string(),
        }
    }

    fn describe(&self, t: Tok) -> String {
        match t.t {
            T::End | T::Eof => "the end of the diagram".to_string(),
            T::Newline => "a line break".to_string(),
            _ => {
                let s = self.slice(t).trim_end();
                let short: String = s.chars().take(40).collect();
                if short.len() < s.len() {
                    format!("`{short}...`")
                } else {
                    format!("`{short}`")
                }
            }
        }
    }

    fn fail(&self, t: Tok, expected: &str) -> Failure {
        if t.t == T::End {
            return self.unexpected_end(expected);
        }
        Failure {
            message: format!("expected {expected}, found {}", self.describe(t)),
            range: t.start..t.end.max(t.start + 1),
        }
    }

    /// The input ran out while the lexer was inside something Mermaid never closed.
    fn unexpected_end(&self, expected: &str) -> Failure {
        let here = self.text.len().saturating_sub(1);
        let (message, at) = match self.lx.state() {
            State::Block => (
                format!("`{{` of entity `{}` is never closed with `}}`", self.block_entity),
                self.lx.block_at,
            ),
            State::BlockBq => ("a `` ` `` in an attribute is never closed".to_string(), self.lx.bq_at),
            State::AccDescrMulti => ("`accDescr {` is never closed with `}`".to_string(), self.lx.descr_at),
            State::Style => match self.lx.style_ran_on {
                Some(p) => (run_on_message(), p),
                None => (format!("expected {expected}, found the end of the diagram"), here),
            },
            _ => (format!("expected {expected}, found the end of the diagram"), here),
        };
        Failure {
            message,
            range: at..at + 1,
        }
    }

    fn expect(&mut self, ok: impl Fn(T) -> bool, expected: &str) -> Parsed<Tok> {
        if ok(self.la.t) {
            Ok(self.bump())
        } else {
            Err(self.fail(self.la, expected))
        }
    }

    fn entity(&mut self, t: Tok) -> usize {
        let name = self.name_of(t);
        if let Some(&i) = self.by_name.get(&name) {
            return i;
        }
        let i = self.er.entities.len();
        self.er.entities.push(Entity {
            name: name.clone(),
            alias: None,
            attributes: Vec::new(),
            defined: false,
            range: t.start..t.end,
        });
        self.by_name.insert(name, i);
        i
    }

    /// `start: ER_DIAGRAM document EOF`, with `subgraph ... end` nesting kept on a stack.
    fn document(&mut self) -> Parsed<()> {
        self.expect(|t| t == T::ErDiagram, "`erDiagram`")?;
        let mut open: Vec<(Tok, String)> = Vec::new();
        loop {
            let t = self.la;
            match t.t {
                T::Newline | T::Direction | T::AccDescrMulti => {
                    self.bump();
                }
                T::Eof => {
                    return match open.last() {
                        Some((sub, name)) => Err(Failure {
                            message: format!("subgraph `{name}` is never closed with `end`"),
                            range: sub.start..sub.end,
                        }),
                        None => Ok(()),
                    };
                }
                T::EndKw if !open.is_empty() => {
                    open.pop();
                    self.bump();
                }
                T::AccTitle => {
                    self.bump();
                    self.expect(|t| t == T::AccTitleValue, "a title after `accTitle:`")?;
                }
                T::AccDescr => {
                    self.bump();
                    self.expect(|t| t == T::AccDescrValue, "a description after `accDescr:`")?;
                }
                T::ClassDef | T::Style => self.style_statement()?,
                T::Class => {
                    self.bump();
                    self.id_list("an entity name after `class`")?;
                    self.id_list("a class name after `class` and the entities")?;
                }
                T::Subgraph => {
                    let sub = self.bump();
                    let name = self.expect(is_name, "a subgraph name after `subgraph`")?;
                    if self.la.t == T::Sqs {
                        self.bump();
                        self.expect(is_name, "a subgraph title inside `[...]`")?;
                        while is_name(self.la.t) {
                            self.bump();
                        }
                        self.expect(|t| t == T::Sqe, "`]` closing the subgraph title")?;
                    }
                    self.expect(
                        |t| matches!(t, T::Newline | T::Semi | T::Eof),
                        "a line break after the subgraph header",
                    )?;
                    let name = self.name_of(name);
                    open.push((sub, name));
                }
                _ if is_name(t.t) => self.statement()?,
                _ => return Err(self.bad_statement(t)),
            }
        }
    }

    fn bad_statement(&self, t: Tok) -> Failure {
        match t.t {
            T::Char(';') => {
                return self.fail(t, "a line break (ER diagrams do not separate statements with `;`)");
            }
            T::Char('%') => {
                return self.fail(t, "a statement (a `%%` comment must be on a line of its own)");
            }
            _ => {}
        }
        let wordy = self.slice(t).starts_with(|c: char| c.is_alphanumeric());
        if let Some(label) = self.last_label
            && wordy
            && label.end <= t.start
            && !self.text.get(label.end..t.start).unwrap_or("\n").contains('\n')
            && t.t != T::End
        {
            let label = self.slice(label);
            let more = self.slice(t);
            return Failure {
                message: format!(
                    "unexpected `{more}` after the relationship label `{label}`: quote a label of several words (`: \"{label} {more}\"`)"
                ),
                range: t.start..t.end.max(t.start + 1),
            };
        }
        let expected = match t.t {
            T::EndKw => "a statement (this `end` closes no `subgraph`)",
            T::Card(_) | T::Rel(_) => "an entity name before the relationship",
            T::BlockStart => "an entity name before `{`",
            _ => {
                "an entity name or a statement (a relationship, `Entity { ... }`, `direction`, `classDef`, `class`, `style`, `accTitle`, `accDescr`, `subgraph`)"
            }
        };
        self.fail(t, expected)
    }

    /// A statement that starts with an entity name.
    fn statement(&mut self) -> Parsed<()> {
        let name = self.bump();
        match self.la.t {
            T::Card(_) => self.relationship(name),
            T::StyleSep => {
                self.bump();
                self.id_list("a class name after `:::`")?;
                match self.la.t {
                    T::Card(_) => self.relationship(name),
                    T::BlockStart => self.block(name, None),
                    _ => {
                        self.entity(name);
                        self.after_entity(name)
                    }
                }
            }
            T::BlockStart => self.block(name, None),
            T::Sqs => {
                self.bump();
                let alias = self.expect(
                    is_name,
                    "an alias inside `[...]` (a name or a quoted string without `%`)",
                )?;
                self.expect(|t| t == T::Sqe, "`]` closing the alias")?;
                let alias = self.name_of(alias);
                if self.la.t == T::StyleSep {
                    self.bump();
                    self.id_list("a class name after `:::`")?;
                }
                if self.la.t == T::BlockStart {
                    return self.block(name, Some(alias));
                }
                let e = self.entity(name);
                let entity = &mut self.er.entities[e];
                entity.alias.get_or_insert(alias);
                self.after_entity(name)
            }
            _ => {
                self.entity(name);
                self.after_entity(name)
            }
        }
    }

    /// What may follow an entity statement: another statement or a line break.
    fn after_entity(&self, name: Tok) -> Parsed<()> {
        if starts_line(self.la.t) {
            return Ok(());
        }
        let after = self.slice(name);
        Err(self.fail(
            self.la,
            &format!(
                "a relationship (`{after} ||--o{{ OTHER : label`), `{{`, `[alias]`, `:::class` or a line break after entity `{after}`"
            ),
        ))
    }

    /// `entityName relSpec entityName [::: classes] : role`.
    fn relationship(&mut self, left: Tok) -> Parsed<()> {
        let spec = self.la;
        let left_card = match self.bump().t {
            T::Card(c) => c,
            _ => Cardinality::ExactlyOne,
        };
        let identifying = match self.la.t {
            T::Rel(identifying) => {
                self.bump();
                identifying
            }
            _ => return Err(self.bad_arrow(spec, "a line `--` or `..` (or `to`, `optionally to`)")),
        };
        let right_card = match self.la.t {
            T::Card(c) => {
                self.bump();
                c
            }
            _ => {
                return Err(self.bad_arrow(
                    spec,
                    "a cardinality after the line (`||`, `o|`, `|{`, `o{`, or words such as `zero or many`)",
                ));
            }
        };
        let right = self.expect(is_name, "the entity on the right of the relationship")?;
        if self.la.t == T::StyleSep {
            self.bump();
            self.id_list("a class name after `:::`")?;
        }
        if self.la.t != T::Colon {
            let (l, r) = (self.name_of(left), self.name_of(right));
            if self.la.t == T::End {
                return Err(self.unexpected_end("`:` and a label"));
            }
            return Err(Failure {
                message: format!("relationship `{l}` - `{r}` needs a label after `:` (`{l} ||--o{{ {r} : has`)"),
                range: left.start..right.end,
            });
        }
        self.bump();
        let label = self.expect(
            |t| matches!(t, T::Word | T::EntityName | T::UnicodeText),
            "a relationship label after `:` (a word or a \"quoted string\")",
        )?;
        self.last_label = (label.t == T::UnicodeText).then_some(label);
        let l = self.entity(left);
        let r = self.entity(right);
        self.er.relationships.push(Relationship {
            left: l,
            right: r,
            left_card,
            right_card,
            identifying,
            label: self.name_of(label),
            range: left.start..label.end,
        });
        Ok(())
    }

    /// A malformed `||--o{`: the error covers the whole arrow as written.
    fn bad_arrow(&self, spec: Tok, expected: &str) -> Failure {
        if self.la.t == T::End {
            return self.unexpected_end(expected);
        }
        let rest = self.text.get(spec.start..).unwrap_or("");
        let word_end = spec.start + rest.find(tokens::js_space).unwrap_or(rest.len());
        let end = word_end.max(self.la.end).max(spec.end);
        let arrow = self.text.get(spec.start..end).unwrap_or("");
        Failure {
            message: format!(
                "cannot read relationship `{arrow}`: expected {expected}, found {} (cardinalities are `||` `|o` `o|` `}}|` `|{{` `}}o` `o{{`, lines `--` `..`)",
                self.describe(self.la)
            ),
            range: spec.start..end,
        }
    }

    /// `{ attributes }` (possibly empty) after an entity name.
    fn block(&mut self, name: Tok, alias: Option<String>) -> Parsed<()> {
        self.block_entity = self.name_of(name);
        let e = self.entity(name);
        {
            let entity = &mut self.er.entities[e];
            entity.defined = true;
            if entity.alias.is_none() {
                entity.alias = alias;
            }
        }
        self.bump();
        self.block_body(e).map_err(|mut f| {
            // Punctuation inside a block mostly means its `}` is missing and the next lines
            // (a relationship, another entity) are being read as attributes.
            if matches!(self.la.t, T::Char(_)) && self.lx.state() == State::Block {
                f.message.push_str(&format!(
                    " (is the `{{` of entity `{}` missing its `}}`?)",
                    self.block_entity
                ));
            }
            f
        })
    }

    fn block_body(&mut self, e: usize) -> Parsed<()> {
        if self.la.t == T::BlockStop {
            self.bump();
            return Ok(());
        }
        loop {
            self.attribute(e)?;
            match self.la.t {
                T::BlockStop => {
                    self.bump();
                    return Ok(());
                }
                T::AttrWord => {}
                _ => {
                    return Err(self.fail(
                        self.la,
                        &format!("another attribute or `}}` closing entity `{}`", self.block_entity),
                    ));
                }
            }
        }
    }

    /// `type[?] name [KEY[, KEY]...] ["comment"]`.
    fn attribute(&mut self, e: usize) -> Parsed<()> {
        if let T::AttrKey(_) = self.la.t {
            return Err(self.fail(self.la, "an attribute type (a key PK/FK/UK comes after `type name`)"));
        }
        let ty_tok = self.expect(|t| t == T::AttrWord, "an attribute `type name` or `}`")?;
        let mut ty = self.slice(ty_tok).to_string();
        if self.la.t == T::Char('?') {
            self.bump();
            ty.push('?');
        }
        if let T::AttrKey(_) = self.la.t {
            return Err(self.fail(
                self.la,
                &format!("an attribute name after type `{ty}` (`PK`, `FK` and `UK` are keys, not names)"),
            ));
        }
        let name_tok = self.expect(|t| t == T::AttrWord, &format!("an attribute name after type `{ty}`"))?;
        let name = self.slice(name_tok).to_string();
        let mut end = name_tok.end;
        let mut keys = Vec::new();
        while let T::AttrKey(k) = self.la.t {
            keys.push(k);
            end = self.bump().end;
            if self.la.t == T::Char(',') {
                self.bump();
                if !matches!(self.la.t, T::AttrKey(_)) {
                    return Err(self.fail(self.la, "a key (`PK`, `FK` or `UK`) after `,`"));
                }
            } else if let T::AttrKey(_) = self.la.t {
                return Err(Failure {
                    message: format!("keys of attribute `{name}` must be separated by commas (`PK, FK`)"),
                    range: self.la.start..self.la.end,
                });
            } else {
                break;
            }
        }
        let mut comment = None;
        if self.la.t == T::Comment {
            let c = self.bump();
            end = c.end;
            comment = Some(self.name_of(c));
        }
        self.er.entities[e].attributes.push(Attribute {
            ty,
            name,
            keys,
            comment,
            range: ty_tok.start..end,
        });
        Ok(())
    }

    /// `UNICODE_TEXT (, UNICODE_TEXT)*` (entity or class names).
    fn id_list(&mut self, expected: &str) -> Parsed<()> {
        let id = |t| matches!(t, T::UnicodeText | T::StyleText);
        self.expect(id, expected)?;
        while self.la.t == T::Comma {
            self.bump();
            self.expect(id, "a name after `,`")?;
        }
        Ok(())
    }

    /// `style ids styles` / `classDef names styles`, ended by `;` or a line break.
    fn style_statement(&mut self) -> Parsed<()> {
        let kw = self.bump();
        let what = if kw.t == T::Style {
            "an entity name after `style`"
        } else {
            "a class name after `classDef`"
        };
        let result = self.style_rest(what);
        match (result, self.lx.style_ran_on) {
            (Err(f), Some(p)) if p >= kw.start && p < f.range.start => Err(Failure {
                message: run_on_message(),
                range: p..p + 1,
            }),
            (r, _) => r,
        }
    }

    fn style_rest(&mut self, what: &str) -> Parsed<()> {
        self.id_list(what)?;
        loop {
            if self.la.t == T::LexError {
                return Err(self.bad_style_char());
            }
            self.expect(is_style_part, "a style such as `fill:#f9f`")?;
            while is_style_part(self.la.t) {
                self.bump();
            }
            if self.la.t == T::Comma {
                self.bump();
                continue;
            }
            break;
        }
        if self.la.t == T::LexError {
            return Err(self.bad_style_char());
        }
        self.expect(
            |t| matches!(t, T::Semi | T::Newline | T::Eof),
            "`,`, `;` or a line break after the styles",
        )?;
        Ok(())
    }

    fn bad_style_char(&self) -> Failure {
        Failure {
            message: format!(
                "unexpected {} in a style: Mermaid's ER styles allow only letters, digits, `-`, `*`, `:`, `#` and `,` (no `.`, `(`, `%` or spaces inside a value)",
                self.describe(self.la)
            ),
            range: self.la.start..self.la.end.max(self.la.start + 1),
        }
    }
}

fn run_on_message() -> String {
    "a `style`/`classDef` line that ends in a space or tab runs on into the next line (Mermaid's ER lexer reads the line break as part of the styles): remove the trailing whitespace".to_string()
}

#[cfg(test)]
mod tests;
