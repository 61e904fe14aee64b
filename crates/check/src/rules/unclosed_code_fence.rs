//! DD006 unclosed-code-fence.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;

declare_rule! {
    /// Reports a code fence that is never closed and swallows headings of the template.
    ///
    /// **What it does.** When the last fenced code block of a document has no closing
    /// fence, Markdown reads everything after it as code, headings included. If lines
    /// inside it read as headings of template sections, reports the fence once, names
    /// the headings it swallowed, and those sections are not reported as missing.
    ///
    /// **Why.** The sections are there in the text but not in the rendered document or
    /// its outline; "missing section" for each of them would send the author looking for
    /// the wrong problem.
    ///
    /// **Example.** A ```` ```sh ```` block under Rollout Plan without its closing
    /// ```` ``` ````, followed by `## Risks and Mitigations` and `## References`.
    ///
    /// **Fix.** None automatic: only the author knows where the code ends; add the
    /// closing fence there.
    pub struct UnclosedCodeFence {
        code: "DD006",
        name: "unclosed-code-fence",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(fence) = &ctx.alignment.unclosed_fence else {
        return;
    };
    let names: Vec<String> = fence.headings.iter().take(3).map(|(_, t)| format!("`{t}`")).collect();
    let more = fence.headings.len().saturating_sub(names.len());
    let mut list = names.join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    let n = fence.headings.len();
    let noun = if n == 1 { "heading" } else { "headings" };
    let fence_text = ctx.text(fence.span).trim_start();
    let closing: String = fence_text
        .chars()
        .take_while(|&c| c == fence_text.chars().next().unwrap_or('`'))
        .collect();
    out.push(
        ctx.diag(
            &UnclosedCodeFence::META,
            fence.span,
            format!("code fence is never closed and swallows {n} template {noun}: {list}"),
        )
        .with_label("this block runs to the end of the document")
        .with_help(format!("add a closing {closing} line where the code ends")),
    );
}
