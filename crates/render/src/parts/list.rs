//! The doc list: the filter form, the count line and the table of documents. On the static
//! site a script filters and sorts the table in place (it reads the `data-*` attributes);
//! the hub has no script, so its form is a plain GET.

use super::{badge, sortable_class, table_head};
use maud::{Markup, html};

/// One document in the list.
pub struct DocRow<'a> {
    pub href: String,
    pub space: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub status: &'a str,
    pub authors: &'a [String],
    pub tags: &'a [String],
    pub updated: String,
    /// Errors and warnings.
    pub findings: (usize, usize),
    pub revision: i64,
}

/// Which of the optional columns a list shows, and whether the site's script drives it.
pub struct DocColumns {
    pub space: bool,
    pub findings: bool,
    pub revision: bool,
    /// Sort buttons, and the `data-*` attributes the filter script reads (left out
    /// without the script: they would only repeat the row's text).
    pub scripted: bool,
}

/// The table of documents (`#docs`).
pub fn doc_table(rows: &[DocRow], columns: &DocColumns) -> Markup {
    let scripted = columns.scripted;
    let mut head = Vec::with_capacity(9);
    if columns.space {
        head.push(("Space", true));
    }
    head.extend([
        ("Id", true),
        ("Title", true),
        ("Status", true),
        ("Authors", true),
        ("Updated", true),
        ("Tags", false),
    ]);
    if columns.findings {
        head.push(("Findings", true));
    }
    if columns.revision {
        head.push(("Revision", true));
    }
    html! {
        table #docs class=[sortable_class(scripted)] {
            "\n" caption.sr-only { "All design documents" } "\n"
            (table_head(&head, scripted)) "\n"
            tbody {
                "\n"
                @for d in rows {
                    @let lower_tags = d.tags.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(",");
                    tr data-url=[scripted.then_some(&d.href)]
                        data-status=[scripted.then_some(d.status)]
                        data-authors=[scripted.then(|| d.authors.join(", ").to_lowercase())]
                        data-tags=[scripted.then_some(lower_tags)]
                        data-title=[scripted.then(|| d.title.to_lowercase())] {
                        @if columns.space { td { (d.space) } }
                        td { (d.id) }
                        td { a href=(d.href) { (d.title) } }
                        td { (badge(d.status)) }
                        td { (d.authors.join(", ")) }
                        td { (d.updated) }
                        td { (d.tags.join(", ")) }
                        @if columns.findings {
                            @let (errors, warnings) = d.findings;
                            td.counts data-sort=(format!("{:06}", errors * 1000 + warnings)) {
                                (errors) " errors, " (warnings) " warnings"
                            }
                        }
                        @if columns.revision { td { (d.revision) } }
                    }
                    "\n"
                }
            }
            "\n"
        }
        "\n"
    }
}

/// The filter form over the list.
pub struct Filters<'a> {
    /// Where the form is sent (the hub); none on the site, whose script filters as you type.
    pub action: Option<&'a str>,
    /// The spaces to choose from (the hub), and the chosen one.
    pub spaces: Option<(&'a [&'a str], Option<&'a str>)>,
    pub statuses: &'a [&'a str],
    pub status: Option<&'a str>,
    pub author: &'a str,
    pub tag: &'a str,
    /// A search over titles and text (the site's index holds the text).
    pub text: Option<&'a str>,
}

fn choice(name: &str, label: &str, options: &[&str], chosen: Option<&str>) -> Markup {
    html! {
        label {
            (label)
            select id={ "filter-" (name) } name=(name) {
                option value="" { "any" }
                @for o in options {
                    option value=(o) selected[chosen == Some(*o)] { (o) }
                }
            }
        }
        "\n"
    }
}

fn search_field(name: &str, label: &str, value: &str, placeholder: Option<&str>) -> Markup {
    html! {
        label {
            (label)
            input id={ "filter-" (name) } name=(name) type="search" value=(value) placeholder=[placeholder];
        }
        "\n"
    }
}

/// The index page's content: heading, filters, the count line, the table and what
/// follows it (the hub's pager).
pub fn doc_index(filters: &Filters, count: Markup, table: Markup, after: Markup) -> Markup {
    html! {
        h1 { "Design documents" } "\n"
        form.filters method=[filters.action.map(|_| "get")] action=[filters.action]
            role="search" aria-label="Filter documents" {
            "\n"
            @if let Some((spaces, chosen)) = filters.spaces {
                (choice("space", "Space", spaces, chosen))
            }
            (choice("status", "Status", filters.statuses, filters.status))
            (search_field("author", "Author", filters.author, None))
            (search_field("tag", "Tag", filters.tag, None))
            @if let Some(text) = filters.text {
                (search_field("q", "Search", text, Some("title or text")))
            }
            button type="submit" { "Filter" } "\n"
        }
        "\n"
        (count)
        (table)
        (after)
    }
}

/// `N of M documents.`, N in `#shown-count` (the site's script updates it), with the
/// range shown when the list is paged.
pub fn shown_count(shown: usize, total: i64, range: Option<(i64, i64)>) -> Markup {
    html! {
        p {
            span #shown-count { (shown) } " of " (total) " documents"
            @if let Some((from, to)) = range { " (from " (from) " to " (to) ")" }
            "."
        }
        "\n"
    }
}
