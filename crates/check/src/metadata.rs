//! Metadata a template asks for, and metadata values that are still placeholders.
//!
//! A template asks for a key by writing it: in its front matter, or as a `**Status:**`,
//! `- Status:` or `Status:` line above its first section (the same lines the model reads
//! from documents). Metadata rules that demand a key (DD023, DD025) fire only when the
//! template asks for it, so a template without metadata (Rust's RFC template) does not turn
//! every document into a finding. Values such as `YYYY-MM-DD`, `<date>`,
//! `{proposed | accepted}` or `Draft | In Review` are the template's blanks: they are
//! reported as unfilled placeholders, never as invalid dates or unknown statuses.

use crate::lifecycle::normalize_status;
use designdoc_model::{Document, MetaField, MetaSource};
use serde::Serialize;

/// What metadata a template asks documents to declare.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MetadataSpec {
    /// Canonical keys the template writes (`status`, `authors`, `created`, ...), in
    /// template order; keys the model does not interpret keep their lowercase spelling.
    pub keys: Vec<String>,
    /// Documents must declare a status (`missing-metadata`).
    pub status: bool,
    /// Documents must name their authors (`missing-authors`).
    pub authors: bool,
    /// Statuses the template offers as choices (`**Status:** Draft | In Review`),
    /// normalised: valid for documents of this template even outside the lifecycle table.
    pub status_choices: Vec<String>,
}

impl MetadataSpec {
    /// Reads what the template's own metadata asks for.
    pub fn of_template(doc: &Document) -> MetadataSpec {
        let mut spec = MetadataSpec::default();
        for field in &doc.metadata {
            if !spec.keys.contains(&field.key) {
                spec.keys.push(field.key.clone());
            }
        }
        spec.status = spec.keys.iter().any(|k| k == "status");
        spec.authors = spec.keys.iter().any(|k| k == "authors");
        if let Some(field) = doc.meta("status") {
            for value in &field.values {
                let choices = choices(value).unwrap_or_else(|| vec![normalize_status(strip_wrapping(value))]);
                for choice in choices {
                    if !choice.is_empty() && !spec.status_choices.contains(&choice) {
                        spec.status_choices.push(choice);
                    }
                }
            }
        }
        spec
    }

    /// Is `value` one of the statuses the template offers?
    pub fn offers_status(&self, value: &str) -> bool {
        let v = normalize_status(value);
        !v.is_empty() && self.status_choices.contains(&v)
    }
}

/// `Draft | In Review | Approved`, `{proposed | accepted | … }` -> the alternatives,
/// normalised, without ellipses. `None` unless there are at least two.
pub fn choices(value: &str) -> Option<Vec<String>> {
    let inner = strip_wrapping(value);
    if !inner.contains('|') {
        return None;
    }
    let parts: Vec<String> = inner
        .split('|')
        .map(normalize_status)
        .filter(|p| !p.is_empty() && !matches!(p.as_str(), "…" | "..." | "etc" | "etc."))
        .collect();
    (parts.len() >= 2).then_some(parts)
}

/// The value without the brackets, braces or angle brackets around all of it.
fn strip_wrapping(value: &str) -> &str {
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    for (open, close) in [('{', '}'), ('<', '>'), ('[', ']')] {
        if let Some(inner) = v.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            return inner.trim();
        }
    }
    v
}

/// Is this metadata field's value the template's blank rather than the author's value?
///
/// Placeholders are: a value wholly in `{…}` or `<…>` (not an autolink), a date format
/// (`YYYY-MM-DD`, `DD/MM/YYYY`), a status written as a list of choices, and, on an inline
/// line (where brackets are not YAML lists), a value wholly in `[…]` that is no link.
pub fn is_placeholder(field: &MetaField) -> bool {
    field
        .values
        .iter()
        .any(|v| is_placeholder_value(&field.key, field.source, v))
}

fn is_placeholder_value(key: &str, source: MetaSource, value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    if v.is_empty() || v.len() > 400 {
        return false;
    }
    let wrapped = |open: char, close: char| v.starts_with(open) && v.ends_with(close) && v.len() >= 2;
    if wrapped('{', '}') {
        return true;
    }
    if wrapped('<', '>') && !v.contains("://") && !v.contains('@') {
        return true;
    }
    if source == MetaSource::Inline && wrapped('[', ']') && !v.contains("](") {
        return true;
    }
    if is_date_format(v) {
        return true;
    }
    key == "status" && choices(v).is_some()
}

/// `YYYY-MM-DD`, `yyyy/mm/dd`, `DD.MM.YYYY`: a format, not a date.
fn is_date_format(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    lower.contains("yyyy")
        || lower.contains("mm-dd")
        || lower.contains("dd-mm")
        || lower.contains("mm/dd")
        || lower.contains("dd/mm")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(template: &str) -> MetadataSpec {
        MetadataSpec::of_template(&designdoc_model::parse(template).0)
    }

    #[test]
    fn what_templates_ask_for() {
        let s = spec("# [T]\n\n**Status:** Draft | In Review | Approved\n**Authors:** [Name]\n\n## A\nx\n");
        assert!(s.status && s.authors);
        assert_eq!(s.status_choices, ["draft", "in review", "approved"]);
        let s = spec(
            "---\nstatus: \"{proposed | rejected | accepted | … | superseded by ADR-0123}\"\ndate: {YYYY-MM-DD when}\n---\n# {t}\n",
        );
        assert!(s.status && !s.authors);
        assert_eq!(s.keys, ["status", "created"]);
        assert!(s.offers_status("Superseded by ADR-0123"));
        let s = spec(
            "- Feature Name: (fill me in)\n- Start Date: (fill me in with today's date, YYYY-MM-DD)\n\n## Summary\n",
        );
        assert!(!s.status && !s.authors);
        assert_eq!(s.keys, ["created"]);
        let s = spec("# [T]\n\n## Overview\n[x]\n");
        assert!(s.keys.is_empty());
    }

    #[test]
    fn placeholder_values() {
        let inline = |k: &str, v: &str| is_placeholder_value(k, MetaSource::Inline, v);
        let fm = |k: &str, v: &str| is_placeholder_value(k, MetaSource::FrontMatter, v);
        assert!(inline("created", "YYYY-MM-DD"));
        assert!(inline("created", "<date>"));
        assert!(inline("created", "(fill me in with today's date, YYYY-MM-DD)"));
        assert!(fm(
            "created",
            "{\"YYYY-MM-DD when the decision was last updated\":null}"
        ));
        assert!(inline("status", "Draft | In Review"));
        assert!(inline("authors", "[Name]"));
        assert!(!fm("authors", "Name"));
        assert!(!inline("supersedes", "[ADR-0003](0003-x.md)"));
        assert!(!inline("created", "2024-01-05"));
        assert!(!inline("authors", "<ann@example.com>"));
        assert!(!inline("tags", "a | b"));
        assert!(!inline("status", "Accepted"));
    }
}
