//! DD011 empty-field.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use designdoc_model::{BlockKind, heading_key};

declare_rule! {
    /// Reports a labeled field (`- Purpose:`) that is empty or missing.
    ///
    /// **What it does.** Where the template lists labeled items such as `- Purpose:` and
    /// `- Dependencies:`, checks that the document's section fills each label with text
    /// on the same line or with nested items. A section that uses some of the labels must
    /// use all of them; a section written as prose instead is left alone.
    ///
    /// **Why.** Labeled fields are the template's checklist: an empty `Dependencies:` is
    /// exactly the question reviewers would have asked.
    ///
    /// **Example.** `- Interfaces:` with nothing after it under `#### Parser`.
    ///
    /// **Fix.** None: the value is the author's to write.
    pub struct EmptyField {
        code: "DD011",
        name: "empty-field",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for e in &ctx.alignment.entries {
        if e.spec.body.fields.is_empty() {
            continue;
        }
        let wanted: Vec<(String, &str)> = e
            .spec
            .body
            .fields
            .iter()
            .map(|f| (heading_key(f), f.as_str()))
            .collect();
        for &s in &e.instances {
            if super::empty_section::answered_not_applicable(ctx, s) {
                continue;
            }
            let section = &ctx.doc.sections[s];
            let mut seen = vec![false; wanted.len()];
            for &b in &section.blocks {
                let BlockKind::List(list) = &ctx.doc.blocks[b].kind else {
                    continue;
                };
                for item in list.items.iter().filter(|i| i.depth == 0) {
                    let Some(label) = &item.label else { continue };
                    let key = heading_key(&label.name);
                    let Some(w) = wanted.iter().position(|(k, _)| *k == key) else {
                        continue;
                    };
                    seen[w] = true;
                    if label.value.trim().is_empty() && !item.has_children {
                        out.push(
                            ctx.diag(
                                &EmptyField::META,
                                label.name_span,
                                format!("field `{}` is empty", label.name),
                            )
                            .with_label("write a value after the colon or as nested items"),
                        );
                    }
                }
            }
            if seen.iter().any(|&x| x) {
                for (w, (_, name)) in wanted.iter().enumerate() {
                    if !seen[w] {
                        out.push(
                            ctx.diag(
                                &EmptyField::META,
                                section.heading_span,
                                format!("field `{name}` is missing from `{}`", section.title),
                            )
                            .with_help(format!("add `- {name}: ...` to the list")),
                        );
                    }
                }
            }
        }
    }
}
