//! Verdicts of real Mermaid 11.17.2 (`tools/mermaid-oracle`) on small variants of each
//! construct, and the model and error positions for a few.

use super::super::parse_diagram;

fn errors(src: &str) -> Vec<String> {
    parse_diagram(src)
        .errors
        .into_iter()
        .map(|e| format!("{} at {:?}", e.message, e.range))
        .collect()
}

/// Mermaid accepts every one of these.
const ACCEPTED: &[&str] = &[
    "graph TD\nA-->B",
    "graph TD",
    "graph TD\n",
    "graph",
    "graph\nA-->B",
    "graph TD\nA & B --> C",
    "graph TD\nA&B --> C",
    "graph TD\nA -->|t| B",
    "graph TD\nA[\"x\" y]",
    "graph TD\nA --> B\n%%\nC",
    "graph TD\naccDescr { foo",
    "graph TD\nA[\"direction TB\"]",
    "graph TD\nA --> B direction LR",
    "graph TD\nA@{ shape: rect }",
    "graph TD\nA@{ shape: rect } ",
    "graph TD\nA --> B\nlinkStyle 0 stroke:red",
    "graph TD\nA(-x-) --> B",
    "graph TD\nA[😀] --> B",
    "graph TD\nendpoint --> B",
    "graph TD\nA[|a:b|c]",
    "graph TD\n%% c\nA-->B",
    "%%{init: {'theme':'dark'}}%%\ngraph TD\nA-->B",
    "graph TD\nA-->B;",
    "graph TD\n  A\n  B",
    "graph TD\nA --- B",
    "graph TD\nA <-- x --> B",
    "graph TD\nA[|a:b|c] --> B",
    "graph TD\nA[#quot;] --> B",
    "graph TD\nstyle A fill:#f00;",
    "graph TD\nsubgraph X\nA\nend B-->C",
    "graph TD\nA-->B\n   ",
    "flowchart-elk TD\nA-->B",
    "graph TD\nA[\"a\"]:::c --> B",
    "graph TD\nA-->B\nclick A href \"x\" _blank",
    "graph TD\nA-->B\nclick A callback \"tip\"",
    "graph TD\nA-->B\nclick A call cb(x) \"tip\"",
    "graph TD\nA-->B\nclick A call cb()",
    "graph TD\nA e1@--> B",
    "graph TD\nA e1@-- x --> B",
    "graph TD\nA --> B@{ shape: rect }\nB@{ label: \"x\" } --> C",
    "graph TD\nA@{ shape: rect } & B",
    "graph TD\nA@{ shape: rect }  & B",
    "graph TD\nA@{ shape: rect, label: \"a}b\" }",
    "graph TD\nA@{ shape: rect\n label: x }",
    "graph TD\nA@{ shape }",
    "graph TD\nA@{ shape: rect, label: \"x\" }",
    "graph TD\naccTitle: hi\naccDescr: there\nA-->B",
    "graph TD\naccDescr {\nmulti\nline\n}\nA-->B",
    "graph TD\nsubgraph \"a b\"\nA\nend",
    "graph TD\nsubgraph a [\"t\"]\nA\nend",
    "graph TD\nsubgraph a\ndirection LR\nA\nend",
    "graph TD\nA((a)) --> B{{b}} --> C>c] --> D[\\d/] --> E[/e\\]",
    "graph TD\nA[(a)] --> B([b]) --> C[[c]] --> D(((d)))",
    "graph TD\nA-->B\nlinkStyle default interpolate basis",
    "graph TD\nA-->B\nA-->C\nlinkStyle 0,1 stroke:red",
    "graph TD\nA-.->B\nA-..->B\nA-...->B\nA==>B\nA===>B\nA~~~B\nA---->B",
    "graph TD\nA--xB\nA--oB\nAx--xB\nA o--o B\nA x--x B\nA <--> B\nA<==>B\nA<-.->B",
    "graph TD\nA-. text .->B\nA== text ==>B\nA-- text ---B",
    "graph TD\nA -->|a| B -->|b| C",
    "graph TD\nA---|a|B",
    "graph TD\nA-->\nB",
    "graph TD\nA\n-->B",
    "graph TD\nclassDef foo fill:#f00,stroke:#000\nclass A,B foo",
    "graph TD\nA:::foo & B:::bar --> C",
    "graph TD\nA --> B & C & D",
    "graph TD\n1-->2",
    "graph TD\nA.b-->c/d",
    "graph TD\nA-->B\nstyle A fill:#f9f,stroke:#333,stroke-width:4px",
    "graph TD\nA[\"a\"] -- \"b\" --> C",
    "graph TD\nA -- \"b\" c --> C",
];

/// Mermaid rejects every one of these.
const REJECTED: &[&str] = &[
    "graph;A-->B",
    "graph TD ;A-->B",
    "graph td\nA-->B",
    "graph TD\nA &B --> C",
    "graph TD\nA& B --> C",
    "graph TD\nA -->|t|  B",
    "graph TD\nA[]",
    "graph TD\nA[y \"x\"]",
    "graph TD\nA --> B %% c",
    "graph TD\nsubgraph a[t] \nA\nend",
    "graph TD\nsubgraph a,b\nA\nend",
    "graph TD\nA = B",
    "graph TD\nclass A foo ",
    "graph TD\nstyle A fill:rgb(0,0,0)",
    "graph TD\nA[me@x]",
    "graph TD\nA --> user@example.com",
    "graph TD\nx-->B",
    "graph TD\nA -. a.b .-> B",
    "graph TD\nA -- a -- b --> B",
    "graph TD\nA@{ shape: foo }",
    "graph TD\nA@{ shape: Rect }",
    "graph TD\nA --> B\nlinkStyle 1 stroke:red",
    "graph TD\nA[/x/] --> B[/]",
    "graph TD\nA --> 😀",
    "graph TD\nend-x --> B",
    "graph TD\nclick A call foo",
    "graph TD\nA[\"`a ` b`\"]",
    "graph TD\nA(( x )))",
    "graph TD\nA-->B\nend",
    "graph TD\nA -- x ==> B",
    "graph TD\nA ==x== B",
    "graph TD\nA[|x|c]",
    "graph TD\nA[|a:b|]",
    "graph TD\nA[|a:b c]",
    "graph TD\nA[|a:b|c|d]",
    "graph TD\nA --> #quot;",
    "graph TD\nA --> B; style A fill:#f00; B --> C",
    "graph TD\nA --> B\n%% x\n  %% y\nend",
    "graph TD\nA:::c:::d",
    "graph TD\nA@{ shape: 5 }",
    "graph TD\nA@{ foo: [a, }",
    "graph TD\nA[a]b --> C",
    "graph TD\nA-->B\nlinkStyle 0,1 stroke:red",
    "graph TD\nA-->B-->",
];

#[test]
fn agrees_with_mermaid_on_small_variants() {
    for src in ACCEPTED {
        assert!(
            errors(src).is_empty(),
            "Mermaid accepts {src:?}, we say {:?}",
            errors(src)
        );
    }
    for src in REJECTED {
        assert!(!errors(src).is_empty(), "Mermaid rejects {src:?}, we accept it");
    }
}

#[test]
fn model_of_a_small_chart() {
    let d = parse_diagram(
        "flowchart LR\n  A[\"Start #quot;x#quot;\"] -->|go| B{Choice}\n  B -- yes --> C[(Store)] & D((Hub))\n  subgraph core [Core]\n    E e1@-.-> F>Flag]\n  end\n  G@{ shape: cyl, label: \"Db\" }\n",
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let super::super::DiagramModel::Flowchart(f) = d.model else {
        panic!("not a flowchart")
    };
    let labels: Vec<(&str, &str, super::Shape)> = f
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.label.as_str(), n.shape))
        .collect();
    assert_eq!(labels[0], ("A", "Start #quot;x#quot;", super::Shape::Rect));
    assert_eq!(labels[2], ("C", "Store", super::Shape::Cylinder));
    assert_eq!(labels.last().copied(), Some(("G", "Db", super::Shape::Cylinder)));
    assert_eq!(f.edge_count, 4);
    assert_eq!(f.edges[1].label.as_deref(), Some("yes"));
    assert_eq!(f.edges[3].arrow, "-.->");
    assert_eq!(
        (f.subgraphs[0].id.as_str(), f.subgraphs[0].title.as_str()),
        ("core", "Core")
    );
    assert_eq!(f.subgraphs[0].nodes.len(), 2);
}

#[test]
fn errors_point_at_the_source() {
    // Positions are in the source, also after front matter and comments were removed.
    let e = errors("---\ntitle: t\n---\n%% note\ngraph TD\nA[x --> B\n");
    assert_eq!(e, ["missing closing `]` for node `A` at 35..36"]);
    let e = errors("graph TD\nA-->B\nlinkStyle 3 stroke:red\n");
    assert!(e[0].contains("linkStyle 3") && e[0].ends_with("at 25..26"), "{e:?}");
    let e = errors("graph TD\nsubgraph one\nA\n");
    assert_eq!(e, ["subgraph `one` is never closed with `end` at 9..21"]);
    let e = errors("graph XY\nA\n");
    assert_eq!(e, ["unknown direction `XY` (expected TD, TB, BT, LR or RL) at 6..8"]);
    assert!(errors("graph TD\nA@{ shape: blob }\n")[0].contains("no such shape `blob`"));
    let many: String = (0..501).map(|i| format!("N{i} --> M{i}\n")).collect();
    assert!(errors(&format!("graph TD\n{many}"))[0].contains("more than 500 edges"));
}

#[test]
fn hostile_inputs_stay_fast_and_never_panic() {
    let start = std::time::Instant::now();
    let long_line = format!("graph TD\n{}", "A-->".repeat(50_000) + "B");
    let nested = format!("graph TD\n{}A\n{}", "subgraph s\n".repeat(5_000), "end\n".repeat(5_000));
    let spaces = format!("graph TD\nA{}B\n", " ".repeat(200_000));
    let brackets = format!("graph TD\nA{}\n", "[".repeat(100_000));
    let ats = format!("graph TD\n{}\n", "a@".repeat(100_000));
    let dirs = format!("graph TD\n{}\n", "x direction TB ".repeat(20_000));
    let lts = format!("graph TD\nA[\"{}\"]\n", "<b ".repeat(50_000));
    for src in [long_line, nested, spaces, brackets, ats, dirs, lts] {
        let one = std::time::Instant::now();
        let _ = parse_diagram(&src);
        assert!(
            one.elapsed().as_secs() < 5,
            "{:?} for {:?}",
            one.elapsed(),
            src.get(..40)
        );
    }
    for src in [
        "graph",
        "graph TD\n\u{1F600}",
        "graph TD\nA[\u{e9}\u{301}]",
        "flowchart\n\"",
        "graph TD\n%%{init:",
    ] {
        let _ = parse_diagram(src);
    }
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

/// `cargo test -p designdoc-model --release -- --ignored --nocapture fifty`
#[test]
#[ignore]
fn fifty_node_chart_timing() {
    let mut src = String::from("flowchart TD\n");
    for i in 0..50 {
        src.push_str(&format!("  N{i}[\"Node {i}\"] -->|step| N{}(Next {i})\n", i + 1));
    }
    let n = 2_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(parse_diagram(std::hint::black_box(&src)));
    }
    println!("50-node flowchart: {:?} per parse", start.elapsed() / n);
}
