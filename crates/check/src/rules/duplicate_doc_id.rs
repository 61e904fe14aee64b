//! DD030 duplicate-doc-id.

use super::declare_rule;

declare_rule! {
    /// Reports two documents with the same id.
    ///
    /// **What it does.** A document's id is its front matter `id`, or else the number its
    /// file name starts with (`0042-rate-limiter.md` is 42). Ids compare as numbers when
    /// they are numbers. Every document after the first with an id is reported.
    ///
    /// **Why.** Links, `supersedes` and the hub address documents by id; two docs with
    /// one id make those ambiguous. It happens when two branches both take the next number.
    ///
    /// **Example.** `0007-cache.md` and `0007-queue.md` in one folder.
    ///
    /// **Fix.** None: renumber one of them (`designdoc new` picks the next free number).
    pub struct DuplicateDocId {
        code: "DD030",
        name: "duplicate-doc-id",
        level: Error,
        lifecycle: false,
    }
}
