//! DD015 missing-diagram.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::{BlockKind, CodeBlock};

declare_rule! {
    /// Reports a section that should hold a mermaid diagram and has none.
    ///
    /// **What it does.** Where the template's section contains a ```` ```mermaid ```` block,
    /// the document's section (or one of its subsections) must contain one too.
    ///
    /// **Why.** The High-Level Design graph and the Data Model ER diagram are what
    /// reviewers look at first; prose alone hides the structure.
    ///
    /// **Example.** `### Data Model` with a bullet list of tables and no `erDiagram`.
    ///
    /// **Fix.** None: draw the diagram (`designdoc new` scaffolds the template's sample).
    pub struct MissingDiagram {
        code: "DD015",
        name: "missing-diagram",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in &ctx.alignment.entries {
        let Some(kind) = e.spec.body.diagram else { continue };
        for &s in &e.instances {
            if super::empty_section::needs_no_body(ctx, s) {
                continue;
            }
            if mermaid_blocks(ctx, s).next().is_none() {
                let section = &ctx.doc.sections[s];
                out.push(
                    ctx.diag(
                        &MissingDiagram::META,
                        section.heading_span,
                        format!("section `{}` has no mermaid diagram", section.title),
                    )
                    .with_help(format!("add a ```mermaid block with a {}", kind.describe())),
                );
            }
        }
    }
}

/// Mermaid blocks in a section and its subsections, with their block index.
pub(crate) fn mermaid_blocks<'c>(
    ctx: &'c Context,
    section: usize,
) -> impl Iterator<Item = (usize, &'c CodeBlock)> + 'c {
    let mut sections = vec![section];
    sections.extend(ctx.doc.descendants(section));
    sections.into_iter().flat_map(move |s| {
        ctx.doc.sections[s]
            .blocks
            .iter()
            .filter_map(move |&b| match &ctx.doc.blocks[b].kind {
                BlockKind::Code(c) if c.lang == "mermaid" => Some((b, c)),
                _ => None,
            })
    })
}
