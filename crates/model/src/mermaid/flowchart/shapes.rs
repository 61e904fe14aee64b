//! `@{ shape: ..., label: ... }` node data. Mermaid reads it as YAML and fails on a shape
//! it does not know (names are lowercase, without `_`) or on a shape that is not a string.

use super::Shape;

/// Every shape name Mermaid 11 accepts in `@{ shape: ... }`, sorted.
const NAMES: &[&str] = &[
    "anchor",
    "bang",
    "bolt",
    "bow-rect",
    "bow-tie-rectangle",
    "brace",
    "brace-l",
    "brace-r",
    "braces",
    "browser",
    "bucket",
    "card",
    "choice",
    "circ",
    "circle",
    "cloud",
    "collate",
    "com-link",
    "comment",
    "composite",
    "console",
    "cross-circ",
    "crossed-circle",
    "curv-trap",
    "curved-trapezoid",
    "cyl",
    "cylinder",
    "das",
    "data-store",
    "database",
    "datastore",
    "db",
    "dbl-circ",
    "decision",
    "delay",
    "diam",
    "diamond",
    "directory",
    "disk",
    "display",
    "div-proc",
    "div-rect",
    "divided-process",
    "divided-rectangle",
    "doc",
    "docs",
    "document",
    "documents",
    "double-circle",
    "doublecircle",
    "event",
    "extract",
    "f-circ",
    "filled-circle",
    "flag",
    "flip-tri",
    "flipped-triangle",
    "folder",
    "fork",
    "fr-circ",
    "fr-rect",
    "framed-circle",
    "framed-rectangle",
    "h-cyl",
    "half-rounded-rectangle",
    "hex",
    "hexagon",
    "horizontal-cylinder",
    "hourglass",
    "icon",
    "in-out",
    "internal-storage",
    "inv-trapezoid",
    "join",
    "junction",
    "lean-l",
    "lean-left",
    "lean-r",
    "lean-right",
    "lightning-bolt",
    "lin-cyl",
    "lin-doc",
    "lin-proc",
    "lin-rect",
    "lined-cylinder",
    "lined-document",
    "lined-process",
    "lined-rectangle",
    "loop-limit",
    "manual",
    "manual-file",
    "manual-input",
    "notch-pent",
    "notch-rect",
    "notched-pentagon",
    "notched-rectangle",
    "note",
    "odd",
    "out-in",
    "paper-tape",
    "person",
    "pill",
    "prepare",
    "priority",
    "proc",
    "process",
    "processes",
    "procs",
    "question",
    "rect",
    "rectangle",
    "rounded",
    "shaded-process",
    "sl-rect",
    "sloped-rectangle",
    "sm-circ",
    "small-circle",
    "st-doc",
    "st-rect",
    "stacked-document",
    "stacked-rectangle",
    "stadium",
    "start",
    "state",
    "stop",
    "stored-data",
    "subproc",
    "subprocess",
    "subroutine",
    "summary",
    "tag-doc",
    "tag-proc",
    "tag-rect",
    "tagged-document",
    "tagged-process",
    "tagged-rectangle",
    "terminal",
    "text",
    "trap-b",
    "trap-t",
    "trapezoid",
    "trapezoid-bottom",
    "trapezoid-top",
    "tri",
    "triangle",
    "win-pane",
    "window-pane",
];

/// What the data says about the node.
pub(super) struct Data {
    pub(super) shape: Option<Shape>,
    pub(super) label: Option<String>,
}

/// Our shape for a Mermaid shape name, when we have one.
fn ours(name: &str) -> Option<Shape> {
    Some(match name {
        "rect" | "rectangle" | "proc" | "process" => Shape::Rect,
        "rounded" | "event" => Shape::Round,
        "stadium" | "pill" | "terminal" => Shape::Stadium,
        "subroutine" | "subproc" | "subprocess" | "fr-rect" | "framed-rectangle" => Shape::Subroutine,
        "cyl" | "cylinder" | "database" | "db" => Shape::Cylinder,
        "circle" | "circ" => Shape::Circle,
        "dbl-circ" | "double-circle" | "doublecircle" => Shape::DoubleCircle,
        "diam" | "diamond" | "decision" | "question" => Shape::Rhombus,
        "hex" | "hexagon" | "prepare" => Shape::Hexagon,
        "odd" => Shape::Asymmetric,
        "lean-r" | "lean-right" | "in-out" => Shape::Parallelogram,
        "lean-l" | "lean-left" | "out-in" => Shape::ParallelogramAlt,
        "trap-b" | "trapezoid" | "trapezoid-bottom" | "priority" => Shape::Trapezoid,
        "trap-t" | "inv-trapezoid" | "trapezoid-top" | "manual" => Shape::TrapezoidAlt,
        _ => return None,
    })
}

/// A YAML scalar: its text and whether it was quoted.
fn scalar(raw: &str) -> (String, bool) {
    let v = raw.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return (inner.to_string(), true);
        }
    }
    // ` # comment` ends a plain scalar.
    let v = v.find(" #").map_or(v, |i| v.get(..i).unwrap_or(v)).trim_end();
    (v.to_string(), false)
}

/// Splits `key: value` entries on `,` and new lines outside quotes and brackets.
fn entries(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in content.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' => depth -= 1,
                ',' | '\n' if depth <= 0 => {
                    out.push(content.get(start..i).unwrap_or(""));
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    out.push(content.get(start..).unwrap_or(""));
    out
}

/// Reads the data; an error names what Mermaid rejects.
pub(super) fn read(content: &str) -> Result<Data, String> {
    let mut data = Data {
        shape: None,
        label: None,
    };
    for entry in entries(content) {
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let (key, _) = scalar(key);
        let (value, quoted) = scalar(value);
        match key.as_str() {
            "shape" => {
                // JSON-schema YAML: `null`, `false`, `0` and empty are no shape at all;
                // `true` and other numbers are not strings, which Mermaid cannot lower-case.
                let falsy = value.is_empty()
                    || (!quoted
                        && (value == "null" || value == "false" || value.parse::<f64>().is_ok_and(|n| n == 0.0)));
                if falsy {
                    continue;
                }
                if !quoted && (value == "true" || value.parse::<f64>().is_ok()) {
                    return Err(format!("`shape: {value}` is not a shape name"));
                }
                if value != value.to_lowercase() || value.contains('_') {
                    return Err(format!(
                        "no such shape `{value}`: shape names are lowercase, with `-` not `_`"
                    ));
                }
                if NAMES.binary_search(&value.as_str()).is_err() {
                    return Err(format!("no such shape `{value}`"));
                }
                data.shape = ours(&value);
            }
            "label" if !value.is_empty() => data.label = Some(value),
            _ => {}
        }
    }
    Ok(data)
}
