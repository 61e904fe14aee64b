//! DD043 diagram-too-large.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::BlockKind;
use designdoc_model::mermaid::limits::{DiagramLimits, check_source};

declare_rule! {
    /// Reports a mermaid block too large or too deeply nested to be drawn.
    ///
    /// **What it does.** Measures each valid ```` ```mermaid ```` block against the
    /// drawing limits: source size, lines, nesting of blocks and brackets, and elements to
    /// lay out (nodes, edges counted after `&` chains, entities, relationships, packet
    /// bits). The site and the hub show such a diagram as its source in a box instead of
    /// drawing it; limits the drawing library meets later (a Gantt chart spanning
    /// centuries, a drawing over 3 MB) show the same box.
    ///
    /// **Why.** A diagram that cannot be drawn in a fraction of a second is also one no
    /// reader can take in; and the hub must not spend minutes or gigabytes on one page.
    ///
    /// **Example.** `A1 & A2 & ... & A500 --> B1 & ... & B500` declares 250,000 edges.
    ///
    /// **Fix.** None: split the diagram, or move the detail into a table.
    pub struct DiagramTooLarge {
        code: "DD043",
        name: "diagram-too-large",
        level: Warning,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let limits = DiagramLimits::default();
    for d in &ctx.doc.diagrams {
        // An invalid diagram has its own finding (DD040); it is not drawn either way.
        if !d.errors.is_empty() {
            continue;
        }
        let Some(block) = ctx.doc.blocks.get(d.block) else {
            continue;
        };
        let BlockKind::Code(code) = &block.kind else { continue };
        if let Err(too_large) = check_source(&code.content, &d.parsed, &limits) {
            out.push(
                ctx.diag(
                    &DiagramTooLarge::META,
                    ctx.first_line(block.span),
                    format!("diagram too large to draw: {too_large}"),
                )
                .with_label("shown as source, not drawn")
                .with_help("split the diagram into smaller ones, or move the detail into a table"),
            );
        }
    }
}
