//! DD041 component-graph-mismatch.

use super::unedited_sample_diagram::is_unedited_sample;
use super::{Context, declare_rule, diagram_source};
use crate::diagnostic::Diagnostic;
use crate::schema::DiagramKind;
use designdoc_model::heading_key;
use designdoc_model::mermaid::{DiagramModel, Shape};

declare_rule! {
    /// Reports a component drawn in the High-Level Design graph but not described under
    /// Components, or described but not drawn.
    ///
    /// **What it does.** Takes the nodes of the first flowchart in the section where the
    /// template puts its flowchart, and the `####` subsections of the repeatable component
    /// section, and matches names tolerantly (case, punctuation, a longer name starting
    /// with the shorter: `Parser (model)` matches `Parser`). Database-shaped nodes
    /// (`[(...)]`) and names listed in `designdoc.toml` under `[components] exempt`
    /// (default: database, user, client, browser and the like) need no subsection. The
    /// template's sample graph left unedited is `unedited-sample-diagram`'s finding alone.
    ///
    /// **Why.** When the picture and the text disagree, one of them is out of date, and a
    /// reviewer cannot tell which.
    ///
    /// **Example.** The graph shows `Indexer` but Components has no `#### Indexer`.
    ///
    /// **Fix.** None: add the subsection or update the graph.
    pub struct ComponentGraphMismatch {
        code: "DD041",
        name: "component-graph-mismatch",
        level: Error,
        lifecycle: true,
    }
}

/// Node names that stand for things outside the system and need no component section.
pub const DEFAULT_EXEMPT: &[&str] = &[
    "database", "db", "user", "users", "client", "clients", "browser", "external", "internet", "end user", "customer",
];

/// Two name keys name the same thing: equal, or the longer starts with the shorter as a
/// whole word (`parser model` and `parser`).
pub(super) fn same_name(a: &str, b: &str) -> bool {
    let prefix = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b' '
    };
    a == b || prefix(a, b) || prefix(b, a)
}

/// The document sections that describe one component each: instances of the repeatable
/// section under the template's Components section.
pub(super) fn component_sections(ctx: &Context) -> Vec<usize> {
    let entries = &ctx.alignment.entries;
    entries
        .iter()
        .filter(|e| {
            e.spec.repeat.is_some()
                && e.parent_entry
                    .is_some_and(|p| entries[p].spec.key.starts_with("component"))
        })
        .flat_map(|e| e.instances.iter().copied())
        .collect()
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let entries = &ctx.alignment.entries;
    let Some(graph_entry) = entries
        .iter()
        .find(|e| e.spec.body.diagram == Some(DiagramKind::Flowchart) && !e.instances.is_empty())
    else {
        return;
    };
    let components = component_sections(ctx);
    if components.is_empty() {
        return;
    }
    let graph_section = graph_entry.instances[0];
    let mut sections = vec![graph_section];
    sections.extend(ctx.doc.descendants(graph_section));
    let Some((diagram, chart)) = ctx.doc.diagrams.iter().find_map(|d| match &d.parsed.model {
        DiagramModel::Flowchart(f) if d.section.is_some_and(|s| sections.contains(&s)) && d.errors.is_empty() => {
            Some((d, f))
        }
        _ => None,
    }) else {
        return;
    };
    if diagram_source(ctx, diagram).is_some_and(|src| is_unedited_sample(ctx, src)) {
        return;
    }
    let exempt: Vec<String> = ctx.options.exempt_nodes.iter().map(|n| heading_key(n)).collect();
    let component_keys: Vec<(usize, String)> = components
        .iter()
        .map(|&s| (s, ctx.doc.sections[s].key.clone()))
        .collect();
    let graph_title = &ctx.doc.sections[graph_section].title;
    let mut node_keys = Vec::new();
    for node in &chart.nodes {
        let label_key = heading_key(&node.label);
        let id_key = heading_key(&node.id);
        node_keys.push((label_key.clone(), id_key.clone()));
        let described = component_keys
            .iter()
            .any(|(_, k)| same_name(k, &label_key) || same_name(k, &id_key));
        let outside = node.shape == Shape::Cylinder || exempt.iter().any(|e| *e == label_key || *e == id_key);
        if !described && !outside {
            out.push(
                ctx.diag(
                    &ComponentGraphMismatch::META,
                    diagram.span_of(&node.range),
                    format!("`{}` is in the `{graph_title}` graph but has no component section", node.label),
                )
                .with_label("this node")
                .with_help(format!("add `#### {}` with its Purpose, Responsibilities, Interfaces and Dependencies, or list it under [components] exempt in designdoc.toml", node.label)),
            );
        }
    }
    for (s, key) in &component_keys {
        let drawn = node_keys.iter().any(|(l, i)| same_name(key, l) || same_name(key, i));
        if !drawn {
            let section = &ctx.doc.sections[*s];
            out.push(
                ctx.diag(
                    &ComponentGraphMismatch::META,
                    section.heading_span,
                    format!("component `{}` is not in the `{graph_title}` graph", section.title),
                )
                .with_help("draw it in the graph (a node labeled with the same name), or remove the section"),
            );
        }
    }
}
