//! Mermaid -> SVG. Our parser decides validity (exact positions, rejects what Mermaid
//! rejects); the drawing is done by `merman` or `mermaid-svg` (`draw`), hidden behind
//! this module so that they can be swapped. Every drawing is bounded before it starts (`limits`), runs on a
//! thread of its own under a time budget (`worker`), and its SVG is rewritten by a
//! parsing sanitizer and re-read as a browser would before it is returned (`sanitize`).

mod draw;
mod limits;
mod memory;
mod sanitize;
mod worker;

pub use memory::{Budgeted, parked as drawings_stopped_for_memory};

pub use designdoc_model::mermaid::limits::DiagramLimits;
pub(crate) use sanitize::{Piece, pieces};
pub use sanitize::{active_content, max_open_depth, sanitize_svg};
pub use worker::abandoned as abandoned_drawings;

use designdoc_model::mermaid::limits::{check_source, group};
use designdoc_model::mermaid::parse_diagram;
use std::fmt;
use std::ops::Range;
use worker::Overrun;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagramError {
    /// The diagram has errors; ranges are byte offsets into the diagram source.
    Invalid(Vec<(String, Range<usize>)>),
    /// Valid, but over a bound of [`DiagramLimits`]: what, with the figure and the bound.
    TooLarge(String),
    /// Not drawn this time: the drawing overran its time budget, or the renderer was busy
    /// with earlier overruns. Drawing it again later may succeed.
    Overrun(String),
    /// Valid, but holding a value we do not pass to the drawing library (a style value
    /// with markup or a script URL).
    Refused(String),
    /// The drawing library refused or produced unsafe output.
    Renderer(String),
    /// A kind we do not draw (only the kinds whose drawings are checked for structure
    /// are: flowchart, ER, sequence, class, state); its header keyword. Pages show the
    /// source instead.
    NotDrawn(String),
}

impl fmt::Display for DiagramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiagramError::Invalid(errors) => {
                let first = errors.first().map_or("invalid diagram", |(m, _)| m.as_str());
                write!(f, "{first}")?;
                if errors.len() > 1 {
                    write!(f, " (and {} more)", errors.len() - 1)?;
                }
                Ok(())
            }
            DiagramError::TooLarge(m) => write!(f, "diagram too large to draw: {m}"),
            DiagramError::Overrun(m) => write!(f, "diagram not drawn in time: {m}"),
            DiagramError::Refused(m) => write!(f, "diagram not drawn: {m}"),
            DiagramError::Renderer(m) => write!(f, "cannot draw the diagram: {m}"),
            DiagramError::NotDrawn(kind) => write!(f, "not drawn: {kind}"),
        }
    }
}

impl std::error::Error for DiagramError {}

/// Renders a mermaid diagram to a standalone SVG document under the default limits.
/// Deterministic: the same source gives the same bytes. Labels are escaped; markup in
/// labels never becomes elements.
pub fn render_svg(src: &str) -> Result<String, DiagramError> {
    render_svg_with(src, &DiagramLimits::default())
}

/// Renders under explicit limits: bounds on the source and the parsed tree are checked
/// before drawing, the drawing runs on its own thread for at most `limits.time`, and a
/// drawing larger than `limits.max_svg_bytes` is refused.
pub fn render_svg_with(src: &str, limits: &DiagramLimits) -> Result<String, DiagramError> {
    let parsed = parse_diagram(src);
    if !parsed.errors.is_empty() {
        return Err(DiagramError::Invalid(
            parsed.errors.into_iter().map(|e| (e.message, e.range)).collect(),
        ));
    }
    // Before the drawing bounds: a kind we do not draw need not fit them.
    if !draw::drawn(parsed.kind) {
        let kind = designdoc_model::mermaid::header_keyword(src).unwrap_or("unknown kind");
        return Err(DiagramError::NotDrawn(kind.chars().take(40).collect()));
    }
    check_source(src, &parsed, limits).map_err(|e| DiagramError::TooLarge(e.what))?;
    if let Some(problem) = sanitize::unsafe_style(src) {
        return Err(DiagramError::Refused(problem));
    }
    let owned = src.to_string();
    let tree_limits = limits.clone();
    // Only some kinds hide counts in numbers that the source bounds cannot see; only
    // those are parsed twice (once to check the tree, once by the drawing itself).
    let check_tree = limits::needs_tree_check(parsed.kind, src);
    let id = draw::drawing_id(src);
    let kind = parsed.kind;
    draw::warm_up(kind);
    let drawn = worker::run(
        limits.time,
        limits.max_memory_bytes,
        move || -> Result<String, DiagramError> {
            // The tree is mermaid-svg's, a second reading for its counts only: a diagram it
            // cannot read is still drawn (its source bounds hold).
            if check_tree && let Ok(tree) = mermaid_svg::parse(&owned) {
                limits::check_tree(&tree, &tree_limits).map_err(|e| DiagramError::TooLarge(e.what))?;
            }
            draw::merman(&owned, &id, kind).map_err(DiagramError::Renderer)
        },
    );
    let svg = match drawn {
        Ok(result) => result?,
        Err(Overrun::Time(t)) => {
            return Err(DiagramError::Overrun(format!(
                "drawing took longer than {} ms",
                t.as_millis()
            )));
        }
        Err(Overrun::Memory(bytes)) => {
            return Err(DiagramError::TooLarge(format!(
                "drawing needed more than {} MiB of memory",
                bytes / (1024 * 1024)
            )));
        }
        Err(Overrun::Busy) => {
            return Err(DiagramError::Overrun(
                "the renderer is busy with diagrams that overran their budget".to_string(),
            ));
        }
        Err(Overrun::Failed(m)) => return Err(DiagramError::Renderer(m)),
    };
    if svg.len() > limits.max_svg_bytes {
        return Err(DiagramError::TooLarge(format!(
            "the drawing is {} bytes; at most {} are kept",
            group(svg.len()),
            group(limits.max_svg_bytes)
        )));
    }
    // The drawing library turns some label markup into elements (an edge label
    // `<a href=...>` becomes a link): keep only drawing elements and plain attributes.
    let svg = draw::tidy_labels(&natural_size(&sanitize_svg(&svg)));
    if let Some(what) = active_content(&svg) {
        return Err(DiagramError::Renderer(format!(
            "the drawing contained {what}; refusing to emit it"
        )));
    }
    Ok(svg)
}

/// A drawing as a file of its own: the diagram colours (`assets/diagram.css`, which pages
/// get from their stylesheet) as a `<style>` element after the root tag. Only for files:
/// pages inline the drawing without it, since their CSP allows no inline style.
pub fn standalone_svg(svg: &str) -> String {
    let Some(end) = svg.find('>') else {
        return svg.to_string();
    };
    format!("{}<style>{}</style>{}", &svg[..=end], standalone_css(), &svg[end + 1..])
}

/// The diagram colours for a file: rules only (comments dropped), scoped to the root.
/// Holds no `<` or `&`, so it is the same text to an XML and to an HTML reader.
fn standalone_css() -> String {
    let mut css = String::new();
    let mut rest = include_str!("../../assets/diagram.css");
    while let Some(at) = rest.find("/*") {
        css.push_str(&rest[..at]);
        rest = rest[at..].find("*/").map_or("", |end| &rest[at + end + 2..]);
    }
    css.push_str(rest);
    css.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace(".diagram svg", "svg")
}

/// The drawing at its natural size: the root's `width="100%"` (which blows a small
/// diagram up to the page's width and shrinks a wide one to unreadable text) becomes the
/// viewBox's width and height, as attributes (the pages' CSP allows no inline style).
/// A page lets a wide drawing scroll inside its figure.
fn natural_size(svg: &str) -> String {
    let Some(end) = svg.find('>') else {
        return svg.to_string();
    };
    let root = &svg[..end];
    let Some(view) = root.split("viewBox=\"").nth(1).and_then(|r| r.split('"').next()) else {
        return svg.to_string();
    };
    let numbers: Vec<f64> = view.split([' ', ',']).filter_map(|n| n.parse().ok()).collect();
    let [_, _, w, h] = numbers[..] else {
        return svg.to_string();
    };
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return svg.to_string();
    }
    let size = format!("width=\"{}\" height=\"{}\"", w.ceil(), h.ceil());
    let root = match root.find("width=\"100%\"") {
        Some(at) => format!("{}{size}{}", &root[..at], &root[at + "width=\"100%\"".len()..]),
        None if !root.contains(" width=") => format!("{root} {size}"),
        None => root.to_string(),
    };
    format!("{root}{}", &svg[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawings_keep_their_natural_size() {
        let check = |svg: &str, expect: &str| assert_eq!(natural_size(svg), expect);
        check(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 451.2 92"><rect width="100%"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="452" height="92" viewBox="0 0 451.2 92"><rect width="100%"/></svg>"#,
        );
        check(
            r#"<svg viewBox="0 0 10 20">"#,
            r#"<svg viewBox="0 0 10 20" width="10" height="20">"#,
        );
        // Nothing to go by, or a size already set: unchanged.
        check(r#"<svg width="100%">"#, r#"<svg width="100%">"#);
        check(
            r#"<svg width="5" viewBox="0 0 10 20">"#,
            r#"<svg width="5" viewBox="0 0 10 20">"#,
        );
        check(r#"<svg viewBox="0 0 NaN 20">"#, r#"<svg viewBox="0 0 NaN 20">"#);
        let drawn = render_svg(SEED_GRAPH).expect("seed graph");
        let root = &drawn[..drawn.find('>').expect("root")];
        assert!(!root.contains("100%") && root.contains(" height=\""), "{root}");
    }

    const SEED_GRAPH: &str =
        "graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n    C --> D[Database]\n";
    const SEED_ER: &str = "erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n    ENTITY2 }|..|{ ENTITY3 : contains\n";

    #[test]
    fn a_standalone_drawing_carries_its_colours() {
        let drawn = render_svg(SEED_GRAPH).expect("seed graph");
        let file = standalone_svg(&drawn);
        let root_end = drawn.find('>').expect("root") + 1;
        assert_eq!(&file[..root_end], &drawn[..root_end]);
        assert!(file[root_end..].starts_with("<style>"), "{}", &file[..root_end + 40]);
        assert!(file.contains("svg .edgePaths path:not([fill])") && !file.contains(".diagram svg"));
        let css = standalone_css();
        assert!(!css.contains(['<', '&']) && !css.contains("/*"), "{css}");
        assert!(file.ends_with(&drawn[root_end..]));
    }

    #[test]
    fn seed_diagrams_render_deterministically() {
        for src in [SEED_GRAPH, SEED_ER] {
            let a = render_svg(src).expect("renders");
            let b = render_svg(src).expect("renders");
            assert_eq!(a, b);
            assert!(a.starts_with("<svg") && a.trim_end().ends_with("</svg>"));
        }
        let graph = render_svg(SEED_GRAPH).expect("renders");
        for label in ["Component A", "Component B", "Component C", "Database"] {
            assert!(graph.contains(&format!(">{label}</tspan>")), "{label} missing");
        }
        let er = render_svg(SEED_ER).expect("renders");
        for name in ["ENTITY1", "ENTITY2", "ENTITY3"] {
            assert!(er.contains(name));
        }
    }

    #[test]
    fn labels_cannot_inject_markup() {
        let hostile = [
            "graph TD\n    A[\"<script>alert(1)</script>\"] --> B[\"<img src=x onerror=alert(2)>\"]\n",
            "graph TD\n    A[\"<svg onload=alert(1)>\"] -->|\"<a href='javascript:x'>y</a>\"| B\n",
            "graph TD\n    A[\"a < b & c > d\"] --> B\n",
            "erDiagram\n  CUSTOMER ||--o{ ORDER : \"<b onclick=x>has</b>\"\n",
        ];
        for src in hostile {
            let svg = render_svg(src).expect("renders");
            assert_eq!(active_content(&svg), None, "{svg}");
            assert!(
                !svg.contains("<script") && !svg.contains("<img") && !svg.contains("<a "),
                "{svg}"
            );
        }
        let svg = render_svg(hostile[2]).expect("renders");
        assert!(svg.contains("a &lt; b &amp; c &gt; d"), "{svg}");
    }

    #[test]
    fn invalid_diagrams_are_errors_with_positions() {
        let err = render_svg("graph TD\n    A[unclosed --> B\n").expect_err("invalid");
        assert_eq!(
            err,
            DiagramError::Invalid(vec![("missing closing `]` for node `A`".to_string(), 14..15)])
        );
        assert!(render_svg("erDiagram\n    A ||--o{ B\n").is_err());
    }
}
