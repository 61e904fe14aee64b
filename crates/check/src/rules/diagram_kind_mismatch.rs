//! DD017 diagram-kind-mismatch.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::schema::DiagramKind;

declare_rule! {
    /// Reports a section whose mermaid diagrams are all of another kind than the
    /// template's.
    ///
    /// **What it does.** The template's diagram gives the kind (`graph`/`flowchart`,
    /// `erDiagram`, `sequenceDiagram`, ...); a section with diagrams, none of that kind,
    /// is reported at its first diagram.
    ///
    /// **Why.** The Data Model needs entities and relationships; a flowchart of tables
    /// cannot be exported to SQL or joined into the entity register.
    ///
    /// **Example.** A `sequenceDiagram` as the only diagram under `### Data Model`.
    ///
    /// **Fix.** None: redraw the diagram in the expected kind.
    pub struct DiagramKindMismatch {
        code: "DD017",
        name: "diagram-kind-mismatch",
        level: Error,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in &ctx.alignment.entries {
        let Some(want) = e.spec.body.diagram else { continue };
        for &s in &e.instances {
            let blocks: Vec<_> = super::missing_diagram::mermaid_blocks(ctx, s).collect();
            let Some(&(first, code)) = blocks.first() else { continue };
            if blocks
                .iter()
                .any(|(_, c)| DiagramKind::of_source(&c.content) == Some(want))
            {
                continue;
            }
            let found = DiagramKind::of_source(&code.content).map_or("an empty diagram", |k| k.describe());
            let span = ctx.doc.blocks[first].span;
            let span = designdoc_model::Span::new(
                span.start,
                ctx.source[span.start..span.end]
                    .find('\n')
                    .map_or(span.end, |i| span.start + i),
            );
            out.push(
                ctx.diag(
                    &DiagramKindMismatch::META,
                    span,
                    format!(
                        "expected a {} in `{}`, found {found}",
                        want.describe(),
                        ctx.doc.sections[s].title
                    ),
                )
                .with_label("this diagram"),
            );
        }
    }
}
