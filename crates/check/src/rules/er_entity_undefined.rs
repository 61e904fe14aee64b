//! DD042 er-entity-undefined.

use super::unedited_sample_diagram::is_unedited_sample;
use super::{Context, declare_rule, diagram_source};
use crate::diagnostic::Diagnostic;
use crate::schema::DiagramKind;
use designdoc_model::mermaid::DiagramModel;

declare_rule! {
    /// Reports an entity used in an ER relationship that has no attribute block, in the
    /// section where the template expects the ER diagram.
    ///
    /// **What it does.** In the Data Model (wherever the template puts its `erDiagram`),
    /// every entity that takes part in a relationship must be defined with
    /// `ENTITY { type name PK ... }`. Entities in ER diagrams elsewhere are not checked,
    /// nor the template's sample diagram left unedited (`unedited-sample-diagram`).
    ///
    /// **Why.** Relationships alone say nothing about keys and columns; the entity
    /// register and the SQL export need the attributes.
    ///
    /// **Example.** `CUSTOMER ||--o{ ORDER : places` with no `ORDER { ... }` block.
    ///
    /// **Fix.** None: describe the entity's attributes.
    pub struct ErEntityUndefined {
        code: "DD042",
        name: "er-entity-undefined",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in ctx
        .alignment
        .entries
        .iter()
        .filter(|e| e.spec.body.diagram == Some(DiagramKind::Er))
    {
        for &s in &e.instances {
            let mut sections = vec![s];
            sections.extend(ctx.doc.descendants(s));
            for d in ctx
                .doc
                .diagrams
                .iter()
                .filter(|d| d.section.is_some_and(|x| sections.contains(&x)))
            {
                let DiagramModel::Er(er) = &d.parsed.model else {
                    continue;
                };
                if diagram_source(ctx, d).is_some_and(|src| is_unedited_sample(ctx, src)) {
                    continue;
                }
                for (i, entity) in er.entities.iter().enumerate() {
                    let related = er.relationships.iter().any(|r| r.left == i || r.right == i);
                    if related && !entity.defined {
                        out.push(
                            ctx.diag(
                                &ErEntityUndefined::META,
                                d.span_of(&entity.range),
                                format!("entity `{}` has no attribute block", entity.name),
                            )
                            .with_label("used in a relationship here")
                            .with_help(format!("describe it: `{} {{ string id PK }}`", entity.name)),
                        );
                    }
                }
            }
        }
    }
}
