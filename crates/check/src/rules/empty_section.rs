//! DD005 empty-section.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::BlockKind;

declare_rule! {
    /// Reports a section that has a heading but nothing under it.
    ///
    /// **What it does.** For each section where the template has content, checks that the
    /// document's section has some block (text, list, table, diagram) or a subsection.
    /// HTML comments and filler such as `TBD`, `TODO` or `...` do not count.
    ///
    /// **Why.** An empty heading is a promise left unkept; it hides the gap from a
    /// reader skimming the table of contents.
    ///
    /// **Example.** `## Background` followed directly by `## Goals and Non-Goals`.
    ///
    /// **Fix.** None: only the author knows the content.
    pub struct EmptySection {
        code: "DD005",
        name: "empty-section",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in &ctx.alignment.entries {
        if !e.spec.body.needs_content {
            continue;
        }
        for &s in &e.instances {
            if is_empty(ctx, s) {
                let section = &ctx.doc.sections[s];
                out.push(
                    ctx.diag(
                        &EmptySection::META,
                        section.heading_span,
                        format!("section `{}` is empty", section.title),
                    )
                    .with_help("write the section, or remove it if the template marks it optional"),
                );
            }
        }
    }
}

/// No subsections and no blocks but comments and filler such as `TBD`.
pub(crate) fn is_empty(ctx: &Context, section: usize) -> bool {
    let s = &ctx.doc.sections[section];
    s.children.is_empty()
        && s.blocks.iter().all(|&b| match &ctx.doc.blocks[b].kind {
            BlockKind::Html(_) => true,
            BlockKind::Paragraph(t) => super::is_filler(&t.text),
            _ => false,
        })
}
