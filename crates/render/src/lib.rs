//! designdoc's renderer: native SVG for mermaid diagrams (no browser) and exports of the
//! diagram models (SQL DDL from ER diagrams, Graphviz DOT from flowcharts). Pure: strings
//! in, strings out.

pub mod diagram;
pub mod export;
pub mod highlight;
pub mod site;

pub use diagram::{DiagramError, render_svg, render_svg_with};
