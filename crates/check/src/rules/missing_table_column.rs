//! DD012 missing-table-column.

use super::{Context, declare_rule};
use crate::diagnostic::Diagnostic;
use crate::schema::TableSpec;
use designdoc_model::{BlockKind, Document, Span, Table, heading_key};

declare_rule! {
    /// Reports a table that lacks a column the template's table has, or a section that
    /// should hold a table and has none.
    ///
    /// **What it does.** Compares the header of the document's table with the template's
    /// header (tolerant of case and punctuation) and lists the columns that are missing.
    ///
    /// **Why.** Columns such as Impact and Likelihood are what makes a risk table useful
    /// across documents; the risk register needs them.
    ///
    /// **Example.** `| Risk | Mitigation |` where the template asks for
    /// `| Risk | Impact | Likelihood | Mitigation |`.
    ///
    /// **Fix.** None: a new column needs values in every row.
    pub struct MissingTableColumn {
        code: "DD012",
        name: "missing-table-column",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (s, spec, found) in table_slots(ctx) {
        if super::empty_section::needs_no_body(ctx, s) {
            continue;
        }
        let section = &ctx.doc.sections[s];
        let Some((block, table)) = found else {
            let columns = spec
                .columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                ctx.diag(
                    &MissingTableColumn::META,
                    section.heading_span,
                    format!("section `{}` has no table", section.title),
                )
                .with_help(format!("add a table with columns {columns}")),
            );
            continue;
        };
        let have: Vec<String> = table.header.iter().map(|c| heading_key(&c.text.text)).collect();
        let missing: Vec<&String> = spec
            .columns
            .iter()
            .filter(|c| !have.contains(&heading_key(c)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let names = missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        let noun = if missing.len() == 1 { "column" } else { "columns" };
        out.push(
            ctx.diag(
                &MissingTableColumn::META,
                header_span(ctx.doc, block, table),
                format!("table is missing {noun} {names}"),
            )
            .with_label("this header")
            .with_help(format!("the template's table has columns {}", spec.columns.join(", "))),
        );
    }
}

/// Every place the template asks for a table: (document section, the template's table,
/// the section's table sharing most columns with it, if any).
pub(crate) fn table_slots<'c>(
    ctx: &'c Context,
) -> impl Iterator<Item = (usize, &'c TableSpec, Option<(usize, &'c Table)>)> + 'c {
    ctx.alignment.entries.iter().flat_map(move |e| {
        e.spec.body.tables.iter().flat_map(move |spec| {
            e.instances.iter().map(move |&s| {
                let blocks = ctx.doc.sections[s].blocks.iter().copied();
                (s, spec, best_table(ctx.doc, blocks, spec))
            })
        })
    })
}

/// The document table in `blocks` sharing most columns with `spec`.
pub(crate) fn best_table<'d>(
    doc: &'d Document,
    blocks: impl Iterator<Item = usize>,
    spec: &TableSpec,
) -> Option<(usize, &'d Table)> {
    let wanted: Vec<String> = spec.columns.iter().map(|c| heading_key(c)).collect();
    blocks
        .filter_map(|b| match &doc.blocks[b].kind {
            BlockKind::Table(t) => Some((b, t)),
            _ => None,
        })
        .max_by_key(|(b, t)| {
            let overlap = t
                .header
                .iter()
                .filter(|c| wanted.contains(&heading_key(&c.text.text)))
                .count();
            (overlap, std::cmp::Reverse(*b))
        })
}

fn header_span(doc: &Document, block: usize, table: &Table) -> Span {
    match (table.header.first(), table.header.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => doc.blocks[block].span,
    }
}
