//! DD031 broken-relative-link.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

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
    if !ctx.doc.links.iter().any(|l| l.dest.starts_with('#')) {
        return;
    }
    let mut anchors: HashSet<&str> = ctx.doc.sections.iter().map(|s| s.anchor.as_str()).collect();
    anchors.extend(html_ids(ctx.source));
    for link in &ctx.doc.links {
        let Some(anchor) = link.dest.strip_prefix('#') else {
            continue;
        };
        if anchor.is_empty()
            || anchors.contains(anchor)
            || anchors.contains(crate::project::percent_decode(anchor).as_str())
            // GitHub's ids are lowercase and it finds `#Type` at `### Type`.
            || anchors.contains(crate::project::percent_decode(anchor).to_lowercase().as_str())
        {
            continue;
        }
        out.push(
            ctx.diag(
                &BrokenRelativeLink::META,
                link.span,
                format!("no heading for anchor `#{anchor}`"),
            )
            .with_help("anchors are the heading text in lowercase with spaces as `-`"),
        );
    }
}

/// Values of `id="..."` and `name="..."` attributes: explicit HTML anchors.
fn html_ids(source: &str) -> impl Iterator<Item = &str> {
    ["id=\"", "name=\""].into_iter().flat_map(move |attr| {
        source.match_indices(attr).filter_map(move |(i, _)| {
            let rest = &source[i + attr.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
    })
}
