//! Hover: on a finding, its rule's documentation; on a section heading, what the
//! template says under that heading.

use designdoc_check::align::align_source;
use designdoc_check::{Checker, Diagnostic, rules};
use designdoc_model::Document;

/// Lines of template guidance shown at most; a long section's guidance is cut there.
const MAX_GUIDANCE_LINES: usize = 40;

/// Markdown for byte `offset`: the rules of the findings there, then the template's
/// guidance when it is a heading; `None` when there is nothing to say.
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
    // On a heading, the template's guidance too: a finding there is usually about what
    // the section should hold.
    let on_heading = doc
        .sections
        .iter()
        .position(|s| s.heading_span.contains(offset) || s.heading_span.end == offset);
    if let Some(text) = on_heading.and_then(|section| guidance(checker, source, doc, section)) {
        parts.push(text);
    }
    (!parts.is_empty()).then(|| parts.join("\n\n---\n\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str =
        "# T\n\n## Overview\nSay what it does.\n\n## Architecture\n```mermaid\ngraph TD\n  A --> B\n```\n";

    /// The hover at the `|` in `input` contains every one of `expect` (empty: no hover).
    fn check(input: &str, expect: &[&str]) {
        let at = input.find('|').expect("a `|` marks the cursor");
        let source = input.replacen('|', "", 1);
        let checker = crate::test_checker(TEMPLATE);
        let checked = checker.check(&source);
        let found = hover(&checker, &source, &checked.doc, &checked.diagnostics, at);
        match found {
            None => assert!(expect.is_empty(), "no hover at {at} in {input:?}"),
            Some(text) => {
                assert!(!expect.is_empty(), "unexpected hover {text:?}");
                for e in expect {
                    assert!(text.contains(e), "{e:?} not in {text:?}");
                }
            }
        }
    }

    #[test]
    fn findings_and_guidance() {
        // A heading with a finding: the rule's documentation, then the guidance.
        check(
            "# Ü 😀\n\n## Overview\nIt caches.\n\n## Archi|tecture\nProse.\n",
            &[
                "DD015 missing-diagram",
                "**What it does.**",
                "Template: Architecture",
                "graph TD",
            ],
        );
        // A clean heading: the guidance only.
        check(
            "# Ü 😀\n\n## Over|view\nIt caches.\n\n## Architecture\n```mermaid\ngraph TD\n  X --> Y\n```\n",
            &["Say what it does."],
        );
        // Plain text without a finding: nothing.
        check(
            "# Ü 😀\n\n## Overview\nIt ca|ches.\n\n## Architecture\n```mermaid\ngraph TD\n  X --> Y\n```\n",
            &[],
        );
    }
}
