//! The diagram kinds Mermaid knows, and how it tells them apart: one table, matching
//! Mermaid 11.17.2's detectors (`src/diagrams/*/detector.ts`), in the order Mermaid tries
//! them. A diagram whose header no detector matches is the only kind-level error we report.

/// The Mermaid release this table was read from.
pub const MERMAID_VERSION: &str = "11.17.2";

/// How a detector matches the start of the diagram text (after front matter, `%%{...}%%`
/// directives and comments are removed).
#[derive(Clone, Copy, Debug)]
enum Match {
    /// The text starts with this word; anything may follow (`graphTD`, `architectureX`):
    /// Mermaid's detectors are prefix regexes.
    Prefix(&'static str),
    /// The same, ignoring ASCII case.
    PrefixNoCase(&'static str),
    /// The text starts with this word and the next character is not a word character.
    Word(&'static str),
    /// As `Word`, ignoring ASCII case.
    WordNoCase(&'static str),
    /// The text starts with this word, followed by white space, `:` or the end.
    Keyword(&'static str),
    /// The whole text, trimmed and lowercased, is this word.
    Exactly(&'static str),
    /// The text contains this word anywhere: Mermaid's C4 detector is
    /// `/^\s*C4Context|C4Container|.../`, where only the first alternative is anchored.
    Anywhere(&'static str),
}

/// `(Mermaid's diagram id, how it is detected)`, in Mermaid's detection order.
const DETECTORS: &[(&str, Match)] = &[
    ("error", Match::Exactly("error")),
    ("---", Match::Prefix("---")),
    ("flowchart-elk", Match::Prefix("flowchart-elk")),
    ("mindmap", Match::Prefix("mindmap")),
    ("architecture", Match::Prefix("architecture")),
    ("c4", Match::Prefix("C4Context")),
    ("c4", Match::Anywhere("C4Container")),
    ("c4", Match::Anywhere("C4Component")),
    ("c4", Match::Anywhere("C4Dynamic")),
    ("c4", Match::Anywhere("C4Deployment")),
    ("kanban", Match::Prefix("kanban")),
    ("classDiagram", Match::Prefix("classDiagram-v2")),
    ("class", Match::Prefix("classDiagram")),
    ("er", Match::Prefix("erDiagram")),
    ("gantt", Match::Prefix("gantt")),
    ("info", Match::Prefix("info")),
    ("pie", Match::Prefix("pie")),
    ("requirement", Match::Prefix("requirement")),
    ("sequence", Match::Prefix("sequenceDiagram")),
    ("swimlane", Match::Word("swimlane-beta")),
    ("flowchart-v2", Match::Prefix("flowchart")),
    ("flowchart", Match::Prefix("graph")),
    ("timeline", Match::Prefix("timeline")),
    ("gitGraph", Match::Prefix("gitGraph")),
    ("stateDiagram", Match::Prefix("stateDiagram-v2")),
    ("state", Match::Prefix("stateDiagram")),
    ("journey", Match::Prefix("journey")),
    ("quadrantChart", Match::Prefix("quadrantChart")),
    ("sankey", Match::Prefix("sankey")),
    ("packet", Match::Prefix("packet")),
    ("xychart", Match::Prefix("xychart")),
    ("block", Match::Prefix("block")),
    ("eventmodeling", Match::Prefix("eventmodeling")),
    ("treeView", Match::Prefix("treeView-beta")),
    ("radar", Match::Prefix("radar-beta")),
    // `/^\s*ishikawa(-beta)?\b/i`: the optional suffix never stops a match.
    ("ishikawa", Match::WordNoCase("ishikawa")),
    ("treemap", Match::Prefix("treemap")),
    ("railroad", Match::PrefixNoCase("railroad-beta")),
    ("railroad-ebnf", Match::PrefixNoCase("railroad-ebnf-beta")),
    ("railroad-abnf", Match::PrefixNoCase("railroad-abnf-beta")),
    ("railroad-peg", Match::PrefixNoCase("railroad-peg-beta")),
    ("venn", Match::Prefix("venn-beta")),
    ("wardley", Match::PrefixNoCase("wardley-beta")),
    ("cynefin", Match::Keyword("cynefin-beta")),
    // Not in Mermaid's core bundle but a registered plugin wherever it is drawn (GitHub,
    // mermaid.live): flagging it would be a false alarm for everyone who uses it.
    ("zenuml", Match::Prefix("zenuml")),
];

/// The Mermaid diagram id (`flowchart-v2`, `sequence`, `c4`, ...) Mermaid would pick for
/// this source, or `None` when no detector matches (Mermaid: "No diagram type detected").
pub fn detect(src: &str) -> Option<&'static str> {
    let text = detection_text(src);
    let start = text.trim_start();
    DETECTORS.iter().find_map(|&(id, m)| {
        let hit = match m {
            Match::Prefix(p) => start.starts_with(p),
            Match::PrefixNoCase(p) => starts_with_no_case(start, p),
            Match::Word(p) => start.starts_with(p) && !next_is_word(start, p.len()),
            Match::WordNoCase(p) => starts_with_no_case(start, p) && !next_is_word(start, p.len()),
            Match::Keyword(p) => start
                .strip_prefix(p)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| c.is_whitespace() || c == ':')),
            Match::Exactly(p) => text.trim().eq_ignore_ascii_case(p),
            Match::Anywhere(p) => text.contains(p),
        };
        hit.then_some(id)
    })
}

fn starts_with_no_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn next_is_word(s: &str, at: usize) -> bool {
    s.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The text Mermaid's detectors see: front matter at the very start removed, every
/// `%%{ ... }%%` directive removed, and every `%%` comment line removed.
fn detection_text(src: &str) -> String {
    let src = strip_front_matter(src);
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find("%%") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        if let Some(body) = after.strip_prefix('{') {
            // A directive runs to `}%%`, over several lines if need be, or to the end.
            rest = body.find("}%%").map_or("", |end| &body[end + 3..]);
        } else {
            // A comment: `\s*%%.*\n` becomes one new line (and swallows the spaces before it).
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            match after.find('\n') {
                Some(nl) => {
                    out.push('\n');
                    rest = &after[nl + 1..];
                }
                None => {
                    // Without a final new line Mermaid's comment pattern does not match.
                    out.push_str(&rest[at..]);
                    rest = "";
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Front matter as Mermaid reads it: `---` (after optional indentation) on the first line,
/// closed by `---` with the same indentation, followed by a new line.
fn strip_front_matter(src: &str) -> &str {
    front_matter(src).map_or(src, |(_, _, rest)| rest)
}

/// `(YAML body, its byte offset, the text after the block)` of Mermaid's front matter.
pub(crate) fn front_matter(src: &str) -> Option<(&str, usize, &str)> {
    let indent = src.len() - src.trim_start_matches([' ', '\t']).len();
    let (lead, rest) = src.split_at(indent);
    let rest = rest.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let body = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix(['\n', '\r']))?;
    let body_at = src.len() - body.len();
    let close = format!("\n{lead}---");
    let mut from = 0;
    while let Some(i) = body[from..].find(&close) {
        let after = &body[from + i + close.len()..];
        let after_ws = after.trim_start_matches([' ', '\t']);
        if after_ws.starts_with(['\n', '\r']) {
            return Some((&body[..from + i], body_at, after_ws.trim_start_matches(['\n', '\r'])));
        }
        from += i + 1;
    }
    None
}

/// Does this YAML load? Mermaid loads front matter and `@{...}` data with js-yaml and
/// refuses the diagram when that fails; serde-saphyr agrees with it on every case of the
/// shared corpus and of the differential tests (`key: key: value`, a stray `]`, an
/// unclosed quote, text after a quoted value in a flow mapping).
pub(crate) fn yaml_loads(text: &str) -> bool {
    serde_saphyr::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::detect;

    fn check(src: &str, expect: Option<&str>) {
        assert_eq!(detect(src), expect, "{src:?}");
    }

    #[test]
    fn detection() {
        check("graph TD\nA-->B", Some("flowchart"));
        check("graphTD\nA-->B", Some("flowchart"));
        check("flowchart LR\nA-->B", Some("flowchart-v2"));
        check("---\ntitle: x\n---\nsequenceDiagram\nA->>B: hi", Some("sequence"));
        check(
            "%%{init: {\n 'theme': 'dark'\n}}%%\nclassDiagram\nA <|-- B",
            Some("class"),
        );
        check("%% a comment\nstateDiagram-v2\n[*] --> A", Some("stateDiagram"));
        check("gitGraph:\n commit", Some("gitGraph"));
        check("architecture-betaX", Some("architecture"));
        check("title x\nC4Container", Some("c4"));
        check("Ishikawa-Beta\n x", Some("ishikawa"));
        check("ishikawa-betas", Some("ishikawa"));
        check("ishikawas", None);
        check("cynefin-beta: x", Some("cynefin"));
        check("cynefin-betas", None);
        check("cynefin-beta-x", None);
        check("  ERROR  ", Some("error"));
        check("---\nbroken front matter", Some("---"));
        check("sequence\nA->B: x", None);
        check("", None);
    }
}
