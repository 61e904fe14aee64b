//! What everyone downstream knows about one document, computed once from one parse:
//! title, status, id, authors, tags, sections with anchors, registers, diagrams and
//! findings. `check`, the static site, the store and the hub all read a [`DocFacts`]; none
//! of them parses the Markdown again or applies its own rule for a title or an id.

use crate::registers::{self, Component, Entity, Risk};
use crate::{Checker, Diagnostic, Level};
use designdoc_model::mermaid::DiagramKind;
use designdoc_model::{Document, Status};
use serde::Serialize;

/// The facts of one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocFacts {
    /// Title, status, id, authors, tags and date: see [`DocHeader`].
    #[serde(flatten)]
    pub header: DocHeader,
    /// The front matter as key/value pairs, in the document's order.
    pub front_matter: Vec<(String, serde_json::Value)>,
    pub sections: Vec<SectionFacts>,
    pub risks: Vec<Risk>,
    pub components: Vec<Component>,
    pub entities: Vec<Entity>,
    pub diagrams: Vec<DiagramFacts>,
    pub findings: Vec<Diagnostic>,
    /// The findings that are errors once the document is in review, whatever status it
    /// declares (a draft's completeness warnings become errors there): what the hub's
    /// review gate blocks on. Made by [`Checker::facts`]; empty from [`DocFacts::new`].
    pub review_errors: Vec<Blocking>,
    /// Where the Markdown body starts (after the front matter).
    pub body_start: usize,
}

/// One finding that blocks review, located for a person: its line and the section it
/// is in (title and heading anchor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Blocking {
    pub code: String,
    pub message: String,
    /// 1-based line of the finding.
    pub line: usize,
    /// The section the finding is in; none before the first heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionFacts {
    pub level: u8,
    pub title: String,
    /// The heading's anchor, as GitHub makes it (see `designdoc_model::parse`).
    pub anchor: String,
    /// Byte offset of the heading in the source.
    pub start: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramFacts {
    /// `None` when the block names no diagram kind Mermaid knows.
    pub kind: Option<DiagramKind>,
    /// Byte offset of the diagram's text in the source.
    pub start: usize,
    /// The diagram's own syntax errors.
    pub errors: usize,
}

impl DocFacts {
    /// The facts of a parsed document and its findings. `path` is the document's path
    /// (its file name may carry the id, and it is the title of last resort).
    pub fn new(path: &str, doc: &Document, findings: Vec<Diagnostic>) -> DocFacts {
        DocFacts {
            header: DocHeader::of(path, doc),
            front_matter: doc
                .front_matter
                .as_ref()
                .map(|fm| fm.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect())
                .unwrap_or_default(),
            sections: doc
                .sections
                .iter()
                .map(|s| SectionFacts {
                    level: s.level,
                    title: s.title.clone(),
                    anchor: s.anchor.clone(),
                    start: s.heading_span.start,
                })
                .collect(),
            risks: registers::risks(doc),
            components: registers::components(doc),
            entities: registers::entities(doc),
            diagrams: doc
                .diagrams
                .iter()
                .map(|d| DiagramFacts {
                    kind: d.parsed.kind,
                    start: d.content_start,
                    errors: d.errors.len(),
                })
                .collect(),
            findings,
            review_errors: Vec::new(),
            body_start: doc.body_start,
        }
    }

    /// How many findings are at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|d| d.level == level).count()
    }
}

/// The document's own description of itself (title, status, id, people, labels, date):
/// the part of [`DocFacts`] a list of documents needs, without the registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocHeader {
    /// Front matter `title`, else the first level-1 heading, else the file's path.
    pub title: String,
    /// The status the document declares, as written (empty when none).
    pub status_text: String,
    /// What [`DocHeader::status_text`] means, when it names a status.
    pub status: Option<Status>,
    /// The id the document is known by: see [`doc_id`].
    pub id: Option<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    /// Front matter `updated`, else `created`, as written.
    pub updated: Option<String>,
}

impl DocHeader {
    /// The one rule for a document's title, status and id (see [`DocFacts`]).
    pub fn of(path: &str, doc: &Document) -> DocHeader {
        let values = |k: &str| doc.meta(k).map(|f| f.values.clone()).unwrap_or_default();
        let status_text = doc
            .meta("status")
            .map(|f| f.first().trim().to_string())
            .unwrap_or_default();
        DocHeader {
            title: doc.title().unwrap_or_else(|| path.to_string()),
            status: Status::parse(&status_text),
            status_text,
            id: doc_id(path, doc),
            authors: values("authors"),
            tags: values("tags"),
            updated: doc
                .meta("updated")
                .or_else(|| doc.meta("created"))
                .map(|f| f.first().to_string())
                .filter(|v| !v.trim().is_empty()),
        }
    }

    /// The canonical status for storing and filtering: the declared one when it names a
    /// status, else what was written, lower-cased (shown as an unknown status).
    pub fn status_key(&self) -> String {
        self.status
            .map_or_else(|| self.status_text.to_lowercase(), |s| s.as_str().to_string())
    }
}

/// The id a document is known by, as written: front matter `id`, else the number its file
/// name starts with (`0007-cache.md` -> `0007`). The one id rule; `duplicate-id` compares
/// these after [`crate::project::normalize_id`].
pub fn doc_id(path: &str, doc: &Document) -> Option<String> {
    if let Some(f) = doc.meta("id")
        && !f.first().trim().is_empty()
    {
        return Some(f.first().trim().to_string());
    }
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let follows = name[digits.len()..].starts_with(['-', '_', '.']);
    (!digits.is_empty() && follows).then_some(digits)
}

impl Checker {
    /// Parses and checks `source` once and returns its facts with the parsed document
    /// (the renderer draws the page from the same parse).
    pub fn facts(&self, path: &str, source: &str) -> (Document, DocFacts) {
        let checked = self.check(source);
        let mut facts = DocFacts::new(path, &checked.doc, checked.diagnostics);
        facts.review_errors = self.review_errors(source, &facts);
        (checked.doc, facts)
    }

    /// The findings of `facts` that are errors at review strictness, located.
    fn review_errors(&self, source: &str, facts: &DocFacts) -> Vec<Blocking> {
        let lines = designdoc_model::LineIndex::new(source);
        facts
            .findings
            .iter()
            .filter(|d| self.level_when_strict(d) == Level::Error)
            .map(|d| {
                let section = facts.sections.iter().rev().find(|s| s.start <= d.span.start);
                Blocking {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    line: lines.line_of(d.span.start) + 1,
                    section: section.map(|s| s.title.clone()),
                    anchor: section.map(|s| s.anchor.clone()),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleConfig;

    fn facts(path: &str, source: &str) -> DocFacts {
        Checker::with_default_template().facts(path, source).1
    }

    #[test]
    fn the_id_is_the_front_matter_id_else_the_file_number() {
        assert_eq!(
            facts("docs/0007-cache.md", "# Cache\n").header.id.as_deref(),
            Some("0007")
        );
        let with_id = "---\nid: ADR-12\n---\n# Cache\n";
        assert_eq!(
            facts("docs/0007-cache.md", with_id).header.id.as_deref(),
            Some("ADR-12")
        );
        assert_eq!(facts("docs/cache.md", "# Cache\n").header.id, None);
        assert_eq!(facts("docs/0003.md", "# Three\n").header.id.as_deref(), Some("0003"));
        assert_eq!(facts("docs/v2-plan.md", "# Plan\n").header.id, None);
    }

    #[test]
    fn a_drafts_review_errors_are_what_review_would_report() {
        let draft = "---\nstatus: draft\nauthors: [ann]\n---\n# Cache\n\n## Overview\n[Brief description of the design and its purpose]\n";
        let as_draft = facts("docs/0001-cache.md", draft);
        let in_review = facts("docs/0001-cache.md", &draft.replace("status: draft", "status: review"));
        assert_eq!(as_draft.count(Level::Error), 0, "{:#?}", as_draft.findings);
        assert!(!as_draft.review_errors.is_empty());
        let codes = |f: &DocFacts| f.review_errors.iter().map(|b| b.code.clone()).collect::<Vec<_>>();
        let errors_in_review: Vec<String> = in_review
            .findings
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| d.code.to_string())
            .collect();
        assert_eq!(codes(&as_draft), errors_in_review);
        assert_eq!(codes(&as_draft), codes(&in_review));
        let placeholder = as_draft
            .review_errors
            .iter()
            .find(|b| b.line == 8)
            .expect("the placeholder under Overview blocks");
        assert_eq!(placeholder.section.as_deref(), Some("Overview"));
        assert_eq!(placeholder.anchor.as_deref(), Some("overview"));
    }

    #[test]
    fn a_complete_draft_has_no_review_errors() {
        let clean = facts("a.md", "# Note\n\nJust prose.\n");
        assert!(clean.findings.iter().all(|d| d.level != Level::Error));
        let checker = Checker::new("# T\n\n## Overview\n[What it is]\n", RuleConfig::default()).0;
        let done = checker
            .facts("a.md", "---\nstatus: draft\n---\n# A\n\n## Overview\nIt caches.\n")
            .1;
        assert_eq!(done.review_errors, Vec::new(), "{:#?}", done.findings);
    }

    #[test]
    fn title_falls_back_to_the_path() {
        assert_eq!(facts("a/b.md", "no heading\n").header.title, "a/b.md");
        assert_eq!(facts("a/b.md", "# Real title\n").header.title, "Real title");
    }

    #[test]
    fn status_reads_aliases_and_keeps_what_was_written() {
        let f = facts("x.md", "---\nstatus: Accepted\n---\n# X\n");
        assert_eq!(f.header.status, Some(Status::Approved));
        assert_eq!(f.header.status_text, "Accepted");
        assert_eq!(f.header.status_key(), "approved");
        let f = facts("x.md", "---\nstatus: Banana\n---\n# X\n");
        assert_eq!((f.header.status, f.header.status_key().as_str()), (None, "banana"));
    }

    #[test]
    fn anchors_count_headings_inside_quotes_and_lists_as_github_does() {
        let f = facts("x.md", "# T\n\n> ## Notes\n\n## Notes\n\n- ## Notes\n\n## Notes\n");
        let anchors: Vec<&str> = f.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["t", "notes-1", "notes-3"]);
    }
}
