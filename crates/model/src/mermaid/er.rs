//! ER diagrams (`erDiagram`): entities with attributes (type, name, PK/FK/UK, comment) and
//! relationships with cardinalities and labels. Rejects relationships without `: label`,
//! unknown cardinalities and entity blocks that never close.

use super::MermaidError;
use super::lex::{body_start, is_ident_char, statements};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

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

struct Builder {
    er: ErDiagram,
    by_name: HashMap<String, usize>,
}

impl Builder {
    fn entity(&mut self, name: &str, range: Range<usize>) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = self.er.entities.len();
        self.er.entities.push(Entity {
            name: name.to_string(),
            alias: None,
            attributes: Vec::new(),
            defined: false,
            range,
        });
        self.by_name.insert(name.to_string(), i);
        i
    }
}

pub(crate) fn parse(src: &str, errors: &mut Vec<MermaidError>) -> ErDiagram {
    let mut b = Builder {
        er: ErDiagram::default(),
        by_name: HashMap::new(),
    };
    let stmts = statements(src, body_start(src));
    let mut k = 0;
    while k < stmts.len() {
        let (stmt, at) = stmts[k];
        k += 1;
        let first = stmt.split_whitespace().next().unwrap_or("");
        if matches!(
            first,
            "direction"
                | "title"
                | "accTitle"
                | "accTitle:"
                | "accDescr"
                | "accDescr:"
                | "classDef"
                | "class"
                | "style"
        ) {
            continue;
        }
        let Some((name, name_len)) = entity_name(stmt) else {
            errors.push(MermaidError {
                message: format!("expected an entity name, found `{first}`"),
                range: at..at + first.len().max(1),
            });
            continue;
        };
        let after = stmt[name_len..].trim_start();
        let after_at = at + stmt.len() - after.len();
        if after.is_empty() {
            b.entity(&name, at..at + name_len);
            continue;
        }
        // `NAME ["alias"] {` opens an attribute block.
        let (alias, block_part) = match after.strip_prefix('[') {
            Some(r) => match r.find(']') {
                Some(e) => (Some(r[..e].trim_matches('"').to_string()), r[e + 1..].trim_start()),
                None => (None, after),
            },
            None => (None, after),
        };
        if let Some(inline) = block_part.strip_prefix('{') {
            let e = b.entity(&name, at..at + name_len);
            b.er.entities[e].defined = true;
            if alias.is_some() {
                b.er.entities[e].alias = alias;
            }
            let open_at = at + stmt.len() - block_part.len();
            let mut closed = false;
            // Attributes may follow `{` on its line (`A { string id }`).
            let inline = inline.trim();
            if let Some(body) = inline.strip_suffix('}') {
                closed = true;
                if !body.trim().is_empty() {
                    attribute(&mut b, e, body.trim(), open_at + 1, errors);
                }
            } else if !inline.is_empty() {
                attribute(&mut b, e, inline, open_at + 1, errors);
            }
            let mut interrupted = false;
            while !closed && k < stmts.len() {
                let (line, line_at) = stmts[k];
                k += 1;
                if looks_like_statement(line) {
                    // A relationship or a new block: this block was never closed.
                    k -= 1;
                    interrupted = true;
                    break;
                }
                if line == "}" {
                    closed = true;
                } else if let Some(body) = line.strip_suffix('}') {
                    attribute(&mut b, e, body.trim(), line_at, errors);
                    closed = true;
                } else {
                    attribute(&mut b, e, line, line_at, errors);
                }
            }
            if !closed || interrupted {
                errors.push(MermaidError {
                    message: format!("`{{` of entity `{name}` is never closed with `}}`"),
                    range: open_at..open_at + 1,
                });
            }
            continue;
        }
        relationship(&mut b, &name, at, name_len, after, after_at, errors);
    }
    b.er
}

/// A line inside an attribute block that cannot be an attribute: a relationship
/// (`A ||--o{ B : x`) or the start of another block (`B {`).
fn looks_like_statement(line: &str) -> bool {
    let Some((_, len)) = entity_name(line) else {
        return false;
    };
    let rest = line[len..].trim_start();
    symbol_relation(rest).is_some() || word_relation(rest).is_some() || rest.starts_with('{')
}

/// An entity name at the start of `s`: an identifier (letters, digits, `_`, `-`) or a
/// quoted name. Returns the name and the bytes it takes.
fn entity_name(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('"') {
        let end = rest.find('"')?;
        return Some((rest[..end].to_string(), end + 2));
    }
    let len = s
        .char_indices()
        .find(|&(_, c)| !(is_ident_char(c) || c == '-'))
        .map_or(s.len(), |(i, _)| i);
    // A trailing `-` belongs to a relationship marker (`A||--o{B` is rare but legal).
    let name = s[..len].trim_end_matches('-');
    (!name.is_empty()).then(|| (name.to_string(), name.len()))
}

fn attribute(b: &mut Builder, entity: usize, line: &str, at: usize, errors: &mut Vec<MermaidError>) {
    let (main, comment) = match line.find('"') {
        Some(q) => (&line[..q], Some(line[q..].trim().trim_matches('"').to_string())),
        None => (line, None),
    };
    let mut words = main.split_whitespace();
    let (Some(ty), Some(name)) = (words.next(), words.next()) else {
        errors.push(MermaidError {
            message: format!("attribute `{}` needs a type and a name (`string id PK`)", line.trim()),
            range: at..at + line.len(),
        });
        return;
    };
    let mut keys = Vec::new();
    let key_words: Vec<&str> = words.collect();
    if key_words.len() > 1
        && !key_words[..key_words.len() - 1].iter().all(|w| w.ends_with(','))
        && key_words.iter().all(|w| !w.contains(','))
    {
        let pos = at + main.find(key_words[1]).unwrap_or(0);
        errors.push(MermaidError {
            message: format!(
                "keys of attribute `{name}` must be separated by commas (`{}`)",
                key_words.join(", ")
            ),
            range: pos..pos + key_words[1].len(),
        });
        return;
    }
    for word in key_words.iter().flat_map(|w| w.split(',')).filter(|w| !w.is_empty()) {
        match word.to_ascii_uppercase().as_str() {
            "PK" => keys.push(KeyKind::Pk),
            "FK" => keys.push(KeyKind::Fk),
            "UK" => keys.push(KeyKind::Uk),
            _ => {
                let pos = at + main.find(word).unwrap_or(0);
                errors.push(MermaidError {
                    message: format!("unknown key `{word}` on attribute `{name}` (expected PK, FK or UK)"),
                    range: pos..pos + word.len(),
                });
            }
        }
    }
    b.er.entities[entity].attributes.push(Attribute {
        ty: ty.to_string(),
        name: name.to_string(),
        keys,
        comment,
        range: at..at + line.len(),
    });
}

fn left_card(s: &str) -> Option<Cardinality> {
    Some(match s {
        "|o" => Cardinality::ZeroOrOne,
        "||" => Cardinality::ExactlyOne,
        "}o" => Cardinality::ZeroOrMore,
        "}|" => Cardinality::OneOrMore,
        _ => return None,
    })
}

fn right_card(s: &str) -> Option<Cardinality> {
    Some(match s {
        "o|" => Cardinality::ZeroOrOne,
        "||" => Cardinality::ExactlyOne,
        "o{" => Cardinality::ZeroOrMore,
        "|{" => Cardinality::OneOrMore,
        _ => return None,
    })
}

/// Word forms Mermaid accepts: `one or more to zero or many`, `only one optionally to ...`.
fn word_card(s: &str) -> Option<(Cardinality, usize)> {
    const FORMS: &[(&str, Cardinality)] = &[
        ("zero or one", Cardinality::ZeroOrOne),
        ("one or zero", Cardinality::ZeroOrOne),
        ("only one", Cardinality::ExactlyOne),
        ("exactly one", Cardinality::ExactlyOne),
        ("zero or more", Cardinality::ZeroOrMore),
        ("zero or many", Cardinality::ZeroOrMore),
        ("many(0)", Cardinality::ZeroOrMore),
        ("0+", Cardinality::ZeroOrMore),
        ("one or more", Cardinality::OneOrMore),
        ("one or many", Cardinality::OneOrMore),
        ("many(1)", Cardinality::OneOrMore),
        ("1+", Cardinality::OneOrMore),
        ("one", Cardinality::ExactlyOne),
        ("1", Cardinality::ExactlyOne),
        ("many", Cardinality::ZeroOrMore),
    ];
    FORMS.iter().find(|(w, _)| s.starts_with(w)).map(|(w, c)| (*c, w.len()))
}

#[allow(clippy::too_many_arguments)]
fn relationship(
    b: &mut Builder,
    name: &str,
    at: usize,
    name_len: usize,
    after: &str,
    after_at: usize,
    errors: &mut Vec<MermaidError>,
) {
    let parsed = symbol_relation(after).or_else(|| word_relation(after));
    let Some((lc, rc, identifying, consumed)) = parsed else {
        let token = after.split_whitespace().next().unwrap_or("");
        errors.push(MermaidError {
            message: format!(
                "cannot read relationship `{token}` (expected cardinalities like `||--o{{`: left `|o` `||` `}}o` `}}|`, line `--` or `..`, right `o|` `||` `o{{` `|{{`)"
            ),
            range: after_at..after_at + token.len().max(1),
        });
        return;
    };
    let rest = after[consumed..].trim_start();
    let rest_at = after_at + after.len() - rest.len();
    let Some((other, other_len)) = entity_name(rest) else {
        errors.push(MermaidError {
            message: "expected the second entity of the relationship".to_string(),
            range: rest_at..rest_at + 1,
        });
        return;
    };
    let tail = rest[other_len..].trim_start();
    let Some(label) = tail.strip_prefix(':') else {
        let end = after_at + after.len();
        errors.push(MermaidError {
            message: format!(
                "relationship `{name}` - `{other}` needs a label after `:` (`{name} ||--o{{ {other} : has`)"
            ),
            range: at..end,
        });
        return;
    };
    let label = label.trim();
    if !label.starts_with('"') && label.split_whitespace().count() > 1 {
        let pos = after_at + after.len() - label.len();
        errors.push(MermaidError {
            message: format!("label `{label}` has several words: quote it (`: \"{label}\"`)"),
            range: pos..pos + label.len(),
        });
        return;
    }
    let quoted = label.starts_with('"');
    let label = label.trim_matches('"').to_string();
    if label.is_empty() && !quoted {
        errors.push(MermaidError {
            message: format!("relationship `{name}` - `{other}` has an empty label"),
            range: at..after_at + after.len(),
        });
        return;
    }
    let l = b.entity(name, at..at + name_len);
    let r = b.entity(&other, rest_at..rest_at + other_len);
    b.er.relationships.push(Relationship {
        left: l,
        right: r,
        left_card: lc,
        right_card: rc,
        identifying,
        label,
        range: at..after_at + after.len(),
    });
}

fn symbol_relation(s: &str) -> Option<(Cardinality, Cardinality, bool, usize)> {
    // Tokens are 6 characters: two for each cardinality, two for the line.
    // `get`, not indexing: the six bytes may end or split inside a multi-byte character.
    let t = s.get(..6)?;
    let lc = left_card(t.get(..2)?)?;
    let identifying = match t.get(2..4)? {
        "--" => true,
        ".." | ".-" | "-." => false,
        _ => return None,
    };
    let rc = right_card(t.get(4..6)?)?;
    Some((lc, rc, identifying, 6))
}

fn word_relation(s: &str) -> Option<(Cardinality, Cardinality, bool, usize)> {
    let (lc, n) = word_card(s)?;
    let rest = s[n..].trim_start();
    let mut used = s.len() - rest.len();
    let (identifying, rest2) = if let Some(r) = rest.strip_prefix("optionally to") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix("to") {
        (true, r)
    } else {
        return None;
    };
    used += rest.len() - rest2.len();
    let rest3 = rest2.trim_start();
    used += rest2.len() - rest3.len();
    let (rc, m) = word_card(rest3)?;
    Some((lc, rc, identifying, used + m))
}
