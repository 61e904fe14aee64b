//! What a diagram may cost before it is drawn. The drawing library lays out and draws
//! whatever it is given, and some inputs cost far more than their size: nesting overflows
//! its stack, `&` chains multiply edges, a packet range or a Gantt exclusion set loops
//! for a very long time. Every bound here is checked in linear time over the source or
//! the parsed tree, before any layout work, so one document can never buy more than a
//! few milliseconds of drawing per kilobyte.

use super::{DiagramModel, ParsedDiagram};
use std::fmt;
use std::time::Duration;

/// Bounds for one diagram. The defaults fit every real diagram of the Mermaid corpus and
/// of the design docs we have seen with a wide margin; `designdoc.toml` does not change
/// them (a bigger diagram belongs in its own file, drawn by a tool made for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagramLimits {
    /// Source size in bytes.
    pub max_source_bytes: usize,
    /// Source lines.
    pub max_lines: usize,
    /// Nesting of blocks: `{ }`, `subgraph`/`loop`/`alt`/... `end`, indentation levels
    /// in indentation-structured kinds (mindmap, treemap, kanban).
    pub max_depth: usize,
    /// Nodes, edges, entities, relationships, tasks, fields: elements to lay out.
    pub max_elements: usize,
    /// Size of the SVG drawn.
    pub max_svg_bytes: usize,
    /// Memory one drawing may allocate (enforced where the program installs
    /// designdoc-render's budgeted allocator, as the `designdoc` binary does).
    pub max_memory_bytes: usize,
    /// Wall time for parsing and drawing one diagram.
    pub time: Duration,
}

impl Default for DiagramLimits {
    fn default() -> Self {
        DiagramLimits {
            max_source_bytes: 64 * 1024,
            max_lines: 3_000,
            max_depth: 24,
            max_elements: 2_000,
            max_svg_bytes: 3 * 1024 * 1024,
            max_memory_bytes: 64 * 1024 * 1024,
            time: Duration::from_secs(2),
        }
    }
}

/// Why a diagram is not drawn although it may be valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// What exceeded its bound, with the figure and the bound ("2,500 edges; at most 2,000").
    pub what: String,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl TooLarge {
    /// An error when `count` exceeds `max`: "2,500 edges; at most 2,000 are drawn".
    pub fn check(count: usize, what: &str, max: usize) -> Result<(), TooLarge> {
        over(count, what, max)
    }
}

fn over(count: usize, what: &str, max: usize) -> Result<(), TooLarge> {
    if count > max {
        Err(TooLarge {
            what: format!("{} {what}; at most {} are drawn", group(count), group(max)),
        })
    } else {
        Ok(())
    }
}

/// `12345` -> `12,345`.
pub fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Kinds whose structure is written with indentation instead of brackets.
const INDENTED_KINDS: &[&str] = &["mindmap", "treemap", "treemap-beta", "kanban"];

/// Words that open a block closed by `end`, in the kinds that use them.
const END_BLOCKS: &[&str] = &[
    "subgraph", "loop", "alt", "opt", "par", "critical", "break", "rect", "box", "block",
];

/// Checks the source before anything parses it with recursion: size, lines and nesting.
pub fn check_source(src: &str, parsed: &ParsedDiagram, limits: &DiagramLimits) -> Result<(), TooLarge> {
    if src.len() > limits.max_source_bytes {
        return Err(TooLarge {
            what: format!(
                "{} bytes of source; at most {} are drawn",
                group(src.len()),
                group(limits.max_source_bytes)
            ),
        });
    }
    over(src.lines().count(), "lines", limits.max_lines)?;
    let keyword = super::header_keyword(src).unwrap_or("");
    let indented = INDENTED_KINDS.contains(&keyword);
    over(nesting_depth(src, indented), "levels of nesting", limits.max_depth)?;
    match &parsed.model {
        DiagramModel::Flowchart(f) => {
            over(f.nodes.len(), "nodes", limits.max_elements)?;
            // `A & B --> C & D` is four edges: the product is what gets laid out.
            over(f.edge_count, "edges", limits.max_elements)?;
        }
        DiagramModel::Er(er) => {
            over(er.entities.len(), "entities", limits.max_elements)?;
            over(er.relationships.len(), "relationships", limits.max_elements)?;
        }
        DiagramModel::Sequence(sq) => {
            over(sq.participants.len(), "participants", limits.max_elements)?;
            over(sq.messages.len(), "messages", limits.max_elements)?;
        }
        DiagramModel::Class(c) => {
            over(c.classes.len(), "classes", limits.max_elements)?;
            over(c.relations.len(), "relations", limits.max_elements)?;
        }
        DiagramModel::State(st) => {
            over(st.states.len(), "states", limits.max_elements)?;
            over(st.transitions.len(), "transitions", limits.max_elements)?;
        }
        DiagramModel::Other if keyword.starts_with("packet") => {
            // 2,000 elements of 4 bits; a 32-bit row per 16 elements.
            over(packet_bits(src), "bits", limits.max_elements.saturating_mul(4))?;
        }
        DiagramModel::Other => {}
    }
    Ok(())
}

/// The bits a packet diagram's fields cover (`0-15: "Port"`, `16: "Flag"`, `+8: "Len"`),
/// saturating: a range up to 4,294,967,295 is a count, not an overflow.
fn packet_bits(src: &str) -> usize {
    let mut bits: u64 = 0;
    for line in src.lines() {
        let field = line.trim().split(':').next().unwrap_or("");
        let number = |s: &str| s.trim().parse::<u64>().ok();
        let covered = if let Some(n) = field.strip_prefix('+') {
            number(n)
        } else if let Some((a, b)) = field.split_once('-') {
            number(a)
                .zip(number(b))
                .map(|(a, b)| b.saturating_sub(a).saturating_add(1))
        } else {
            number(field).map(|_| 1)
        };
        bits = bits.saturating_add(covered.unwrap_or(0));
    }
    usize::try_from(bits).unwrap_or(usize::MAX)
}

/// The deepest nesting in the source: blocks opened by a line ending in `{` and closed by a
/// line starting with `}` (C4 boundaries, composite states, namespaces, ZenUML), `... end`
/// blocks, brackets within a line (outside quoted strings), and for indented kinds the
/// number of distinct open indentation levels. A `{` inside a line (an ER crow's foot
/// `o{`) counts only for that line.
fn nesting_depth(src: &str, indented: bool) -> usize {
    let mut braces: usize = 0;
    let mut blocks: usize = 0;
    let mut indents: Vec<usize> = Vec::new();
    let mut deepest = 0;
    for line in src.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("%%") {
            continue;
        }
        if indented {
            let width = line.len() - line.trim_start().len();
            while indents.last().is_some_and(|&w| w >= width) {
                indents.pop();
            }
            indents.push(width);
        }
        let first = trimmed
            .split(|c: char| c.is_whitespace() || c == ':' || c == '[' || c == '(')
            .next()
            .unwrap_or("");
        if END_BLOCKS.contains(&first) {
            blocks += 1;
        } else if first == "end" {
            blocks = blocks.saturating_sub(1);
        }
        if trimmed.starts_with('}') {
            braces = braces.saturating_sub(1);
        }
        let outer = braces + blocks + indents.len();
        let mut within: usize = 0;
        let mut quote = false;
        for c in trimmed.chars() {
            match c {
                '"' => quote = !quote,
                '{' | '(' | '[' if !quote => within += 1,
                '}' | ')' | ']' if !quote => within = within.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(outer + within);
        }
        deepest = deepest.max(outer);
        if trimmed.ends_with('{') {
            braces += 1;
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_blocks_and_indentation() {
        assert_eq!(
            nesting_depth("graph TD\nsubgraph a\nsubgraph b\nA[\"{{{\"]\nend\nend\n", false),
            3
        );
        assert_eq!(
            nesting_depth("stateDiagram-v2\nstate A {\n state B {\n  x\n }\n}\n", false),
            2
        );
        assert_eq!(nesting_depth("mindmap\n root\n  a\n  b\n   c\n", true), 4);
        // Crow's feet are not blocks: 25 relationships are one level.
        let er = format!("erDiagram\n{}", "  A ||--o{ B : has\n  B }o--|| C : in\n".repeat(25));
        assert_eq!(nesting_depth(&er, false), 1);
        // Entity blocks and nesting on one line still count.
        assert_eq!(nesting_depth("erDiagram\n  A {\n    string id\n  }\n", false), 1);
        assert_eq!(
            nesting_depth(&format!("zenuml\n{}", "if(x) { ".repeat(100)), false),
            100
        );
    }

    #[test]
    fn packet_fields_are_counted_in_bits() {
        assert_eq!(packet_bits("packet-beta\n0-15: \"a\"\n16: \"b\"\n+8: \"c\"\n"), 25);
        assert_eq!(packet_bits("packet\n0-4294967295: \"x\"\n"), 4_294_967_296);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(7), "7");
        assert_eq!(group(2_000), "2,000");
        assert_eq!(group(4_294_967_296), "4,294,967,296");
    }
}
