//! DD044 sequence-participant-undocumented.

use super::component_graph_mismatch::{component_sections, same_name};
use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::heading_key;
use designdoc_model::mermaid::DiagramModel;

declare_rule! {
    /// Reports a participant of a sequence diagram that no component section describes.
    ///
    /// **What it does.** Takes every participant and actor of every valid sequence diagram
    /// in the document and looks for a subsection of the repeatable component section with
    /// the same name (matched as DD041 matches graph nodes: case, punctuation, a longer
    /// name starting with the shorter). Actors, and names listed in `designdoc.toml` under
    /// `[components] exempt` (user, client, browser and the like), need none. Off by
    /// default; turn it on at `info` where sequence diagrams are the architecture's source
    /// of truth.
    ///
    /// **Why.** A service that appears in an interaction but is never described is a gap
    /// reviewers ask about.
    ///
    /// **Example.** `Gateway->>Indexer: reindex` while Components has no `#### Indexer`.
    ///
    /// **Fix.** None: describe the component, or exempt the name.
    pub struct SequenceParticipantUndocumented {
        code: "DD044",
        name: "sequence-participant-undocumented",
        level: Off,
        lifecycle: false,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let components = component_sections(ctx);
    if components.is_empty() {
        return;
    }
    let component_keys: Vec<&str> = components.iter().map(|&s| ctx.doc.sections[s].key.as_str()).collect();
    let exempt: Vec<String> = ctx.options.exempt_nodes.iter().map(|n| heading_key(n)).collect();
    for diagram in &ctx.doc.diagrams {
        let DiagramModel::Sequence(seq) = &diagram.parsed.model else {
            continue;
        };
        if !diagram.errors.is_empty() {
            continue;
        }
        for p in seq.participants.iter().filter(|p| !p.actor) {
            let keys = [heading_key(&p.label), heading_key(&p.id)];
            let described = component_keys.iter().any(|c| keys.iter().any(|k| same_name(c, k)));
            let outside = exempt.iter().any(|e| keys.contains(e));
            if !described && !outside {
                out.push(
                    ctx.diag(
                        &SequenceParticipantUndocumented::META,
                        diagram.span_of(&p.range),
                        format!("`{}` takes part in a sequence diagram but has no component section", p.label),
                    )
                    .with_label("this participant")
                    .with_help(format!(
                        "add `#### {}` under the components section, or list it under [components] exempt in designdoc.toml",
                        p.label
                    )),
                );
            }
        }
    }
}
