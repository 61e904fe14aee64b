//! The schema a template compiles into: which sections a document needs, in which order,
//! and what each must contain.

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Schema {
    /// The template's level-1 heading is a placeholder: documents need a title of their own.
    pub needs_title: bool,
    /// Heading level of the template's top sections (2 when an H1 title sits above them).
    pub top_level: u8,
    pub sections: Vec<SectionSpec>,
    /// Placeholder texts of the template, normalised (lowercase, counters as `n`).
    pub placeholders: Vec<String>,
    /// Unbracketed sample list items of the template ("Goal 1", "Risk 1"), normalised
    /// like `placeholders`: a document item that is one of them was never written.
    pub sample_items: Vec<String>,
    /// Sample diagrams left in the template, to detect unedited copies.
    pub samples: Vec<SampleDiagram>,
    /// The metadata (status, authors, dates, ...) the template asks documents to declare.
    pub metadata: MetadataSpec,
}

#[derive(Clone, Debug, Serialize)]
pub struct SectionSpec {
    /// Heading text as written in the template (first instance for repeatables).
    pub title: String,
    /// Comparable key, see `designdoc_model::heading_key`.
    pub key: String,
    /// Other keys that name the same section.
    pub aliases: Vec<String>,
    /// Depth below the top level (0 for `##` in the seed).
    pub depth: usize,
    pub optional: bool,
    pub repeat: Option<Repeat>,
    pub body: BodySpec,
    pub children: Vec<SectionSpec>,
    /// The template's Markdown for this section and its children, used by fixes to
    /// insert a missing section.
    pub skeleton: String,
    /// Heading level in the template.
    pub level: u8,
}

/// Sibling headings that differ only by a counter ("Phase 1", "Phase 2") form one
/// repeatable section.
#[derive(Clone, Debug, Serialize)]
pub struct Repeat {
    pub min: usize,
    pub max: Option<usize>,
    /// Shared stem ("phase"); instances may be named freely when the stem is only a
    /// stand-in ("Component A" means "a component").
    pub stem: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct BodySpec {
    /// The template put content here (text, list, table, diagram).
    pub needs_content: bool,
    /// Labels of `- Label:` fields that must be filled.
    pub fields: Vec<String>,
    pub tables: Vec<TableSpec>,
    pub list: Option<ListSpec>,
    pub diagram: Option<DiagramKind>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableSpec {
    pub columns: Vec<String>,
    /// Allowed values per column (same order as `columns`), from cells like `High/Med/Low`.
    pub allowed: Vec<Option<Vec<String>>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListSpec {
    pub ordered: bool,
    pub min_items: usize,
}

pub use crate::metadata::MetadataSpec;
pub use designdoc_model::mermaid::DiagramKind;

#[derive(Clone, Debug, Serialize)]
pub struct SampleDiagram {
    pub kind: Option<DiagramKind>,
    /// Identifier-like tokens of the sample; a document diagram made only of these is an
    /// unedited copy.
    pub tokens: Vec<String>,
}

/// Tokens of a diagram for sample comparison: words, lowercased, keywords included.
pub fn diagram_tokens(src: &str) -> Vec<String> {
    let mut tokens: Vec<String> = src
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

impl Schema {
    /// All section specs, depth-first.
    pub fn walk(&self) -> Vec<&SectionSpec> {
        let mut out = Vec::new();
        let mut stack: Vec<&SectionSpec> = self.sections.iter().rev().collect();
        while let Some(s) = stack.pop() {
            out.push(s);
            stack.extend(s.children.iter().rev());
        }
        out
    }
}

impl SectionSpec {
    pub fn matches_key(&self, key: &str) -> bool {
        key == self.key || self.aliases.iter().any(|a| a == key)
    }
}
