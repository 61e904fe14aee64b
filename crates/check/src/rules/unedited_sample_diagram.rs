//! DD016 unedited-sample-diagram.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::schema::{DiagramKind, diagram_tokens};
use designdoc_model::BlockKind;

declare_rule! {
    /// Reports the template's sample diagram left in the document.
    ///
    /// **What it does.** Compares each mermaid block with the template's sample diagrams:
    /// a block of the same kind that uses no name the sample does not (the seed's
    /// `Component A/B/C` and `Database`, or `ENTITY1..3`) is an unedited copy, even if
    /// reordered or re-indented.
    ///
    /// **Why.** A sample diagram renders fine, so nobody notices it describes nothing.
    ///
    /// **Example.** `A[Component A] --> B[Component B]` under High-Level Design.
    ///
    /// **Fix.** None: draw the real components.
    pub struct UneditedSampleDiagram {
        code: "DD016",
        name: "unedited-sample-diagram",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for block in &ctx.doc.blocks {
        let BlockKind::Code(code) = &block.kind else { continue };
        if code.lang != "mermaid" {
            continue;
        }
        if is_unedited_sample(ctx, &code.content) {
            out.push(
                ctx.diag(
                    &UneditedSampleDiagram::META,
                    ctx.first_line(block.span),
                    "the template's sample diagram is unedited",
                )
                .with_label("this diagram only uses the template's sample names")
                .with_help("replace the sample nodes with the design's real components or entities"),
            );
        }
    }
}

/// Is this mermaid source one of the template's samples, unedited (only its names)? Rules
/// about a diagram's content (DD041, DD042) stay quiet on such a diagram: this rule
/// already says the one thing wrong with it.
pub(crate) fn is_unedited_sample(ctx: &Context, source: &str) -> bool {
    let kind = DiagramKind::of_source(source);
    let tokens = diagram_tokens(source);
    tokens.len() >= 2
        && ctx
            .schema
            .samples
            .iter()
            .any(|s| s.kind == kind && tokens.iter().all(|t| s.tokens.binary_search(t).is_ok()))
}
