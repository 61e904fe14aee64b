//! DD099 invalid-input.

use super::declare_rule;

declare_rule! {
    /// Reports a file that cannot be checked as a Markdown document.
    ///
    /// **What it does.** Binary files (a NUL byte in the content) and text that is not
    /// UTF-8 are reported with the position of the first offending byte; the file is left
    /// untouched and the other files are still checked.
    ///
    /// **Why.** A `.md` file that is really an image or a Latin-1 export would otherwise
    /// be silently skipped, or garbled by a fix.
    ///
    /// **Example.** A PNG renamed to `design.md`.
    ///
    /// **Fix.** None: convert the file to UTF-8 or move it out of the docs folder.
    pub struct InvalidInput {
        code: "DD099",
        name: "invalid-input",
        level: Error,
        lifecycle: false,
    }
}
