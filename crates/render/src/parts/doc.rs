//! The doc view: the article (the sanitized body, with a title heading when the document
//! has none) beside the details, contents and findings panels, and the status badge.

use designdoc_check::Diagnostic;
use designdoc_model::{Document, LineIndex};
use maud::{Markup, PreEscaped, html};

/// Findings listed in the panel; the heading still counts them all (a document with
/// thousands of findings should not make a page of thousands of lines).
const MAX_FINDINGS_SHOWN: usize = 200;

/// A status badge; statuses outside the lifecycle get a neutral style.
pub fn badge(status: &str) -> Markup {
    let known = designdoc_check::lifecycle::STATUSES.contains(&status);
    let class = if known { status } else { "unknown" };
    let label = if status.is_empty() { "no status" } else { status };
    html! { span.badge.(class) { (label) } }
}

/// The table of contents: sections of levels 2 and 3.
pub fn toc(doc: &Document) -> Markup {
    html! {
        nav.panel.toc aria-label="Table of contents" {
            h2 { "Contents" }
            ul {
                @for s in doc.sections.iter().filter(|s| (2..=3).contains(&s.level)) {
                    li class={ "l" (s.level) } { a href={ "#" (s.anchor) } { (s.title) } }
                }
            }
        }
        "\n"
    }
}

/// The findings panel: each finding with its line, and a link to its section when the
/// parsed document is at hand.
pub fn findings(source: &str, doc: Option<&Document>, diagnostics: &[Diagnostic]) -> Markup {
    let lines = LineIndex::new(source);
    let section = |offset: usize| {
        doc?.sections
            .iter()
            .rev()
            .find(|s| s.heading_span.start <= offset)
            .map(|s| s.anchor.as_str())
    };
    html! {
        section.panel.findings aria-label="Findings" {
            h2 { "Findings (" (diagnostics.len()) ")" }
            @if diagnostics.is_empty() {
                p { "None: the document matches its template." }
            } @else {
                ul {
                    @for d in diagnostics.iter().take(MAX_FINDINGS_SHOWN) {
                        li class={ "finding " (d.level.as_str()) } {
                            strong { (d.code) }
                            " line " (lines.line_col(source, d.span.start).line) ": " (d.message)
                            @if let Some(anchor) = section(d.span.start) {
                                " " a href={ "#" (anchor) } { "in section" }
                            }
                        }
                    }
                    @if diagnostics.len() > MAX_FINDINGS_SHOWN {
                        li { "… and " (diagnostics.len() - MAX_FINDINGS_SHOWN) " more" }
                    }
                }
            }
        }
        "\n"
    }
}

/// A details row with plain text, or none when the value is empty.
pub fn text_detail<'a>(label: &'a str, value: &str) -> Option<(&'a str, Markup)> {
    (!value.is_empty()).then(|| (label, html! { (value) }))
}

/// The details panel: the status badge, then each row.
pub fn details<'a>(status: &str, rows: impl IntoIterator<Item = Option<(&'a str, Markup)>>) -> Markup {
    html! {
        section.panel {
            h2 { "Details" }
            dl.meta {
                dt { "Status" } dd { (badge(status)) }
                @for (label, value) in rows.into_iter().flatten() {
                    dt { (label) } dd { (value) }
                }
            }
        }
        "\n"
    }
}

/// Where the page's `<h1>` comes from.
pub enum Heading<'a> {
    /// The body starts with the document's own `#` heading, with this id when known.
    InBody(Option<&'a str>),
    /// The document has none: the view adds one with this title.
    Add(&'a str),
}

/// The doc view: the article and, beside it, `aside` (the panels).
///
/// `body` must be sanitized HTML: the output of [`crate::site::body_html`] (Markdown
/// cleaned by ammonia, diagrams by the SVG sanitizer), possibly stored by the hub.
pub fn doc_view(heading: Heading, body: &str, aside: Markup) -> Markup {
    let labelled_by = match heading {
        Heading::InBody(anchor) => anchor,
        Heading::Add(_) => Some("doc-title"),
    };
    html! {
        div.layout {
            "\n"
            article aria-labelledby=[labelled_by] {
                "\n"
                @if let Heading::Add(title) = heading {
                    h1 #doc-title { (title) } "\n"
                }
                // Safe unescaped: the body was sanitized when it was rendered (see above).
                (PreEscaped(body))
            }
            "\n"
            aside aria-label="Document details" { "\n" (aside) }
            "\n"
        }
        "\n"
    }
}
