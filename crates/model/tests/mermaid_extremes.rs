//! Extreme diagrams of every kind we parse: very many elements, very deep nesting, one
//! enormous line, unbalanced everything. The parsers must return (with errors or not)
//! without panicking, and their models must stay in proportion to the source. How long
//! they take is measured in `benches/mermaid_parse.rs`, not here.

use designdoc_model::mermaid::{DiagramModel, parse_diagram};

fn parse(src: &str) -> designdoc_model::mermaid::ParsedDiagram {
    let parsed = parse_diagram(src);
    for e in &parsed.errors {
        assert!(
            e.range.start <= e.range.end && e.range.end <= src.len(),
            "{e:?} outside the source"
        );
        assert!(
            src.is_char_boundary(e.range.start) && src.is_char_boundary(e.range.end),
            "{e:?}"
        );
    }
    parsed
}

fn kinds() -> [&'static str; 5] {
    [
        "flowchart TD",
        "sequenceDiagram",
        "classDiagram",
        "stateDiagram-v2",
        "erDiagram",
    ]
}

#[test]
fn ten_thousand_elements() {
    let flow: String = (0..10_000)
        .map(|i| format!("  N{i}[Node {i}] --> N{}\n", i + 1))
        .collect();
    // Mermaid refuses flowcharts of more than 500 edges (its `maxEdges`), and so do we.
    let parsed = parse(&format!("flowchart TD\n{flow}"));
    assert!(
        parsed.errors.iter().any(|e| e.message.contains("500")),
        "{:?}",
        parsed.errors.first()
    );
    let few: String = (0..499).map(|i| format!("  N{i}[Node {i}] --> N{}\n", i + 1)).collect();
    let parsed = parse(&format!("flowchart TD\n{few}"));
    let DiagramModel::Flowchart(f) = parsed.model else {
        panic!("a flowchart")
    };
    assert_eq!(f.nodes.len(), 500);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());

    let seq: String = (0..10_000)
        .map(|i| format!("  P{} ->> P{}: message {i}\n", i % 50, (i + 1) % 50))
        .collect();
    let parsed = parse(&format!("sequenceDiagram\n{seq}"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());

    let class: String = (0..10_000).map(|i| format!("  C{i} <|-- C{}\n", i + 1)).collect();
    let parsed = parse(&format!("classDiagram\n{class}"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());

    let state: String = (0..10_000).map(|i| format!("  S{i} --> S{}\n", i + 1)).collect();
    let parsed = parse(&format!("stateDiagram-v2\n{state}"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());

    let er: String = (0..10_000)
        .map(|i| format!("  E{i} ||--o{{ E{} : has\n", i + 1))
        .collect();
    let parsed = parse(&format!("erDiagram\n{er}"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());
}

#[test]
fn five_thousand_nested_blocks() {
    let n = 5_000;
    let nested = |open: &dyn Fn(usize) -> String, close: &str| -> String {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&open(i));
            s.push('\n');
        }
        for _ in 0..n {
            s.push_str(close);
            s.push('\n');
        }
        s
    };
    parse(&format!(
        "flowchart TD\n{}",
        nested(&|i| format!("subgraph S{i}"), "end")
    ));
    parse(&format!(
        "sequenceDiagram\n{}",
        nested(&|i| format!("loop L{i}"), "end")
    ));
    parse(&format!(
        "stateDiagram-v2\n{}",
        nested(&|i| format!("state S{i} {{"), "}")
    ));
    parse(&format!(
        "classDiagram\n{}",
        nested(&|i| format!("namespace N{i} {{"), "}")
    ));
    // Never closed: Mermaid rejects each of these, and so must we.
    for (header, open) in [
        ("flowchart TD", "subgraph S"),
        ("sequenceDiagram", "loop L"),
        ("stateDiagram-v2", "state S {"),
        ("classDiagram", "namespace N {"),
    ] {
        let parsed = parse(&format!("{header}\n{}", format!("{open}\n").repeat(n)));
        assert!(!parsed.errors.is_empty(), "{header}: {n} unclosed `{open}` accepted");
    }
    // Closed too often.
    for header in kinds() {
        parse(&format!("{header}\n{}", "end\n}\n".repeat(n)));
    }
}

#[test]
fn one_megabyte_on_one_line() {
    for header in kinds() {
        for filler in ["A", "[", "(", "\"", "-->", "{", "<", "|", "é", "%%"] {
            parse(&format!("{header}\n{}\n", filler.repeat(1_000_000 / filler.len())));
            parse(&format!(
                "{header}\nA --> {}\n",
                filler.repeat(1_000_000 / filler.len())
            ));
        }
        let chain: String = (0..100_000).map(|i| format!("N{i} --> ")).collect();
        parse(&format!("{header}\n{chain}END\n"));
    }
}

#[test]
fn ampersand_products_stay_bounded() {
    let side: Vec<String> = (0..500).map(|i| format!("N{i}")).collect();
    let side = side.join(" & ");
    let parsed = parse(&format!("flowchart LR\n{side} --> {side}\n"));
    let DiagramModel::Flowchart(f) = parsed.model else {
        panic!("a flowchart")
    };
    assert_eq!(f.edge_count, 250_000);
    // The model keeps at most 10,000 of them (flowchart `MAX_EDGES`).
    assert!(f.edges.len() <= 10_000);
}
