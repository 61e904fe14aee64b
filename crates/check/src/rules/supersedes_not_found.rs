//! DD032 supersedes-not-found.

use super::declare_rule;

declare_rule! {
    /// Reports `supersedes` or `superseded_by` naming a document that does not exist.
    ///
    /// **What it does.** Each value (several may be separated by commas) must be the id
    /// of a checked document (`7`, `0007`, also written `ADR-0007` or `RFC 7`) or the path
    /// or file name of one (`0007-cache.md`). A Markdown link `[ADR-0007](0007-cache.md)`
    /// names its target, else its text. Values that name nothing (`N/A`, `none`, `—`,
    /// `TBD`), template blanks (`<ADR number>`, `ADR-NNNN`, `0000`) and URLs (documents
    /// outside the checked folders) are not looked up.
    ///
    /// **Why.** The supersession chain is how readers find the current design from an old
    /// one; a dangling link breaks it.
    ///
    /// **Example.** `supersedes: 12` when no document has id 12.
    ///
    /// **Fix.** None: correct the id.
    pub struct SupersedesNotFound {
        code: "DD032",
        name: "supersedes-not-found",
        level: Error,
        lifecycle: false,
    }
}
