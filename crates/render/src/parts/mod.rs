//! Page parts shared by the static site and the hub: the frame, the doc view with its
//! details, contents and findings panels, the doc list with its filters, and the register
//! tables. Each part is a function returning escaped [`Markup`]; what differs between the
//! two (links, script-driven sorting, the hub's account links) comes in as parameters, so
//! a fix to one page reaches both.

mod doc;
mod frame;
mod list;
mod registers;

pub use doc::{Heading, badge, details, doc_view, findings, text_detail, toc};
pub use frame::{Frame, REGISTERS, page};
pub use list::{DocColumns, DocRow, Filters, doc_index, doc_table, shown_count};
pub use registers::{Component, Entity, Risk, components, entities, risks};

pub use maud::{Markup, PreEscaped, html};

/// A link to a document, as shown in tables.
pub struct DocLink<'a> {
    pub href: String,
    pub title: &'a str,
}

/// A table header: each label, and whether the site's script may sort by it (a button
/// then carries the label).
fn table_head(columns: &[(&str, bool)], sortable: bool) -> Markup {
    html! {
        thead { tr {
            @for (label, sorts) in columns {
                th scope="col" {
                    @if sortable && *sorts { button { (label) } } @else { (label) }
                }
            }
        } }
    }
}

/// `class="sortable"` for tables the site's script sorts.
fn sortable_class(sortable: bool) -> Option<&'static str> {
    sortable.then_some("sortable")
}

/// Styles the hub adds to the site's (served after [`crate::site::CSS`]).
pub const HUB_CSS: &str = include_str!("../../assets/hub.css");
