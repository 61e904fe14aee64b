//! DD020-DD025: front matter and metadata rules.

use super::{Context, declare_rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Safety};
use crate::lifecycle::{STATUSES, suggest_status};
use designdoc_model::{MetaSource, Span};

declare_rule! {
    /// Reports front matter that cannot be read.
    ///
    /// **What it does.** The `---` block at the top must close and hold a YAML mapping.
    /// The position points into the YAML where the parser stopped.
    ///
    /// **Why.** Unreadable metadata means no status, no authors and no id: the doc drops
    /// out of the index and the lifecycle checks.
    ///
    /// **Example.** `title: [unclosed` or a `---` block with no closing `---`.
    ///
    /// **Fix.** None: correct the YAML by hand.
    pub struct InvalidFrontMatter {
        code: "DD020",
        name: "invalid-front-matter",
        level: Error,
        lifecycle: false,
    }
}

declare_rule! {
    /// Reports a status outside the lifecycle.
    ///
    /// **What it does.** `status` (front matter or a `**Status:**` line) must be one of
    /// draft, review, approved, rejected, superseded, implemented (any case). Close
    /// spellings get a suggestion.
    ///
    /// **Why.** Strictness, the hub's workflow and the index filters all key on status.
    ///
    /// **Example.** `status: In Review` suggests `review`.
    ///
    /// **Fix.** Unsafe: replaces a front matter value with the suggestion.
    pub struct UnknownStatus {
        code: "DD021",
        name: "unknown-status",
        level: Error,
        lifecycle: false,
    }
}

declare_rule! {
    /// Reports a document without a title.
    ///
    /// **What it does.** A title comes from front matter `title` or a level-1 heading.
    /// Required when the template has a title heading or the document has front matter.
    ///
    /// **Why.** Untitled docs show up in the index as file names.
    ///
    /// **Example.** A document that starts with `## Overview` and has no front matter.
    ///
    /// **Fix.** None: only the author can name it.
    pub struct MissingTitle {
        code: "DD022",
        name: "missing-title",
        level: Error,
        lifecycle: false,
    }
}

declare_rule! {
    /// Reports metadata without authors.
    ///
    /// **What it does.** When a document declares a status (front matter or a
    /// `**Status:**` line), it must name its authors (`authors`, `author`, `owner`).
    ///
    /// **Why.** Reviewers need to know whom to ask; the hub lists docs by owner.
    ///
    /// **Example.** Front matter with `title` and `status` only.
    ///
    /// **Fix.** None: `designdoc new` fills authors from git config.
    pub struct MissingAuthors {
        code: "DD023",
        name: "missing-authors",
        level: Warning,
        lifecycle: false,
    }
}

declare_rule! {
    /// Reports a date that is not a real `YYYY-MM-DD` date, or an update before creation.
    ///
    /// **What it does.** Checks `created`, `updated` and any front matter key ending in
    /// `date`. ISO date-times are accepted; month and day are range-checked.
    ///
    /// **Why.** The hub sorts and ages documents by these dates.
    ///
    /// **Example.** `created: 2024-13-01` or `created: next week`.
    ///
    /// **Fix.** None.
    pub struct InvalidDate {
        code: "DD024",
        name: "invalid-date",
        level: Error,
        lifecycle: false,
    }
}

declare_rule! {
    /// Reports a document that declares no status.
    ///
    /// **What it does.** Looks for `status` in front matter or a `**Status:**` line.
    ///
    /// **Why.** Without a status nobody knows whether the design is a draft or approved,
    /// and the checker cannot tell how strict to be (it treats the doc as a draft).
    ///
    /// **Example.** A Markdown design doc with no front matter.
    ///
    /// **Fix.** Safe: adds front matter with `status: draft` (and the title from the
    /// level-1 heading), or adds `status: draft` to existing front matter.
    pub struct MissingMetadata {
        code: "DD025",
        name: "missing-metadata",
        level: Warning,
        lifecycle: false,
    }
}

pub(super) fn check_invalid(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in ctx.parse_errors {
        let mut d = ctx.diag(&InvalidFrontMatter::META, e.span, e.message.clone());
        if e.span.is_empty() {
            d = d.with_label("the YAML parser stopped here");
        }
        if let Some(help) = &e.help {
            d = d.with_help(help.clone());
        }
        out.push(d);
    }
}

pub(super) fn check_missing_metadata(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Unreadable front matter may well hold a status: `invalid-front-matter` says so.
    if ctx.doc.meta("status").is_some() || !ctx.parse_errors.is_empty() {
        return;
    }
    let doc = ctx.doc;
    let (span, fix) = match &doc.front_matter {
        Some(fm) => {
            let at = fm.yaml_span.end;
            (
                Span::new(fm.span.start, fm.span.start + 3),
                Some(Fix {
                    message: "add `status: draft` to the front matter".to_string(),
                    safety: Safety::Safe,
                    edits: vec![Edit {
                        span: Span::point(at),
                        text: "status: draft\n".to_string(),
                    }],
                }),
            )
        }
        None => {
            let start = doc.body_start;
            let end = ctx.source[start..].find('\n').map_or(ctx.source.len(), |i| start + i);
            let has_inline = doc.metadata.iter().any(|f| f.source == MetaSource::Inline);
            let fix = (!has_inline && ctx.parse_errors.is_empty()).then(|| {
                let mut fm = String::from("---\n");
                if let Some(title) = doc.title() {
                    fm.push_str(&format!("title: {}\n", yaml_string(&title)));
                }
                fm.push_str("status: draft\n---\n\n");
                Fix {
                    message: "add front matter with `status: draft`".to_string(),
                    safety: Safety::Safe,
                    edits: vec![Edit {
                        span: Span::point(start),
                        text: fm,
                    }],
                }
            });
            (Span::new(start, end), fix)
        }
    };
    let mut d = ctx
        .diag(&MissingMetadata::META, span, "document declares no status")
        .with_help("add front matter with `status: draft` (or review, approved, ...); without it the doc is checked as a draft");
    if let Some(fix) = fix {
        d = d.with_fix(fix);
    }
    out.push(d);
}

/// Quotes a YAML scalar when plain style would misread it.
fn yaml_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with([
            '[', '{', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '-', '?', '#', ' ',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.ends_with(' ');
    if plain { s.to_string() } else { format!("{:?}", s) }
}

pub(super) fn check_status(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(field) = ctx.doc.meta("status") else { return };
    let value = field.first().trim();
    let lower = value.to_lowercase();
    if STATUSES.contains(&lower.as_str()) {
        return;
    }
    let mut d = ctx.diag(
        &UnknownStatus::META,
        field.value_span,
        format!("unknown status `{value}`"),
    );
    let help = format!("use one of: {}", STATUSES.join(", "));
    match suggest_status(&lower) {
        Some(s) => {
            d = d.with_label(format!("did you mean `{s}`?")).with_help(help);
            if field.source == MetaSource::FrontMatter && !field.value_span.is_empty() {
                d = d.with_fix(Fix {
                    message: format!("replace with `{s}`"),
                    safety: Safety::Unsafe,
                    edits: vec![Edit {
                        span: field.value_span,
                        text: s.to_string(),
                    }],
                });
            }
        }
        None => d = d.with_help(help),
    }
    out.push(d);
}

pub(super) fn check_title(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A template without a title heading (like Rust's RFC template) does not ask for one,
    // unless the document opts into front matter.
    let wanted = ctx.schema.needs_title || ctx.doc.front_matter.is_some();
    if !wanted || ctx.doc.title().is_some() {
        return;
    }
    let span = ctx.doc.front_matter.as_ref().map_or_else(
        || {
            let s = ctx.doc.body_start;
            Span::new(s, ctx.source[s..].find('\n').map_or(ctx.source.len(), |i| s + i))
        },
        |fm| Span::new(fm.span.start, fm.span.start + 3),
    );
    out.push(
        ctx.diag(&MissingTitle::META, span, "document has no title")
            .with_help("add `title:` to the front matter or a `# Title` heading"),
    );
}

pub(super) fn check_authors(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    // Only documents that take part in the lifecycle (declare a status) must name authors;
    // the others already get `missing-metadata`.
    if doc.meta("status").is_none() {
        return;
    }
    if doc
        .meta("authors")
        .is_some_and(|f| f.values.iter().any(|v| !v.trim().is_empty()))
    {
        return;
    }
    let span = match (&doc.front_matter, doc.meta("authors"), doc.metadata.first()) {
        (_, Some(f), _) => f.key_span,
        (Some(fm), _, _) => Span::new(fm.span.start, fm.span.start + 3),
        (None, None, Some(f)) => f.key_span,
        (None, None, None) => Span::point(doc.body_start),
    };
    out.push(
        ctx.diag(&MissingAuthors::META, span, "document names no authors")
            .with_help("add `authors: [Your Name]` to the front matter"),
    );
}

pub(super) fn check_dates(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut created = None;
    let mut updated = None;
    for f in &ctx.doc.metadata {
        let is_date = f.key == "created" || f.key == "updated" || f.key.ends_with("date");
        if !is_date || f.values.is_empty() {
            continue;
        }
        let value = f.first().trim();
        match parse_date(value) {
            Some(d) => {
                if f.key == "created" && created.is_none() {
                    created = Some((d, f.value_span));
                }
                if f.key == "updated" && updated.is_none() {
                    updated = Some((d, f.value_span));
                }
            }
            None => out.push(
                ctx.diag(
                    &InvalidDate::META,
                    f.value_span,
                    format!("`{value}` is not a valid date"),
                )
                .with_help("write dates as YYYY-MM-DD"),
            ),
        }
    }
    if let (Some((c, _)), Some((u, span))) = (created, updated)
        && u < c
    {
        out.push(ctx.diag(&InvalidDate::META, span, "updated date is before the created date"));
    }
}

/// `YYYY-MM-DD`, optionally followed by a time (`T10:00:00Z`, ` 10:00`).
pub(crate) fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let date = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: u32 = date[..4].parse().ok()?;
    let m: u32 = date[5..7].parse().ok()?;
    let d: u32 = date[8..10].parse().ok()?;
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-01-05T10:00:00Z"), Some((2024, 1, 5)));
        assert_eq!(parse_date("next week"), None);
        assert_eq!(parse_date("2024-1-5"), None);
        assert_eq!(parse_date("2024-01-05x"), None);
    }
}
