//! The drawing library behind one function. The kinds design docs use (flowchart, ER,
//! sequence, class and state diagrams) are laid out and drawn by `merman`, a Rust port of
//! Mermaid's renderers; flowcharts and state diagrams are laid out by its ELK layered
//! layout, which routes edges around nodes and clusters, and by dagre when ELK's work
//! budget refuses a graph; ER and class diagrams by dagre; other kinds are not drawn. Both choices were made by
//! measuring on the shared corpus (ARCHITECTURE.md, "Drawing: chosen by measurement").
//! Runs inside the worker thread, after our parser accepted the source.

use designdoc_model::mermaid::DiagramKind;
use merman::svg::RenderResourcePolicy;
use merman::{
    Engine, MermaidConfig, OperationControl, RenderError, RenderOutput, RenderRequest, Renderer, SvgEnvironment,
    SvgRequest,
};
use std::sync::OnceLock;

/// Whether a kind is drawn: the kinds design docs use, whose drawings the geometry
/// checks measure (`tests/geometry.rs`). Every other kind is shown as its source.
pub fn drawn(kind: Option<DiagramKind>) -> bool {
    matches!(
        kind,
        Some(
            DiagramKind::Flowchart | DiagramKind::Er | DiagramKind::Sequence | DiagramKind::Class | DiagramKind::State
        )
    )
}

/// How a graph is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// ELK layered: orthogonal edges routed between nodes and around clusters. On the
    /// shared corpus no drawing of it has an edge through a node or cluster (dagre: 5
    /// diagrams).
    Elk,
    /// Mermaid's default (dagre with compound clusters): cheaper on large dense graphs.
    Dagre,
}

/// The layout work (merman's own deterministic unit, counted before and during layout)
/// one ELK drawing may take. merman's interactive default, 14.1 million, refuses our
/// 200-node benchmark flowchart; 100 million admits 100 nodes and 200 edges in 10
/// clusters (~0.1 s, release) and refuses 120 nodes and 240 edges within milliseconds;
/// what it refuses goes to dagre under merman's default budget. Measured in
/// BENCHMARKS.md ("Diagram geometry").
const ELK_LAYOUT_WORK: usize = 100_000_000;

/// Our defaults, outside the author's source (a `%%{init}%%` or front matter in the source
/// still applies on top, a `layout` there included): the classic look, labels as SVG
/// `<text>` (the sanitizer drops `foreignObject`, and pages and exports need no HTML inside
/// SVG), a system font, ELK's cycles broken in declaration order. Colours come from our
/// stylesheet (`assets/diagram.css`), which has a dark variant; the `<style>` element the
/// library writes is dropped by the sanitizer, since the pages' CSP allows no inline style.
fn renderer(layout: Layout) -> &'static Renderer {
    static ELK: OnceLock<Renderer> = OnceLock::new();
    static DAGRE: OnceLock<Renderer> = OnceLock::new();
    let (cell, name) = match layout {
        Layout::Elk => (&ELK, "elk"),
        Layout::Dagre => (&DAGRE, "dagre"),
    };
    cell.get_or_init(|| {
        let config = MermaidConfig::from_value(serde_json::json!({
            "layout": name,
            // ELK's default breaks cycles depth-first from wherever it starts, which can put a
            // state machine's start at the bottom; model order keeps what is declared first
            // upstream, as authors write their flows.
            "elk": { "cycleBreakingStrategy": "GREEDY_MODEL_ORDER" },
            "theme": "default",
            "look": "classic",
            "htmlLabels": false,
            "flowchart": { "htmlLabels": false },
            "class": { "htmlLabels": false },
            "state": { "htmlLabels": false },
            "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        }));
        Renderer::new().with_engine(Engine::new().with_site_config(config))
    })
}

/// The resource environment of one drawing: merman's interactive profile, with the ELK
/// layout budget above for the ELK renderer.
fn environment(layout: Layout) -> Result<SvgEnvironment, String> {
    let mut policy = RenderResourcePolicy::interactive();
    if layout == Layout::Elk {
        policy
            .apply_override("max_layout_work_units", ELK_LAYOUT_WORK)
            .map_err(|e| format!("the drawing library's layout budget: {e}"))?;
    }
    Ok(SvgEnvironment::deterministic().with_resource_policy(policy))
}

/// The layout a kind is drawn by first. Flowcharts and state diagrams: ELK, the only layout
/// with no geometry violation on the corpus's (dagre: edges through nodes in 3 flowcharts,
/// through clusters in 2 state diagrams). ER and class diagrams: dagre, which has none on
/// theirs either, and reads better there: ELK bundles an entity's relationship lines into
/// one exit, where their end markers pile up. Sequence diagrams have a layout of their own.
pub fn first_layout(kind: Option<DiagramKind>) -> Layout {
    match kind {
        Some(DiagramKind::Flowchart | DiagramKind::State) => Layout::Elk,
        _ => Layout::Dagre,
    }
}

/// Draws `src` with `merman`, by the kind's [`first_layout`] and, when ELK's budget refuses
/// the graph, by dagre. `id` prefixes the drawing's element ids (markers), so that several
/// diagrams on one page do not share them.
pub fn merman(src: &str, id: &str, kind: Option<DiagramKind>) -> Result<String, String> {
    merman_laid_out(src, id, first_layout(kind)).map(|(svg, _)| svg)
}

/// [`merman`] from layout `first`, with the layout that drew the diagram.
pub fn merman_laid_out(src: &str, id: &str, first: Layout) -> Result<(String, Layout), String> {
    match merman_with(src, id, first) {
        Ok(svg) => Ok((svg, first)),
        Err(Refusal::LayoutWork(elk)) if first == Layout::Elk => merman_with(src, id, Layout::Dagre)
            .map(|svg| (svg, Layout::Dagre))
            .map_err(|dagre| {
                format!(
                    "{} (by dagre, since ELK refused the graph: {elk})",
                    dagre.into_message()
                )
            }),
        Err(other) => Err(other.into_message()),
    }
}

/// Why a drawing failed: the layout budget (worth another layout), or anything else.
#[derive(Debug)]
enum Refusal {
    LayoutWork(String),
    Other(String),
}

impl Refusal {
    fn into_message(self) -> String {
        match self {
            Refusal::LayoutWork(m) | Refusal::Other(m) => m,
        }
    }
}

/// Draws `src` with one layout.
fn merman_with(src: &str, id: &str, layout: Layout) -> Result<String, Refusal> {
    let mut request = SvgRequest {
        environment: environment(layout).map_err(Refusal::Other)?,
        ..SvgRequest::default()
    };
    request.options.diagram_id = Some(id.to_string());
    match renderer(layout).render(RenderRequest::svg(src, OperationControl::new(), request)) {
        Ok(RenderOutput::Svg(Some(svg))) => Ok(svg.svg().to_string()),
        Ok(_) => Err(Refusal::Other(
            "the drawing library found no diagram to draw".to_string(),
        )),
        Err(RenderError::ResourceLimitExceeded(e)) if e.id == "max_layout_work_units" => {
            Err(Refusal::LayoutWork(RenderError::ResourceLimitExceeded(e).to_string()))
        }
        Err(e) => Err(Refusal::Other(e.to_string())),
    }
}

/// Draws one small diagram of `kind` on the calling thread, once per kind and process.
/// The library initialises shared tables (and our renderer) lazily behind locks; a
/// drawing parked by the memory budget while holding such a lock would stall every later
/// one. Done on the caller's thread, which no budget parks, before a worker draws.
pub fn warm_up(kind: Option<DiagramKind>) {
    use std::sync::Once;
    static WARM: [Once; 5] = [Once::new(), Once::new(), Once::new(), Once::new(), Once::new()];
    let (at, src) = match kind {
        Some(DiagramKind::Flowchart) => (0, "flowchart TD\n  subgraph s [S]\n    A[a] -->|l| B((b))\n  end\n"),
        Some(DiagramKind::Er) => (1, "erDiagram\n  A ||--o{ B : has\n  A {\n    string id PK\n  }\n"),
        Some(DiagramKind::Sequence) => (
            2,
            "sequenceDiagram\n  A->>+B: hi\n  loop x\n    B-->>-A: ok\n  end\n  Note over A: n\n",
        ),
        Some(DiagramKind::Class) => (3, "classDiagram\n  A <|-- B\n  class A {\n    +int x\n  }\n"),
        Some(DiagramKind::State) => (
            4,
            "stateDiagram-v2\n  [*] --> A\n  state A {\n    [*] --> B\n  }\n  note right of A : n\n",
        ),
        _ => return,
    };
    WARM[at].call_once(|| {
        // Only the side effect matters; a failure here shows again on real input.
        let _warmed = merman(src, "warm", kind);
        // The fallback's renderer too: it is built on first use, inside a drawing.
        if first_layout(kind) == Layout::Elk {
            renderer(Layout::Dagre);
        }
    });
}

/// A stable id for a diagram's elements: `d` and 12 hex digits of an FNV-1a hash of the
/// source, so the same source gives the same bytes.
pub fn drawing_id(src: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in src.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("d{:012x}", hash & 0xffff_ffff_ffff)
}

/// Our fixes to the library's label output, on the sanitized drawing (whose markup is
/// canonical: attributes in source order, `style` declarations turned into attributes).
pub fn tidy_labels(svg: &str) -> String {
    let svg = lift_label_text(&centre_edge_labels(&join_words(svg)));
    if svg.contains(ACTIVATION) {
        activations_from_lifelines(&svg)
    } else {
        svg
    }
}

/// How an activation bar of a sequence diagram opens (`activation0`, `activation1`, ...).
const ACTIVATION: &str = "class=\"activation";

/// The value of attribute `name` in one start tag (`<rect x="1" .../>`).
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()
}

/// An activation of a participant created mid-diagram (`create participant`) starts at the
/// message that creates it, half-way down the participant's head, so the bar covers its
/// name; Mermaid starts it where the lifeline starts, under the head. An activation that
/// begins above the top of the lifeline it sits on is cut to start there.
fn activations_from_lifelines(svg: &str) -> String {
    // Each lifeline: its x and where it starts.
    let mut lifelines: Vec<(f64, f64)> = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find("<line ") {
        let tag = &rest[at..rest[at..].find('>').map_or(rest.len(), |end| at + end)];
        if attribute(tag, "class").is_some_and(|c| c.starts_with("actor-line"))
            && let (Some(x), Some(y)) = (
                attribute(tag, "x1").and_then(|v| v.parse::<f64>().ok()),
                attribute(tag, "y1").and_then(|v| v.parse::<f64>().ok()),
            )
        {
            lifelines.push((x, y));
        }
        rest = &rest[at + tag.len()..];
    }
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find("<rect ") {
        let end = rest[at..].find('>').map_or(rest.len(), |end| at + end);
        let tag = &rest[at..end];
        out.push_str(&rest[..at]);
        rest = &rest[end..];
        if !tag.contains(ACTIVATION) {
            out.push_str(tag);
            continue;
        }
        let raw = |name| attribute(tag, name).map(|v| (v, v.parse::<f64>().ok()));
        let moved = match (raw("x"), raw("y"), raw("width"), raw("height")) {
            (Some((_, Some(x))), Some((y_raw, Some(y))), Some((_, Some(w))), Some((h_raw, Some(h)))) => lifelines
                .iter()
                .find(|&&(lx, top)| (x + w / 2.0 - lx).abs() < 0.5 && top > y && top < y + h)
                .map(|&(_, top)| (y_raw, top, h_raw, y + h - top)),
            _ => None,
        };
        match moved {
            Some((y, top, h, height)) => out.push_str(
                &tag.replacen(&format!(" y=\"{y}\""), &format!(" y=\"{top}\""), 1)
                    .replacen(&format!(" height=\"{h}\""), &format!(" height=\"{height}\""), 1),
            ),
            None => out.push_str(tag),
        }
    }
    out.push_str(rest);
    out
}

/// The library writes each word of a label as a `<tspan>` of its own; words in the same
/// plain style are joined into one (a label reads, and is searched, as one string, and
/// the SVG is smaller).
fn join_words(svg: &str) -> String {
    const BETWEEN: &str = "</tspan><tspan font-style=\"normal\" class=\"text-inner-tspan\" font-weight=\"normal\">";
    const OPEN: &str = "<tspan font-style=\"normal\" class=\"text-inner-tspan\" font-weight=\"normal\">";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    // Only between two plain words: the tspan before must have opened plain, which it
    // did when no other tspan opened since the last `BETWEEN` (that one ends opening one).
    let mut after_between = false;
    while let Some(at) = rest.find(BETWEEN) {
        let before = &rest[..at];
        let plain_before = match before.rfind("<tspan") {
            Some(open) => before[open..].starts_with(OPEN),
            None => after_between,
        };
        out.push_str(before);
        if !plain_before {
            out.push_str(BETWEEN);
        }
        after_between = true;
        rest = &rest[at + BETWEEN.len()..];
    }
    out.push_str(rest);
    out
}

/// With text labels, the library moves an ER relationship's label left by half its width
/// twice (its group, then its background inside it), so the label sits beside the line
/// instead of on it; Mermaid's own drawing centres it. A label group whose shift equals
/// its background's x is such a label: its group's horizontal shift is dropped.
fn centre_edge_labels(svg: &str) -> String {
    const LABEL: &str = "<g class=\"label\" transform=\"translate(";
    const BACKGROUND: &str = ")\"><g><rect class=\"background\" x=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(LABEL) {
        let (head, tail) = rest.split_at(at + LABEL.len());
        out.push_str(head);
        rest = tail;
        let Some(close) = find_within(rest, BACKGROUND, 60) else {
            continue;
        };
        let Some((x, y)) = rest[..close].split_once(',') else {
            continue;
        };
        let after = &rest[close + BACKGROUND.len()..];
        let bg_x = after.split('"').next().unwrap_or("");
        let shifted = x.trim().parse::<f64>().ok().filter(|v| *v < 0.0);
        if shifted.is_some() && shifted == bg_x.parse::<f64>().ok() {
            out.push('0');
            out.push(',');
            out.push_str(y);
            rest = &rest[close..];
        }
    }
    out.push_str(rest);
    out
}

/// With text labels, a state diagram's transition label puts its text group half the
/// background's height down (`translate(w/2, h/2)`) although the text already sits on its
/// first line's baseline, so the words hang below their box. The text group of a
/// background drawn from y 0 is moved down by nothing instead.
fn lift_label_text(svg: &str) -> String {
    const BACKGROUND: &str = "<rect class=\"background\" x=\"0\" y=\"0\" width=\"";
    const TEXT_GROUP: &str = "\" stroke=\"none\"/><g transform=\"translate(";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(BACKGROUND) {
        let (head, tail) = rest.split_at(at + BACKGROUND.len());
        out.push_str(head);
        rest = tail;
        // `W" height="H` then the text group's `X, Y)`.
        let Some(group) = find_within(rest, TEXT_GROUP, 60) else {
            continue;
        };
        let Some(height) = rest[..group]
            .split("height=\"")
            .nth(1)
            .and_then(|h| h.parse::<f64>().ok())
        else {
            continue;
        };
        let moved = &rest[group + TEXT_GROUP.len()..];
        let Some(close) = find_within(moved, ")", 40) else {
            continue;
        };
        let Some((x, y)) = moved[..close].split_once(',') else {
            continue;
        };
        if y.trim().parse::<f64>().ok() == Some(height / 2.0) && height > 0.0 {
            out.push_str(&rest[..group + TEXT_GROUP.len()]);
            out.push_str(x);
            out.push_str(", 0");
            rest = &moved[close..];
        }
    }
    out.push_str(rest);
    out
}

/// Where `needle` starts in `haystack` if it starts within its first `within` bytes. Only
/// that window is searched: a search of the whole rest at each label made these passes
/// quadratic in the drawing's size (a fifth of a 200-node flowchart's time).
fn find_within(haystack: &str, needle: &str, within: usize) -> Option<usize> {
    let mut end = (within + needle.len()).min(haystack.len());
    while !haystack.is_char_boundary(end) {
        end -= 1;
    }
    haystack[..end].find(needle).filter(|&at| at < within)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flowchart of `nodes` nodes in `groups` subgraphs, a chain through all of them and
    /// `extra` edges between pseudo-random nodes (no self-loops).
    fn clustered_flowchart(nodes: usize, groups: usize, extra: usize) -> String {
        let mut src = String::from("flowchart TD\n");
        let per = nodes / groups;
        for g in 0..groups {
            src.push_str(&format!("  subgraph S{g}\n"));
            for n in g * per..(g + 1) * per {
                src.push_str(&format!("    N{n}\n"));
            }
            src.push_str("  end\n");
        }
        for n in 1..nodes {
            src.push_str(&format!("  N{} --> N{n}\n", n - 1));
        }
        let mut x: u64 = 1;
        for k in 0..extra {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let (a, b) = (k % nodes, (x >> 33) as usize % nodes);
            if a != b {
                src.push_str(&format!("  N{a} --> N{b}\n"));
            }
        }
        src
    }

    #[test]
    fn graphs_are_laid_out_by_elk_and_by_dagre_past_its_budget() {
        // ELK's drawing groups edges as `edges edgePaths`, dagre's as `edgePaths` alone.
        let (svg, layout) = merman_laid_out("flowchart TD\n  A --> B\n", "t", Layout::Elk).expect("draws");
        assert_eq!(layout, Layout::Elk);
        assert!(svg.contains("<g class=\"edges edgePaths\">"), "drawn by ELK");
        // An author's own choice of layout, on top of ours, is kept.
        let src = "%%{init: {\"layout\": \"dagre\"}}%%\nflowchart TD\n  A --> B\n";
        let (svg, _) = merman_laid_out(src, "t", Layout::Elk).expect("draws");
        assert!(svg.contains("<g class=\"edgePaths\">"), "drawn by dagre");
        let dense = clustered_flowchart(120, 10, 120);
        match merman_with(&dense, "t", Layout::Elk) {
            Err(Refusal::LayoutWork(m)) => assert!(m.contains("max_layout_work_units"), "{m}"),
            Err(Refusal::Other(m)) => panic!("ELK's budget should refuse this graph, it failed: {m}"),
            Ok(svg) => panic!("ELK's budget should refuse this graph, it drew {} bytes", svg.len()),
        }
        let (svg, layout) = merman_laid_out(&dense, "t", Layout::Elk).expect("dagre draws what ELK refused");
        assert_eq!(layout, Layout::Dagre);
        assert!(svg.contains(">N119<"), "every node is drawn");
        assert_eq!(first_layout(Some(DiagramKind::State)), Layout::Elk);
        assert_eq!(first_layout(Some(DiagramKind::Er)), Layout::Dagre);
        assert_eq!(first_layout(Some(DiagramKind::Class)), Layout::Dagre);
    }

    #[test]
    fn an_activation_starts_where_its_lifeline_starts() {
        let line = |x: &str, y: &str| {
            format!("<line id=\"actor3\" x1=\"{x}\" y1=\"{y}\" x2=\"{x}\" y2=\"1426\" class=\"actor-line 200\"/>")
        };
        let bar = |y: &str, h: &str| {
            format!("<rect x=\"1020\" y=\"{y}\" fill=\"#EDF2AE\" width=\"10\" height=\"{h}\" class=\"activation0\"/>")
        };
        // A created participant: the bar starts above the lifeline, and is cut to it.
        let svg = format!("<svg>{}{}</svg>", line("1025", "978.5"), bar("931", "78.5"));
        assert_eq!(
            tidy_labels(&svg),
            format!("<svg>{}{}</svg>", line("1025", "978.5"), bar("978.5", "31"))
        );
        // Already on its lifeline, or on another one: unchanged.
        let svg = format!("<svg>{}{}</svg>", line("1025", "65"), bar("931", "78.5"));
        assert_eq!(tidy_labels(&svg), svg);
        let svg = format!("<svg>{}{}</svg>", line("75", "978.5"), bar("931", "78.5"));
        assert_eq!(tidy_labels(&svg), svg);
        // A bar ending before the lifeline starts is not ours to move.
        let svg = format!("<svg>{}{}</svg>", line("1025", "978.5"), bar("900", "20"));
        assert_eq!(tidy_labels(&svg), svg);
    }

    #[test]
    fn the_elk_budget_is_accepted_by_the_library() {
        assert!(environment(Layout::Elk).is_ok());
        assert!(environment(Layout::Dagre).is_ok());
    }

    #[test]
    fn plain_words_of_a_label_are_one_tspan() {
        let open = "<tspan font-style=\"normal\" class=\"text-inner-tspan\" font-weight=\"normal\">";
        let bold = "<tspan font-style=\"normal\" class=\"text-inner-tspan\" font-weight=\"bold\">";
        let check = |svg: String, expect: String| assert_eq!(join_words(&svg), expect);
        check(
            format!("<text>{open}Component</tspan>{open} A</tspan></text>"),
            format!("<text>{open}Component A</tspan></text>"),
        );
        // A bold word keeps its own tspan, and so does the plain word after it.
        check(
            format!("<text>{bold}Big</tspan>{open} deal</tspan></text>"),
            format!("<text>{bold}Big</tspan>{open} deal</tspan></text>"),
        );
        check(
            format!("<text>{open}a</tspan>{open} b</tspan>{open} c</tspan></text>"),
            format!("<text>{open}a b c</tspan></text>"),
        );
        check("<svg/>".to_string(), "<svg/>".to_string());
    }

    #[test]
    fn an_er_label_shifted_twice_is_centred_on_its_line() {
        let er = "<g class=\"edgeLabel\" transform=\"translate(58, 135.5)\"><g class=\"label\" transform=\"translate(-28.2, -8.5)\"><g><rect class=\"background\" x=\"-28.2\" y=\"-1\" width=\"56.4\" height=\"17\"/>";
        assert_eq!(
            centre_edge_labels(er),
            er.replace("translate(-28.2, -8.5)", "translate(0, -8.5)")
        );
        // A label whose background is placed inside its shift (flowchart, class) stays.
        let class = "<g class=\"label\" transform=\"translate(-29.5, -11.5)\"><g><rect class=\"background\" x=\"-2\" y=\"-1\"/>";
        assert_eq!(centre_edge_labels(class), class);
        assert_eq!(
            centre_edge_labels("<g class=\"label\" transform=\"translate("),
            "<g class=\"label\" transform=\"translate("
        );
    }

    #[test]
    fn a_state_label_text_sits_in_its_box() {
        let state = "<rect class=\"background\" x=\"0\" y=\"0\" width=\"106.08\" height=\"23\" stroke=\"none\"/><g transform=\"translate(53.04, 11.5)\"><text y=\"-10.1\">";
        assert_eq!(
            lift_label_text(state),
            state.replace("translate(53.04, 11.5)", "translate(53.04, 0)")
        );
        // Any other placement is left as drawn.
        let other = state.replace("11.5)", "7)");
        assert_eq!(lift_label_text(&other), other);
        assert_eq!(
            lift_label_text("<rect class=\"background\" x=\"0\" y=\"0\" width=\""),
            "<rect class=\"background\" x=\"0\" y=\"0\" width=\""
        );
    }

    #[test]
    fn a_bounded_search_looks_only_near_the_start() {
        assert_eq!(find_within("abcdef", "cd", 3), Some(2));
        assert_eq!(find_within("abcdef", "cd", 2), None);
        assert_eq!(find_within("ab", "abc", 10), None);
        // The window may end inside a character.
        assert_eq!(find_within("aé)", ")", 1), None);
        assert_eq!(find_within("aé)", ")", 4), Some(3));
    }

    #[test]
    fn a_drawing_id_is_stable_and_tells_sources_apart() {
        assert_eq!(drawing_id("graph TD\nA-->B"), drawing_id("graph TD\nA-->B"));
        assert_ne!(drawing_id("graph TD\nA-->B"), drawing_id("graph TD\nA-->C"));
        assert_eq!(drawing_id("x").len(), 13);
    }
}
