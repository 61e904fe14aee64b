//! DD010 unfilled-placeholder.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::metadata::is_placeholder;
use crate::template::normalize_placeholder;
use designdoc_model::canonical_meta_key;

declare_rule! {
    /// Reports bracketed template text such as `[Goal 1]` left in the document.
    ///
    /// **What it does.** Finds bracketed text outside code that is not a link: text the
    /// template uses as a placeholder (counters ignored, so `[Goal 4]` matches `[Goal 1]`),
    /// or a bracketed text that is all of its paragraph, list item, table cell or heading.
    /// Markdown links, footnotes and task boxes (`- [ ]`) are never placeholders.
    /// Metadata values are placeholders when they are the template's blanks: a format
    /// (`YYYY-MM-DD`), text in `<…>` or `{…}` (or `[…]` on a `**Key:**` line), a status
    /// written as the template's choice list (`Draft | In Review`), or a blank value of a
    /// key the template writes.
    ///
    /// **Why.** A placeholder that survives into review means a part of the design was
    /// never written, and it reads as if it were.
    ///
    /// **Example.** `- [Metric 1]` under `### Metrics`.
    ///
    /// **Fix.** None: write the content the placeholder asks for.
    pub struct UnfilledPlaceholder {
        code: "DD010",
        name: "unfilled-placeholder",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in &ctx.doc.placeholders {
        let known = ctx
            .schema
            .placeholders
            .binary_search(&normalize_placeholder(&p.text))
            .is_ok();
        if !(known || p.whole) {
            continue;
        }
        out.push(
            ctx.diag(
                &UnfilledPlaceholder::META,
                p.span,
                format!("unfilled placeholder `[{}]`", p.text),
            )
            .with_label("replace this with real content"),
        );
    }
    check_metadata(ctx, out);
}

/// Metadata values left as the template wrote them. Bracketed text on an inline line is
/// already one of the document's placeholders above, and is not reported twice.
fn check_metadata(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in &ctx.doc.metadata {
        // Only keys designdoc reads: other front matter (tool settings, free-form maps) is
        // not the template's blanks.
        if canonical_meta_key(&f.key).is_none() && !f.key.ends_with("date") {
            continue;
        }
        let covered =
            ctx.doc.placeholders.iter().any(|p| {
                p.span.start < f.value_span.end.max(f.value_span.start + 1) && f.value_span.start < p.span.end
            });
        if covered {
            continue;
        }
        let blank = f.values.iter().all(|v| v.trim().is_empty());
        if blank {
            if ctx.schema.metadata.keys.contains(&f.key) {
                out.push(
                    ctx.diag(
                        &UnfilledPlaceholder::META,
                        f.key_span,
                        format!(
                            "`{}` is left blank",
                            ctx.text(f.key_span).trim().trim_matches(['*', '_', ':', '|', '-', ' '])
                        ),
                    )
                    .with_label("the template asks for a value here"),
                );
            }
            continue;
        }
        if is_placeholder(f) {
            let shown = ctx.text(f.value_span).trim();
            let shown = if shown.is_empty() { f.first() } else { shown };
            out.push(
                ctx.diag(
                    &UnfilledPlaceholder::META,
                    f.value_span,
                    format!("unfilled placeholder `{}`", shorten(shown)),
                )
                .with_label("replace this with the real value"),
            );
        }
    }
}

/// At most 60 chars of a value for a message (a template's blank can be a sentence).
fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
