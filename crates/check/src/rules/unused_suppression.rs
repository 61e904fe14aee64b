//! DD045 unused-suppression.

use super::declare_rule;

declare_rule! {
    /// Reports a suppression comment that suppresses nothing, or names no rule.
    ///
    /// **What it does.** Findings can be silenced in the document itself, as with every
    /// linter: `<!-- designdoc-disable DD015 -->` until `<!-- designdoc-enable DD015 -->`
    /// (or the end of the document), `<!-- designdoc-disable-next-line DD015 -->` for the
    /// line after the comment, and `<!-- designdoc-disable-file DD025 -->` anywhere for the
    /// whole document. Rules are named by code or name (`missing-diagram`), separated by
    /// spaces or commas; none means every rule. A suppression that silenced no finding,
    /// or names a rule that does not exist, is reported here, so stale ones do not pile
    /// up. Comments inside code blocks are text, not suppressions.
    ///
    /// **Why.** A suppression that outlived its finding hides the next real one.
    ///
    /// **Example.** `<!-- designdoc-disable-next-line DD015 -->` above a section that now
    /// has its diagram.
    ///
    /// **Fix.** None: delete the comment.
    pub struct UnusedSuppression {
        code: "DD045",
        name: "unused-suppression",
        level: Warning,
        lifecycle: false,
    }
}
