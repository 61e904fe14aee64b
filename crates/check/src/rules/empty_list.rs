//! DD014 empty-list.

use super::{Context, declare_rule, is_filler};
use crate::diagnostic::Diagnostic;
use designdoc_model::BlockKind;

declare_rule! {
    /// Reports a section whose template has a list (goals, metrics, rollout steps) when
    /// the document gives no real item.
    ///
    /// **What it does.** Looks for at least one list item with real text in the section.
    /// Blank bullets and filler such as `TBD` or `TODO` are not real items. Prose in
    /// place of a list is accepted, and a list of unfilled placeholders is left to
    /// `unfilled-placeholder`.
    ///
    /// **Why.** "Alerts: TBD" ships monitoring nobody designed.
    ///
    /// **Example.** `### Alerts` followed by `- TBD`.
    ///
    /// **Fix.** None: the items are the author's to write.
    pub struct EmptyList {
        code: "DD014",
        name: "empty-list",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Starts of whole-item placeholders, sorted, for range lookups per item.
    let mut whole: Vec<usize> = ctx
        .doc
        .placeholders
        .iter()
        .filter(|p| p.whole)
        .map(|p| p.span.start)
        .collect();
    whole.sort_unstable();
    for e in &ctx.alignment.entries {
        if e.spec.body.list.is_none() {
            continue;
        }
        for &s in &e.instances {
            if super::empty_section::needs_no_body(ctx, s) {
                continue;
            }
            let section = &ctx.doc.sections[s];
            let mut real = false;
            let mut first_list = None;
            let mut placeholders_only = false;
            for &b in &section.blocks {
                match &ctx.doc.blocks[b].kind {
                    BlockKind::List(list) => {
                        first_list.get_or_insert(ctx.doc.blocks[b].span);
                        for item in &list.items {
                            let from = whole.partition_point(|&s| s < item.span.start);
                            let whole_placeholder = whole.get(from).is_some_and(|&s| item.span.contains(s));
                            if whole_placeholder {
                                placeholders_only = true;
                            } else if !is_filler(&item.text.text) || item.has_children {
                                real = true;
                            }
                        }
                    }
                    BlockKind::Paragraph(t) if !is_filler(&t.text) => real = true,
                    BlockKind::Table(_) | BlockKind::Code(_) => real = true,
                    _ => {}
                }
            }
            if real || placeholders_only || !section.children.is_empty() {
                continue;
            }
            let span = first_list.unwrap_or(section.heading_span);
            out.push(
                ctx.diag(&EmptyList::META, span, format!("`{}` has no real items", section.title))
                    .with_help("list at least one concrete item; `TBD` and blank bullets do not count"),
            );
        }
    }
}
