//! Per-diagram parse time of generated diagrams, one per kind we validate:
//! `cargo run --release -p designdoc-model --example mermaid_timing` (bench/mermaid-parse.sh).

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
use designdoc_model::mermaid::parse_diagram;
use std::time::Instant;

fn flowchart_50() -> String {
    let mut s = String::from("flowchart LR\n");
    for sg in 0..5 {
        s.push_str(&format!("  subgraph S{sg} [Subsystem {sg}]\n"));
        for i in 0..10 {
            let n = sg * 10 + i;
            s.push_str(&format!("    N{n}[\"Service {n}\"] -->|call {n}| N{}\n", (n + 1) % 50));
        }
        s.push_str("  end\n");
    }
    s.push_str("  classDef hot fill:#f96\n  class N1,N2 hot\n");
    s
}

fn sequence_40() -> String {
    let mut s = String::from("sequenceDiagram\n  autonumber\n");
    let who = ["Client", "Gateway", "Auth", "Service", "Database"];
    for p in who {
        s.push_str(&format!("  participant {p}\n"));
    }
    s.push_str("  loop every request\n");
    for i in 0..40 {
        let (a, b) = (who[i % 5], who[(i + 1) % 5]);
        let arrow = if i % 2 == 0 { "->>" } else { "-->>" };
        s.push_str(&format!("    {a}{arrow}{b}: step {i}\n"));
        if i % 10 == 9 {
            s.push_str(&format!("    Note over {a},{b}: checkpoint {i}\n"));
        }
    }
    s.push_str("  end\n");
    s
}

fn class_20() -> String {
    let mut s = String::from("classDiagram\n");
    for i in 0..20 {
        s.push_str(&format!(
            "  class C{i} {{\n    +String name\n    +run(int n) bool\n  }}\n"
        ));
        if i > 0 {
            s.push_str(&format!("  C{} <|-- C{i} : extends\n", i - 1));
        }
    }
    s
}

fn state_30() -> String {
    let mut s = String::from("stateDiagram-v2\n  [*] --> S0\n  state Busy {\n");
    for i in 0..30 {
        s.push_str(&format!("    S{i} --> S{} : event {i}\n", i + 1));
    }
    s.push_str("  }\n  S30 --> [*]\n");
    s
}

fn er_8() -> String {
    let mut s = String::from("erDiagram\n");
    for i in 0..8 {
        s.push_str(&format!(
            "  E{i} {{\n    int id PK\n    string name\n    int parent_id FK\n  }}\n"
        ));
    }
    for i in 0..10 {
        s.push_str(&format!("  E{} ||--o{{ E{} : owns\n", i % 8, (i + 3) % 8));
    }
    s
}

fn main() {
    let cases = [
        (
            "seed graph (4 nodes)",
            "graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n    C --> D[Database]\n"
                .to_string(),
        ),
        (
            "seed ER (3 entities)",
            "erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n    ENTITY2 }|..|{ ENTITY3 : contains\n".to_string(),
        ),
        ("flowchart, 50 nodes", flowchart_50()),
        ("sequence, 40 messages", sequence_40()),
        ("class, 20 classes", class_20()),
        ("state, 30 transitions", state_30()),
        ("ER, 8 entities", er_8()),
    ];
    for (name, src) in &cases {
        let errors = parse_diagram(src).errors;
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let rounds = 20_000;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(parse_diagram(std::hint::black_box(src)));
        }
        let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        println!("{name:24} {per:8.1} µs per parse ({} bytes)", src.len());
    }
}
