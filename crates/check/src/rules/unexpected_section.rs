//! DD003 unexpected-section.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;

declare_rule! {
    /// Reports a section the template does not know (off by default).
    ///
    /// **What it does.** Lists headings that match no template section, alias or
    /// repeatable instance. Subsections of an unexpected section are not reported again.
    ///
    /// **Why.** Teams that want docs to stay strictly on-template can turn it on; most
    /// teams welcome extra sections, so it is off unless configured.
    ///
    /// **Example.** `## Glossary` in a doc checked against the seed template.
    ///
    /// **Fix.** None: rename the section to a template name or add it to the template.
    pub struct UnexpectedSection {
        code: "DD003",
        name: "unexpected-section",
        level: Off,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for &s in &ctx.alignment.unexpected {
        let section = &ctx.doc.sections[s];
        out.push(
            ctx.diag(
                &UnexpectedSection::META,
                section.heading_span,
                format!("section `{}` is not in the template", section.title),
            )
            .with_help("rename it to a template section, or allow it by adding it to the template"),
        );
    }
}
