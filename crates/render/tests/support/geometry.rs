//! Geometry of a drawn diagram, read back from our SVG (see `svg`), matched to the typed
//! model designdoc parsed (`designdoc_model::mermaid`), and the structural checks over it:
//! nodes inside exactly their own clusters, clusters apart unless nested, edges clear of
//! what they do not connect, labels clear of nodes, sequence frames nested.
//!
//! The drawing library of these kinds (`merman`, see `src/diagram/draw.rs`) writes
//! Mermaid's structure: a group per node (`g.node`, its id naming the node), per cluster
//! (`g.cluster`, `g.statediagram-cluster`), per edge label (`g.edgeLabel`, in the edges'
//! order), edges as paths with a class per kind (`flowchart-link`, `relationshipLine`,
//! `relation`, `transition`), and sequence parts by class (`actor-line`, `activation0`,
//! `loopLine`, `note`, `messageLine0`). The readers below go by those groups and classes.

use super::svg::{Bbox, Drawing, Group, Prim, read};
use designdoc_model::mermaid::{DiagramModel, parse_diagram};
use std::collections::HashMap;

/// Overhang allowed when a box must lie inside another.
pub const INSIDE_TOL: f64 = 1.0;
/// How far boxes are shrunk before an overlap or a crossing counts.
pub const CROSS_TOL: f64 = 3.0;

#[derive(Clone, Debug)]
pub struct Node {
    pub label: String,
    pub bbox: Bbox,
    /// The clusters (indices into `Graph::clusters`) the model puts this node in,
    /// innermost first; `None` when the node could not be matched to the model.
    pub chain: Option<Vec<usize>>,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub title: String,
    pub bbox: Bbox,
    /// The enclosing cluster in the model, when matched.
    pub parent: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Edge {
    /// The drawn line, Bezier segments sampled.
    pub points: Vec<(f64, f64)>,
    pub label: Option<Bbox>,
}

/// A node-and-edge drawing: flowchart, ER, class and state diagrams.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub clusters: Vec<Cluster>,
    pub edges: Vec<Edge>,
    pub notes: Vec<Bbox>,
}

#[derive(Clone, Debug)]
pub struct Lifeline {
    pub x: f64,
    pub y0: f64,
    pub y1: f64,
}

#[derive(Clone, Debug)]
pub struct Frame {
    /// The keyword in the frame's tab (`loop`, `alt`, ...).
    pub keyword: String,
    pub condition: String,
    pub bbox: Bbox,
}

#[derive(Clone, Debug, Default)]
pub struct Sequence {
    pub lifelines: Vec<Lifeline>,
    pub activations: Vec<Bbox>,
    pub frames: Vec<Frame>,
    pub notes: Vec<Bbox>,
    /// The block depths the model gives, by (keyword, condition), in source order.
    pub model_blocks: Vec<(String, String, usize)>,
    /// Drawn messages (the line) and notes (the box), in drawing order.
    pub items: Vec<Item>,
    /// The model's messages and notes in source order, each with the innermost block
    /// (index into `model_blocks`) it is written in.
    pub model_items: Vec<(ItemKind, String, Option<usize>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Message,
    Note,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ItemKind,
    pub text: String,
    pub bbox: Bbox,
}

#[derive(Clone, Debug)]
pub enum Geometry {
    Graph(Graph),
    Sequence(Sequence),
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub check: &'static str,
    pub what: String,
}

/// The kinds measured, as the corpus names them, and ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Flowchart,
    Er,
    Sequence,
    Class,
    State,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Flowchart => "flowchart",
            Kind::Er => "er",
            Kind::Sequence => "sequence",
            Kind::Class => "class",
            Kind::State => "state",
        }
    }
}

/// Label text compared loosely: markup tags dropped, letters and digits only, lowercase.
pub fn norm(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag && c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Matches drawn labels to model labels: the k-th drawing of a label is the k-th model
/// entry with it. Matched first as written (a node `b` and an empty subgraph `B` drawn as
/// a node are two things), then loosely ([`norm`]), then by prefix: a drawn label that
/// only starts with a model label (a generic class `Square~Shape~`) matches too.
fn match_labels(drawn: &[String], model: &[Vec<String>]) -> Vec<Option<usize>> {
    let normed: Vec<String> = drawn.iter().map(|d| norm(d)).collect();
    let model_normed: Vec<Vec<String>> = model.iter().map(|ls| ls.iter().map(|l| norm(l)).collect()).collect();
    let exact = |k: usize, m: usize| model[m].iter().any(|l| *l == drawn[k]);
    let loose = |k: usize, m: usize| model_normed[m].iter().any(|l| *l == normed[k]);
    let prefix = |k: usize, m: usize| {
        model_normed[m]
            .iter()
            .any(|l| !l.is_empty() && normed[k].starts_with(l))
    };
    let passes: [&dyn Fn(usize, usize) -> bool; 3] = [&exact, &loose, &prefix];
    let mut used = vec![false; model.len()];
    let mut found: Vec<Option<usize>> = vec![None; drawn.len()];
    for pass in passes {
        for k in (0..drawn.len()).filter(|&k| !normed[k].is_empty()) {
            if found[k].is_some() {
                continue;
            }
            if let Some(m) = (0..model.len()).find(|&m| !used[m] && pass(k, m)) {
                used[m] = true;
                found[k] = Some(m);
            }
        }
    }
    found
}

fn chain_of(innermost: Option<usize>, parents: &[Option<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = innermost;
    while let Some(c) = at {
        if out.contains(&c) || out.len() > parents.len() {
            break;
        }
        out.push(c);
        at = parents.get(c).copied().flatten();
    }
    out
}

/// The nearest drawn cluster at or above model group `at`: `drawn` maps a model group to
/// its drawn cluster, `parent` gives a group's enclosing group; `limit` bounds the walk.
fn nearest_drawn(
    mut at: Option<usize>,
    drawn: impl Fn(usize) -> Option<usize>,
    parent: impl Fn(usize) -> Option<usize>,
    limit: usize,
) -> Option<usize> {
    for _ in 0..=limit {
        let m = at?;
        if let Some(c) = drawn(m) {
            return Some(c);
        }
        at = parent(m);
    }
    None
}

/// Matches the drawn clusters to model groups (`labels[m]`: the names of group `m`, none
/// for a model entry that is no group) and sets each cluster's parent; returns for every
/// model entry the nearest drawn cluster at or above it.
fn attach_clusters(
    g: &mut Graph,
    labels: &[Vec<String>],
    parent: impl Fn(usize) -> Option<usize>,
) -> Vec<Option<usize>> {
    let titles: Vec<String> = g.clusters.iter().map(|c| c.title.clone()).collect();
    let mut drawn: Vec<Option<usize>> = vec![None; labels.len()];
    for (c, m) in match_labels(&titles, labels).into_iter().enumerate() {
        if let Some(m) = m {
            drawn[m] = Some(c);
        }
    }
    let nearest: Vec<Option<usize>> = (0..labels.len())
        .map(|m| nearest_drawn(Some(m), |k| drawn[k], &parent, labels.len()))
        .collect();
    for (m, c) in drawn.iter().enumerate() {
        if let Some(c) = c {
            g.clusters[*c].parent = parent(m).and_then(|p| nearest[p]);
        }
    }
    nearest
}

/// Subgraph nesting and membership as Mermaid has them, from a scan of the source: the
/// model records neither parents nor nodes merely named inside a subgraph. Mermaid puts a
/// node in every subgraph whose body names it (as a node or an edge end), then keeps it
/// only in the first subgraph closed, so the innermost one wins and, among siblings, the
/// first. A subgraph is a member the same way: of the subgraph written around it, or of
/// the first closed one whose body names its id (`subgraph A; B; end` then `subgraph B`
/// draws B inside A). Returns each subgraph's parent, each node's subgraph, and the
/// subgraphs in the order they close (Mermaid numbers a subgraph without an id,
/// `subGraphN`, by it).
fn subgraph_structure(
    src: &str,
    model: &designdoc_model::mermaid::Flowchart,
) -> (Vec<Option<usize>>, Vec<Option<usize>>, Vec<usize>) {
    let start_of: HashMap<usize, usize> = model
        .subgraphs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.range.start, i))
        .collect();
    let id_of: HashMap<&str, usize> = model
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let sub_id_of: HashMap<&str, usize> = model
        .subgraphs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut mentions: Vec<Vec<usize>> = model.subgraphs.iter().map(|s| s.nodes.clone()).collect();
    let mut sub_mentions: Vec<Vec<usize>> = vec![Vec::new(); model.subgraphs.len()];
    let mut closed: Vec<usize> = Vec::new();
    let mut stack: Vec<Option<usize>> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let mut at = offset;
        for stmt in line.split(';') {
            let lead = stmt.len() - stmt.trim_start().len();
            let t = stmt.trim();
            let word: String = t.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            match word.as_str() {
                "subgraph" => {
                    let me = start_of.get(&(at + lead)).copied();
                    if let (Some(m), Some(p)) = (me, stack.iter().rev().flatten().next().copied()) {
                        sub_mentions[p].push(m);
                    }
                    stack.push(me);
                }
                "end" => {
                    if let Some(Some(m)) = stack.pop() {
                        closed.push(m);
                    }
                }
                "style" | "classDef" | "class" | "click" | "linkStyle" | "direction" => {}
                _ => {
                    if let Some(&Some(m)) = stack.last() {
                        for w in named_ids(t) {
                            mentions[m].extend(id_of.get(w));
                            sub_mentions[m].extend(sub_id_of.get(w));
                        }
                    }
                }
            }
            at += stmt.len() + 1;
        }
        offset += line.len();
    }
    // Subgraphs never closed (the scan lost track) come last.
    let open: Vec<usize> = (0..model.subgraphs.len()).filter(|m| !closed.contains(m)).collect();
    closed.extend(open);
    let mut parent: Vec<Option<usize>> = vec![None; model.subgraphs.len()];
    for &m in &closed {
        for &sub in &sub_mentions[m] {
            // Never a cycle: `m` must not be inside `sub` already.
            let inside = chain_of(Some(m), &parent).contains(&sub);
            if parent[sub].is_none() && !inside {
                parent[sub] = Some(m);
            }
        }
    }
    let mut member = vec![None; model.nodes.len()];
    for &m in &closed {
        for &n in &mentions[m] {
            if let Some(slot @ None) = member.get_mut(n) {
                *slot = Some(m);
            }
        }
    }
    // An empty subgraph is drawn as a node, where the subgraph would be: its parent.
    for (n, node) in model.nodes.iter().enumerate() {
        if let Some(&sub) = sub_id_of.get(node.id.as_str())
            && model.subgraphs[sub].nodes.is_empty()
            && !mentions[sub].iter().any(|&m| member[m] == Some(sub))
        {
            member[n] = parent[sub];
        }
    }
    (parent, member, closed)
}

/// The words of a statement outside labels (`[...]`, `(...)`, `{...}`, `|...|`, quotes).
fn named_ids(stmt: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut piped = false;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in stmt.char_indices() {
        let outside = depth == 0 && !quoted && !piped;
        let word = c.is_alphanumeric() || c == '_';
        if outside && word {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            spans.push((s, i));
        }
        match c {
            '"' => quoted = !quoted,
            '|' if !quoted && depth == 0 => piped = !piped,
            '[' | '(' | '{' if !quoted && !piped => depth += 1,
            ']' | ')' | '}' if !quoted && !piped => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, stmt.len()));
    }
    spans.into_iter().map(move |(a, b)| &stmt[a..b])
}

/// The id an element was drawn for, without the drawing's own prefix (`d` and 12 hex
/// digits), the kind's prefix (`flowchart-`, `entity-`, `classId-`, `state-`) and the
/// library's serial number at the end: `d0123456789ab-flowchart-A-3` is `A`.
fn local_id(id: &str) -> String {
    let id = id.split_once('-').map_or(id, |(_, rest)| rest);
    let id = ["flowchart-", "entity-", "classId-", "state-"]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .unwrap_or(id);
    match id.rsplit_once('-') {
        Some((head, n)) if !head.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            head.to_string()
        }
        _ => id.to_string(),
    }
}

/// One drawn group and what is drawn in it.
struct Drawn<'a> {
    group: &'a Group,
    prims: Vec<&'a Prim>,
}

impl Drawn<'_> {
    /// The shapes' box: everything but text and the label groups' backgrounds.
    fn shape_box(&self) -> Option<Bbox> {
        self.prims
            .iter()
            .filter(|p| p.tag != "text" && !p.groups.iter().any(|g| g.has("label") || g.has("cluster-label")))
            .filter(|p| p.bbox.width() > 0.0 || p.bbox.height() > 0.0)
            .map(|p| p.bbox)
            .reduce(Bbox::union)
    }
}

/// The groups with `class` in drawing order, each with the primitives drawn in it (the
/// innermost such group owns a primitive).
fn groups_of<'a>(prims: &'a [Prim], class: &str) -> Vec<Drawn<'a>> {
    let mut out: Vec<Drawn<'a>> = Vec::new();
    for p in prims {
        let Some(g) = p.group(class) else { continue };
        match out.iter_mut().find(|d| d.group.serial == g.serial) {
            Some(d) => d.prims.push(p),
            None => out.push(Drawn {
                group: g,
                prims: vec![p],
            }),
        }
    }
    out
}

/// The edges (paths with class `edge_class`) and their labels: the library draws one
/// `edgeLabel` group per edge, in the edges' order, empty for an edge without a label.
fn read_edges(prims: &[Prim], edge_class: &str) -> Vec<Edge> {
    let mut edges: Vec<Edge> = prims
        .iter()
        .filter(|p| p.tag == "path" && p.has_class(edge_class) && p.group("edgePaths").is_some())
        .map(|p| Edge {
            points: p.points.clone(),
            label: None,
        })
        .collect();
    let labels: Vec<Option<Bbox>> = groups_of(prims, "edgeLabel")
        .iter()
        .map(|d| {
            let backgrounds = d
                .prims
                .iter()
                .filter(|p| p.tag == "rect" && p.bbox.width() > 0.0 && p.bbox.height() > 0.0)
                .map(|p| p.bbox)
                .reduce(Bbox::union);
            backgrounds.or_else(|| {
                d.prims
                    .iter()
                    .filter(|p| p.tag == "text" && !p.text.is_empty())
                    .map(|p| p.bbox)
                    .reduce(Bbox::union)
            })
        })
        .collect();
    if labels.len() == edges.len() {
        for (e, l) in edges.iter_mut().zip(labels) {
            e.label = l;
        }
    }
    edges
}

/// Drawn node groups (`node`), except those `skip` names, as nodes with their local id
/// as label.
fn read_nodes(prims: &[Prim], skip: impl Fn(&Group) -> bool) -> Vec<Node> {
    groups_of(prims, "node")
        .into_iter()
        .filter(|d| !skip(d.group))
        .filter_map(|d| {
            Some(Node {
                label: local_id(&d.group.id),
                bbox: d.shape_box()?,
                chain: None,
            })
        })
        .collect()
}

/// Cluster frames: groups with `class`, framed by their first rectangle (or the one with
/// class `frame_class` when given), titled by their local id.
fn read_clusters(prims: &[Prim], class: &str, frame_class: Option<&str>) -> Vec<Cluster> {
    groups_of(prims, class)
        .into_iter()
        .filter_map(|d| {
            let frame = d
                .prims
                .iter()
                .filter(|p| p.tag == "rect" && frame_class.is_none_or(|c| p.has_class(c)))
                .find(|p| p.bbox.width() > 0.0)?;
            Some(Cluster {
                title: local_id(&d.group.id),
                bbox: frame.bbox,
                parent: None,
            })
        })
        .collect()
}

/// Sets each drawn node's cluster chain: `model_of[k]` is the model entry of drawn node
/// `k`, `innermost(m)` the nearest drawn cluster of model entry `m`.
fn set_chains(g: &mut Graph, model_labels: &[Vec<String>], innermost: impl Fn(usize) -> Option<usize>) {
    let parents: Vec<Option<usize>> = g.clusters.iter().map(|c| c.parent).collect();
    let drawn: Vec<String> = g.nodes.iter().map(|n| n.label.clone()).collect();
    for (k, m) in match_labels(&drawn, model_labels).into_iter().enumerate() {
        let Some(m) = m else { continue };
        g.nodes[k].chain = Some(chain_of(innermost(m), &parents));
    }
}

fn read_flowchart(d: &Drawing, src: &str, model: &designdoc_model::mermaid::Flowchart) -> Graph {
    let prims = &d.prims;
    let mut g = Graph {
        clusters: read_clusters(prims, "cluster", None),
        edges: read_edges(prims, "flowchart-link"),
        nodes: read_nodes(prims, |_| false),
        notes: Vec::new(),
    };
    let (sub_parent, sub_of_node, closing) = subgraph_structure(src, model);
    let mut sub_labels: Vec<Vec<String>> = model.subgraphs.iter().map(|s| vec![s.id.clone()]).collect();
    for (k, &m) in closing.iter().enumerate() {
        sub_labels[m].push(format!("subGraph{k}"));
    }
    let nearest = attach_clusters(&mut g, &sub_labels, |m| sub_parent[m]);
    let node_labels: Vec<Vec<String>> = model.nodes.iter().map(|n| vec![n.id.clone()]).collect();
    set_chains(&mut g, &node_labels, |m| sub_of_node[m].and_then(|s| nearest[s]));
    g
}

fn read_er(d: &Drawing, model: &designdoc_model::mermaid::ErDiagram) -> Graph {
    let prims = &d.prims;
    let mut g = Graph {
        clusters: Vec::new(),
        edges: read_edges(prims, "relationshipLine"),
        nodes: read_nodes(prims, |_| false),
        notes: Vec::new(),
    };
    let labels: Vec<Vec<String>> = model.entities.iter().map(|e| vec![e.name.clone()]).collect();
    set_chains(&mut g, &labels, |_| None);
    g
}

fn read_state(d: &Drawing, model: &designdoc_model::mermaid::StateDiagram) -> Graph {
    let prims = &d.prims;
    let mut g = Graph {
        clusters: read_clusters(prims, "statediagram-cluster", Some("outer")),
        edges: read_edges(prims, "transition"),
        nodes: read_nodes(prims, |g| g.has("statediagram-note")),
        notes: groups_of(prims, "statediagram-note")
            .iter()
            .filter_map(Drawn::shape_box)
            .collect(),
    };
    // Composite states to model states by id; each state's parent chain.
    let comp_labels: Vec<Vec<String>> = model
        .states
        .iter()
        .map(|st| if st.composite { vec![st.id.clone()] } else { Vec::new() })
        .collect();
    let nearest = attach_clusters(&mut g, &comp_labels, |s| model.states.get(s).and_then(|st| st.parent));
    let labels: Vec<Vec<String>> = model
        .states
        .iter()
        .map(|st| if st.composite { Vec::new() } else { vec![st.id.clone()] })
        .collect();
    set_chains(&mut g, &labels, |m| model.states[m].parent.and_then(|p| nearest[p]));
    g
}

fn read_class(d: &Drawing, model: &designdoc_model::mermaid::ClassDiagram) -> Graph {
    let prims = &d.prims;
    // Notes are node groups too, with ids `note0`, `note1`, ...
    let is_note = |g: &Group| {
        local_id(&g.id)
            .strip_prefix("note")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut g = Graph {
        clusters: read_clusters(prims, "cluster", None),
        edges: read_edges(prims, "relation"),
        nodes: read_nodes(prims, |g| is_note(g)),
        notes: groups_of(prims, "node")
            .iter()
            .filter(|d| is_note(d.group))
            .filter_map(Drawn::shape_box)
            .collect(),
    };
    // A nested `namespace` block is drawn with the dotted path of its parents as its id.
    let path_of = |mut at: usize| {
        let mut parts = vec![model.namespaces[at].name.clone()];
        for _ in 0..model.namespaces.len() {
            let Some(parent) = model.namespaces[at].parent else {
                break;
            };
            parts.push(model.namespaces[parent].name.clone());
            at = parent;
        }
        parts.reverse();
        parts.join(".")
    };
    let ns_labels: Vec<Vec<String>> = (0..model.namespaces.len())
        .map(|n| {
            let path = path_of(n);
            if path == model.namespaces[n].name {
                vec![path]
            } else {
                vec![path, model.namespaces[n].name.clone()]
            }
        })
        .collect();
    let nearest = attach_clusters(&mut g, &ns_labels, |n| model.namespaces.get(n).and_then(|ns| ns.parent));
    // Mermaid may nest a dotted namespace (`A.B.C`) in frames for `A` and `A.B`, which the
    // model does not list; a nested frame is titled by its last part (`C`), a flat one by
    // its whole name. A nested frame's parent is the frame of its longest dotted prefix.
    let shown: HashMap<String, String> = groups_of(prims, "cluster")
        .iter()
        .map(|d| {
            let text: Vec<&str> = d
                .prims
                .iter()
                .filter(|p| p.tag == "text")
                .map(|p| p.text.as_str())
                .collect();
            (local_id(&d.group.id), text.join(" "))
        })
        .collect();
    let titles: Vec<String> = g.clusters.iter().map(|c| c.title.clone()).collect();
    for (c, title) in titles.iter().enumerate() {
        let nested = title.contains('.') && shown.get(title).is_some_and(|t| t.trim() != title.as_str());
        if !nested {
            continue;
        }
        let enclosing = (0..titles.len())
            .filter(|&o| o != c && title.starts_with(&format!("{}.", titles[o])))
            .max_by_key(|&o| titles[o].len());
        if enclosing.is_some() {
            g.clusters[c].parent = enclosing;
        }
    }
    let labels: Vec<Vec<String>> = model.classes.iter().map(|c| vec![c.name.clone()]).collect();
    set_chains(&mut g, &labels, |m| model.classes[m].namespace.and_then(|n| nearest[n]));
    g
}

fn read_sequence(d: &Drawing, model: &designdoc_model::mermaid::SequenceDiagram) -> Sequence {
    let prims = &d.prims;
    let mut s = Sequence::default();
    for p in prims.iter().filter(|p| p.tag == "line" && p.has_class("actor-line")) {
        s.lifelines.push(Lifeline {
            x: p.bbox.x0,
            y0: p.bbox.y0,
            y1: p.bbox.y1,
        });
    }
    for p in prims {
        if p.tag == "rect"
            && p.attr("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c.starts_with("activation")))
        {
            s.activations.push(p.bbox);
        }
    }
    // A block is one group: four `loopLine`s (and dashed ones between sections), the tab
    // (`labelBox`), the keyword (`labelText`) and the condition (`loopText`).
    let mut frames: Vec<(usize, Frame)> = Vec::new();
    for p in prims {
        let Some(group) = p.groups.last() else { continue };
        let at = match frames.iter().position(|(serial, _)| *serial == group.serial) {
            Some(at) => at,
            None if p.has_class("loopLine") => {
                frames.push((
                    group.serial,
                    Frame {
                        keyword: String::new(),
                        condition: String::new(),
                        bbox: p.bbox,
                    },
                ));
                frames.len() - 1
            }
            None => continue,
        };
        let frame = &mut frames[at].1;
        if p.has_class("loopLine") {
            frame.bbox = frame.bbox.union(p.bbox);
        } else if p.has_class("labelText") {
            frame.keyword = p.text.clone();
        } else if p.has_class("loopText") {
            frame.condition = p.text.trim_start_matches('[').trim_end_matches(']').to_string();
        }
    }
    s.frames = frames.into_iter().map(|(_, f)| f).collect();
    let mut message_text: Option<&str> = None;
    for (k, p) in prims.iter().enumerate() {
        if p.tag == "text" && p.has_class("messageText") {
            message_text = Some(&p.text);
        } else if (p.tag == "line" || p.tag == "path") && (p.has_class("messageLine0") || p.has_class("messageLine1")) {
            s.items.push(Item {
                kind: ItemKind::Message,
                text: message_text.take().unwrap_or_default().to_string(),
                bbox: p.bbox,
            });
        } else if p.tag == "rect" && p.has_class("note") {
            s.notes.push(p.bbox);
            let text = prims
                .get(k + 1)
                .filter(|t| t.tag == "text" && t.has_class("noteText"))
                .map(|t| t.text.clone())
                .unwrap_or_default();
            s.items.push(Item {
                kind: ItemKind::Note,
                text,
                bbox: p.bbox,
            });
        }
    }
    // `rect` blocks are colour bands, not frames: they do not count in a frame's depth.
    use designdoc_model::mermaid::sequence::BlockKind;
    let mut open: Vec<BlockKind> = Vec::new();
    let mut framed: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    for b in &model.blocks {
        open.truncate(b.depth);
        let depth = open.iter().filter(|k| **k != BlockKind::Rect).count();
        open.push(b.kind);
        if b.kind != BlockKind::Rect {
            framed.push((b.range.clone(), depth));
            s.model_blocks
                .push((format!("{:?}", b.kind).to_lowercase(), b.label.clone(), depth));
        }
    }
    let innermost = |at: usize| {
        (0..framed.len())
            .filter(|&f| framed[f].0.contains(&at))
            .max_by_key(|&f| framed[f].1)
    };
    let mut items: Vec<(usize, ItemKind, String)> = model
        .messages
        .iter()
        .map(|m| (m.range.start, ItemKind::Message, m.text.clone()))
        .chain(
            model
                .notes
                .iter()
                .map(|n| (n.range.start, ItemKind::Note, n.text.clone())),
        )
        .collect();
    items.sort_by_key(|i| i.0);
    s.model_items = items
        .into_iter()
        .map(|(at, kind, text)| (kind, text, innermost(at)))
        .collect();
    s
}

/// Why a diagram could not be measured.
#[derive(Clone, Debug)]
pub enum Unreadable {
    /// Not one of the measured kinds, or our parser did not model it.
    NotMeasured,
    /// Drawn, but nothing in it could be read back (the reason).
    Empty(&'static str),
}

/// Reads the drawing of `src` (as `render_svg` gave it) into geometry.
pub fn measure(src: &str, svg: &str) -> Result<(Kind, Geometry), Unreadable> {
    let parsed = parse_diagram(src);
    let drawing = read(svg);
    let (kind, geometry) = match &parsed.model {
        DiagramModel::Flowchart(m) => (Kind::Flowchart, Geometry::Graph(read_flowchart(&drawing, src, m))),
        DiagramModel::Er(m) => (Kind::Er, Geometry::Graph(read_er(&drawing, m))),
        DiagramModel::State(m) => (Kind::State, Geometry::Graph(read_state(&drawing, m))),
        DiagramModel::Class(m) => (Kind::Class, Geometry::Graph(read_class(&drawing, m))),
        DiagramModel::Sequence(m) => (Kind::Sequence, Geometry::Sequence(read_sequence(&drawing, m))),
        DiagramModel::Other => return Err(Unreadable::NotMeasured),
    };
    match &geometry {
        Geometry::Graph(g) if g.nodes.is_empty() => return Err(Unreadable::Empty("no node read back")),
        Geometry::Sequence(s) if s.lifelines.is_empty() => return Err(Unreadable::Empty("no lifeline read back")),
        _ => {}
    }
    Ok((kind, geometry))
}

/// How far an edge may stop short of the node it points at: the arrowhead is drawn in
/// the gap (Mermaid ends the line a marker's length before the border).
pub const ARROW_GAP: f64 = 10.0;

/// The index of the smallest node box the point touches (or stops an arrowhead short
/// of), else of the cluster whose border it lies on.
fn endpoint(g: &Graph, p: (f64, f64)) -> (Option<usize>, Option<usize>) {
    let node = (0..g.nodes.len())
        .filter(|&n| g.nodes[n].bbox.grow(ARROW_GAP).contains_point(p))
        .min_by(|&a, &b| g.nodes[a].bbox.area().total_cmp(&g.nodes[b].bbox.area()));
    if node.is_some() {
        return (node, None);
    }
    let cluster = (0..g.clusters.len()).find(|&c| {
        let b = g.clusters[c].bbox;
        b.grow(CROSS_TOL).contains_point(p) && !b.grow(-CROSS_TOL).contains_point(p)
    });
    (None, cluster)
}

fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 30 {
        format!("{}...", one.chars().take(27).collect::<String>())
    } else {
        one
    }
}

fn is_ancestor(g: &Graph, a: usize, mut c: usize) -> bool {
    for _ in 0..=g.clusters.len() {
        match g.clusters[c].parent {
            Some(p) if p == a => return true,
            Some(p) => c = p,
            None => return false,
        }
    }
    false
}

/// The checks over a node-and-edge drawing.
pub fn check_graph(g: &Graph) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut v = |check: &'static str, what: String| out.push(Violation { check, what });
    // Nodes inside exactly their clusters.
    for n in &g.nodes {
        let Some(chain) = &n.chain else { continue };
        for (c, cl) in g.clusters.iter().enumerate() {
            if chain.contains(&c) {
                if !cl.bbox.contains(n.bbox, INSIDE_TOL) {
                    v(
                        "node-outside-own-cluster",
                        format!(
                            "node `{}` not inside its cluster `{}`",
                            short(&n.label),
                            short(&cl.title)
                        ),
                    );
                }
            } else if n.bbox.grow(-CROSS_TOL).overlaps(cl.bbox) {
                v(
                    "node-in-foreign-cluster",
                    format!("node `{}` drawn over cluster `{}`", short(&n.label), short(&cl.title)),
                );
            }
        }
    }
    // Clusters apart unless nested, and nested ones inside their parent.
    for a in 0..g.clusters.len() {
        let (ca, ba) = (&g.clusters[a], g.clusters[a].bbox);
        if let Some(p) = ca.parent
            && !g.clusters[p].bbox.contains(ba, INSIDE_TOL)
        {
            v(
                "cluster-outside-parent",
                format!(
                    "cluster `{}` not inside `{}`",
                    short(&ca.title),
                    short(&g.clusters[p].title)
                ),
            );
        }
        for b in a + 1..g.clusters.len() {
            if is_ancestor(g, a, b) || is_ancestor(g, b, a) {
                continue;
            }
            if ba.grow(-CROSS_TOL).overlaps(g.clusters[b].bbox) {
                v(
                    "cluster-overlap",
                    format!(
                        "clusters `{}` and `{}` overlap",
                        short(&ca.title),
                        short(&g.clusters[b].title)
                    ),
                );
            }
        }
    }
    // Nodes apart.
    for a in 0..g.nodes.len() {
        for b in a + 1..g.nodes.len() {
            if g.nodes[a].bbox.grow(-CROSS_TOL).overlaps(g.nodes[b].bbox) {
                v(
                    "node-overlap",
                    format!(
                        "nodes `{}` and `{}` overlap",
                        short(&g.nodes[a].label),
                        short(&g.nodes[b].label)
                    ),
                );
            }
        }
    }
    // Edges clear of what they do not connect.
    for (e, edge) in g.edges.iter().enumerate() {
        let (Some(&first), Some(&last)) = (edge.points.first(), edge.points.last()) else {
            continue;
        };
        let ends = [endpoint(g, first), endpoint(g, last)];
        let mut allowed_clusters: Vec<usize> = Vec::new();
        for (node, cluster) in ends {
            if let Some(c) = cluster {
                allowed_clusters.push(c);
                allowed_clusters.extend(chain_of(
                    g.clusters[c].parent,
                    &g.clusters.iter().map(|c| c.parent).collect::<Vec<_>>(),
                ));
            }
            if let Some(n) = node {
                match &g.nodes[n].chain {
                    Some(chain) => allowed_clusters.extend(chain),
                    // Unmatched: whatever it is drawn in counts as its own.
                    None => allowed_clusters.extend(
                        (0..g.clusters.len()).filter(|&c| g.clusters[c].bbox.contains(g.nodes[n].bbox, INSIDE_TOL)),
                    ),
                }
            }
        }
        let segments: Vec<((f64, f64), (f64, f64))> = edge.points.windows(2).map(|w| (w[0], w[1])).collect();
        for (n, node) in g.nodes.iter().enumerate() {
            if ends.iter().any(|(en, _)| *en == Some(n)) {
                continue;
            }
            let b = node.bbox.grow(-CROSS_TOL);
            if segments.iter().any(|&(p, q)| b.crossed_by(p, q)) {
                v(
                    "edge-through-node",
                    format!("edge {} passes through node `{}`", e + 1, short(&node.label)),
                );
            }
        }
        for (c, cl) in g.clusters.iter().enumerate() {
            if allowed_clusters.contains(&c) {
                continue;
            }
            let b = cl.bbox.grow(-CROSS_TOL);
            if segments.iter().any(|&(p, q)| b.crossed_by(p, q)) {
                v(
                    "edge-through-cluster",
                    format!("edge {} passes through cluster `{}`", e + 1, short(&cl.title)),
                );
            }
        }
        if let Some(label) = edge.label {
            let lb = label.grow(-1.0);
            for node in &g.nodes {
                if lb.overlaps(node.bbox) {
                    v(
                        "label-over-node",
                        format!("label of edge {} drawn over node `{}`", e + 1, short(&node.label)),
                    );
                }
            }
            for (o, other) in g.edges.iter().enumerate().skip(e + 1) {
                if other.label.is_some_and(|ol| lb.overlaps(ol)) {
                    v(
                        "label-over-label",
                        format!("labels of edges {} and {} overlap", e + 1, o + 1),
                    );
                }
            }
            for (o, other) in g.edges.iter().enumerate() {
                if o != e && other.points.windows(2).any(|w| lb.grow(-1.0).crossed_by(w[0], w[1])) {
                    v(
                        "edge-through-label",
                        format!("edge {} crosses the label of edge {}", o + 1, e + 1),
                    );
                }
            }
        }
    }
    for note in &g.notes {
        for node in &g.nodes {
            if note.grow(-CROSS_TOL).overlaps(node.bbox) {
                v("note-over-node", format!("a note drawn over `{}`", short(&node.label)));
            }
        }
    }
    out
}

/// The checks over a sequence drawing.
pub fn check_sequence(s: &Sequence) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut v = |check: &'static str, what: String| out.push(Violation { check, what });
    for a in &s.activations {
        let on = s.lifelines.iter().any(|l| {
            a.x0 - INSIDE_TOL <= l.x
                && l.x <= a.x1 + INSIDE_TOL
                && a.y0 >= l.y0 - INSIDE_TOL
                && a.y1 <= l.y1 + INSIDE_TOL
        });
        if !on {
            v(
                "activation-off-lifeline",
                format!(
                    "activation at x {:.0}..{:.0}, y {:.0}..{:.0} on no lifeline",
                    a.x0, a.x1, a.y0, a.y1
                ),
            );
        }
    }
    let straddles = |outer: Bbox, inner: Bbox| {
        inner.grow(-INSIDE_TOL).overlaps(outer)
            && !outer.contains(inner, INSIDE_TOL)
            && !inner.contains(outer, INSIDE_TOL)
    };
    for a in 0..s.frames.len() {
        for b in a + 1..s.frames.len() {
            if straddles(s.frames[a].bbox, s.frames[b].bbox) {
                v(
                    "block-overlap",
                    format!(
                        "blocks `{}` and `{}` overlap without nesting",
                        s.frames[a].keyword, s.frames[b].keyword
                    ),
                );
            }
        }
    }
    for (n, note) in s.notes.iter().enumerate() {
        for f in &s.frames {
            if straddles(f.bbox, *note) {
                v(
                    "note-straddles-block",
                    format!("note {} crosses the border of block `{}`", n + 1, f.keyword),
                );
            }
        }
        for (o, other) in s.notes.iter().enumerate().skip(n + 1) {
            if note.grow(-CROSS_TOL).overlaps(*other) {
                v("note-overlap", format!("notes {} and {} overlap", n + 1, o + 1));
            }
        }
    }
    // Each drawn frame sits inside as many frames as the model nests it in, and every
    // message and note written in a block is drawn inside its frame.
    let mut frame_of: Vec<Option<usize>> = vec![None; s.model_blocks.len()];
    let mut used = vec![false; s.model_blocks.len()];
    for (f, frame) in s.frames.iter().enumerate() {
        let key = (norm(&frame.keyword), norm(&frame.condition));
        let Some(m) = (0..s.model_blocks.len())
            .find(|&m| !used[m] && norm(&s.model_blocks[m].0) == key.0 && norm(&s.model_blocks[m].1) == key.1)
        else {
            continue;
        };
        used[m] = true;
        frame_of[m] = Some(f);
        let inside = s
            .frames
            .iter()
            .enumerate()
            .filter(|&(o, other)| o != f && other.bbox.contains(frame.bbox, INSIDE_TOL) && other.bbox != frame.bbox)
            .count();
        if inside != s.model_blocks[m].2 {
            v(
                "block-depth",
                format!(
                    "block `{}` drawn inside {inside} blocks, nested in {}",
                    frame.keyword, s.model_blocks[m].2
                ),
            );
        }
    }
    let mut taken = vec![false; s.model_items.len()];
    for item in &s.items {
        let d = norm(&item.text);
        let Some(m) = (0..s.model_items.len()).find(|&m| {
            let (kind, text, _) = &s.model_items[m];
            let t = norm(text);
            !taken[m]
                && *kind == item.kind
                && (t == d || !d.is_empty() && !t.is_empty() && (t.starts_with(&d) || d.starts_with(&t)))
        }) else {
            continue;
        };
        taken[m] = true;
        let Some(frame) = s.model_items[m].2.and_then(|b| frame_of[b]).map(|f| &s.frames[f]) else {
            continue;
        };
        if !frame.bbox.contains(item.bbox, INSIDE_TOL) {
            let (check, what) = match item.kind {
                ItemKind::Message => ("message-outside-block", "message"),
                ItemKind::Note => ("note-outside-block", "note"),
            };
            v(
                check,
                format!(
                    "{what} `{}` drawn outside its block `{}`",
                    short(&item.text),
                    frame.keyword
                ),
            );
        }
    }
    out
}

/// What was read back, by element, for the report: how much the checks looked at.
pub fn census(g: &Geometry) -> Vec<(&'static str, usize)> {
    match g {
        Geometry::Graph(g) => vec![
            ("nodes", g.nodes.len()),
            (
                "of them unlabeled (pseudo-states)",
                g.nodes.iter().filter(|n| n.label.is_empty()).count(),
            ),
            (
                "labeled nodes not matched to the model",
                g.nodes
                    .iter()
                    .filter(|n| n.chain.is_none() && !n.label.is_empty())
                    .count(),
            ),
            ("clusters", g.clusters.len()),
            ("edges", g.edges.len()),
            ("edge labels", g.edges.iter().filter(|e| e.label.is_some()).count()),
            ("notes", g.notes.len()),
        ],
        Geometry::Sequence(s) => vec![
            ("lifelines", s.lifelines.len()),
            ("activations", s.activations.len()),
            ("blocks", s.frames.len()),
            ("blocks in the model (not `rect`)", s.model_blocks.len()),
            ("notes", s.notes.len()),
            (
                "messages",
                s.items.iter().filter(|i| i.kind == ItemKind::Message).count(),
            ),
            ("messages and notes in the model", s.model_items.len()),
        ],
    }
}

pub fn check(g: &Geometry) -> Vec<Violation> {
    match g {
        Geometry::Graph(g) => check_graph(g),
        Geometry::Sequence(s) => check_sequence(s),
    }
}
