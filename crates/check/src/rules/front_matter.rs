//! DD020-DD025: front matter and metadata rules.

use super::{Context, declare_rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level, Safety};
use crate::lifecycle::{STATUSES, canonical_status, suggest_status};
use crate::metadata::is_placeholder;
use crate::rules::RuleMeta;
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
    /// **What it does.** `status` (front matter or a `**Status:**` line) must name a
    /// lifecycle status: draft, review, approved, rejected, superseded, implemented, or
    /// one of their aliases (any case, `-`/`_` as spaces), alone or followed by a qualifier
    /// (`Superseded by ADR-0005`, `Accepted (2024-03-01)`). A status the template itself
    /// offers (`**Status:** Draft | Spike | Approved`, `status: "{proposed | accepted}"`)
    /// is valid for documents of that template. The template's own choice list left in a
    /// document is an unfilled placeholder (`unfilled-placeholder`), not an unknown status.
    /// Close misspellings get a suggestion.
    ///
    /// | status | aliases accepted as it |
    /// |---|---|
    /// | draft | wip, work in progress, in progress, provisional (KEP, PEP), deferred (KEP, PEP), postponed |
    /// | review | proposed (MADR), in review, under review, ready for review, final comment period, fcp |
    /// | approved | accepted (MADR, PEP), implementable (KEP), active (PEP) |
    /// | rejected | withdrawn (KEP, PEP), declined, abandoned |
    /// | superseded | deprecated (MADR), replaced (KEP), obsolete |
    /// | implemented | final (PEP), shipped, released, done, complete, completed |
    ///
    /// Strictness reads through the same table; a status only the template knows reads
    /// as a draft.
    ///
    /// **Why.** Strictness, the hub's workflow and the index filters all key on status.
    ///
    /// **Example.** `status: banana`; `status: aproved` suggests `approved`.
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
    /// **What it does.** When the template asks for authors (an `authors`, `author` or
    /// `owner` key in its front matter or metadata lines; the built-in template always
    /// does) or `[rules]` sets this rule's level, a document must name its authors. A
    /// document without a status is left to `missing-metadata` when the template asks for
    /// a status too. A value the template left for the author to fill (`<name>`, or blank
    /// where the template has the key) is reported by `unfilled-placeholder` instead.
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
    /// `date`. ISO date-times are accepted, also in parentheses; month and day are
    /// range-checked. A format or a blank left from the template (`YYYY-MM-DD`, `<date>`,
    /// `{date}`) is an unfilled placeholder, not an invalid date.
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
    /// **What it does.** Looks for `status` in front matter or a `**Status:**` line, when
    /// the template asks for one (a `status` key in its front matter or a status line
    /// above its first section; the built-in template always does) or `[rules]` sets this
    /// rule's level. A template without a status (Rust's RFC template, Nygard's ADR with a
    /// `## Status` section) does not make its documents declare one.
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

/// Does the template (or `[rules]`) ask documents for this rule's key?
fn asked(ctx: &Context, meta: &RuleMeta, by_template: bool) -> bool {
    by_template || ctx.config.explicit(meta).is_some_and(|l| l != Level::Off)
}

pub(super) fn check_missing_metadata(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !asked(ctx, &MissingMetadata::META, ctx.schema.metadata.status) {
        return;
    }
    // Unreadable front matter may well hold a status: `invalid-front-matter` says so.
    if !ctx.parse_errors.is_empty() {
        return;
    }
    let doc = ctx.doc;
    if let Some(field) = doc.meta("status") {
        // A blank the template also has is its placeholder (`unfilled-placeholder`);
        // a blank key the template does not write declares no status either.
        let blank = field.values.iter().all(|v| v.trim().is_empty());
        if blank && !ctx.schema.metadata.keys.iter().any(|k| k == "status") {
            out.push(
                ctx.diag(&MissingMetadata::META, field.key_span, "document declares no status")
                    .with_label("this status is blank")
                    .with_help(
                        "write a status: draft, review, approved, ...; without it the doc is checked as a draft",
                    ),
            );
        }
        return;
    }
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
    // Blanks are `missing-metadata`'s, the template's choice list `unfilled-placeholder`'s.
    if value.is_empty() || is_placeholder(field) {
        return;
    }
    let offered = |v: &str| canonical_status(v).is_some() || ctx.schema.metadata.offers_status(v);
    // `Accepted/Implemented`: every part a status.
    if offered(value) || (value.contains('/') && value.split('/').all(|p| offered(p.trim()))) {
        return;
    }
    let lower = value.to_lowercase();
    let mut d = ctx.diag(
        &UnknownStatus::META,
        field.value_span,
        format!("unknown status `{value}`"),
    );
    let mut help = format!(
        "use one of: {} (or an alias such as accepted or proposed; `designdoc rules unknown-status` lists them)",
        STATUSES.join(", ")
    );
    // The template's own words for a status, where the table does not know them.
    let own: Vec<&str> = ctx
        .schema
        .metadata
        .status_choices
        .iter()
        .map(String::as_str)
        .filter(|c| canonical_status(c).is_none())
        .collect();
    if !own.is_empty() {
        help.push_str(&format!(" (or what the template offers: {})", own.join(", ")));
    }
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
    let spec = &ctx.schema.metadata;
    if !asked(ctx, &MissingAuthors::META, spec.authors) {
        return;
    }
    // A document without a status already gets `missing-metadata` when the template asks
    // for one; one finding about its missing metadata is enough.
    let status_asked = asked(ctx, &MissingMetadata::META, spec.status);
    if status_asked && doc.meta("status").is_none() {
        return;
    }
    if let Some(f) = doc.meta("authors") {
        if f.values.iter().any(|v| !v.trim().is_empty()) && !is_placeholder(f) {
            return;
        }
        // The template's own blank or placeholder: `unfilled-placeholder` reports it.
        if is_placeholder(f) || spec.keys.iter().any(|k| k == "authors") {
            return;
        }
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
        // A template's `YYYY-MM-DD` or `<date>` is a placeholder (`unfilled-placeholder`).
        if !is_date || f.values.is_empty() || is_placeholder(f) {
            continue;
        }
        let value = f.first().trim();
        // `(2016-06-17)`: a real date in parentheses.
        let value = value
            .strip_prefix('(')
            .and_then(|v| v.strip_suffix(')'))
            .map_or(value, str::trim);
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
