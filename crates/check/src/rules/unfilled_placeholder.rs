//! DD010 unfilled-placeholder.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::metadata::is_placeholder;
use crate::template::normalize_placeholder;
use designdoc_model::BlockKind;
use designdoc_model::canonical_meta_key;

declare_rule! {
    /// Reports bracketed template text such as `[Goal 1]` left in the document.
    ///
    /// **What it does.** Finds bracketed text outside code and outside link text that the
    /// template uses as a placeholder (counters ignored, so `[Goal 4]` matches `[Goal 1]`),
    /// also inside headings (`# Design: [Feature Name]`); bracketed text the template does
    /// not know only when it is all of its paragraph, item, cell or heading and reads as an
    /// instruction (`[Describe the rollout]`, `[Your Name]`, `[TBD]`, `[YYYY-MM-DD]`).
    /// The template's unbracketed sample items left verbatim (`- Goal 1`) are reported
    /// too. Never placeholders: Markdown links and the brackets inside their text,
    /// footnotes, task boxes (`- [ ]`), qualifiers kept from the template (`[Optional]`,
    /// `[If applicable]`), and content written in the placeholder's bracket style
    /// (`- [Redis]` where the template had `- [Dependency]`).
    /// Metadata values are placeholders when they are the template's blanks: a format
    /// (`YYYY-MM-DD`), text in `<…>` or `{…}` (or `[…]` on a `**Key:**` line), a status
    /// written as the template's choice list (`Draft | In Review`), or a blank value of a
    /// key the template writes.
    ///
    /// **Why.** A placeholder that survives into review means a part of the design was
    /// never written, and it reads as if it were.
    ///
    /// **Example.** `- [Metric 1]` under `### Metrics`.
    ///
    /// **Fix.** None: write the content the placeholder asks for.
    pub struct UnfilledPlaceholder {
        code: "DD010",
        name: "unfilled-placeholder",
        level: Error,
        lifecycle: true,
    }
}

/// Bracketed qualifiers templates put beside headings and items; keeping one is not
/// leaving a placeholder.
const QUALIFIERS: &[&str] = &[
    "optional",
    "if applicable",
    "if any",
    "if needed",
    "if relevant",
    "required",
    "recommended",
    "mandatory",
    "draft",
    "deprecated",
];

/// First words of a bracketed instruction to the author.
const INSTRUCTIONS: &[&str] = &[
    "describe",
    "explain",
    "list",
    "add",
    "insert",
    "enter",
    "write",
    "provide",
    "fill",
    "specify",
    "summarize",
    "summarise",
    "include",
    "outline",
    "define",
    "give",
    "replace",
    "link",
    "state",
    "put",
    "your",
];

/// Last words of a bracketed name to be filled in (`[Feature Name]`, `[Doc Title]`).
const BLANKS: &[&str] = &[
    "name", "title", "date", "owner", "author", "authors", "email", "url", "link", "here",
];

/// Words that mark unfinished text wherever they stand.
const MARKERS: &[&str] = &["tbd", "todo", "fixme", "xxx", "tk", "yyyy", "placeholder"];

/// Does bracketed text the template does not know read as a placeholder? Only clear
/// instructions and blanks do: `[ID]`, `[String]`, `[as text]` or `[全文]` are content.
fn reads_as_placeholder(key: &str) -> bool {
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    words.iter().any(|w| MARKERS.contains(w))
        || (words.len() >= 2 && INSTRUCTIONS.contains(first))
        || (words.len() <= 4 && BLANKS.contains(last))
        || key.starts_with("e g ")
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in &ctx.doc.placeholders {
        let key = normalize_placeholder(&p.text);
        if QUALIFIERS.contains(&key.as_str()) {
            continue;
        }
        let known = ctx.schema.placeholders.binary_search(&key).is_ok();
        if !(known || (p.whole && reads_as_placeholder(&key))) {
            continue;
        }
        out.push(
            ctx.diag(
                &UnfilledPlaceholder::META,
                p.span,
                format!("unfilled placeholder `[{}]`", p.text),
            )
            .with_label("replace this with real content"),
        );
    }
    check_sample_items(ctx, out);
    check_metadata(ctx, out);
}

/// List items identical to one of the template's unbracketed samples (`- Goal 1`).
fn check_sample_items(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.schema.sample_items.is_empty() {
        return;
    }
    for block in &ctx.doc.blocks {
        let BlockKind::List(list) = &block.kind else { continue };
        for item in list.items.iter().filter(|i| i.label.is_none()) {
            let text = item.text.text.trim();
            let key = normalize_placeholder(text);
            if ctx.schema.sample_items.binary_search(&key).is_ok() {
                out.push(
                    ctx.diag(
                        &UnfilledPlaceholder::META,
                        item.text.source_span(0, item.text.text.len()),
                        format!("sample item `{text}` left from the template"),
                    )
                    .with_label("replace this with real content"),
                );
            }
        }
    }
}

/// Metadata values left as the template wrote them. Bracketed text on an inline line is
/// already one of the document's placeholders above, and is not reported twice.
fn check_metadata(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in &ctx.doc.metadata {
        // Only keys designdoc reads: other front matter (tool settings, free-form maps) is
        // not the template's blanks.
        if canonical_meta_key(&f.key).is_none() && !f.key.ends_with("date") {
            continue;
        }
        let covered =
            ctx.doc.placeholders.iter().any(|p| {
                p.span.start < f.value_span.end.max(f.value_span.start + 1) && f.value_span.start < p.span.end
            });
        if covered {
            continue;
        }
        let blank = f.values.iter().all(|v| v.trim().is_empty());
        if blank {
            if ctx.schema.metadata.keys.contains(&f.key) {
                out.push(
                    ctx.diag(
                        &UnfilledPlaceholder::META,
                        f.key_span,
                        format!(
                            "`{}` is left blank",
                            ctx.text(f.key_span).trim().trim_matches(['*', '_', ':', '|', '-', ' '])
                        ),
                    )
                    .with_label("the template asks for a value here"),
                );
            }
            continue;
        }
        if is_placeholder(f) {
            let shown = ctx.text(f.value_span).trim();
            let shown = if shown.is_empty() { f.first() } else { shown };
            out.push(
                ctx.diag(
                    &UnfilledPlaceholder::META,
                    f.value_span,
                    format!("unfilled placeholder `{}`", shorten(shown)),
                )
                .with_label("replace this with the real value"),
            );
        }
    }
}

/// At most 60 chars of a value for a message (a template's blank can be a sentence).
fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
