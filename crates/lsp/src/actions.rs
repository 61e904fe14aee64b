//! Code actions: each fix a finding carries (safe ones preferred), "disable this rule
//! here" as a suppression comment, and "fix all safe problems" for the whole document.

use crate::diagnostics::to_lsp;
use crate::position::Text;
use designdoc_check::{Checker, Diagnostic, Edit, Safety};
use designdoc_model::{BlockKind, Document, Span};
use lsp_types::{CodeAction, CodeActionKind, Range, TextEdit, Url, WorkspaceEdit};
use std::collections::HashMap;

/// The actions for the findings that touch `range`, in finding order: fixes first, then
/// the suppressions; `only` is the client's filter of kinds.
pub fn code_actions(
    uri: &Url,
    text: &Text,
    doc: &Document,
    findings: &[Diagnostic],
    range: Range,
    checker: &Checker,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeAction> {
    let wanted = text.span(range);
    let mut fixes = Vec::new();
    let mut disables = Vec::new();
    let mut seen_disables = Vec::new();
    for d in findings.iter().filter(|d| touches(d.span, wanted)) {
        let Some(lsp) = to_lsp(text, d) else { continue };
        if let Some(fix) = &d.fix {
            let unsafe_note = if fix.safety == Safety::Unsafe {
                " (unsafe: review it)"
            } else {
                ""
            };
            fixes.push(CodeAction {
                title: format!("{}{unsafe_note}", fix.message),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp.clone()]),
                edit: Some(workspace_edit(uri, text, &fix.edits)),
                is_preferred: Some(fix.safety == Safety::Safe),
                ..CodeAction::default()
            });
        }
        // A suppression of the unused-suppression rule would only pile comments up.
        if d.code == designdoc_check::rules::UnusedSuppression::META.code {
            continue;
        }
        let (title, edits) = disable(text, doc, d);
        let key = (d.code, edits.first().map(|e| e.span.start));
        if seen_disables.contains(&key) {
            continue;
        }
        seen_disables.push(key);
        disables.push(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp]),
            edit: Some(workspace_edit(uri, text, &edits)),
            is_preferred: Some(false),
            ..CodeAction::default()
        });
    }
    let mut out: Vec<CodeAction> = fixes.into_iter().chain(disables).collect();
    if findings
        .iter()
        .any(|d| d.fix.as_ref().is_some_and(|f| f.safety == Safety::Safe))
    {
        let (fixed, applied) = checker.fix(text.as_str(), false);
        if !applied.is_empty() && fixed != text.as_str() {
            let all = Span::new(0, text.as_str().len());
            out.push(CodeAction {
                title: format!("Fix all safe designdoc problems ({})", applied.len()),
                kind: Some(CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(workspace_edit(uri, text, &[Edit { span: all, text: fixed }])),
                ..CodeAction::default()
            });
        }
    }
    if let Some(only) = only {
        out.retain(|a| a.kind.as_ref().is_some_and(|k| allowed(k, only)));
    }
    out
}

/// `quickfix` asked for allows `quickfix` and `quickfix.x`, as the protocol's kinds nest.
fn allowed(kind: &CodeActionKind, only: &[CodeActionKind]) -> bool {
    let kind = kind.as_str();
    only.iter().any(|o| {
        let o = o.as_str();
        kind == o || kind.strip_prefix(o).is_some_and(|rest| rest.starts_with('.'))
    })
}

/// A finding touches the asked range when they overlap or meet: a cursor is an empty
/// range, and one just after a finding's last character is still on it.
fn touches(finding: Span, wanted: Span) -> bool {
    finding.start <= wanted.end && wanted.start <= finding.end
}

fn workspace_edit(uri: &Url, text: &Text, edits: &[Edit]) -> WorkspaceEdit {
    let edits = edits
        .iter()
        // A CRLF buffer stays CRLF, as with `designdoc fix`.
        .map(|e| designdoc_check::fix::fit_line_endings(&text.text, e))
        .map(|e| TextEdit {
            range: text.range(e.span),
            new_text: e.text,
        })
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The suppression comment for `d`, placed where the suppression rules read it: the line
/// before the finding; around a code block (a comment inside one would be code); after
/// front matter for the whole file (a comment inside YAML would break it).
fn disable(text: &Text, doc: &Document, d: &Diagnostic) -> (String, Vec<Edit>) {
    let rule = format!("{} ({})", d.code, d.name);
    let source = text.as_str();
    let at = d.span.start.min(source.len());
    if let Some(fm) = &doc.front_matter
        && at < fm.span.end.max(1)
    {
        let offset = doc.body_start.min(source.len());
        let at_line_start = offset == 0 || source.get(..offset).is_some_and(|s| s.ends_with('\n'));
        let lead = if at_line_start { "" } else { "\n" };
        return (
            format!("Disable {rule} in this file"),
            vec![insert(
                offset,
                format!("{lead}<!-- designdoc-disable-file {} -->\n", d.code),
            )],
        );
    }
    let code_block = doc
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Code(_)) && b.span.start < at && at < b.span.end);
    if let Some(block) = code_block {
        let start = text.line_start(text.line_of(block.span.start));
        let last_line = text.line_of(block.span.end.saturating_sub(1).max(block.span.start));
        let after = text.line_start(last_line + 1);
        let lead = if after >= source.len() && !source.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let indent = indentation(source, start);
        return (
            format!("Disable {rule} for this code block"),
            vec![
                insert(start, format!("{indent}<!-- designdoc-disable {} -->\n", d.code)),
                insert(after, format!("{lead}{indent}<!-- designdoc-enable {} -->\n", d.code)),
            ],
        );
    }
    let start = text.line_start(text.line_of(at));
    let indent = indentation(source, start);
    (
        format!("Disable {rule} for this line"),
        vec![insert(
            start,
            format!("{indent}<!-- designdoc-disable-next-line {} -->\n", d.code),
        )],
    )
}

fn insert(offset: usize, text: String) -> Edit {
    Edit {
        span: Span::point(offset),
        text,
    }
}

/// The white space a line starts with, so a comment inside a list item stays in it.
fn indentation(source: &str, line_start: usize) -> &str {
    let rest = source.get(line_start..).unwrap_or("");
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Position;

    const TEMPLATE: &str =
        "# T\n\n## Overview\nText.\n\n## Architecture\n```mermaid\ngraph TD\n  A --> B\n```\n\n## Risks\nText.\n";

    fn checker() -> Checker {
        crate::test_checker(TEMPLATE)
    }

    /// Applies the edits of the action titled `title` at the `|` in `input` and compares
    /// the result with `expect`; then checks the result again and returns its codes.
    fn check(input: &str, title: &str, expect: &str) -> Vec<&'static str> {
        let at = input.find('|').expect("a `|` marks the cursor");
        let source = input.replacen('|', "", 1);
        let text = Text::new(source.clone());
        let checker = checker();
        let checked = checker.check(&source);
        let uri = Url::parse("file:///w/doc.md").unwrap();
        let pos = text.position(at);
        let actions = code_actions(
            &uri,
            &text,
            &checked.doc,
            &checked.diagnostics,
            Range::new(pos, pos),
            &checker,
            None,
        );
        let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        let action = actions
            .iter()
            .find(|a| a.title.starts_with(title))
            .unwrap_or_else(|| panic!("no action `{title}` in {titles:?}"));
        let mut edits = action.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri].clone();
        // Applied from the end, as a client applies non-overlapping edits.
        edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
        let mut out = text.clone();
        for e in edits {
            out.edit(e.range, &e.new_text);
        }
        assert_eq!(out.as_str(), expect, "{title}");
        checker.check(out.as_str()).diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn the_missing_section_fix_inserts_the_template_section_in_place() {
        let left = check(
            "# Über 😀\n\n## Over|view\nText.\n\n## Risks\nText.\n",
            "insert `Architecture`",
            "# Über 😀\n\n## Overview\nText.\n\n## Architecture\n```mermaid\ngraph TD\n  A --> B\n```\n\n## Risks\nText.\n",
        );
        // What is left is the template's sample diagram, for the author to replace.
        assert!(!left.contains(&"DD001"), "{left:?}");
    }

    #[test]
    fn disable_next_line_keeps_the_finding_quiet() {
        let left = check(
            "# D\n\n## Overview\nText.\n\n## Architecture|\nProse, 概述.\n\n## Risks\nText.\n",
            "Disable DD015",
            "# D\n\n## Overview\nText.\n\n<!-- designdoc-disable-next-line DD015 -->\n## Architecture\nProse, 概述.\n\n## Risks\nText.\n",
        );
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn disable_in_front_matter_is_for_the_file() {
        let left = check(
            "---\nstatus: nonsense|\n---\n# D\n\n## Overview\nText.\n\n## Architecture\n```mermaid\ngraph TD\n  X --> Y\n```\n\n## Risks\nText.\n",
            "Disable DD021",
            "---\nstatus: nonsense\n---\n<!-- designdoc-disable-file DD021 -->\n# D\n\n## Overview\nText.\n\n## Architecture\n```mermaid\ngraph TD\n  X --> Y\n```\n\n## Risks\nText.\n",
        );
        assert!(!left.contains(&"DD021"), "{left:?}");
    }

    #[test]
    fn kinds_filter() {
        let only = [CodeActionKind::QUICKFIX];
        assert!(allowed(&CodeActionKind::QUICKFIX, &only));
        assert!(!allowed(&CodeActionKind::SOURCE_FIX_ALL, &only));
        assert!(allowed(&CodeActionKind::SOURCE_FIX_ALL, &[CodeActionKind::SOURCE]));
        let _ = Position::default();
    }
}
