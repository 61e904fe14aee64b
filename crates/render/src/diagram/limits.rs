//! Bounds on the drawing library's parsed tree, for what the source does not show:
//! numbers that become counts (packet bit ranges, block spans, Gantt durations and date
//! spans). Checked before layout, in time linear in the tree.

use designdoc_model::mermaid::DiagramKind;
use designdoc_model::mermaid::limits::{DiagramLimits, TooLarge};
use mermaid_svg::ast;

fn over(count: usize, what: &str, max: usize) -> Result<(), TooLarge> {
    TooLarge::check(count, what, max)
}

/// Whether [`check_tree`] can find anything for this diagram: Gantt charts, packets, block
/// and state diagrams; the other kinds are bounded by their source.
pub fn needs_tree_check(kind: Option<DiagramKind>, src: &str) -> bool {
    matches!(kind, Some(DiagramKind::Gantt | DiagramKind::State))
        || designdoc_model::mermaid::header_keyword(src)
            .is_some_and(|k| k.starts_with("packet") || k.starts_with("block") || k.starts_with("radar"))
}

/// Checks the drawing library's own tree for what the source does not show: numbers
/// that become counts (packet bit ranges, block spans, Gantt durations) and sizes.
pub fn check_tree(diagram: &ast::Diagram, limits: &DiagramLimits) -> Result<(), TooLarge> {
    let max = limits.max_elements;
    match diagram {
        ast::Diagram::Packet(p) => {
            let bits = p.fields.iter().fold(0usize, |sum, f| {
                sum.saturating_add((f.end as usize).saturating_sub(f.start as usize).saturating_add(1))
            });
            // 2,000 elements of 32 bits: a 64,000-bit packet is 2,000 rows.
            over(bits, "bits", max.saturating_mul(4))?;
            let per_row = p.config.bits_per_row.max(1) as usize;
            over(bits / per_row, "rows", max / 4)?;
        }
        ast::Diagram::Gantt(g) => gantt(g, limits)?,
        ast::Diagram::State(st) => composites(st, limits)?,
        // One circle per tick: `ticks 4000000000` is gigabytes.
        ast::Diagram::Radar(r) => over(r.ticks.unwrap_or(0) as usize, "radar ticks", 100)?,
        ast::Diagram::Block(b) => {
            over(b.columns.unwrap_or(0), "columns", 256)?;
            let mut stack: Vec<&[ast::BlockItem]> = vec![&b.items];
            let mut cells = 0usize;
            while let Some(items) = stack.pop() {
                for item in items {
                    cells = cells.saturating_add(match item {
                        ast::BlockItem::Block(block) => block.span.max(1),
                        ast::BlockItem::Group(group) => {
                            over(group.columns.unwrap_or(0), "columns", 256)?;
                            stack.push(&group.items);
                            group.span.max(1)
                        }
                        ast::BlockItem::Space(n) => (*n).max(1),
                        _ => 1,
                    });
                }
            }
            over(cells, "block cells", max)?;
        }
        _ => {}
    }
    Ok(())
}

/// Composite states: the drawing library walks each composite's members recursively,
/// descending into member composites. A composite that contains itself (directly or
/// through others) never ends, and shared members multiply the walk; both are measured
/// here without recursion.
fn composites(st: &ast::StateDiagram, limits: &DiagramLimits) -> Result<(), TooLarge> {
    use std::collections::HashMap;
    let index: HashMap<&str, usize> = st
        .composites
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let children: Vec<Vec<usize>> = st
        .composites
        .iter()
        .map(|c| {
            c.regions
                .iter()
                .flatten()
                .filter_map(|m| index.get(m.as_str()).copied())
                .collect()
        })
        .collect();
    // Members visited by the walk from each composite, computed children first
    // (an iterative depth-first order; a back edge is a cycle).
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; children.len()];
    let mut walk = vec![0usize; children.len()];
    let mut depth = vec![1usize; children.len()];
    for root in 0..children.len() {
        if state[root] != NEW {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = OPEN;
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            if let Some(&child) = children[node].get(top.1) {
                top.1 += 1;
                match state[child] {
                    OPEN => {
                        return Err(TooLarge {
                            what: format!("state `{}` contains itself", st.composites[child].id),
                        });
                    }
                    NEW => {
                        state[child] = OPEN;
                        stack.push((child, 0));
                    }
                    _ => {}
                }
            } else {
                let members: usize = st.composites[node].regions.iter().map(Vec::len).sum();
                walk[node] = children[node]
                    .iter()
                    .fold(members, |sum, &c| sum.saturating_add(walk[c]));
                depth[node] = 1 + children[node].iter().map(|&c| depth[c]).max().unwrap_or(0);
                state[node] = DONE;
                stack.pop();
            }
        }
    }
    over(
        depth.iter().copied().max().unwrap_or(0),
        "levels of composite states",
        limits.max_depth,
    )?;
    over(
        walk.iter().copied().max().unwrap_or(0),
        "state memberships to walk",
        limits.max_elements.saturating_mul(10),
    )
}

/// Longest Gantt span drawn, in days (the axis, the shading of excluded days and the
/// stretching of durations over them all walk the days).
const MAX_GANTT_DAYS: f64 = 36_600.0;

fn gantt(g: &ast::GanttDiagram, limits: &DiagramLimits) -> Result<(), TooLarge> {
    let tasks: usize = g.sections.iter().map(|s| s.tasks.len()).sum();
    over(tasks, "tasks", limits.max_elements)?;
    // When every weekday is excluded no working day exists, and stretching a duration
    // over the excluded days never ends.
    let mut excluded = [false; 7];
    for word in &g.excludes {
        match word.trim().to_ascii_lowercase().as_str() {
            "weekends" => {
                if g.weekend.as_deref().map(str::trim) == Some("friday") {
                    excluded[5] = true;
                    excluded[6] = true;
                } else {
                    excluded[6] = true;
                    excluded[0] = true;
                }
            }
            day => {
                const DAYS: [&str; 7] = [
                    "sunday",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                ];
                if let Some(i) = DAYS.iter().position(|d| *d == day) {
                    excluded[i] = true;
                }
            }
        }
    }
    if excluded.iter().all(|&e| e) {
        return Err(TooLarge {
            what: "every day of the week is excluded, so no task can end".to_string(),
        });
    }
    let mut years: Vec<i64> = Vec::new();
    for task in g.sections.iter().flat_map(|s| &s.tasks) {
        if let ast::TaskEnd::Duration(days) = task.end
            && !(days.is_finite() && days.abs() <= MAX_GANTT_DAYS)
        {
            return Err(TooLarge {
                what: format!("a task lasting {days} days; at most {MAX_GANTT_DAYS} are drawn"),
            });
        }
        if let ast::TaskStart::Date(d) = &task.start {
            years.extend(year_of(d));
        }
        if let ast::TaskEnd::Date(d) = &task.end {
            years.extend(year_of(d));
        }
    }
    if let (Some(min), Some(max)) = (years.iter().min(), years.iter().max())
        && (max - min) as f64 * 365.25 > MAX_GANTT_DAYS
    {
        return Err(TooLarge {
            what: format!("tasks from {min} to {max}; at most 100 years are drawn"),
        });
    }
    Ok(())
}

/// The year of a date (`2026-01-31`, `31.01.2026`, `20260131`): the first run of four or
/// more digits. Five to seven digits are a year beyond 9999 (`YYYYYY` formats), eight are
/// `YYYYMMDD`; longer runs are timestamps, not read.
fn year_of(date: &str) -> Option<i64> {
    let run = date.split(|c: char| !c.is_ascii_digit()).find(|part| part.len() >= 4)?;
    match run.len() {
        4..=7 => run.parse().ok(),
        8 => run[..4].parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use designdoc_model::mermaid::limits::check_source;
    use designdoc_model::mermaid::parse_diagram;

    fn check(src: &str) -> Result<(), String> {
        let limits = DiagramLimits::default();
        check_source(src, &parse_diagram(src), &limits).map_err(|e| e.what)?;
        let tree = mermaid_svg::parse(src).map_err(|e| format!("parse: {e}"))?;
        check_tree(&tree, &limits).map_err(|e| e.what)
    }

    #[test]
    fn seed_sized_diagrams_pass() {
        for src in [
            "graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n",
            "erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n",
            "sequenceDiagram\n  A->>B: hi\n  loop every minute\n    B-->>A: ok\n  end\n",
            "gantt\n  dateFormat YYYY-MM-DD\n  excludes weekends\n  section A\n  T :a1, 2026-01-01, 30d\n",
            "packet-beta\n0-15: \"Source Port\"\n16-31: \"Destination Port\"\n32-63: \"Sequence\"\n",
            "mindmap\n  root\n    a\n      b\n    c\n",
            "stateDiagram-v2\n  [*] --> A\n  state A {\n    B --> C\n    state C {\n      D --> E\n    }\n  }\n",
        ] {
            assert_eq!(check(src), Ok(()), "{src}");
        }
    }

    #[test]
    fn costly_diagrams_are_refused_with_the_figure() {
        let chain = |p: &str| (0..500).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" & ");
        let cases = [
            (format!("graph TD\n{} --> {}\n", chain("N"), chain("M")), "250,000 edges; at most 2,000 are drawn"),
            ("packet-beta\n0-4294967295: \"x\"\n".to_string(), "4,294,967,296 bits; at most 8,000 are drawn"),
            (
                "gantt\n  excludes monday, tuesday, wednesday, thursday, friday, saturday, sunday\n  section A\n  T :a1, 2026-01-01, 3d\n".to_string(),
                "every day of the week is excluded, so no task can end",
            ),
            (
                "gantt\n  excludes weekends\n  section A\n  T :a1, 2026-01-01, 100000000d\n".to_string(),
                "a task lasting 100000000 days; at most 36600 are drawn",
            ),
            (
                format!("C4Context\n{}{}", "Boundary(b, \"B\") {\n".repeat(1000), "}\n".repeat(1000)),
                "1,000 levels of nesting; at most 24 are drawn",
            ),
            (
                format!("mindmap\n{}", (0..100).map(|i| format!("{}n{i}\n", " ".repeat(i + 1))).collect::<String>()),
                "101 levels of nesting; at most 24 are drawn",
            ),
            (format!("graph TD\n{}", "A-->B\n".repeat(5000)), "5,001 lines; at most 3,000 are drawn"),
            ("stateDiagram\nstate A {\nA\n}\n".to_string(), "state `A` contains itself"),
            (
                "radar-beta\naxis A, B, C\ncurve a{1, 2, 3}\nticks 4000000000\n".to_string(),
                "4,000,000,000 radar ticks; at most 100 are drawn",
            ),
            (
                "gantt\n  dateFormat YYYYYY-MM-DD\n  tickInterval 1day\n  section A\n  T : 000001-01-01, 999999-01-01\n".to_string(),
                "tasks from 1 to 999999; at most 100 years are drawn",
            ),
            (
                "stateDiagram-v2\nstate A {\nB\n}\nstate B {\nA\n}\n".to_string(),
                "state `A` contains itself",
            ),
        ];
        for (src, expect) in cases {
            assert_eq!(check(&src), Err(expect.to_string()), "{}", &src[..src.len().min(80)]);
        }
    }
}
