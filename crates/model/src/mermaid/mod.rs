//! Mermaid diagrams as typed models. Flowcharts and ER diagrams are parsed by our own
//! small parsers (exact error positions, microseconds per diagram); other kinds are only
//! classified. Parsing never fails: a diagram comes back with its errors.

pub mod class;
mod er;
mod flowchart;
pub mod kinds;
pub mod limits;
pub mod sequence;
pub mod state;
mod unicode;

pub use class::{Class, ClassDiagram, Relation};
pub use er::{Attribute, Cardinality, Entity, ErDiagram, KeyKind, Relationship};
pub use flowchart::{Edge, Flowchart, Node, Shape, Subgraph};
pub use sequence::{Message, Participant, SequenceDiagram};
pub use state::{State, StateDiagram, Transition};

use serde::Serialize;
use std::ops::Range;

/// Mermaid diagram families, by the keyword that opens a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagramKind {
    Flowchart,
    Er,
    Sequence,
    Class,
    State,
    Gantt,
    Other,
}

impl DiagramKind {
    /// The kind Mermaid would detect (see [`kinds::detect`]: front matter, directives and
    /// comments skipped, keywords matched as Mermaid's detectors match them, so
    /// `sequenceDiagram%%x` is a sequence diagram); `Other` for every other kind and for an
    /// unknown header, `None` for a diagram with no header at all.
    ///
    /// When no detector matches, the first word decides, so that a diagram whose header is
    /// spoiled by its preamble (`%%{init}%%%sequenceDiagram`) still gets its own parser's
    /// precise error.
    pub fn of_source(src: &str) -> Option<DiagramKind> {
        Self::of_detected(src, kinds::detect(src))
    }

    /// [`DiagramKind::of_source`] for a source whose Mermaid detection is already known.
    fn of_detected(src: &str, detected: Option<&'static str>) -> Option<DiagramKind> {
        let (line, _) = header_line(src)?;
        let id = detected.unwrap_or_else(|| {
            match line.split(|c: char| c.is_whitespace() || c == ';').next().unwrap_or("") {
                "graph" | "flowchart" => "flowchart",
                "erDiagram" => "er",
                "sequenceDiagram" => "sequence",
                "classDiagram" | "classDiagram-v2" => "class",
                "stateDiagram" | "stateDiagram-v2" => "state",
                _ => "",
            }
        });
        Some(match id {
            "flowchart" | "flowchart-v2" | "flowchart-elk" => DiagramKind::Flowchart,
            "er" => DiagramKind::Er,
            "sequence" => DiagramKind::Sequence,
            "class" | "classDiagram" => DiagramKind::Class,
            "state" | "stateDiagram" => DiagramKind::State,
            "gantt" => DiagramKind::Gantt,
            _ => DiagramKind::Other,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            DiagramKind::Flowchart => "flowchart (`graph`/`flowchart`)",
            DiagramKind::Er => "ER diagram (`erDiagram`)",
            DiagramKind::Sequence => "sequence diagram (`sequenceDiagram`)",
            DiagramKind::Class => "class diagram (`classDiagram`)",
            DiagramKind::State => "state diagram (`stateDiagram`)",
            DiagramKind::Gantt => "Gantt chart (`gantt`)",
            DiagramKind::Other => "diagram",
        }
    }
}

/// The keyword that opens the diagram (`graph`, `mindmap`, `C4Context`, ...).
pub fn header_keyword(src: &str) -> Option<&str> {
    header_line(src).and_then(|(line, _)| line.split(|c: char| c.is_whitespace() || c == ';').next())
}

/// The first line that is not front matter, a comment or blank, with its byte offset.
pub(crate) fn header_line(src: &str) -> Option<(&str, usize)> {
    let mut in_front = false;
    let mut in_directive = false;
    let mut offset = 0;
    for (i, raw) in src.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let t = raw.trim();
        if in_directive {
            // A `%%{init: ...}%%` directive may run over several lines.
            in_directive = !t.contains("}%%");
            continue;
        }
        if t == "---" && (i == 0 || in_front) {
            in_front = !in_front;
            continue;
        }
        if let Some(directive) = t.strip_prefix("%%{") {
            in_directive = !directive.contains("}%%");
            continue;
        }
        if in_front || t.is_empty() || t.starts_with("%%") {
            continue;
        }
        let lead = raw.len() - raw.trim_start().len();
        return Some((t, start + lead));
    }
    None
}

/// A syntax or structure error, positioned in the diagram source (bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MermaidError {
    pub message: String,
    pub range: Range<usize>,
}

/// What a diagram says, by kind.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DiagramModel {
    Flowchart(Flowchart),
    Er(ErDiagram),
    Sequence(SequenceDiagram),
    Class(ClassDiagram),
    State(StateDiagram),
    /// A kind we classify but do not model.
    Other,
}

/// A parsed diagram with the errors found, positions relative to `src`.
#[derive(Clone, Debug, Serialize)]
pub struct ParsedDiagram {
    pub kind: Option<DiagramKind>,
    pub model: DiagramModel,
    pub errors: Vec<MermaidError>,
}

/// Parses one diagram. Never fails, never panics.
pub fn parse_diagram(src: &str) -> ParsedDiagram {
    let detected = kinds::detect(src);
    let kind = DiagramKind::of_detected(src, detected);
    let mut errors = Vec::new();
    let model = match kind {
        Some(DiagramKind::Flowchart) => DiagramModel::Flowchart(flowchart::parse(src, &mut errors)),
        Some(DiagramKind::Er) => DiagramModel::Er(er::parse(src, &mut errors)),
        Some(DiagramKind::Sequence) => DiagramModel::Sequence(sequence::parse(src, &mut errors)),
        Some(DiagramKind::Class) => DiagramModel::Class(class::parse(src, &mut errors)),
        Some(DiagramKind::State) => DiagramModel::State(state::parse(src, &mut errors)),
        Some(_) => DiagramModel::Other,
        None => {
            errors.push(MermaidError {
                message: "empty diagram: no diagram type".to_string(),
                range: 0..0,
            });
            DiagramModel::Other
        }
    };
    // Every kind's front matter is YAML that Mermaid loads before anything else.
    if errors.is_empty()
        && let Some((body, at, _)) = kinds::front_matter(src)
        && !body.trim().is_empty()
        && !kinds::yaml_loads(body)
    {
        errors.push(MermaidError {
            message: "the front matter is not valid YAML, and Mermaid refuses the diagram".to_string(),
            range: at..at + body.find('\n').unwrap_or(body.len()),
        });
    }
    if kind == Some(DiagramKind::Other) && detected == Some("---") {
        // Mermaid's own answer for a `---` block it did not take for front matter.
        let at = src.len() - src.trim_start().len();
        errors.push(MermaidError {
            message: "front matter is not closed: Mermaid reads `---` blocks only when the closing `---` has the opening one's indentation".to_string(),
            range: at..at + 3,
        });
    }
    if kind == Some(DiagramKind::Other)
        && detected.is_none()
        && let Some((line, at)) = header_line(src)
    {
        let word = line.split_whitespace().next().unwrap_or("");
        errors.push(MermaidError {
            message: format!(
                "unknown diagram type `{word}`; Mermaid expects a diagram keyword such as `flowchart`, `sequenceDiagram` or `erDiagram`"
            ),
            range: at..at + word.len(),
        });
    }
    ParsedDiagram { kind, model, errors }
}

#[cfg(test)]
mod tests;
