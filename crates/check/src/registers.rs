//! Cross-document registers read from one document: its risks (rows of tables in risk
//! sections with Risk/Impact/Likelihood/Mitigation columns), its components (subsections
//! of Components with their Purpose) and the entities of its ER diagrams. Used by the
//! static site and the hub, so both show the same registers.

use designdoc_model::mermaid::DiagramModel;
use designdoc_model::{BlockKind, Document, heading_key};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub risk: String,
    pub impact: String,
    pub likelihood: String,
    pub mitigation: String,
}

/// Sort rank of a High/Med/Low value: High first, unknown last.
pub fn rank(value: &str) -> u8 {
    match value.trim().to_lowercase().chars().next() {
        Some('h') => 0,
        Some('m') => 1,
        Some('l') => 2,
        _ => 3,
    }
}

/// Every row of every risk table in the document.
pub fn risks(doc: &Document) -> Vec<Risk> {
    let mut out = Vec::new();
    for s in doc.sections.iter().filter(|s| s.key.contains("risk")) {
        for &bi in &s.blocks {
            let BlockKind::Table(t) = &doc.blocks[bi].kind else {
                continue;
            };
            let col = |name: &str| t.header.iter().position(|c| heading_key(&c.text.text).contains(name));
            let Some(risk) = col("risk") else { continue };
            let (impact, likelihood, mitigation) = (col("impact"), col("likelihood"), col("mitigation"));
            for r in &t.rows {
                let cell = |c: Option<usize>| {
                    c.and_then(|c| r.get(c))
                        .map(|c| c.text.text.trim().to_string())
                        .unwrap_or_default()
                };
                out.push(Risk {
                    risk: cell(Some(risk)),
                    impact: cell(impact),
                    likelihood: cell(likelihood),
                    mitigation: cell(mitigation),
                });
            }
        }
    }
    out
}

/// A component described under the Components section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    pub name: String,
    /// Heading anchor of the component's subsection.
    pub anchor: String,
    /// Its `Purpose:` field, or empty.
    pub purpose: String,
}

/// Every subsection of every `Components` section.
pub fn components(doc: &Document) -> Vec<Component> {
    let mut out = Vec::new();
    for s in doc.sections.iter().filter(|s| s.key == "components") {
        for &c in &s.children {
            let comp = &doc.sections[c];
            let purpose = comp
                .blocks
                .iter()
                .find_map(|&bi| match &doc.blocks[bi].kind {
                    BlockKind::List(l) => l.items.iter().find_map(|it| {
                        it.label
                            .as_ref()
                            .filter(|lb| heading_key(&lb.name) == "purpose")
                            .map(|lb| lb.value.clone())
                    }),
                    _ => None,
                })
                .unwrap_or_default();
            out.push(Component {
                name: comp.title.clone(),
                anchor: comp.anchor.clone(),
                purpose,
            });
        }
    }
    out
}

/// An entity named in an ER diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub name: String,
    /// True when the diagram defines its attributes; false when it only relates to it.
    pub defined: bool,
}

/// Every entity of every ER diagram, once per name (defined wins over used).
pub fn entities(doc: &Document) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    for d in &doc.diagrams {
        let DiagramModel::Er(er) = &d.parsed.model else {
            continue;
        };
        for e in &er.entities {
            match out.iter_mut().find(|x| x.name == e.name) {
                Some(x) => x.defined |= e.defined,
                None => out.push(Entity {
                    name: e.name.clone(),
                    defined: e.defined,
                }),
            }
        }
    }
    out
}
