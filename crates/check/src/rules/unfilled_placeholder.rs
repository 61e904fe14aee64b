//! DD010 unfilled-placeholder.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::template::normalize_placeholder;

declare_rule! {
    /// Reports bracketed template text such as `[Goal 1]` left in the document.
    ///
    /// **What it does.** Finds bracketed text outside code that is not a link: text the
    /// template uses as a placeholder (counters ignored, so `[Goal 4]` matches `[Goal 1]`),
    /// or a bracketed text that is all of its paragraph, list item, table cell or heading.
    /// Markdown links, footnotes and task boxes (`- [ ]`) are never placeholders.
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
}
