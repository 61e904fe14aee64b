//! Mermaid -> SVG. Our parser decides validity (exact positions, rejects what Mermaid
//! rejects); the drawing is done by `mermaid-svg`, hidden behind this module so that it
//! can be swapped. The SVG is checked for active content before it is returned.

use designdoc_model::mermaid::parse_diagram;
use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagramError {
    /// The diagram has errors; ranges are byte offsets into the diagram source.
    Invalid(Vec<(String, Range<usize>)>),
    /// The drawing library refused or produced unsafe output.
    Renderer(String),
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
            DiagramError::Renderer(m) => write!(f, "cannot draw the diagram: {m}"),
        }
    }
}

impl std::error::Error for DiagramError {}

/// Renders a mermaid diagram to a standalone SVG document. Deterministic: the same source
/// gives the same bytes. Labels are escaped; markup in labels never becomes elements.
pub fn render_svg(src: &str) -> Result<String, DiagramError> {
    let parsed = parse_diagram(src);
    if !parsed.errors.is_empty() {
        return Err(DiagramError::Invalid(
            parsed.errors.into_iter().map(|e| (e.message, e.range)).collect(),
        ));
    }
    let svg = mermaid_svg::render(src).map_err(|e| DiagramError::Renderer(e.to_string()))?;
    // The drawing library turns some label markup into elements (an edge label
    // `<a href=...>` becomes a link): keep only drawing elements and plain attributes.
    let svg = sanitize_svg(&svg);
    if let Some(what) = active_content(&svg) {
        return Err(DiagramError::Renderer(format!(
            "the drawing contained {what}; refusing to emit it"
        )));
    }
    Ok(svg)
}

/// Elements a diagram needs; anything else is dropped (its text kept, except for
/// elements whose content is code).
const ALLOWED: &[&str] = &[
    "svg",
    "g",
    "defs",
    "marker",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "lineargradient",
    "radialgradient",
    "stop",
    "clippath",
    "pattern",
];
const DROP_WITH_CONTENT: &[&str] = &["script", "style", "foreignobject", "iframe", "object", "embed"];

/// Rewrites SVG keeping allowed elements and attributes that cannot run code or load
/// content (no `on*`, no `href`, no `style` with `url(` other than `#` references).
pub fn sanitize_svg(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    let mut skip_until: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..lt]);
        }
        let after = &rest[lt..];
        let Some(gt) = tag_end(after) else {
            break; // an unterminated tag: drop the remainder
        };
        let tag = &after[..=gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with("</");
        let name: String = tag
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(until) = &skip_until {
            if closing && &name == until {
                skip_until = None;
            }
            continue;
        }
        if DROP_WITH_CONTENT.contains(&name.as_str()) {
            if !closing && !tag.ends_with("/>") {
                skip_until = Some(name);
            }
            continue;
        }
        if tag.starts_with("<!") || tag.starts_with("<?") || !ALLOWED.contains(&name.as_str()) {
            continue;
        }
        if closing {
            out.push_str(&format!("</{name}>"));
        } else {
            out.push_str(&clean_tag(tag, &name));
        }
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out
}

/// Index of the `>` closing the tag that starts `s`, honouring quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn clean_tag(tag: &str, name: &str) -> String {
    let self_closing = tag.ends_with("/>");
    let inner = tag.trim_start_matches('<').trim_end_matches('>').trim_end_matches('/');
    let mut attrs = &inner[inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len())..];
    let mut out = format!("<{name}");
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            break;
        }
        let key_len = attrs
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(attrs.len());
        let key = &attrs[..key_len];
        attrs = attrs[key_len..].trim_start();
        let mut value: Option<&str> = None;
        if let Some(v) = attrs.strip_prefix('=') {
            let v = v.trim_start();
            let (val, used) = match v.chars().next() {
                Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                    Some(e) => (&v[1..1 + e], e + 2),
                    None => (&v[1..], v.len()),
                },
                _ => {
                    let e = v.find(char::is_whitespace).unwrap_or(v.len());
                    (&v[..e], e)
                }
            };
            value = Some(val);
            attrs = &v[used..];
        }
        let k = key.to_ascii_lowercase();
        let val_lower = value.unwrap_or("").to_ascii_lowercase();
        let unsafe_value =
            val_lower.contains("javascript:") || (val_lower.contains("url(") && !val_lower.contains("url(#"));
        if key.is_empty() || k.starts_with("on") || k.contains("href") || unsafe_value {
            continue;
        }
        match value {
            Some(v) => out.push_str(&format!(" {key}=\"{}\"", v.replace('"', "&quot;").replace('<', "&lt;"))),
            None => out.push_str(&format!(" {key}")),
        }
    }
    out.push_str(if self_closing { "/>" } else { ">" });
    out
}

/// Defence in depth: markup that could run script or load content in a reader's browser.
/// One pass over the tags; text content is never inspected.
fn active_content(svg: &str) -> Option<&'static str> {
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt..];
        let end = tag_end(after).unwrap_or(after.len() - 1);
        let tag = after[..=end].to_ascii_lowercase();
        rest = &after[end + 1..];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name == "script" {
            return Some("a script element");
        }
        if name == "foreignobject" {
            return Some("a foreignObject element");
        }
        if tag.contains("javascript:") {
            return Some("a javascript: URL");
        }
        let bytes = tag.as_bytes();
        for (i, w) in bytes.windows(3).enumerate() {
            if w[0].is_ascii_whitespace() && w[1] == b'o' && w[2] == b'n' {
                let rest = &bytes[i + 3..];
                let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
                if letters > 0 && rest.get(letters) == Some(&b'=') {
                    return Some("an event handler attribute");
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_GRAPH: &str =
        "graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n    C --> D[Database]\n";
    const SEED_ER: &str = "erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n    ENTITY2 }|..|{ ENTITY3 : contains\n";

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
            assert!(graph.contains(&format!(">{label}</text>")), "{label} missing");
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

    #[test]
    fn sanitizer_keeps_drawing_and_drops_active_content() {
        let dirty = "<svg viewBox=\"0 0 1 1\" onload=\"x()\"><script>alert(1)</script><a href=\"javascript:x\"><tspan>y</tspan></a><rect fill=\"url(http://evil/x)\" stroke=\"#333\"/><path marker-end=\"url(#arrow)\"/><foreignObject><div>hi</div></foreignObject><text>a &lt; b</text></svg>";
        assert_eq!(
            sanitize_svg(dirty),
            "<svg viewBox=\"0 0 1 1\"><tspan>y</tspan><rect stroke=\"#333\"/><path marker-end=\"url(#arrow)\"/><text>a &lt; b</text></svg>"
        );
    }

    #[test]
    fn detects_active_content() {
        assert_eq!(
            active_content("<svg><script>x</script></svg>"),
            Some("a script element")
        );
        assert_eq!(
            active_content("<svg><rect onclick=\"x\"/></svg>"),
            Some("an event handler attribute")
        );
        assert_eq!(active_content("<svg><text>turn on= off</text></svg>"), None);
        assert_eq!(
            active_content("<svg><a href=\"javascript:x\">y</a></svg>"),
            Some("a javascript: URL")
        );
        assert_eq!(active_content("<svg><text>javascript:x</text></svg>"), None);
    }
}
