//! Flowcharts (`graph` / `flowchart` / `flowchart-elk`): nodes with shapes and labels, edges
//! with arrow kinds and labels, subgraphs. The parser follows Mermaid's own grammar
//! (`flow.jison` of Mermaid 11) token for token, so it accepts what Mermaid accepts and
//! rejects what it rejects, quirks included; see `lexer` for the tokens and `pre` for what
//! Mermaid does to the text first.

mod lexer;
mod pre;
mod shapes;
mod yaml;

use super::MermaidError;
use lexer::{LexError, Lexer, T, Tok};
use pre::Pre;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Flowchart {
    /// `TD`, `TB`, `BT`, `LR` or `RL`.
    pub direction: String,
    pub nodes: Vec<Node>,
    /// The edges, up to [`MAX_EDGES`] (`A & B --> C & D` is four).
    pub edges: Vec<Edge>,
    /// How many edges the diagram declares, also beyond [`MAX_EDGES`].
    pub edge_count: usize,
    pub subgraphs: Vec<Subgraph>,
}

/// Edges kept in the model. `&` chains multiply: 7 KB of `N0 & ... & N499 --> M0 & ...`
/// declares 250,000 edges, and the model must not cost more than its source allows.
pub const MAX_EDGES: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    Rect,
    Round,
    Stadium,
    Subroutine,
    Cylinder,
    Circle,
    DoubleCircle,
    Asymmetric,
    Rhombus,
    Hexagon,
    Parallelogram,
    ParallelogramAlt,
    Trapezoid,
    TrapezoidAlt,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub id: String,
    /// Text shown in the node; the id when none is given.
    pub label: String,
    pub shape: Shape,
    /// Where the node is first written (id and shape).
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    /// The arrow as written (`-->`, `-.->`, `==>`, `---`, ...).
    pub arrow: String,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subgraph {
    pub id: String,
    pub title: String,
    /// Indices of nodes first written inside this subgraph.
    pub nodes: Vec<usize>,
    pub range: Range<usize>,
}

/// Mermaid's default `maxEdges`: the 501st edge is an error ("Edge limit exceeded"), and
/// the limit cannot be raised from inside a diagram.
const MERMAID_MAX_EDGES: usize = 500;

struct Builder {
    chart: Flowchart,
    by_id: HashMap<String, usize>,
    open: Vec<usize>,
    edge_ids: HashSet<String>,
}

impl Builder {
    fn node(&mut self, id: &str, label: Option<String>, shape: Option<Shape>, range: Range<usize>) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            if let Some(node) = self.chart.nodes.get_mut(i) {
                if let Some(label) = label {
                    node.label = label;
                }
                if let Some(shape) = shape {
                    node.shape = shape;
                }
            }
            return i;
        }
        let i = self.chart.nodes.len();
        self.chart.nodes.push(Node {
            id: id.to_string(),
            label: label.unwrap_or_else(|| id.to_string()),
            shape: shape.unwrap_or(Shape::Rect),
            range,
        });
        self.by_id.insert(id.to_string(), i);
        if let Some(sg) = self.open.last().and_then(|&s| self.chart.subgraphs.get_mut(s)) {
            sg.nodes.push(i);
        }
        i
    }
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> Flowchart {
    let pre = pre::preprocess(src);
    let mut p = Parser {
        lx: Lexer::new(&pre.text),
        pre: &pre,
        src,
        la: None,
        b: Builder {
            chart: Flowchart::default(),
            by_id: HashMap::new(),
            open: Vec::new(),
            edge_ids: HashSet::new(),
        },
        error: None,
    };
    if let Some((body, at)) = &pre.front
        && let Err((off, what)) = yaml::check_block(body)
    {
        let start = (at + off).min(src.len());
        let end = src
            .get(start..)
            .and_then(|r| r.find('\n'))
            .map_or(src.len(), |i| start + i);
        errors.push(MermaidError {
            message: format!("front matter is not valid YAML: {what}"),
            range: start..end.max(start),
        });
        return p.b.chart;
    }
    let _ = p.diagram();
    if let Some(e) = p.error.take() {
        errors.push(e);
    }
    p.b.chart
}

/// Parsing stopped at an error (recorded in [`Parser::error`]); Mermaid stops at the first.
struct Stop;

type R<T> = Result<T, Stop>;

struct Parser<'a> {
    lx: Lexer<'a>,
    pre: &'a Pre,
    src: &'a str,
    la: Option<Tok>,
    b: Builder,
    error: Option<MermaidError>,
}

/// A stretch of label text: where it is and whether it is one quoted string.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    quoted: bool,
}

fn is_id_token(t: T) -> bool {
    matches!(
        t,
        T::Num
            | T::NodeString
            | T::Down
            | T::Minus
            | T::Default
            | T::Comma
            | T::Colon
            | T::Amp
            | T::Brkt
            | T::Mult
            | T::UnicodeText
    )
}

fn is_text_token(t: T) -> bool {
    matches!(t, T::Text | T::TagStart | T::TagEnd | T::UnicodeText)
}

fn is_title_token(t: T) -> bool {
    matches!(
        t,
        T::Num
            | T::NodeString
            | T::Space
            | T::Minus
            | T::Amp
            | T::UnicodeText
            | T::Colon
            | T::Mult
            | T::Brkt
            | T::StartLink
            // keywords
            | T::Style
            | T::LinkStyle
            | T::ClassDef
            | T::Class
            | T::Click
            | T::Graph
            | T::Dir
            | T::Subgraph
            | T::KwEnd
            | T::Down
            | T::Up
    )
}

fn is_alnum_token(t: T) -> bool {
    matches!(
        t,
        T::Num
            | T::UnicodeText
            | T::NodeString
            | T::Dir
            | T::Down
            | T::Minus
            | T::Comma
            | T::Colon
            | T::Amp
            | T::Brkt
            | T::Mult
    )
}

fn is_style_token(t: T) -> bool {
    matches!(t, T::Num | T::NodeString | T::Colon | T::Space | T::Brkt | T::Style)
}

impl Parser<'_> {
    fn src_range(&self, start: usize, end: usize) -> Range<usize> {
        let a = self.pre.to_src(start);
        let b = self.pre.to_src(end).max(a);
        a..b
    }

    /// The source text of a stretch of the lexer's text.
    fn source_text(&self, start: usize, end: usize) -> &str {
        let r = self.src_range(start, end);
        self.src.get(r).unwrap_or("")
    }

    fn fail(&mut self, message: String, range: Range<usize>) -> Stop {
        if self.error.is_none() {
            self.error = Some(MermaidError { message, range });
        }
        Stop
    }

    fn peek(&mut self) -> R<Tok> {
        if let Some(t) = self.la {
            return Ok(t);
        }
        match self.lx.next() {
            Ok(t) => {
                self.la = Some(t);
                Ok(t)
            }
            Err(LexError(p)) => {
                if self.lx.in_direction() {
                    let text = self.pre.text.get(p..).unwrap_or("");
                    let lead = text.len() - text.trim_start().len();
                    let word = text
                        .trim_start()
                        .split(|c: char| c.is_whitespace() || c == ';')
                        .next()
                        .unwrap_or("");
                    let r = self.src_range(p + lead, p + lead + word.len());
                    return Err(self.fail(format!("unknown direction `{word}` (expected TD, TB, BT, LR or RL)"), r));
                }
                let c = self.lx_char(p);
                let r = self.src_range(p, p + c.map_or(1, char::len_utf8));
                let shown = c.map_or(String::new(), |c| c.escape_debug().to_string());
                Err(self.fail(
                    format!("Mermaid cannot read `{shown}` here (no token starts with it)"),
                    r,
                ))
            }
        }
    }

    fn lx_char(&self, p: usize) -> Option<char> {
        self.pre.text.get(p..).and_then(|r| r.chars().next())
    }

    fn bump(&mut self) -> R<Tok> {
        let t = self.peek()?;
        self.la = None;
        Ok(t)
    }

    fn at(&mut self, t: T) -> R<bool> {
        Ok(self.peek()?.t == t)
    }

    /// An error at the next token: "expected {what}, found {it}".
    fn unexpected<X>(&mut self, what: &str) -> R<X> {
        let tok = self.peek()?;
        let found = match tok.t {
            T::End | T::Eof => "the end of the diagram".to_string(),
            T::Newline => "a new line".to_string(),
            T::Space => "a space".to_string(),
            t => {
                let text = self.source_text(tok.start, tok.end).trim();
                let text: String = text.chars().take(24).collect();
                if text.is_empty() {
                    t.describe().to_string()
                } else {
                    format!("{} `{}`", t.describe(), text)
                }
            }
        };
        let end = if tok.end > tok.start { tok.end } else { tok.start };
        let mut r = self.src_range(tok.start, end);
        if r.is_empty() && tok.t != T::End {
            r.end = (r.start + 1).min(self.src.len());
        }
        Err(self.fail(format!("expected {what}, found {found}"), r))
    }

    fn expect(&mut self, t: T, what: &str) -> R<Tok> {
        if self.at(t)? {
            self.bump()
        } else {
            self.unexpected(what)
        }
    }

    fn spaces(&mut self) -> R<usize> {
        let mut n = 0;
        while self.at(T::Space)? {
            self.bump()?;
            n += 1;
        }
        Ok(n)
    }

    fn diagram(&mut self) -> R<()> {
        while matches!(self.peek()?.t, T::Space | T::Newline) {
            self.bump()?;
        }
        let g = self.expect(T::Graph, "`graph` or `flowchart` to open the diagram")?;
        let _ = g;
        let t = self.peek()?;
        match t.t {
            T::NoDir => {
                self.bump()?;
                self.b.chart.direction = "TD".to_string();
            }
            T::Dir => {
                self.bump()?;
                let d = self.pre.text.get(t.start..t.end).unwrap_or("").trim();
                self.b.chart.direction = match d {
                    "<" => "RL",
                    ">" => "LR",
                    "^" => "BT",
                    "v" => "TB",
                    other => other,
                }
                .to_string();
                // FirstStmtSeparator: `;`, a new line, or spaces and a new line.
                match self.peek()?.t {
                    T::Semi | T::Newline => {
                        self.bump()?;
                    }
                    T::Space => {
                        self.spaces()?;
                        self.expect(T::Newline, "a new line after the direction")?;
                    }
                    _ => return self.unexpected("a new line or `;` after the direction"),
                }
            }
            _ => return self.unexpected("a direction (TD, TB, BT, LR, RL) or a new line after the diagram type"),
        }
        self.document()
    }

    fn separator(&mut self) -> R<()> {
        match self.peek()?.t {
            T::Newline | T::Semi | T::Eof => {
                self.bump()?;
                Ok(())
            }
            _ => self.unexpected("a new line or `;` to end the statement"),
        }
    }

    fn document(&mut self) -> R<()> {
        loop {
            let t = self.peek()?;
            match t.t {
                T::End => {
                    if let Some(sg) = self.b.open.last().and_then(|&s| self.b.chart.subgraphs.get(s)) {
                        let (title, range) = (sg.title.clone(), sg.range.clone());
                        return Err(self.fail(format!("subgraph `{title}` is never closed with `end`"), range));
                    }
                    return Ok(());
                }
                T::Semi | T::Newline | T::Space | T::Eof | T::Direction | T::AccDescrMulti => {
                    self.bump()?;
                }
                T::KwEnd => {
                    if self.b.open.pop().is_none() {
                        let r = self.src_range(t.start, t.start + 3);
                        return Err(self.fail("`end` without an open `subgraph`".to_string(), r));
                    }
                    self.bump()?;
                }
                T::Subgraph => self.subgraph()?,
                T::AccTitle => {
                    self.bump()?;
                    self.expect(T::AccTitleValue, "the accessible title")?;
                }
                T::AccDescr => {
                    self.bump()?;
                    self.expect(T::AccDescrValue, "the accessible description")?;
                }
                T::Style | T::ClassDef => {
                    self.bump()?;
                    let what = if t.t == T::Style { "`style`" } else { "`classDef`" };
                    self.expect(T::Space, &format!("a space after {what}"))?;
                    self.id_string("a node id or class name")?;
                    self.expect(T::Space, "a space before the styles")?;
                    self.styles()?;
                    self.separator()?;
                }
                T::Class => {
                    self.bump()?;
                    self.expect(T::Space, "a space after `class`")?;
                    self.id_string("node ids after `class`")?;
                    self.expect(T::Space, "a space before the class name")?;
                    self.id_string("a class name")?;
                    self.separator()?;
                }
                T::LinkStyle => {
                    self.link_style()?;
                    self.separator()?;
                }
                T::Click => {
                    self.click()?;
                    self.separator()?;
                }
                _ => {
                    self.vertex_statement()?;
                    self.separator()?;
                }
            }
        }
    }

    fn subgraph(&mut self) -> R<()> {
        let kw = self.bump()?;
        let mut header_end;
        let (id, title) = match self.peek()?.t {
            T::Space => {
                self.bump()?;
                let first = self.peek()?;
                if !(matches!(first.t, T::Str | T::MdStr) || is_title_token(first.t)) {
                    return self.unexpected("a subgraph id or title after `subgraph `");
                }
                self.bump()?;
                let mut last = first;
                while is_title_token(self.peek()?.t) {
                    last = self.bump()?;
                }
                let quoted = matches!(first.t, T::Str | T::MdStr) && last.start == first.start;
                let head = self.label(Span {
                    start: first.start,
                    end: last.end,
                    quoted,
                });
                header_end = last.end;
                if self.at(T::Sqs)? {
                    self.bump()?;
                    let text = self.text(|| "a subgraph title inside `[...]`".to_string())?;
                    let close = self.expect(T::Sqe, "`]` to close the subgraph title")?;
                    header_end = close.end;
                    (head, self.label(text))
                } else {
                    (head.clone(), head)
                }
            }
            // The grammar allows a bare `subgraph`, but Mermaid then fails reading its
            // missing title ("Cannot read properties of undefined"): the diagram is refused.
            T::Newline | T::Semi | T::Eof => {
                let r = self.src_range(kw.start, kw.end);
                return Err(self.fail(
                    "`subgraph` needs an id or a title: Mermaid refuses a bare `subgraph`".to_string(),
                    r,
                ));
            }
            _ => return self.unexpected("a space and a title after `subgraph`"),
        };
        self.separator()?;
        let i = self.b.chart.subgraphs.len();
        let range = self.src_range(kw.start, header_end);
        self.b.chart.subgraphs.push(Subgraph {
            id,
            title,
            nodes: Vec::new(),
            range,
        });
        self.b.open.push(i);
        Ok(())
    }

    /// The text of a label as written, trimmed, without the quotes of a quoted string.
    fn label(&self, span: Span) -> String {
        let t = self.source_text(span.start, span.end).trim();
        if span.quoted {
            let t = t.strip_prefix('"').unwrap_or(t);
            let t = t.strip_suffix('"').unwrap_or(t);
            let t = t.strip_prefix('`').and_then(|t| t.strip_suffix('`')).unwrap_or(t);
            return t.to_string();
        }
        t.to_string()
    }

    /// `text`: a quoted or markdown string, or text tokens, then more text tokens.
    fn text(&mut self, what: impl FnOnce() -> String) -> R<Span> {
        let first = self.peek()?;
        if !(matches!(first.t, T::Str | T::MdStr) || is_text_token(first.t)) {
            return self.unexpected(&what());
        }
        self.bump()?;
        let mut end = first.end;
        while is_text_token(self.peek()?.t) {
            end = self.bump()?.end;
        }
        Ok(Span {
            start: self.quote_start(first),
            end: self.quote_end(first, end),
            quoted: matches!(first.t, T::Str | T::MdStr) && end == first.end,
        })
    }

    /// A string token starts after its opening quote: widen the span to include it.
    fn quote_start(&self, first: Tok) -> usize {
        match first.t {
            T::Str => first.start.saturating_sub(1),
            T::MdStr => first.start.saturating_sub(2),
            _ => first.start,
        }
    }

    fn quote_end(&self, first: Tok, end: usize) -> usize {
        if end != first.end {
            return end;
        }
        match first.t {
            T::Str => (end + 1).min(self.pre.text.len()),
            T::MdStr => (end + 2).min(self.pre.text.len()),
            _ => end,
        }
    }

    /// `idString`: one or more id tokens.
    fn id_string(&mut self, what: &str) -> R<(usize, usize)> {
        let first = self.peek()?;
        if !is_id_token(first.t) {
            return self.unexpected(what);
        }
        self.bump()?;
        let mut end = first.end;
        while is_id_token(self.peek()?.t) {
            end = self.bump()?.end;
        }
        Ok((first.start, end))
    }

    fn alpha_num(&mut self, what: &str) -> R<()> {
        if !is_alnum_token(self.peek()?.t) {
            return self.unexpected(what);
        }
        while is_alnum_token(self.peek()?.t) {
            self.bump()?;
        }
        Ok(())
    }

    /// `stylesOpt`: style components, in groups separated by `,`.
    fn styles(&mut self) -> R<()> {
        loop {
            if !is_style_token(self.peek()?.t) {
                return self.unexpected("a style such as `fill:#f9f`");
            }
            while is_style_token(self.peek()?.t) {
                self.bump()?;
            }
            if !self.at(T::Comma)? {
                return Ok(());
            }
            self.bump()?;
        }
    }

    fn link_style(&mut self) -> R<()> {
        self.bump()?;
        self.expect(T::Space, "a space after `linkStyle`")?;
        let mut positions = Vec::new();
        if self.at(T::Default)? {
            self.bump()?;
        } else {
            loop {
                let n = self.expect(T::Num, "an edge number or `default` after `linkStyle`")?;
                positions.push(n);
                if !self.at(T::Comma)? {
                    break;
                }
                self.bump()?;
            }
        }
        self.expect(T::Space, "a space before the styles")?;
        if self.at(T::Interpolate)? {
            self.bump()?;
            self.expect(T::Space, "a space after `interpolate`")?;
            self.alpha_num("a curve name after `interpolate`")?;
            if self.at(T::Space)? {
                self.bump()?;
                self.styles()?;
            }
        } else {
            self.styles()?;
        }
        // Mermaid indexes its edge list with the number as written: an index past the
        // edges declared so far (or written `01`) fails when the style is set.
        let count = self.b.chart.edge_count;
        for n in positions {
            let digits = self.pre.text.get(n.start..n.end).unwrap_or("");
            let canonical = digits == "0" || !digits.starts_with('0');
            let in_range = digits.parse::<usize>().is_ok_and(|v| v < count);
            if !(canonical && in_range) {
                let r = self.src_range(n.start, n.end);
                return Err(self.fail(
                    format!(
                        "linkStyle {digits}: no such edge (edges are numbered from 0; {count} declared before this line)"
                    ),
                    r,
                ));
            }
        }
        Ok(())
    }

    fn click(&mut self) -> R<()> {
        self.bump()?;
        let t = self.peek()?;
        match t.t {
            T::CallbackName => {
                self.bump()?;
                if self.at(T::CallbackArgs)? {
                    self.bump()?;
                }
                if self.at(T::Space)? {
                    self.bump()?;
                    self.expect(T::Str, "a quoted tooltip")?;
                }
            }
            T::Href => {
                self.bump()?;
                self.expect(T::Str, "a quoted link after `href`")?;
                self.link_tail()?;
            }
            T::Str => {
                self.bump()?;
                self.link_tail()?;
            }
            t if is_alnum_token(t) => {
                self.alpha_num("a callback name")?;
                if self.at(T::Space)? {
                    self.bump()?;
                    self.expect(T::Str, "a quoted tooltip")?;
                }
            }
            _ => return self.unexpected("a callback, `call`, `href` or a quoted link after `click <id>`"),
        }
        Ok(())
    }

    /// After a click link: ` "tooltip"`, ` _blank`, or ` "tooltip" _blank`.
    fn link_tail(&mut self) -> R<()> {
        if !self.at(T::Space)? {
            return Ok(());
        }
        self.bump()?;
        match self.peek()?.t {
            T::Str => {
                self.bump()?;
                if self.at(T::Space)? {
                    self.bump()?;
                    self.expect(T::LinkTarget, "a link target (`_blank`, `_self`, `_parent`, `_top`)")?;
                }
                Ok(())
            }
            T::LinkTarget => {
                self.bump()?;
                Ok(())
            }
            _ => self.unexpected("a quoted tooltip or a link target"),
        }
    }

    fn vertex_statement(&mut self) -> R<()> {
        let mut left = self.node_group(true)?;
        loop {
            let t = self.peek()?;
            if !matches!(t.t, T::Link | T::LinkId | T::StartLink) {
                return Ok(());
            }
            let (arrow, label, range) = self.link()?;
            let right = self.node_group(false)?;
            let count = left.len().saturating_mul(right.len());
            let before = self.b.chart.edge_count;
            self.b.chart.edge_count = before.saturating_add(count);
            if self.b.chart.edge_count > MERMAID_MAX_EDGES {
                let r = self.src_range(range.start, range.end);
                return Err(self.fail(
                    format!(
                        "more than {MERMAID_MAX_EDGES} edges: Mermaid's edge limit (`maxEdges`) cannot be raised from inside a diagram"
                    ),
                    r,
                ));
            }
            let r = self.src_range(range.start, range.end);
            'all: for &f in &left {
                for &to in &right {
                    if self.b.chart.edges.len() >= MAX_EDGES {
                        break 'all;
                    }
                    self.b.chart.edges.push(Edge {
                        from: f,
                        to,
                        label: label.clone(),
                        arrow: arrow.clone(),
                        range: r.clone(),
                    });
                }
            }
            left = right;
        }
    }

    /// `link`: an arrow, `-->|text|`, `-- text -->`, with an optional `id@` first.
    fn link(&mut self) -> R<(String, Option<String>, Range<usize>)> {
        let mut t = self.bump()?;
        let start = t.start;
        if t.t == T::LinkId {
            let id = self
                .pre
                .text
                .get(t.start..t.end.saturating_sub(1))
                .unwrap_or("")
                .to_string();
            self.b.edge_ids.insert(id);
            if !matches!(self.peek()?.t, T::Link | T::StartLink) {
                return self.unexpected("an arrow after the edge id");
            }
            t = self.bump()?;
        }
        if t.t == T::StartLink {
            let open = self.pre.text.get(t.start..t.end).unwrap_or("").trim().to_string();
            let first = self.peek()?;
            if !matches!(first.t, T::Str | T::MdStr | T::EdgeText | T::UnicodeText) {
                return self.unexpected("the text of the arrow");
            }
            self.bump()?;
            let mut end = first.end;
            while matches!(self.peek()?.t, T::EdgeText | T::UnicodeText) {
                end = self.bump()?.end;
            }
            let span = Span {
                start: self.quote_start(first),
                end: self.quote_end(first, end),
                quoted: matches!(first.t, T::Str | T::MdStr) && end == first.end,
            };
            let close = self.expect(
                T::Link,
                &format!("an arrow closing the text after `{open}` (such as `-->`)"),
            )?;
            let closer = self.pre.text.get(close.start..close.end).unwrap_or("").trim();
            let head = open.chars().next().filter(|c| matches!(c, '<' | 'x' | 'o'));
            let arrow = head.map_or(String::new(), String::from) + closer;
            return Ok((arrow, Some(self.label(span)), start..close.end));
        }
        let arrow = self.pre.text.get(t.start..t.end).unwrap_or("").trim().to_string();
        let mut end = t.end;
        let mut label = None;
        if self.at(T::Pipe)? {
            self.bump()?;
            let span = self.text(|| "the text of the arrow between `|` and `|`".to_string())?;
            let close = self.expect(T::Pipe, "`|` to close the arrow text")?;
            end = close.end;
            label = Some(self.label(span));
            if self.at(T::Space)? {
                self.bump()?;
            }
        }
        Ok((arrow, label, start..end))
    }

    /// `node`: styled vertices joined by ` & `, each with optional `@{...}` data.
    fn node_group(&mut self, statement_start: bool) -> R<Vec<usize>> {
        let what = if statement_start {
            "a statement (a node id, `subgraph`, `style`, ...)"
        } else {
            "a node after the arrow"
        };
        let mut group = vec![self.styled_vertex(what)?];
        loop {
            match self.peek()?.t {
                T::ShapeData => {
                    self.shape_data(&mut group)?;
                    if !self.at(T::Space)? {
                        return Ok(group);
                    }
                    self.spaces()?;
                    self.expect(T::Amp, "`&` after `@{...}` and a space")?;
                }
                T::Space => {
                    self.spaces()?;
                    if !self.at(T::Amp)? {
                        return Ok(group);
                    }
                    self.bump()?;
                }
                _ => return Ok(group),
            }
            if self.spaces()? == 0 {
                return self.unexpected("a space after `&`");
            }
            group.push(self.styled_vertex("a node after `&`")?);
        }
    }

    /// `@{ shape: ..., label: ... }` after the last node of `group`.
    fn shape_data(&mut self, group: &mut [usize]) -> R<()> {
        let open = self.bump()?;
        let mut content = String::new();
        let mut end = open.end;
        while self.at(T::ShapeData)? {
            let t = self.bump()?;
            content.push_str(self.pre.text.get(t.start..t.end).unwrap_or(""));
            end = t.end;
        }
        // Mermaid loads the YAML first, also for edge data: one line as a flow mapping
        // (`{` + data + `}`), several as a block.
        let checked = if content.contains('\n') {
            yaml::check_block(&content)
        } else {
            yaml::check_flow(&content)
        }
        .and_then(|()| {
            let text = if content.contains('\n') {
                format!("{content}\n")
            } else {
                format!("{{\n{content}\n}}")
            };
            if super::kinds::yaml_loads(&text) {
                Ok(())
            } else {
                Err((0, "js-yaml cannot load it"))
            }
        });
        if let Err((_, what)) = checked {
            let r = self.src_range(open.start, end);
            return Err(self.fail(format!("`@{{...}}` is not valid YAML: {what}"), r));
        }
        let Some(&last) = group.last() else { return Ok(()) };
        let id = self.b.chart.nodes.get(last).map(|n| n.id.clone()).unwrap_or_default();
        if self.b.edge_ids.contains(&id) {
            // Data for an edge (`e1@{ animate: true }`): Mermaid sets it on the edge.
            return Ok(());
        }
        match shapes::read(&content) {
            Ok(data) => {
                if let Some(node) = self.b.chart.nodes.get_mut(last) {
                    if let Some(shape) = data.shape {
                        node.shape = shape;
                    }
                    if let Some(label) = data.label {
                        node.label = label;
                    }
                }
                Ok(())
            }
            Err(message) => {
                let r = self.src_range(open.start, end);
                Err(self.fail(message, r))
            }
        }
    }

    /// The closing bracket of a node shape opened by `open`. An error names the unquoted
    /// bracket that stopped the label, or the opening bracket when nothing closes it.
    fn close(&mut self, close: T, close_name: &str, id: &str, open: Tok) -> R<Tok> {
        let t = self.peek()?;
        if t.t == close {
            return self.bump();
        }
        let bracket = matches!(
            t.t,
            T::Sqs
                | T::Ps
                | T::DiamondStart
                | T::Sqe
                | T::Pe
                | T::DiamondStop
                | T::SubStart
                | T::SubEnd
                | T::StadiumStart
                | T::StadiumEnd
                | T::CylStart
                | T::CylEnd
                | T::DblCircleStart
                | T::DblCircleEnd
                | T::TrapStart
                | T::TrapEnd
                | T::InvTrapStart
                | T::InvTrapEnd
                | T::EllipseStart
                | T::EllipseEnd
        );
        if bracket {
            let ch = self.pre.text.get(t.start..t.end).unwrap_or("").to_string();
            let r = self.src_range(t.start, t.end);
            return Err(self.fail(
                format!(
                    "unquoted `{ch}` in the label of node `{id}`: quote the label (`{id}[\"...\"]`) or close it with {close_name}"
                ),
                r,
            ));
        }
        if matches!(t.t, T::End | T::Eof) {
            let r = self.src_range(open.start, open.end);
            if self.lx.in_string() {
                return Err(self.fail(format!("unclosed `\"` in the label of node `{id}`"), r));
            }
            return Err(self.fail(format!("missing closing {close_name} for node `{id}`"), r));
        }
        self.unexpected(&format!("{close_name} to close node `{id}`"))
    }

    fn styled_vertex(&mut self, what: &str) -> R<usize> {
        let v = self.vertex(what)?;
        if self.at(T::StyleSep)? {
            self.bump()?;
            self.id_string("a class name after `:::`")?;
        }
        Ok(v)
    }

    fn vertex(&mut self, what: &str) -> R<usize> {
        let (id_start, id_end) = self.id_string(what)?;
        let id = self.source_text(id_start, id_end).to_string();
        let id = if id.is_empty() {
            self.pre.text.get(id_start..id_end).unwrap_or("").to_string()
        } else {
            id
        };
        let t = self.peek()?;
        let shaped = |p: &mut Self, close: T, close_name: &str, shape: Shape| -> R<(Span, Shape, usize)> {
            p.bump()?;
            let text = p.text(|| format!("the label of node `{id}`"))?;
            let c = p.close(close, close_name, &id, t)?;
            Ok((text, shape, c.end))
        };
        let (text, shape, end) = match t.t {
            T::Sqs => shaped(self, T::Sqe, "`]`", Shape::Rect)?,
            T::DblCircleStart => shaped(self, T::DblCircleEnd, "`)))`", Shape::DoubleCircle)?,
            T::EllipseStart => shaped(self, T::EllipseEnd, "`-)`", Shape::Round)?,
            T::StadiumStart => shaped(self, T::StadiumEnd, "`])`", Shape::Stadium)?,
            T::SubStart => shaped(self, T::SubEnd, "`]]`", Shape::Subroutine)?,
            T::CylStart => shaped(self, T::CylEnd, "`)]`", Shape::Cylinder)?,
            T::TagEnd => shaped(self, T::Sqe, "`]`", Shape::Asymmetric)?,
            T::Ps => {
                self.bump()?;
                if self.at(T::Ps)? {
                    let (text, shape, _) = shaped(self, T::Pe, "`))`", Shape::Circle)?;
                    let c = self.close(T::Pe, "`))`", &id, t)?;
                    (text, shape, c.end)
                } else {
                    let text = self.text(|| format!("the label of node `{id}`"))?;
                    let c = self.close(T::Pe, "`)`", &id, t)?;
                    (text, Shape::Round, c.end)
                }
            }
            T::DiamondStart => {
                self.bump()?;
                if self.at(T::DiamondStart)? {
                    let (text, shape, _) = shaped(self, T::DiamondStop, "`}}`", Shape::Hexagon)?;
                    let c = self.close(T::DiamondStop, "`}}`", &id, t)?;
                    (text, shape, c.end)
                } else {
                    let text = self.text(|| format!("the label of node `{id}`"))?;
                    let c = self.close(T::DiamondStop, "`}`", &id, t)?;
                    (text, Shape::Rhombus, c.end)
                }
            }
            T::TrapStart | T::InvTrapStart => {
                self.bump()?;
                let text = self.text(|| format!("the label of node `{id}`"))?;
                let close = self.peek()?;
                let shape = match (t.t, close.t) {
                    (T::TrapStart, T::TrapEnd) => Shape::Trapezoid,
                    (T::TrapStart, T::InvTrapEnd) => Shape::Parallelogram,
                    (T::InvTrapStart, T::InvTrapEnd) => Shape::TrapezoidAlt,
                    (T::InvTrapStart, T::TrapEnd) => Shape::ParallelogramAlt,
                    _ => {
                        self.close(T::TrapEnd, "`\\]` or `/]`", &id, t)?;
                        return Err(Stop);
                    }
                };
                self.bump()?;
                (text, shape, close.end)
            }
            T::PropsStart => {
                self.bump()?;
                self.expect(T::NodeString, "a property name after `[|`")?;
                self.expect(T::Colon, "`:` after the property name")?;
                self.expect(T::NodeString, "a property value")?;
                self.expect(T::Pipe, "`|` after the property")?;
                let text = self.text(|| format!("the label of node `{id}`"))?;
                let c = self.close(T::Sqe, "`]`", &id, t)?;
                (text, Shape::Rect, c.end)
            }
            _ => {
                let r = self.src_range(id_start, id_end);
                return Ok(self.b.node(&id, None, None, r));
            }
        };
        let label = self.label(text);
        let r = self.src_range(id_start, end);
        Ok(self.b.node(&id, Some(label), Some(shape), r))
    }
}

#[cfg(test)]
mod tests;
