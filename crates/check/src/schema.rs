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
    /// Content words of every section's names (key, then aliases), in [`Schema::walk`]
    /// order, computed on first use; see [`Schema::name_words`].
    #[serde(skip)]
    words: std::sync::OnceLock<NameWords>,
}

/// Per section (walk order): per name, its content words and whether it is the key.
pub type NameWords = Vec<Vec<(Vec<String>, bool)>>;

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
    /// Content words of each section's names (see `crate::matching`), indexed like
    /// [`Schema::walk`]. Cached; recomputed (not cached) if the sections were edited
    /// after the first use.
    pub fn name_words(&self) -> std::borrow::Cow<'_, NameWords> {
        let walk = self.walk();
        let fresh = || -> NameWords {
            walk.iter()
                .map(|s| {
                    std::iter::once((crate::matching::words(&s.key), true))
                        .chain(s.aliases.iter().map(|a| (crate::matching::words(a), false)))
                        .collect()
                })
                .collect()
        };
        let cached = self.words.get_or_init(fresh);
        let current = cached.len() == walk.len()
            && cached
                .iter()
                .zip(&walk)
                .all(|(names, s)| names.len() == 1 + s.aliases.len());
        if current {
            std::borrow::Cow::Borrowed(cached)
        } else {
            std::borrow::Cow::Owned(fresh())
        }
    }

    /// Adds names from `[aliases]` in designdoc.toml: a template section's title (or any
    /// name it already has) -> more names for it. Returns the titles that name no section
    /// of the template.
    pub fn add_aliases<'a>(&mut self, aliases: impl IntoIterator<Item = (&'a String, &'a Vec<String>)>) -> Vec<String> {
        let mut unknown = Vec::new();
        for (title, names) in aliases {
            let key = designdoc_model::heading_key(title);
            let keys: Vec<String> = names
                .iter()
                .map(|n| designdoc_model::heading_key(n))
                .filter(|k| !k.is_empty())
                .collect();
            let mut found = false;
            let mut stack: Vec<&mut SectionSpec> = self.sections.iter_mut().collect();
            while let Some(spec) = stack.pop() {
                if spec.matches_key(&key) {
                    found = true;
                    for k in &keys {
                        if !spec.matches_key(k) {
                            spec.aliases.push(k.clone());
                        }
                    }
                }
                stack.extend(spec.children.iter_mut());
            }
            if !found {
                unknown.push(title.clone());
            }
        }
        self.words = std::sync::OnceLock::new();
        unknown
    }

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
