//! Flowcharts (`graph` / `flowchart`): nodes with shapes and labels, edges with arrow
//! kinds and labels, subgraphs. Rejects what Mermaid rejects in practice: unclosed node
//! brackets, unknown arrows, `subgraph` without `end`, stray `end`.

use super::MermaidError;
use super::lex::{body_start, is_ident_char, statements};
use serde::Serialize;
use std::collections::HashMap;
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

struct Builder {
    chart: Flowchart,
    by_id: HashMap<String, usize>,
    open: Vec<usize>,
}

impl Builder {
    fn node(&mut self, id: &str, label: Option<String>, shape: Option<Shape>, range: Range<usize>) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            let node = &mut self.chart.nodes[i];
            if let Some(label) = label {
                node.label = label;
            }
            if let Some(shape) = shape {
                node.shape = shape;
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
        if let Some(&s) = self.open.last() {
            self.chart.subgraphs[s].nodes.push(i);
        }
        i
    }
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> Flowchart {
    let mut b = Builder {
        chart: Flowchart::default(),
        by_id: HashMap::new(),
        open: Vec::new(),
    };
    let mut stmts = Vec::new();
    if let Some((header, at)) = super::header_line(src) {
        let mut words = header.split(|c: char| c.is_whitespace() || c == ';');
        words.next();
        b.chart.direction = words.next().filter(|w| !w.is_empty()).unwrap_or("TD").to_uppercase();
        if !matches!(b.chart.direction.as_str(), "TD" | "TB" | "BT" | "LR" | "RL") {
            let dir = b.chart.direction.clone();
            let pos = at + header.find(dir.as_str()).unwrap_or(0);
            errors.push(MermaidError {
                message: format!("unknown direction `{dir}` (expected TD, TB, BT, LR or RL)"),
                range: pos..pos + dir.len(),
            });
        }
        // Statements may follow the header on its line: `graph TD; A-->B`.
        if let Some(semi) = header.find(';') {
            stmts.extend(statements(&src[..at + header.len()], at + semi + 1));
        }
    }
    stmts.extend(statements(src, body_start(src)));
    for (stmt, at) in stmts {
        statement(&mut b, stmt, at, errors);
    }
    for &s in b.open.iter().rev() {
        let sg = &b.chart.subgraphs[s];
        errors.push(MermaidError {
            message: format!("subgraph `{}` is never closed with `end`", sg.title),
            range: sg.range.clone(),
        });
    }
    b.chart
}

fn statement(b: &mut Builder, stmt: &str, at: usize, errors: &mut Vec<MermaidError>) {
    let first = stmt.split_whitespace().next().unwrap_or("");
    match first {
        "subgraph" => {
            let rest = stmt["subgraph".len()..].trim();
            let (id, title) = subgraph_header(rest);
            let i = b.chart.subgraphs.len();
            b.chart.subgraphs.push(Subgraph {
                id,
                title,
                nodes: Vec::new(),
                range: at..at + stmt.len(),
            });
            b.open.push(i);
            return;
        }
        "end" if stmt == "end" => {
            if b.open.pop().is_none() {
                errors.push(MermaidError {
                    message: "`end` without an open `subgraph`".to_string(),
                    range: at..at + 3,
                });
            }
            return;
        }
        "direction" | "classDef" | "class" | "style" | "linkStyle" | "click" | "accTitle:" | "accDescr:"
        | "accTitle" | "accDescr" | "callback" => return,
        _ => {}
    }
    let mut p = Cursor {
        s: stmt,
        i: 0,
        base: at,
    };
    let mut left = match node_group(b, &mut p, errors) {
        Some(g) => g,
        None => {
            errors.push(p.error_here(format!("expected a node id, found `{}`", p.rest_word())));
            return;
        }
    };
    loop {
        p.skip_ws();
        if p.done() {
            return;
        }
        let link_start = p.i;
        let Some((arrow, label)) = link(&mut p) else {
            let found = p.rest_word();
            errors.push(MermaidError {
                message: format!(
                    "expected an arrow such as `-->` after `{}`, found `{found}`",
                    b.chart.nodes[left[0]].id
                ),
                range: p.base + link_start..p.base + link_start + found.len().max(1),
            });
            return;
        };
        let link_end = p.i;
        p.skip_ws();
        let Some(right) = node_group(b, &mut p, errors) else {
            errors.push(p.error_here("expected a node after the arrow".to_string()));
            return;
        };
        b.chart.edge_count = b
            .chart
            .edge_count
            .saturating_add(left.len().saturating_mul(right.len()));
        for &f in &left {
            for &t in &right {
                if b.chart.edges.len() >= MAX_EDGES {
                    break;
                }
                b.chart.edges.push(Edge {
                    from: f,
                    to: t,
                    label: label.clone(),
                    arrow: arrow.clone(),
                    range: p.base + link_start..p.base + link_end,
                });
            }
        }
        left = right;
    }
}

fn subgraph_header(rest: &str) -> (String, String) {
    if let Some(open) = rest.find('[') {
        let id = rest[..open].trim().to_string();
        let title = rest[open + 1..]
            .trim_end()
            .trim_end_matches(']')
            .trim()
            .trim_matches('"')
            .to_string();
        return (id, title);
    }
    let t = rest.trim_matches('"').to_string();
    (t.clone(), t)
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
    base: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn skip_ws(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start().len();
    }
    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.i += token.len();
            true
        } else {
            false
        }
    }
    fn rest_word(&self) -> &str {
        self.rest().split_whitespace().next().unwrap_or("")
    }
    fn error_here(&self, message: String) -> MermaidError {
        let len = self.rest_word().len().max(1);
        MermaidError {
            message,
            range: self.base + self.i..self.base + self.i + len,
        }
    }
}

/// `A`, `A[label]`, `A & B`.
fn node_group(b: &mut Builder, p: &mut Cursor, errors: &mut Vec<MermaidError>) -> Option<Vec<usize>> {
    let mut group = vec![node(b, p, errors)?];
    loop {
        let save = p.i;
        p.skip_ws();
        if p.eat("&") {
            p.skip_ws();
            group.push(node(b, p, errors)?);
        } else {
            p.i = save;
            return Some(group);
        }
    }
}

/// Opening and closing delimiters of node shapes, longest first.
const SHAPES: &[(&str, &str, Shape)] = &[
    ("(((", ")))", Shape::DoubleCircle),
    ("((", "))", Shape::Circle),
    ("([", "])", Shape::Stadium),
    ("[[", "]]", Shape::Subroutine),
    ("[(", ")]", Shape::Cylinder),
    ("[/", "/]", Shape::Parallelogram),
    ("[\\", "\\]", Shape::ParallelogramAlt),
    ("[/", "\\]", Shape::Trapezoid),
    ("[\\", "/]", Shape::TrapezoidAlt),
    ("{{", "}}", Shape::Hexagon),
    ("[", "]", Shape::Rect),
    ("(", ")", Shape::Round),
    ("{", "}", Shape::Rhombus),
    (">", "]", Shape::Asymmetric),
];

fn node(b: &mut Builder, p: &mut Cursor, errors: &mut Vec<MermaidError>) -> Option<usize> {
    let start = p.i;
    let rest = p.rest();
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        let dash_inside = c == '-' && rest[i + 1..].chars().next().is_some_and(is_ident_char) && i > 0;
        if is_ident_char(c) || dash_inside {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    if end == 0 {
        return None;
    }
    let id = rest[..end].to_string();
    p.i += end;
    let mut label = None;
    let mut shape = None;
    for &(open, close, s) in SHAPES {
        // `[/x/]` and `[/x\]` share an opener: the closer that comes first decides.
        let other_closer = SHAPES
            .iter()
            .find(|(o, c, _)| *o == open && *c != close)
            .map(|(_, c, _)| *c);
        if let Some(other) = other_closer
            && p.rest().starts_with(open)
        {
            let body = &p.rest()[open.len()..];
            let mine = body.find(close);
            let theirs = body.find(other);
            if theirs.is_some_and(|t| mine.is_none_or(|m| t < m)) {
                continue;
            }
        }
        if p.rest().starts_with(open) {
            let open_at = p.i;
            p.i += open.len();
            let body_start = p.i;
            let body = p.rest();
            let (text, consumed) = if let Some(stripped) = body.strip_prefix('"') {
                match stripped.find('"') {
                    Some(q) => (stripped[..q].to_string(), q + 2),
                    None => {
                        errors.push(MermaidError {
                            message: format!("unclosed `\"` in the label of node `{id}`"),
                            range: p.base + body_start..p.base + body_start + 1,
                        });
                        p.i = p.s.len();
                        return Some(b.node(&id, None, Some(s), p.base + start..p.base + open_at + open.len()));
                    }
                }
            } else {
                match body.find(close) {
                    Some(c) if body[..c].contains(['[', ']', '(', ')', '{', '}']) => {
                        // Mermaid reads brackets in an unquoted label as shape syntax.
                        let bad = body[..c].find(['[', ']', '(', ')', '{', '}']).unwrap_or(0);
                        let ch = &body[bad..bad + 1];
                        errors.push(MermaidError {
                            message: format!("unquoted `{ch}` in the label of node `{id}`: quote the label (`{id}{open}\"...\"{close}`) or close the bracket"),
                            range: p.base + body_start + bad..p.base + body_start + bad + 1,
                        });
                        p.i = p.s.len();
                        return Some(b.node(&id, None, Some(s), p.base + start..p.base + open_at + open.len()));
                    }
                    Some(c) => (body[..c].trim().to_string(), c),
                    None => {
                        errors.push(MermaidError {
                            message: format!("missing closing `{close}` for node `{id}`"),
                            range: p.base + open_at..p.base + open_at + open.len(),
                        });
                        p.i = p.s.len();
                        return Some(b.node(&id, None, Some(s), p.base + start..p.base + open_at + open.len()));
                    }
                }
            };
            p.i += consumed;
            if !p.eat(close) {
                errors.push(MermaidError {
                    message: format!("missing closing `{close}` for node `{id}`"),
                    range: p.base + open_at..p.base + open_at + open.len(),
                });
                p.i = p.s.len();
            }
            label = Some(text);
            shape = Some(s);
            break;
        }
    }
    if p.eat(":::") {
        while p.rest().starts_with(|c: char| is_ident_char(c) || c == '-') {
            p.i += p.rest().chars().next().map_or(1, char::len_utf8);
        }
    }
    Some(b.node(&id, label, shape, p.base + start..p.base + p.i))
}

/// An arrow with its optional label: `-->`, `---`, `-.->`, `==>`, `--o`, `--x`, `<-->`,
/// `-->|text|`, `-- text -->`, `-. text .->`, `== text ==>`.
fn link(p: &mut Cursor) -> Option<(String, Option<String>)> {
    let start = p.i;
    let bidir = p.eat("<");
    let rest = p.rest();
    let (kind, body_len) = if rest.starts_with("-.") {
        let dots = rest[1..].chars().take_while(|&c| c == '.').count();
        if rest[1 + dots..].starts_with('-') {
            ('.', 1 + dots + 1)
        } else {
            ('.', 0)
        }
    } else if rest.starts_with("--") {
        ('-', rest.chars().take_while(|&c| c == '-').count())
    } else if rest.starts_with("==") {
        ('=', rest.chars().take_while(|&c| c == '=').count())
    } else {
        ('?', 0)
    };
    if body_len == 0 {
        // `-- text -->` style: two dashes, then text, then a closing arrow.
        if let Some(r) = text_link(p) {
            return Some(r);
        }
        p.i = start;
        return None;
    }
    p.i += body_len;
    let tip = p.rest().chars().next();
    let has_tip = matches!(tip, Some('>' | 'o' | 'x')) && {
        // `--o` / `--x` are tips only when not the start of an id (`--other`).
        let after = p.rest().chars().nth(1);
        tip == Some('>') || !after.is_some_and(is_ident_char)
    };
    if has_tip {
        p.i += 1;
    } else if body_len < 3 && kind != '.' {
        // `--` alone is the start of a text link.
        p.i = start;
        if let Some(r) = text_link(p) {
            return Some(r);
        }
        p.i = start;
        return None;
    }
    let _ = bidir;
    let arrow = p.s[start..p.i].to_string();
    let mut label = None;
    let save = p.i;
    p.skip_ws();
    if p.eat("|") {
        match p.rest().find('|') {
            Some(end) => {
                label = Some(p.rest()[..end].trim().trim_matches('"').to_string());
                p.i += end + 1;
            }
            None => {
                p.i = save;
                return None;
            }
        }
    } else {
        p.i = save;
    }
    Some((arrow, label))
}

fn text_link(p: &mut Cursor) -> Option<(String, Option<String>)> {
    let start = p.i;
    let (open, closers): (&str, &[&str]) = if p.rest().starts_with("--") {
        ("--", &["-->", "---", "--o", "--x"])
    } else if p.rest().starts_with("==") {
        ("==", &["==>", "===", "==o", "==x"])
    } else if p.rest().starts_with("-.") {
        ("-.", &[".->", ".-"])
    } else {
        return None;
    };
    p.i += open.len();
    let rest = p.rest();
    let (pos, closer) = closers
        .iter()
        .filter_map(|c| rest.find(c).map(|i| (i, *c)))
        .min_by_key(|(i, _)| *i)?;
    let text = rest[..pos].trim().to_string();
    if text.is_empty() {
        p.i = start;
        return None;
    }
    p.i += pos + closer.len();
    Some((closer.to_string(), Some(text.trim_matches('"').to_string())))
}
