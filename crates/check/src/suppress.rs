//! Suppression comments in documents (`<!-- designdoc-disable DD015 -->` and friends):
//! read them, drop the findings they cover, and report the ones that covered nothing.

use crate::diagnostic::{Diagnostic, Level};
use crate::rule_config::RuleConfig;
use crate::rules::{RuleMeta, UnusedSuppression, by_name_or_code};
use designdoc_model::{BlockKind, Document, LineIndex, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// From the comment to a matching `designdoc-enable` or the end.
    From,
    /// The line after the comment.
    NextLine,
    /// The whole document.
    File,
    /// Ends an earlier `designdoc-disable`.
    Enable,
}

struct Directive {
    scope: Scope,
    /// Rule codes; empty means every rule.
    codes: Vec<&'static str>,
    span: Span,
    /// 0-based lines covered, inclusive.
    lines: (usize, usize),
    used: bool,
}

/// Removes the findings suppressed in `source` and adds a DD045 finding for each
/// suppression that removed nothing or names an unknown rule.
pub fn apply(source: &str, doc: &Document, config: &RuleConfig, out: &mut Vec<Diagnostic>) {
    if !source.contains("designdoc-") {
        return;
    }
    let index = LineIndex::new(source);
    let mut problems = Vec::new();
    let mut directives = read(source, doc, &index, &mut problems);
    if directives.is_empty() && problems.is_empty() {
        return;
    }
    close_ranges(&mut directives, index.line_of(source.len()));
    out.retain(|d| {
        let line = index.line_of(d.span.start);
        let mut suppressed = false;
        for dir in directives.iter_mut().filter(|x| x.scope != Scope::Enable) {
            let covers = dir.lines.0 <= line && line <= dir.lines.1;
            if covers && (dir.codes.is_empty() || dir.codes.contains(&d.code)) {
                dir.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    let level = config.level(&UnusedSuppression::META);
    if level == Level::Off {
        return;
    }
    let diag = |span: Span, message: String| Diagnostic {
        code: UnusedSuppression::META.code,
        name: UnusedSuppression::META.name,
        level,
        message,
        span,
        label: None,
        help: Some("delete the comment".to_string()),
        fix: None,
    };
    for (span, name) in problems {
        out.push(diag(span, format!("`{name}` is not a designdoc rule")));
    }
    for dir in directives.iter().filter(|d| d.scope != Scope::Enable && !d.used) {
        let what = if dir.codes.is_empty() {
            "any finding".to_string()
        } else {
            dir.codes.join(", ")
        };
        out.push(diag(dir.span, format!("this suppression of {what} suppresses nothing")));
    }
}

/// The suppression comments of the document, outside code blocks.
fn read(source: &str, doc: &Document, index: &LineIndex, problems: &mut Vec<(Span, String)>) -> Vec<Directive> {
    let code: Vec<Span> = doc
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Code(_)))
        .map(|b| b.span)
        .collect();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = source[from..].find("<!--") {
        let start = from + rel;
        let Some(len) = source[start..].find("-->") else { break };
        let end = start + len + 3;
        from = end;
        if code.iter().any(|c| c.start <= start && start < c.end) {
            continue;
        }
        let body = source[start + 4..end - 3].trim();
        let (scope, rest) = if let Some(r) = body.strip_prefix("designdoc-disable-next-line") {
            (Scope::NextLine, r)
        } else if let Some(r) = body.strip_prefix("designdoc-disable-file") {
            (Scope::File, r)
        } else if let Some(r) = body.strip_prefix("designdoc-disable") {
            (Scope::From, r)
        } else if let Some(r) = body.strip_prefix("designdoc-enable") {
            (Scope::Enable, r)
        } else {
            continue;
        };
        // `designdoc-disabled` is not ours: the keyword ends at white space or the end.
        if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let span = Span::new(start, end);
        let mut codes = Vec::new();
        for name in rest
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|n| !n.is_empty())
        {
            match by_name_or_code(name) {
                Some(RuleMeta { code, .. }) => codes.push(code),
                None => problems.push((span, name.to_string())),
            }
        }
        let line = index.line_of(end);
        out.push(Directive {
            scope,
            codes,
            span,
            lines: match scope {
                Scope::NextLine => (line + 1, line + 1),
                Scope::File => (0, usize::MAX),
                Scope::From | Scope::Enable => (index.line_of(start), usize::MAX),
            },
            used: false,
        });
    }
    out
}

/// Ends each `designdoc-disable` range at the first later `designdoc-enable` that names
/// its rules (or names none).
fn close_ranges(directives: &mut [Directive], last_line: usize) {
    for i in 0..directives.len() {
        if directives[i].scope != Scope::From {
            continue;
        }
        let start = directives[i].lines.0;
        let end = directives[i + 1..]
            .iter()
            .find(|e| {
                e.scope == Scope::Enable
                    && (e.codes.is_empty()
                        || directives[i].codes.is_empty()
                        || directives[i].codes.iter().all(|c| e.codes.contains(c)))
            })
            .map_or(last_line, |e| e.lines.0);
        directives[i].lines = (start, end);
    }
}

#[cfg(test)]
mod tests {
    use crate::Checker;

    /// Codes of the findings `doc` gets against a template with a diagram section.
    fn check(doc: &str, expect: &[&str]) {
        let template = "# T\n\n## Overview\nText.\n\n## Architecture\n```mermaid\ngraph TD\n  A --> B\n```\n";
        // Metadata rules are not what these cases are about.
        let mut config = crate::RuleConfig::default();
        config.set(&crate::rules::MissingMetadata::META, crate::Level::Off);
        let (checker, _) = Checker::new(template, config);
        let found = checker.check(doc).diagnostics;
        let codes: Vec<String> = found.iter().map(|d| format!("{}:{}", d.code, d.message)).collect();
        let want: Vec<String> = expect.iter().map(|s| s.to_string()).collect();
        assert_eq!(codes, want, "{doc}");
    }

    #[test]
    fn suppressions() {
        let bare = "# Doc\n\n## Overview\nText.\n\n## Architecture\nProse only.\n";
        check(bare, &["DD015:section `Architecture` has no mermaid diagram"]);
        check(
            "# Doc\n\n## Overview\nText.\n\n<!-- designdoc-disable-next-line DD015 -->\n## Architecture\nProse only.\n",
            &[],
        );
        check(
            "# Doc\n\n## Overview\nText.\n\n<!-- designdoc-disable-next-line missing-diagram -->\n\n## Architecture\nProse.\n",
            &[
                "DD045:this suppression of DD015 suppresses nothing",
                "DD015:section `Architecture` has no mermaid diagram",
            ],
        );
        check(
            "# Doc\n<!-- designdoc-disable -->\n## Overview\nText.\n\n## Architecture\nProse.\n<!-- designdoc-enable -->\n",
            &[],
        );
        check(
            "# Doc\n\n## Overview\nText.\n<!-- designdoc-disable DD015 -->\n<!-- designdoc-enable DD015 -->\n## Architecture\nProse.\n",
            &[
                "DD045:this suppression of DD015 suppresses nothing",
                "DD015:section `Architecture` has no mermaid diagram",
            ],
        );
        check(
            "# Doc\n\n## Overview\nText.\n\n## Architecture\nProse.\n<!-- designdoc-disable-file DD015, no-such-rule -->\n",
            &["DD045:`no-such-rule` is not a designdoc rule"],
        );
        // In a code block, a suppression is only text.
        check(
            "# Doc\n\n## Overview\n```\n<!-- designdoc-disable-file -->\n```\n\n## Architecture\nProse.\n",
            &["DD015:section `Architecture` has no mermaid diagram"],
        );
    }
}
