//! DD004 section-wrong-level.

use super::{Context, declare_rule};
use crate::diagnostic::{Diagnostic, Level};

declare_rule! {
    /// Reports a template section found outside the parent the template puts it under.
    ///
    /// **What it does.** When a required section is not among its parent's subsections
    /// but a heading with its name exists elsewhere (one level deeper or shallower, or
    /// under another parent), reports where it is and where it belongs. The section
    /// counts as present for the other rules.
    ///
    /// **Why.** A misplaced section is a different problem from a missing one: the
    /// content exists, only the outline is off, and tables of contents come out wrong.
    ///
    /// **Example.** `## Goals` at the top level instead of `### Goals` under
    /// `## Goals and Non-Goals`.
    ///
    /// A template section written as a bold lead-in instead of a heading
    /// (`**Rollout plan**`) counts as present; it gets an info-level hint only.
    ///
    /// **Fix.** None automatic: re-levelling headings moves whole subtrees.
    pub struct SectionWrongLevel {
        code: "DD004",
        name: "section-wrong-level",
        level: Warning,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let a = ctx.alignment;
    for e in &a.entries {
        for &s in &e.wrong_level {
            let section = &ctx.doc.sections[s];
            let parent = e
                .parent_entry
                .map(|p| format!("under `{}`", a.entries[p].spec.title))
                .unwrap_or_else(|| "at the top level".to_string());
            out.push(
                ctx.diag(
                    &SectionWrongLevel::META,
                    section.heading_span,
                    format!("section `{}` is not where the template puts it", section.title),
                )
                .with_label(format!("expected {parent}")),
            );
        }
        if let Some(span) = e.lead_in {
            let mut d = ctx
                .diag(
                    &SectionWrongLevel::META,
                    span,
                    format!("section `{}` is written as bold text, not as a heading", e.spec.title),
                )
                .with_label("counts as the section")
                .with_help("make it a heading so it shows in the outline and in links to the section");
            d.level = d.level.min(Level::Info);
            out.push(d);
        }
    }
}
