//! DD031 broken-relative-link.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;

declare_rule! {
    /// Reports a relative link or image whose target does not exist.
    ///
    /// **What it does.** Resolves links without a scheme (`../adr/0003.md`, `img/a.png`)
    /// against the document's folder, and `#anchor` links against the headings of the
    /// document (or of the linked document, when it is one of the checked docs).
    /// Absolute URLs are not fetched.
    ///
    /// **Why.** Docs move and get renamed; a dead link in an approved design is a dead
    /// end for the next reader.
    ///
    /// **Example.** `[prior design](0003-old.md)` after `0003-old.md` was renamed.
    ///
    /// **Fix.** None: point the link at the right file or heading.
    pub struct BrokenRelativeLink {
        code: "DD031",
        name: "broken-relative-link",
        level: Error,
        lifecycle: false,
    }
}

/// Same-document `#anchor` links (file links need the file system: see `project`).
pub(super) fn check_anchors(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for link in &ctx.doc.links {
        let Some(anchor) = link.dest.strip_prefix('#') else { continue };
        if anchor.is_empty() || ctx.doc.section_by_anchor(&crate::project::percent_decode(anchor)).is_some() {
            continue;
        }
        if ctx.source.contains(&format!("id=\"{anchor}\"")) || ctx.source.contains(&format!("name=\"{anchor}\"")) {
            continue; // an explicit HTML anchor
        }
        out.push(
            ctx.diag(&BrokenRelativeLink::META, link.span, format!("no heading for anchor `#{anchor}`"))
                .with_help("anchors are the heading text in lowercase with spaces as `-`"),
        );
    }
}
