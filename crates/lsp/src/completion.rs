//! Completion: the template's missing section headings at the cursor's heading level,
//! status values after `status:` in front matter, and doc ids after `supersedes:`.

use crate::hover::template_body;
use crate::position::Text;
use crate::project::Project;
use designdoc_check::align::align_source;
use designdoc_model::Document;
use designdoc_model::status::STATUSES;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent, MarkupKind, Range, TextEdit,
};
use std::path::Path;

/// What to offer at byte `offset` of the document at `rel`.
pub fn complete(project: &Project, rel: &Path, text: &Text, doc: &Document, offset: usize) -> Vec<CompletionItem> {
    let before = text.line_before(offset);
    let in_front_matter = doc
        .front_matter
        .as_ref()
        .is_some_and(|fm| fm.yaml_span.start <= offset && offset <= fm.yaml_span.end);
    if in_front_matter {
        if let Some(typed) = value_after(before, "status") {
            return statuses(project, text, offset, typed);
        }
        if let Some(typed) = value_after(before, "supersedes").or_else(|| value_after(before, "superseded_by")) {
            return doc_ids(project, rel, text, offset, typed);
        }
        return Vec::new();
    }
    if let Some((level, typed)) = heading_prefix(before) {
        return headings(project, text, doc, offset, level, typed);
    }
    Vec::new()
}

/// `  status: dr` -> `Some("dr")` for key `status`: the value typed so far.
fn value_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(key)?;
    let rest = rest.trim_start().strip_prefix(':')?;
    let value = rest.trim_start();
    // A list or several ids: complete the last one.
    Some(value.rsplit([',', '[', ' ']).next().unwrap_or(value))
}

/// `## Ri` -> `Some((2, "Ri"))`: an ATX heading being typed at the start of a line.
fn heading_prefix(line: &str) -> Option<(u8, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None; // indented code, not a heading
    }
    let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((u8::try_from(hashes).unwrap_or(6), rest.trim_start()))
}

/// The range of what was typed so far, replaced by the chosen item.
fn typed_range(text: &Text, offset: usize, typed: &str) -> Range {
    Range::new(text.position(offset.saturating_sub(typed.len())), text.position(offset))
}

fn item(label: String, kind: CompletionItemKind, detail: String, range: Range, sort: usize) -> CompletionItem {
    CompletionItem {
        label: label.clone(),
        kind: Some(kind),
        detail: Some(detail),
        sort_text: Some(format!("{sort:04}")),
        filter_text: Some(label.clone()),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text: label })),
        ..CompletionItem::default()
    }
}

fn headings(
    project: &Project,
    text: &Text,
    doc: &Document,
    offset: usize,
    level: u8,
    typed: &str,
) -> Vec<CompletionItem> {
    let checker = &project.checker;
    let alignment = align_source(doc, text.as_str(), &checker.schema);
    let range = typed_range(text, offset, typed);
    let mut out = Vec::new();
    for (i, e) in alignment.entries.iter().enumerate() {
        if alignment.found_anywhere(i) {
            continue;
        }
        // A child of a section that is missing too comes with its parent.
        if e.parent_entry.is_some_and(|p| !alignment.found_anywhere(p)) {
            continue;
        }
        if alignment.expected_level(doc, i) != level {
            continue;
        }
        let what = if e.spec.optional {
            "optional section"
        } else {
            "missing section"
        };
        let mut it = item(
            e.spec.title.clone(),
            CompletionItemKind::MODULE,
            format!("template: {what}"),
            range,
            i,
        );
        it.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: template_body(&e.spec.skeleton),
        }));
        out.push(it);
    }
    out
}

fn statuses(project: &Project, text: &Text, offset: usize, typed: &str) -> Vec<CompletionItem> {
    let range = typed_range(text, offset, typed);
    let mut names: Vec<String> = STATUSES.iter().map(|s| s.to_string()).collect();
    for choice in &project.checker.schema.metadata.status_choices {
        if !names.contains(choice) {
            names.push(choice.clone());
        }
    }
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| item(name, CompletionItemKind::ENUM_MEMBER, "status".to_string(), range, i))
        .collect()
}

fn doc_ids(project: &Project, rel: &Path, text: &Text, offset: usize, typed: &str) -> Vec<CompletionItem> {
    let range = typed_range(text, offset, typed);
    let mut out = Vec::new();
    for (summary, info) in project.docs() {
        if summary.path == rel {
            continue;
        }
        let Some(id) = &info.id else { continue };
        let detail = match &info.title {
            Some(t) => format!("{t} ({})", summary.path.display()),
            None => summary.path.display().to_string(),
        };
        out.push(item(
            id.clone(),
            CompletionItemKind::REFERENCE,
            detail,
            range,
            out.len(),
        ));
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    for (i, it) in out.iter_mut().enumerate() {
        it.sort_text = Some(format!("{i:05}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(heading_prefix("## Ri"), Some((2, "Ri")));
        assert_eq!(heading_prefix("#"), Some((1, "")));
        assert_eq!(heading_prefix("#hashtag"), None);
        assert_eq!(heading_prefix("    ## code"), None);
        assert_eq!(value_after("status: dr", "status"), Some("dr"));
        assert_eq!(value_after("supersedes: [0001, 00", "supersedes"), Some("00"));
        assert_eq!(value_after("statuses: x", "status"), None);
    }
}
