//! The drawing library behind one function. The kinds design docs use (flowchart, ER,
//! sequence, class and state diagrams) are laid out and drawn by `merman`, whose layouts
//! are Mermaid's own (a port of dagre with compound clusters, Mermaid's sequence and ER
//! placement); other kinds are not drawn. The choice was made by measuring `merman`
//! against `mermaid-svg` on the shared corpus (ARCHITECTURE.md, "Drawing: chosen by
//! measurement"). Runs inside the worker thread, after our parser accepted the source.

use designdoc_model::mermaid::DiagramKind;
use merman::{Engine, MermaidConfig, OperationControl, RenderOutput, RenderRequest, Renderer, SvgRequest};
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

/// Our defaults, outside the author's source (a `%%{init}%%` in the source still applies
/// on top): the classic look, labels as SVG `<text>` (the sanitizer drops
/// `foreignObject`, and pages and exports need no HTML inside SVG), a system font.
/// Colours come from our stylesheet (`assets/site.css`, `.diagram`), which has a dark
/// variant; the `<style>` element the library writes is dropped by the sanitizer, since
/// the pages' CSP allows no inline style.
fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        let config = MermaidConfig::from_value(serde_json::json!({
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

/// Draws `src` with `merman`. `id` prefixes the drawing's element ids (markers), so that
/// several diagrams on one page do not share them.
pub fn merman(src: &str, id: &str) -> Result<String, String> {
    let mut request = SvgRequest::default();
    request.options.diagram_id = Some(id.to_string());
    match renderer().render(RenderRequest::svg(src, OperationControl::new(), request)) {
        Ok(RenderOutput::Svg(Some(svg))) => Ok(svg.svg().to_string()),
        Ok(_) => Err("the drawing library found no diagram to draw".to_string()),
        Err(e) => Err(e.to_string()),
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
        let _warmed = merman(src, "warm");
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
    lift_label_text(&centre_edge_labels(&join_words(svg)))
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
