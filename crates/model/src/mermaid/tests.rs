use super::*;

/// Parses `src` and prints the model and errors compactly.
fn show(src: &str) -> String {
    let d = parse_diagram(src);
    let mut out = String::new();
    match &d.model {
        DiagramModel::Flowchart(f) => {
            out.push_str(&format!("flowchart {}\n", f.direction));
            for n in &f.nodes {
                out.push_str(&format!("node {} {:?} {:?}\n", n.id, n.label, n.shape));
            }
            for e in &f.edges {
                out.push_str(&format!(
                    "edge {} {} {} {:?}\n",
                    f.nodes[e.from].id, e.arrow, f.nodes[e.to].id, e.label
                ));
            }
            for s in &f.subgraphs {
                let ids: Vec<&str> = s.nodes.iter().map(|&i| f.nodes[i].id.as_str()).collect();
                out.push_str(&format!("subgraph {} {:?} {:?}\n", s.id, s.title, ids));
            }
        }
        DiagramModel::Er(er) => {
            for e in &er.entities {
                let attrs: Vec<String> = e
                    .attributes
                    .iter()
                    .map(|a| format!("{} {} {:?}", a.ty, a.name, a.keys))
                    .collect();
                out.push_str(&format!("entity {} defined={} {:?}\n", e.name, e.defined, attrs));
            }
            for r in &er.relationships {
                out.push_str(&format!(
                    "rel {} {:?} {} {:?} {} : {}\n",
                    er.entities[r.left].name,
                    r.left_card,
                    if r.identifying { "--" } else { ".." },
                    r.right_card,
                    er.entities[r.right].name,
                    r.label
                ));
            }
        }
        DiagramModel::Sequence(_) | DiagramModel::Class(_) | DiagramModel::State(_) | DiagramModel::Other => {
            out.push_str(&format!("other {:?}\n", d.kind))
        }
    }
    for e in &d.errors {
        out.push_str(&format!(
            "error {}..{} {}: {:?}\n",
            e.range.start,
            e.range.end,
            e.message,
            src.get(e.range.clone()).unwrap_or("")
        ));
    }
    out
}

fn check(src: &str, expect: &str) {
    let got = show(src);
    assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
}

#[test]
fn seed_flowchart() {
    check(
        "graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n    C --> D[Database]\n",
        r#"
flowchart TD
node A "Component A" Rect
node B "Component B" Rect
node C "Component C" Rect
node D "Database" Rect
edge A --> B None
edge B --> C None
edge C --> D None"#,
    );
}

#[test]
fn seed_er() {
    check(
        "erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n    ENTITY2 }|..|{ ENTITY3 : contains\n",
        r#"
entity ENTITY1 defined=false []
entity ENTITY2 defined=false []
entity ENTITY3 defined=false []
rel ENTITY1 ExactlyOne -- ZeroOrMore ENTITY2 : has
rel ENTITY2 OneOrMore .. OneOrMore ENTITY3 : contains"#,
    );
}

#[test]
fn flowchart_forms() {
    check(
        "---\ntitle: x\n---\nflowchart LR; A-->B\n  C((Hub)) -.->|reads| D[(Store)] & E{Choice}\n  E -- yes --> F([Done])\n  subgraph cluster [Workers]\n    W1 ==> W2\n  end\n  %% comment\n  classDef hot fill:#f00\n  A:::hot --- G\n  A <--> H\n",
        r#"
flowchart LR
node A "A" Rect
node B "B" Rect
node C "Hub" Circle
node D "Store" Cylinder
node E "Choice" Rhombus
node F "Done" Stadium
node W1 "W1" Rect
node W2 "W2" Rect
node G "G" Rect
node H "H" Rect
edge A --> B None
edge C -.-> D Some("reads")
edge C -.-> E Some("reads")
edge E --> F Some("yes")
edge W1 ==> W2 None
edge A --- G None
edge A <--> H None
subgraph cluster "Workers" ["W1", "W2"]"#,
    );
}

#[test]
fn malformed_inputs_are_rejected_with_positions() {
    // m1 unclosed `[`
    check(
        "graph TD\n    A[unclosed --> B\n",
        "flowchart TD\nerror 14..15 missing closing `]` for node `A`: \"[\"",
    );
    // m2 unknown arrow
    check(
        "graph TD\n    A ~~> B\n",
        "flowchart TD\nnode A \"A\" Rect\nerror 15..16 Mermaid cannot read `~` here (no token starts with it): \"~\"",
    );
    // m3 relationship without label
    check(
        "erDiagram\n    A ||--o{ B\n",
        "error 14..24 relationship `A` - `B` needs a label after `:` (`A ||--o{ B : has`): \"A ||--o{ B\"",
    );
    // m4 bad cardinality
    assert!(show("erDiagram\n    A ||--x{ B : has\n").contains("error 16..22 cannot read relationship `||--x{`"));
    // m5 unclosed entity block
    check(
        "erDiagram\n    A {\n        string id\n",
        "entity A defined=true [\"string id []\"]\nerror 16..17 `{` of entity `A` is never closed with `}`: \"{\"",
    );
    // m6 subgraph without end
    check(
        "graph TD\n    subgraph one\n    A --> B\n",
        "flowchart TD\nnode A \"A\" Rect\nnode B \"B\" Rect\nedge A --> B None\nsubgraph one \"one\" [\"A\", \"B\"]\nerror 13..25 subgraph `one` is never closed with `end`: \"subgraph one\"",
    );
}

#[test]
fn er_attributes_and_words() {
    check(
        "erDiagram\n  CUSTOMER ||--o{ ORDER : places\n  CUSTOMER {\n    string id PK\n    string email UK \"login\"\n  }\n  ORDER {\n    string id PK\n    string customer_id FK\n  }\n  ORDER one or more to zero or many LINE_ITEM : \"has lines\"\n",
        r#"
entity CUSTOMER defined=true ["string id [Pk]", "string email [Uk]"]
entity ORDER defined=true ["string id [Pk]", "string customer_id [Fk]"]
entity LINE_ITEM defined=false []
rel CUSTOMER ExactlyOne -- ZeroOrMore ORDER : places
rel ORDER OneOrMore -- ZeroOrMore LINE_ITEM : has lines"#,
    );
}

#[test]
fn other_kinds_and_unknown() {
    check("sequenceDiagram\n  A->>B: hi\n", "other Some(Sequence)");
    check("pie\n \"a\" : 1\n", "other Some(Other)");
    check(
        "bogusDiagram\n",
        "other Some(Other)\nerror 0..12 unknown diagram type `bogusDiagram`; Mermaid expects a diagram keyword such as `flowchart`, `sequenceDiagram` or `erDiagram`: \"bogusDiagram\"",
    );
    check("", "other None\nerror 0..0 empty diagram: no diagram type: \"\"");
}

#[test]
fn brackets_inside_unquoted_labels() {
    assert!(show("graph TD\n  G[Gateway --> L[Limiter]\n").contains("unquoted `[` in the label of node `G`"));
    assert!(!show("graph TD\n  G[\"Gateway (edge)\"] --> L\n").contains("error"));
    assert!(show("graph TD\n  G[Gateway (edge)] --> L\n").contains("unquoted `(`"));
}
