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

/// The section asks nothing more of its body: it is empty (that is DD005's finding alone),
/// or its author answered that it does not apply. Rules that want a diagram, a table or a
/// list in a section skip it then.
pub(crate) fn needs_no_body(ctx: &Context, section: usize) -> bool {
    is_empty(ctx, section) || answered_not_applicable(ctx, section)
}

/// Answers that say a section does not apply: `N/A`, `Not applicable.`, `None — no new
/// APIs`, `No changes to the schema.` as the section's first paragraph or only list item.
const NOT_APPLICABLE: &[&str] = &[
    "n/a",
    "n.a.",
    "na",
    "not applicable",
    "none",
    "not needed",
    "not required",
    "not relevant",
    "nothing",
    "no changes",
    "no change",
    "does not apply",
    "doesn't apply",
    "does not apply here",
    "no impact",
];

/// Does the section's first block answer "not applicable"?
pub(crate) fn answered_not_applicable(ctx: &Context, section: usize) -> bool {
    let s = &ctx.doc.sections[section];
    let first = s.blocks.iter().find_map(|&b| match &ctx.doc.blocks[b].kind {
        BlockKind::Html(_) => None,
        BlockKind::Paragraph(t) => Some(t.text.as_str()),
        BlockKind::List(list) if list.items.len() == 1 => list.items.first().map(|i| i.text.text.as_str()),
        _ => Some(""),
    });
    first.is_some_and(says_not_applicable)
}

fn says_not_applicable(text: &str) -> bool {
    let t = text.trim().trim_start_matches(['*', '_', '(']).to_lowercase();
    NOT_APPLICABLE.iter().any(|answer| {
        t.strip_prefix(answer)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
    })
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
