//! The registers gathered from every document: risks, components and entities, each a
//! page part with its heading, a count and the table.

use super::{DocLink, sortable_class, table_head};
use designdoc_check::registers::rank;
use maud::{Markup, html};

/// A row of a risk table.
pub struct Risk<'a> {
    pub risk: &'a str,
    pub impact: &'a str,
    pub likelihood: &'a str,
    pub mitigation: &'a str,
    pub doc: DocLink<'a>,
}

/// A component described in a document (its subsection is at `anchor`).
pub struct Component<'a> {
    pub name: &'a str,
    pub purpose: &'a str,
    pub anchor: &'a str,
    pub doc: DocLink<'a>,
}

/// An entity of a document's ER diagram, defined there or only related to.
pub struct Entity<'a> {
    pub name: &'a str,
    pub defined: bool,
    pub doc: DocLink<'a>,
}

fn doc_link(doc: &DocLink) -> Markup {
    html! { a href=(doc.href) { (doc.title) } }
}

/// A register page: heading, count line and the table of `rows`.
struct Register<'a> {
    title: &'a str,
    count: String,
    id: &'a str,
    caption: &'a str,
    head: &'a [(&'a str, bool)],
    sortable: bool,
}

fn register(r: &Register, rows: Markup) -> Markup {
    html! {
        h1 { (r.title) } "\n"
        p { (r.count) } "\n"
        table id=(r.id) class=[sortable_class(r.sortable)] {
            caption.sr-only { (r.caption) }
            (table_head(r.head, r.sortable))
            tbody { "\n" (rows) }
        }
        "\n"
    }
}

/// The risk register, highest impact (then likelihood) first.
pub fn risks(mut rows: Vec<Risk>, sortable: bool) -> Markup {
    rows.sort_by_key(|r| (rank(r.impact), rank(r.likelihood)));
    let register_of = Register {
        title: "Risk register",
        count: format!("{} risks across all documents, highest impact first.", rows.len()),
        id: "risks",
        caption: "All risks",
        head: &[
            ("Risk", true),
            ("Impact", true),
            ("Likelihood", true),
            ("Mitigation", false),
            ("Document", true),
        ],
        sortable,
    };
    register(
        &register_of,
        html! {
            @for r in &rows {
                tr {
                    td { (r.risk) }
                    // Sorted by rank, not by the words (High before Low).
                    td data-sort=(rank(r.impact)) { (r.impact) }
                    td data-sort=(rank(r.likelihood)) { (r.likelihood) }
                    td { (r.mitigation) }
                    td { (doc_link(&r.doc)) }
                }
                "\n"
            }
        },
    )
}

/// The components register, by name.
pub fn components(mut rows: Vec<Component>, sortable: bool) -> Markup {
    rows.sort_by_cached_key(|c| (c.name.to_lowercase(), c.doc.title.to_lowercase()));
    let register_of = Register {
        title: "Components",
        count: format!("{} components described across all documents.", rows.len()),
        id: "components",
        caption: "All components",
        head: &[("Component", true), ("Purpose", false), ("Document", true)],
        sortable,
    };
    register(
        &register_of,
        html! {
            @for c in &rows {
                tr {
                    td { a href={ (c.doc.href) "#" (c.anchor) } { (c.name) } }
                    td { (c.purpose) }
                    td { (doc_link(&c.doc)) }
                }
                "\n"
            }
        },
    )
}

/// The entities register: each mention of an entity, by name.
pub fn entities(mut rows: Vec<Entity>, sortable: bool) -> Markup {
    rows.sort_by_cached_key(|e| (e.name.to_lowercase(), e.doc.title.to_lowercase()));
    let register_of = Register {
        title: "Entities",
        count: format!("{} entity mentions in the ER diagrams of all documents.", rows.len()),
        id: "entities",
        caption: "All entities",
        head: &[("Entity", true), ("Document", true), ("Role", true)],
        sortable,
    };
    register(
        &register_of,
        html! {
            @for e in &rows {
                tr {
                    td { (e.name) }
                    td { (doc_link(&e.doc)) }
                    td { @if e.defined { "defines it" } @else { "uses it" } }
                }
                "\n"
            }
        },
    )
}
