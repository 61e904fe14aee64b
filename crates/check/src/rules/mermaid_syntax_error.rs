//! DD040 mermaid-syntax-error.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::Span;

declare_rule! {
    /// Reports a mermaid block that Mermaid would refuse to draw.
    ///
    /// **What it does.** Parses every ```` ```mermaid ```` block and says what Mermaid's own
    /// parser would say. Flowcharts, sequence, class, state and ER diagrams are parsed fully
    /// by grammars measured against real Mermaid (npm `mermaid` 11.17) on every example of
    /// its documentation and thousands of mutants: unclosed brackets and blocks, unknown
    /// arrows and cardinalities, a missing `end`, stray tokens. Every other kind Mermaid
    /// knows (gantt, pie, gitGraph, mindmap, C4, ...) is recognised by its header and only
    /// an unknown header is reported. The position is the document's own line and column
    /// inside the fence.
    ///
    /// **Why.** A broken diagram is only noticed when someone renders the page; by then
    /// the review is over.
    ///
    /// **Example.** `A[Gateway --> B` (the `[` never closes).
    ///
    /// **Fix.** None: correct the diagram.
    pub struct MermaidSyntaxError {
        code: "DD040",
        name: "mermaid-syntax-error",
        level: Error,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for d in &ctx.doc.diagrams {
        for (message, span) in &d.errors {
            let span = if span.is_empty() {
                line_from(ctx.source, span.start)
            } else {
                *span
            };
            out.push(
                ctx.diag(&MermaidSyntaxError::META, span, format!("mermaid: {message}"))
                    .with_label("Mermaid rejects this"),
            );
        }
    }
}

/// From `at` to the end of its line, so an empty span still shows a caret run.
fn line_from(source: &str, at: usize) -> Span {
    let end = source[at.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| at + i);
    Span::new(at, end.max(at))
}
