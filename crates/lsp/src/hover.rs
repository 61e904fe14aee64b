//! Hover: on a finding, its rule's documentation; on a section heading, what the
//! template says under that heading.

use designdoc_check::align::align_source;
use designdoc_check::{Checker, Diagnostic, rules};
use designdoc_model::Document;

/// Lines of template guidance shown at most; a long section's guidance is cut there.
const MAX_GUIDANCE_LINES: usize = 40;

/// Markdown for byte `offset`, or `None` when there is nothing to say.
pub fn hover(
    checker: &Checker,
    source: &str,
    doc: &Document,
    findings: &[Diagnostic],
    offset: usize,
) -> Option<String> {
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for d in findings.iter().filter(|d| on(d, offset)) {
        if seen.contains(&d.code) {
            continue;
        }
        seen.push(d.code);
        if let Some(meta) = rules::by_name_or_code(d.code) {
            parts.push(format!(
                "**{} {}** ({})\n\n{}",
                meta.code,
                meta.name,
                d.level.as_str(),
                meta.doc_text()
            ));
        }
    }
    if !parts.is_empty() {
        return Some(parts.join("\n\n---\n\n"));
    }
    let section = doc
        .sections
        .iter()
        .position(|s| s.heading_span.contains(offset) || s.heading_span.end == offset)?;
    guidance(checker, source, doc, section)
}

/// A finding is under the cursor inside its span, or on its one position when empty.
fn on(d: &Diagnostic, offset: usize) -> bool {
    d.span.contains(offset) || d.span.start == offset || (d.span.is_empty() && d.span.start + 1 == offset)
}

/// The template's text under the heading the document's section `section` plays.
pub fn guidance(checker: &Checker, source: &str, doc: &Document, section: usize) -> Option<String> {
    let alignment = align_source(doc, source, &checker.schema);
    let entry = alignment.entries.iter().find(|e| e.instances.contains(&section))?;
    Some(format!(
        "**Template: {}**\n\n{}",
        entry.spec.title,
        template_body(&entry.spec.skeleton)
    ))
}

/// A template section's skeleton without its heading line, bounded.
pub fn template_body(skeleton: &str) -> String {
    let lines: Vec<&str> = skeleton.lines().skip(1).collect();
    let mut body = lines
        .iter()
        .take(MAX_GUIDANCE_LINES)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > MAX_GUIDANCE_LINES {
        body.push_str("\n\n…");
    }
    let body = body.trim();
    if body.is_empty() {
        "(the template gives no text under this heading)".to_string()
    } else {
        body.to_string()
    }
}
