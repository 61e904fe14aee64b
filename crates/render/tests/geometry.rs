//! Geometry checks over our drawings: the SVG read back (`support::geometry`) and checked
//! for structure (nodes inside exactly their own clusters, clusters apart unless nested,
//! edges clear of what they do not connect, labels clear of nodes, sequence frames
//! nested). The fixtures show each check fires on a known violation and stays silent
//! without one; the corpus run measures every flowchart, ER, sequence, class and state
//! diagram of ../shared/corpus/mermaid that Mermaid accepts, and records the baseline.

mod support;

use designdoc_render::DiagramError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;
use support::geometry::{
    Cluster, Edge, Frame, Geometry, Graph, Item, ItemKind, Kind, Lifeline, Node, Sequence, Unreadable, Violation,
    census, check, check_graph, check_sequence, measure,
};
use support::svg::{Bbox, path_points, read};

fn b(x0: f64, y0: f64, x1: f64, y1: f64) -> Bbox {
    Bbox { x0, y0, x1, y1 }
}

fn node(label: &str, bbox: Bbox, chain: &[usize]) -> Node {
    Node {
        label: label.to_string(),
        bbox,
        chain: Some(chain.to_vec()),
    }
}

fn cluster(title: &str, bbox: Bbox, parent: Option<usize>) -> Cluster {
    Cluster {
        title: title.to_string(),
        bbox,
        parent,
    }
}

fn fired(v: &[Violation]) -> BTreeSet<&'static str> {
    v.iter().map(|v| v.check).collect()
}

fn measured(src: &str) -> (Kind, Geometry) {
    let svg = designdoc_render::render_svg(src).expect("renders");
    measure(src, &svg).expect("readable")
}

#[test]
fn svg_reader_samples_curves_and_reads_boxes() {
    let subs = path_points("M0 0C10 0 10 10 20 10L20 30M5 5h5v5z");
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0].first(), Some(&(0.0, 0.0)));
    assert!(subs[0].contains(&(20.0, 10.0)) && subs[0].contains(&(20.0, 30.0)));
    assert!(subs[0].len() > 5, "the curve is sampled: {:?}", subs[0]);
    assert_eq!(subs[1], vec![(5.0, 5.0), (10.0, 5.0), (10.0, 10.0), (5.0, 5.0)]);
    // A cylinder's top: a flat arc bulges by its small radius, not its large one.
    let top = Bbox::of_points(&path_points("M0 10 A30 8 0 0 0 60 10 A30 8 0 0 0 0 10")[0]).expect("points");
    assert!((top.y0 - 2.0).abs() < 0.1 && (top.y1 - 18.0).abs() < 0.1, "{top:?}");
    assert!((top.x0 - 0.0).abs() < 0.1 && (top.x1 - 60.0).abs() < 0.1, "{top:?}");
    let d = read(
        "<svg viewBox=\"0 0 100 50\"><defs><marker><path d=\"M0 0L9 9\"/></marker></defs>\
         <g transform=\"translate(10,5)\"><rect x=\"1\" y=\"2\" width=\"3\" height=\"4\"/></g>\
         <text x=\"50\" y=\"20\" text-anchor=\"middle\"><tspan x=\"50\" dy=\"0\">a &amp; b</tspan><tspan x=\"50\" dy=\"16\">c</tspan></text></svg>",
    );
    assert_eq!(d.view_box, Some(b(0.0, 0.0, 100.0, 50.0)));
    assert_eq!(d.prims.len(), 2, "{:?}", d.prims);
    assert_eq!(d.prims[0].bbox, b(11.0, 7.0, 14.0, 11.0));
    assert_eq!(d.prims[1].text, "a & b\nc");
}

#[test]
fn graph_checks_fire_on_known_violations_and_only_then() {
    // Clean: A in cluster 0, B outside; edge from A's border to B's border, clear of all.
    let clean = Graph {
        nodes: vec![
            node("A", b(10.0, 30.0, 70.0, 70.0), &[0]),
            node("B", b(200.0, 30.0, 260.0, 70.0), &[]),
        ],
        clusters: vec![cluster("one", b(0.0, 0.0, 80.0, 80.0), None)],
        edges: vec![Edge {
            points: vec![(70.0, 50.0), (200.0, 50.0)],
            label: Some(b(120.0, 41.0, 150.0, 59.0)),
        }],
        notes: Vec::new(),
    };
    assert_eq!(check_graph(&clean), vec![]);

    // A node outside its own cluster, and over another.
    let mut g = clean.clone();
    g.clusters.push(cluster("two", b(190.0, 0.0, 300.0, 100.0), None));
    g.nodes[0].bbox = b(100.0, 30.0, 160.0, 70.0);
    g.edges.clear();
    assert_eq!(
        fired(&check_graph(&g)),
        BTreeSet::from(["node-outside-own-cluster", "node-in-foreign-cluster"])
    );

    // Overlapping sibling clusters; nested ones do not count, but must be inside.
    let mut g = clean.clone();
    g.edges.clear();
    g.nodes.truncate(1);
    g.clusters.push(cluster("two", b(75.0, 60.0, 150.0, 150.0), None));
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["cluster-overlap"]));
    g.clusters[1] = cluster("inner", b(5.0, 20.0, 75.0, 75.0), Some(0));
    g.nodes[0].chain = Some(vec![1, 0]);
    assert_eq!(check_graph(&g), vec![]);
    g.clusters[1].bbox = b(5.0, 20.0, 95.0, 75.0);
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["cluster-outside-parent"]));

    // An edge through a third node and through a cluster neither end is in.
    let mut g = clean.clone();
    g.nodes.push(node("C", b(100.0, 40.0, 140.0, 60.0), &[]));
    g.edges[0].label = None;
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["edge-through-node"]));
    let mut g = clean.clone();
    g.clusters.push(cluster("two", b(100.0, 0.0, 180.0, 100.0), None));
    g.edges[0].label = None;
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["edge-through-cluster"]));
    // ... but entering the cluster of its own end is fine.
    g.nodes[1].chain = Some(vec![1]);
    g.clusters[1].bbox = b(100.0, 0.0, 280.0, 100.0);
    assert_eq!(check_graph(&g), vec![]);

    // A label over a node, over another label, crossed by another edge; nodes overlapping.
    let mut g = clean.clone();
    g.edges[0].label = Some(b(190.0, 20.0, 220.0, 40.0));
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["label-over-node"]));
    let mut g = clean.clone();
    g.edges.push(Edge {
        points: vec![(130.0, 0.0), (130.0, 200.0)],
        label: Some(b(125.0, 45.0, 160.0, 63.0)),
    });
    assert_eq!(
        fired(&check_graph(&g)),
        BTreeSet::from(["label-over-label", "edge-through-label"])
    );
    let mut g = clean.clone();
    g.edges.clear();
    g.nodes[1].bbox = b(60.0, 40.0, 120.0, 80.0);
    let f = fired(&check_graph(&g));
    assert!(f.contains("node-overlap"), "{f:?}");
    let mut g = clean.clone();
    g.notes.push(b(50.0, 20.0, 90.0, 40.0));
    assert_eq!(fired(&check_graph(&g)), BTreeSet::from(["note-over-node"]));
}

#[test]
fn sequence_checks_fire_on_known_violations_and_only_then() {
    let frame = |keyword: &str, bbox| Frame {
        keyword: keyword.to_string(),
        condition: String::new(),
        bbox,
    };
    let clean = Sequence {
        lifelines: vec![
            Lifeline {
                x: 50.0,
                y0: 0.0,
                y1: 500.0,
            },
            Lifeline {
                x: 250.0,
                y0: 0.0,
                y1: 500.0,
            },
        ],
        activations: vec![b(45.0, 100.0, 55.0, 200.0)],
        frames: vec![
            frame("alt", b(30.0, 120.0, 270.0, 180.0)),
            frame("loop", b(20.0, 100.0, 280.0, 300.0)),
        ],
        notes: vec![b(40.0, 130.0, 120.0, 170.0), b(40.0, 320.0, 260.0, 360.0)],
        model_blocks: vec![
            ("loop".to_string(), String::new(), 0),
            ("alt".to_string(), String::new(), 1),
        ],
        items: vec![
            Item {
                kind: ItemKind::Message,
                text: "hi".to_string(),
                bbox: b(50.0, 150.0, 250.0, 150.0),
            },
            Item {
                kind: ItemKind::Note,
                text: "n".to_string(),
                bbox: b(40.0, 130.0, 120.0, 170.0),
            },
        ],
        model_items: vec![
            (ItemKind::Message, "hi".to_string(), Some(1)),
            (ItemKind::Note, "n".to_string(), Some(1)),
        ],
    };
    assert_eq!(check_sequence(&clean), vec![]);
    let mut s = clean.clone();
    s.activations[0] = b(100.0, 100.0, 110.0, 200.0);
    assert_eq!(fired(&check_sequence(&s)), BTreeSet::from(["activation-off-lifeline"]));
    let mut s = clean.clone();
    s.frames[0].bbox = b(30.0, 250.0, 270.0, 350.0);
    assert_eq!(
        fired(&check_sequence(&s)),
        BTreeSet::from([
            "block-overlap",
            "note-straddles-block",
            "block-depth",
            "message-outside-block",
            "note-outside-block"
        ])
    );
    // `alt` drawn beside `loop` rather than in it (its contents stay where they were).
    let mut s = clean.clone();
    s.frames[0].bbox = b(300.0, 120.0, 400.0, 180.0);
    s.items.clear();
    assert_eq!(fired(&check_sequence(&s)), BTreeSet::from(["block-depth"]));
    // A message and a note written in `alt` but drawn below it.
    let mut s = clean.clone();
    s.items[0].bbox = b(50.0, 250.0, 250.0, 250.0);
    s.items[1].bbox = b(40.0, 230.0, 120.0, 270.0);
    assert_eq!(
        fired(&check_sequence(&s)),
        BTreeSet::from(["message-outside-block", "note-outside-block"])
    );
    let mut s = clean.clone();
    s.notes.push(b(100.0, 160.0, 160.0, 190.0));
    assert_eq!(
        fired(&check_sequence(&s)),
        BTreeSet::from(["note-overlap", "note-straddles-block"])
    );
}

#[test]
fn drawn_fixtures_read_back_and_check() {
    // Seed diagrams: read back whole, nothing wrong.
    let (kind, g) =
        measured("graph TD\n    A[Component A] --> B[Component B]\n    B --> C[Component C]\n    C --> D[Database]\n");
    assert_eq!(kind, Kind::Flowchart);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    assert_eq!(graph.nodes.len(), 4);
    assert_eq!(graph.edges.len(), 3);
    assert!(graph.nodes.iter().all(|n| n.chain.is_some()), "{graph:?}");
    assert_eq!(check(&g), vec![]);

    let (kind, g) = measured("erDiagram\n    ENTITY1 ||--o{ ENTITY2 : has\n    ENTITY2 }|..|{ ENTITY3 : contains\n");
    assert_eq!(kind, Kind::Er);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    assert_eq!((graph.nodes.len(), graph.edges.len()), (3, 2));
    assert!(graph.edges.iter().all(|e| e.label.is_some()));
    assert_eq!(check(&g), vec![]);

    // Subgraphs with nesting, read back with their membership (nodes and clusters are
    // read by their ids: `a1`, `inner`).
    let src = "graph TD\n  subgraph one [First]\n    a1[Alpha] --> a2(Beta)\n    subgraph inner\n      i1{Choice}\n    end\n  end\n  subgraph two\n    b1((Circle)) --> b2[[Sub]]\n  end\n  a2 --> b1\n";
    let (_, g) = measured(src);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    assert_eq!(graph.clusters.len(), 3, "{graph:?}");
    let cluster = |title: &str| {
        graph
            .clusters
            .iter()
            .position(|c| c.title == title)
            .unwrap_or_else(|| panic!("{title} drawn: {graph:?}"))
    };
    let (one, inner) = (cluster("one"), cluster("inner"));
    assert_eq!(graph.clusters[inner].parent, Some(one), "inner sits in First");
    let choice = graph.nodes.iter().find(|n| n.label == "i1").expect("Choice drawn");
    assert_eq!(choice.chain, Some(vec![inner, one]));
    assert_eq!(check(&g), vec![]);

    // Membership as Mermaid has it: a node declared first outside but named inside a
    // subgraph belongs to it, the innermost subgraph winning.
    let src = "flowchart TB\n  lb1\n  router\n  subgraph project\n    router\n    subgraph subnet1\n      lb1\n    end\n  end\n  router --> lb1\n";
    let (_, g) = measured(src);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    let chain = |label: &str| {
        graph
            .nodes
            .iter()
            .find(|n| n.label == label)
            .and_then(|n| n.chain.clone())
    };
    assert_eq!(chain("router"), Some(vec![0]), "{graph:?}");
    assert_eq!(chain("lb1"), Some(vec![1, 0]), "{graph:?}");
    assert_eq!(check(&g), vec![]);

    // What mermaid-svg drew wrong (it laid out ignoring clusters, so a node of no cluster
    // placed between two members of one landed inside its box) is drawn right now; the
    // checks that would fire are shown firing on hand-made geometry above.
    let src = "graph LR\n  subgraph S\n    a1 --> a2\n  end\n  a1 --> x --> a2\n";
    let (_, g) = measured(src);
    assert_eq!(check(&g), vec![], "{g:?}");

    // Sequence: lifelines, an activation, nested frames, notes.
    let src = "sequenceDiagram\n  participant A as Alice\n  actor B\n  A->>+B: hello\n  loop every minute\n    B-->>A: hi\n    alt ok\n      A->>B: fine\n    else no\n      A->>B: bad\n    end\n  end\n  Note over A,B: a note\n  B-->>-A: bye\n";
    let (kind, g) = measured(src);
    assert_eq!(kind, Kind::Sequence);
    let Geometry::Sequence(s) = &g else {
        panic!("a sequence")
    };
    assert_eq!(
        (s.lifelines.len(), s.activations.len(), s.frames.len(), s.notes.len()),
        (2, 1, 2, 1),
        "{s:?}"
    );
    assert_eq!(check(&g), vec![]);

    // State and class diagrams with a composite state and a namespace.
    let (kind, g) = measured(
        "stateDiagram-v2\n  [*] --> Still\n  Still --> Moving : push\n  state Moving {\n    [*] --> Slow\n    Slow --> Fast\n  }\n  Moving --> [*]\n",
    );
    assert_eq!(kind, Kind::State);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    assert_eq!(graph.clusters.len(), 1);
    let slow = graph.nodes.iter().find(|n| n.label == "Slow").expect("Slow drawn");
    assert_eq!(graph.clusters[0].title, "Moving");
    assert_eq!(slow.chain, Some(vec![0]));
    let (kind, g) = measured(
        "classDiagram\n  namespace Shapes {\n    class Square\n    class Circle\n  }\n  Animal <|-- Duck : is\n",
    );
    assert_eq!(kind, Kind::Class);
    let Geometry::Graph(graph) = &g else { panic!("a graph") };
    assert_eq!(
        (graph.clusters.len(), graph.nodes.len(), graph.edges.len()),
        (1, 4, 1),
        "{graph:?}"
    );
    let square = graph.nodes.iter().find(|n| n.label == "Square").expect("Square drawn");
    assert_eq!(square.chain, Some(vec![0]));
    assert_eq!(check(&g), vec![]);
}

#[derive(Default)]
struct Tally {
    checked: usize,
    with_violations: usize,
    by_check: BTreeMap<&'static str, usize>,
    read: Vec<(&'static str, usize)>,
    refused: BTreeMap<String, usize>,
    unreadable: BTreeMap<String, usize>,
    worst: Vec<(usize, String)>,
}

fn kind_of(mermaid_type: &str) -> Option<Kind> {
    match mermaid_type {
        "flowchart-v2" | "flowchart-elk" | "flowchart" | "graph" => Some(Kind::Flowchart),
        "er" => Some(Kind::Er),
        "sequence" => Some(Kind::Sequence),
        "classDiagram" | "class" => Some(Kind::Class),
        "stateDiagram" | "state" => Some(Kind::State),
        _ => None,
    }
}

#[test]
fn shared_corpus_geometry_baseline() {
    let Some(path) = designdoc_testkit::require_shared("corpus/mermaid/diagrams.jsonl") else {
        return;
    };
    let data = std::fs::read_to_string(&path).expect("the shared Mermaid corpus");
    // DESIGNDOC_GEOMETRY_SHOW=<id>: print that diagram's violations and keep its SVG;
    // =check:<name>: list that check's violations; =unreadable: list the unread diagrams;
    // =unmatched: list the drawn nodes not matched to the model; =failures: list the
    // diagrams not drawn, with the reason.
    let show = std::env::var("DESIGNDOC_GEOMETRY_SHOW").unwrap_or_default();
    let started = Instant::now();
    let mut tallies: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut taken = 0;
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if !v["mermaid_ok"].as_bool().unwrap_or(false) {
            continue;
        }
        let Some(kind) = kind_of(v["mermaid_type"].as_str().unwrap_or("")) else {
            continue;
        };
        let id = v["id"].as_str().unwrap_or("?").to_string();
        let src = v["src"].as_str().unwrap_or("");
        taken += 1;
        let t = tallies.entry(kind).or_default();
        let svg = match designdoc_render::render_svg(src) {
            Ok(svg) => svg,
            Err(e) => {
                if show == "failures" {
                    println!("not drawn {id} {}: {e}", kind.name());
                }
                let why = match e {
                    DiagramError::Invalid(_) => "refused: our parser rejects it",
                    DiagramError::TooLarge(_) => "refused: over a drawing limit",
                    DiagramError::Overrun(_) => "refused: over the time budget",
                    DiagramError::Refused(_) => "refused: unsafe style value",
                    DiagramError::Renderer(_) => "refused: the drawing library fails",
                    DiagramError::NotDrawn(_) => "refused: a kind not drawn",
                };
                *t.refused.entry(why.to_string()).or_default() += 1;
                continue;
            }
        };
        match measure(src, &svg) {
            Ok((_, g)) => {
                t.checked += 1;
                for (what, n) in census(&g) {
                    match t.read.iter_mut().find(|(w, _)| *w == what) {
                        Some(slot) => slot.1 += n,
                        None => t.read.push((what, n)),
                    }
                }
                let violations = check(&g);
                for viol in violations
                    .iter()
                    .filter(|v| show.strip_prefix("check:") == Some(v.check))
                {
                    println!("{id}: {}", viol.what);
                }
                if let (true, Geometry::Graph(graph)) = (show == "unmatched", &g) {
                    for n in graph.nodes.iter().filter(|n| n.chain.is_none() && !n.label.is_empty()) {
                        println!("unmatched {id} {}: {:?}", kind.name(), n.label);
                    }
                }
                if id == show {
                    println!("{id}:\n{src}\n{violations:#?}");
                    let _ = std::fs::write(std::env::temp_dir().join(format!("geometry-{id}.svg")), &svg);
                }
                if !violations.is_empty() {
                    t.with_violations += 1;
                    let first = &violations[0];
                    t.worst
                        .push((violations.len(), format!("{id} {}: {}", first.check, first.what)));
                }
                for viol in violations {
                    *t.by_check.entry(viol.check).or_default() += 1;
                }
            }
            Err(Unreadable::NotMeasured) => {
                *t.unreadable
                    .entry("our parser models another kind".to_string())
                    .or_default() += 1;
            }
            Err(Unreadable::Empty(why)) => {
                if show == "unreadable" {
                    println!("unreadable {id}: {why}");
                }
                *t.unreadable.entry(why.to_string()).or_default() += 1;
            }
        }
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "diagram geometry baseline: {taken} diagrams Mermaid accepts, all of them (no sampling)"
    );
    let mut total_violations = 0;
    for (kind, t) in &tallies {
        let _ = writeln!(
            report,
            "{}: checked {}, with violations {}",
            kind.name(),
            t.checked,
            t.with_violations
        );
        let read: Vec<String> = t.read.iter().map(|(w, n)| format!("{w} {n}")).collect();
        let _ = writeln!(report, "  read back: {}", read.join(", "));
        for (check, n) in &t.by_check {
            total_violations += n;
            let _ = writeln!(report, "  {check}: {n}");
        }
        for (why, n) in t.refused.iter().chain(&t.unreadable) {
            let _ = writeln!(report, "  not measured, {why}: {n}");
        }
        let mut worst = t.worst.clone();
        worst.sort_by_key(|w| std::cmp::Reverse(w.0));
        for (n, line) in worst.iter().take(3) {
            let _ = writeln!(report, "  e.g. {n} violations: {line}");
        }
    }
    let _ = writeln!(report, "took {:.1} s", started.elapsed().as_secs_f64());
    println!("{report}");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(&target).expect("target dir");
    std::fs::write(target.join("geometry-baseline.txt"), &report).expect("write the baseline");

    // The instrument ran: every kind measured, every diagram accounted for.
    for kind in [Kind::Flowchart, Kind::Er, Kind::Sequence, Kind::Class, Kind::State] {
        let t = tallies
            .get(&kind)
            .unwrap_or_else(|| panic!("no {} diagram taken", kind.name()));
        assert!(t.checked > 0, "no {} diagram measured", kind.name());
        let not: usize = t.refused.values().sum::<usize>() + t.unreadable.values().sum::<usize>();
        assert!(
            t.checked * 10 >= (t.checked + not) * 8,
            "{}: most diagrams must be measured\n{report}",
            kind.name()
        );
    }
    let accounted: usize = tallies
        .values()
        .map(|t| t.checked + t.refused.values().sum::<usize>() + t.unreadable.values().sum::<usize>())
        .sum();
    assert_eq!(accounted, taken);
    // The bar: no violation on any diagram drawn.
    assert_eq!(total_violations, 0, "geometry violations\n{report}");
}

#[test]
fn the_issues_diagrams_are_drawn_right() {
    // The two diagrams issue 16 describes: a 50-node flowchart with 9 subgraphs whose
    // boxes overlapped, and an 8-entity ER diagram with lines through other entities.
    // Drawn by Mermaid's own layouts (merman), both show their structure: every node in
    // its own cluster only, clusters apart, no relationship line through an entity.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/mermaid-corpus");
    for (file, clusters, nodes) in [("bench-flowchart-50.mmd", 9, 50), ("bench-er-8.mmd", 0, 8)] {
        let src = std::fs::read_to_string(dir.join(file)).expect("benchmark diagram");
        let (_, g) = measured(&src);
        let Geometry::Graph(graph) = &g else { panic!("a graph") };
        assert_eq!((graph.clusters.len(), graph.nodes.len()), (clusters, nodes), "{file}");
        assert!(
            graph.nodes.iter().all(|n| n.chain.is_some()),
            "{file}: every node matched"
        );
        // What the issue saw: grouping drawn wrong, lines through other entities.
        let wrong: Vec<Violation> = check(&g)
            .into_iter()
            .filter(|v| {
                matches!(
                    v.check,
                    "node-in-foreign-cluster"
                        | "node-outside-own-cluster"
                        | "cluster-overlap"
                        | "cluster-outside-parent"
                ) || file.starts_with("bench-er") && v.check == "edge-through-node"
            })
            .collect();
        assert_eq!(wrong, vec![], "{file}");
    }
}

/// The centre of the drawn node labelled `label`.
fn centre(g: &Graph, label: &str) -> (f64, f64) {
    let n = g
        .nodes
        .iter()
        .find(|n| n.label == label)
        .unwrap_or_else(|| panic!("no node `{label}`"));
    ((n.bbox.x0 + n.bbox.x1) / 2.0, (n.bbox.y0 + n.bbox.y1) / 2.0)
}

#[test]
fn every_direction_is_honoured_by_each_graph_kind() {
    // (direction, how `B` lies from `A`: (dx sign, dy sign)). State and class diagrams
    // know no `TD` (Mermaid refuses it there); they get `TB`.
    let cases: [(&str, (i8, i8)); 5] = [
        ("TD", (0, 1)),
        ("TB", (0, 1)),
        ("BT", (0, -1)),
        ("LR", (1, 0)),
        ("RL", (-1, 0)),
    ];
    for (dir, (sx, sy)) in cases {
        let inner = if dir == "TD" { "TB" } else { dir };
        let sources = [
            format!("flowchart {dir}\n  A --> B --> C\n"),
            format!("graph {dir}\n  subgraph s [S]\n    A --> B\n  end\n  B --> C\n"),
            format!("stateDiagram-v2\n  direction {inner}\n  A --> B\n  B --> C\n"),
            format!("classDiagram\n  direction {inner}\n  A --> B\n  B --> C\n"),
            format!("erDiagram\n  direction {inner}\n  A ||--o{{ B : has\n  B ||--o{{ C : has\n"),
        ];
        for src in &sources {
            let (_, geometry) = measured(src);
            let Geometry::Graph(g) = geometry else {
                panic!("a graph: {src}")
            };
            let (a, b, c) = (centre(&g, "A"), centre(&g, "B"), centre(&g, "C"));
            for (from, to) in [(a, b), (b, c)] {
                let (dx, dy) = (to.0 - from.0, to.1 - from.1);
                let along = f64::from(sx) * dx + f64::from(sy) * dy;
                let across = f64::from(sy) * dx - f64::from(sx) * dy;
                assert!(
                    along > 20.0,
                    "{dir}: the edge does not run {dir} ({dx:.0}, {dy:.0}) in\n{src}"
                );
                assert!(
                    along > across.abs(),
                    "{dir}: the edge runs sideways ({dx:.0}, {dy:.0}) in\n{src}"
                );
            }
        }
    }
}
