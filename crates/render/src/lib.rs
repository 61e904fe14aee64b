//! designdoc's renderer: native SVG for mermaid diagrams (no browser) and exports of the
//! diagram models (SQL DDL from ER diagrams, Graphviz DOT from flowcharts), and the HTML
//! page parts the static site and the hub share. Pure: strings in, strings out.

mod body;
pub mod diagram;
pub mod export;
pub mod highlight;
pub mod parts;
pub mod site;

pub use body::comment_html;
pub use diagram::{DiagramError, render_svg, render_svg_with, standalone_svg};
