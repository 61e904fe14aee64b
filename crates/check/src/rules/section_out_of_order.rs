//! DD002 section-out-of-order.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;

declare_rule! {
    /// Reports a section that appears in a different order than the template gives.
    ///
    /// **What it does.** Keeps the longest run of sections that already follow the
    /// template's order and reports each other section, naming its neighbours. Only
    /// sections written under the template's own name are reported: one found through an
    /// alias or a rewording comes from another version of the template, with its own order.
    ///
    /// **Why.** Readers navigate design docs by habit: Risks after the Rollout Plan,
    /// Alternatives near the end. A shuffled doc is harder to review.
    ///
    /// **Example.** `## Background` placed after `## Goals and Non-Goals` reports that
    /// Background should come after Overview and before Goals and Non-Goals.
    ///
    /// **Fix.** None automatic: moving prose is a decision for the author.
    pub struct SectionOutOfOrder {
        code: "DD002",
        name: "section-out-of-order",
        level: Warning,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for o in &ctx.alignment.out_of_order {
        let s = &ctx.doc.sections[o.section];
        // A section under another name (an alias, a rewording) was most likely written from
        // another version of the template, whose order may well differ: `Detailed design`
        // before `How we teach this` was the order of Rust's first RFC template.
        let by_name = ctx
            .alignment
            .entries
            .iter()
            .any(|e| e.instances.contains(&o.section) && e.spec.key == s.key);
        if !by_name {
            continue;
        }
        let place = match (&o.after, &o.before) {
            (Some(a), Some(b)) => format!("after `{a}` and before `{b}`"),
            (Some(a), None) => format!("after `{a}`"),
            (None, Some(b)) => format!("before `{b}`"),
            (None, None) => "elsewhere".to_string(),
        };
        out.push(
            ctx.diag(
                &SectionOutOfOrder::META,
                s.heading_span,
                format!("section `{}` is out of order", s.title),
            )
            .with_label(format!("the template puts it {place}")),
        );
    }
}
