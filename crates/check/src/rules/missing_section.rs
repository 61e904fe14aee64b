//! DD001 missing-section.

use super::{Context, declare_rule, relevel};
use crate::diagnostic::{Diagnostic, Edit, Fix, Safety};
use designdoc_model::Span;

declare_rule! {
    /// Reports a section the template requires that the document does not have.
    ///
    /// **What it does.** Walks the template's heading tree and looks for each required
    /// section among the document's headings, matching tolerantly (case, numbering such as
    /// `1.` or `A.`, emoji, punctuation and known aliases like Summary for Overview). A
    /// repeatable section (`Phase 1`, `Phase 2` in the template) must appear at least once.
    ///
    /// **Why.** A design doc without Risks or a Rollout Plan is not done; reviewers should
    /// not have to notice the gap themselves.
    ///
    /// **Example.** A document with `## Overview` and `## Goals and Non-Goals` but no
    /// `## Background` reports `missing section Background` before the goals.
    ///
    /// A section counts as present when a heading names it in other words (`Unit Tests`
    /// for `Unit Testing`, `Interfaces` for `Interface and Interactions`), when a bold
    /// lead-in names it (`**Rollout plan**`, `* **Security:** ...`), or when its heading
    /// sits inside an unclosed code fence (reported once, as `unclosed-code-fence`).
    ///
    /// **Fix.** Safe: inserts the template's skeleton for the section at the place the
    /// template puts it, with heading levels adapted to the ones the document uses.
    pub struct MissingSection {
        code: "DD001",
        name: "missing-section",
        level: Error,
        lifecycle: true,
    }
}

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let a = ctx.alignment;
    let doc = ctx.doc;
    if doc.sections.is_empty()
        && doc
            .blocks
            .iter()
            .all(|b| matches!(b.kind, designdoc_model::BlockKind::Html(_)))
    {
        return empty_document(ctx, out);
    }
    if follows_nothing(ctx) {
        return unrelated_document(ctx, out);
    }
    for (i, entry) in a.entries.iter().enumerate() {
        let spec = entry.spec;
        if let Some(repeat) = &spec.repeat {
            let n = entry.instances.len();
            if n > 0 && n < repeat.min {
                let at = doc.sections[entry.instances[n - 1]].heading_span;
                out.push(ctx.diag(
                    &MissingSection::META,
                    at,
                    format!("expected at least {} `{}` sections, found {n}", repeat.min, spec.title),
                ));
            }
            if let Some(max) = repeat.max
                && n > max
            {
                let at = doc.sections[entry.instances[max]].heading_span;
                out.push(ctx.diag(
                    &MissingSection::META,
                    at,
                    format!("expected at most {max} `{}` sections, found {n}", spec.title),
                ));
            }
        }
        if spec.optional || a.found_anywhere(i) || a.under_lead_in(i) {
            continue;
        }
        // Report only the outermost missing section: its skeleton brings its children.
        if let Some(p) = entry.parent_entry
            && !a.found_anywhere(p)
        {
            continue;
        }
        out.push(missing(ctx, i));
    }
}

fn missing(ctx: &Context, entry: usize) -> Diagnostic {
    let a = ctx.alignment;
    let doc = ctx.doc;
    let e = &a.entries[entry];
    let siblings: Vec<usize> = (0..a.entries.len())
        .filter(|&j| a.entries[j].parent_entry == e.parent_entry && a.entries[j].parent_section == e.parent_section)
        .collect();
    let pos = siblings.iter().position(|&j| j == entry).unwrap_or(0);
    let placed = |j: usize| {
        let inst: Vec<usize> = a.entries[j]
            .instances
            .iter()
            .copied()
            .filter(|s| !a.entries[j].wrong_level.contains(s))
            .collect();
        (!inst.is_empty()).then_some(inst)
    };
    let prev = siblings[..pos].iter().rev().find_map(|&j| placed(j));
    let next = siblings[pos + 1..].iter().find_map(|&j| placed(j));
    let level = a.expected_level(doc, entry);
    let title = &e.spec.title;
    let hashes = "#".repeat(usize::from(level.clamp(1, 6)));
    let (offset, span, label) = if let Some(prev) = prev {
        let last = prev.iter().map(|&s| doc.sections[s].span.end).max().unwrap_or(0);
        let first = doc.sections[prev[0]].heading_span;
        (last, first, format!("expected `{hashes} {title}` after this section"))
    } else if let Some(next) = next {
        let first = doc.sections[next[0]].heading_span;
        (
            first.start,
            first,
            format!("expected `{hashes} {title}` before this section"),
        )
    } else if let Some(p) = e.parent_section {
        let s = &doc.sections[p];
        (
            s.span.end,
            s.heading_span,
            format!("expected `{hashes} {title}` in this section"),
        )
    } else {
        let title_span = a.title_section.map(|t| doc.sections[t].heading_span);
        let span = title_span.unwrap_or_else(|| first_line(ctx));
        (
            ctx.source.len(),
            span,
            format!("expected `{hashes} {title}` in this document"),
        )
    };
    let skeleton = relevel(&e.spec.skeleton, i32::from(level) - i32::from(e.spec.level));
    let mut message = format!("missing section `{title}`");
    if e.spec.repeat.is_some() {
        message = format!("missing section `{title}` (at least one is required)");
    }
    ctx.diag(&MissingSection::META, span, message)
        .with_label(label)
        .with_help(format!(
            "add a `{hashes} {title}` section; `designdoc fix` inserts the template's skeleton"
        ))
        .with_fix(Fix {
            message: format!("insert `{title}` from the template"),
            safety: Safety::Safe,
            edits: vec![insert_block(ctx.source, offset, &skeleton)],
        })
}

fn first_line(ctx: &Context) -> Span {
    let start = ctx.doc.body_start;
    let end = ctx.source[start..].find('\n').map_or(ctx.source.len(), |i| start + i);
    Span::new(start, end)
}

/// An edit that inserts `block` at `offset` as its own paragraph-separated block.
pub(crate) fn insert_block(source: &str, offset: usize, block: &str) -> Edit {
    let before = &source[..offset];
    let mut text = String::new();
    if !before.is_empty() && !before.ends_with("\n\n") {
        text.push_str(if before.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text.push_str(block.trim_end());
    text.push('\n');
    if offset < source.len() {
        text.push('\n');
    }
    Edit {
        span: Span::point(offset),
        text,
    }
}

/// Not one of the template's required top sections is in the document, under any name
/// or as a bold lead-in, although the template has several: a redirect stub (`Moved to
/// ...`), a supporting page beside a design doc, or a doc of another template. Listing
/// every section as missing would be noise; one finding says what is going on.
fn follows_nothing(ctx: &Context) -> bool {
    let a = ctx.alignment;
    let top: Vec<usize> = (0..a.entries.len())
        .filter(|&i| a.entries[i].parent_entry.is_none() && !a.entries[i].spec.optional)
        .collect();
    top.len() >= 3 && top.iter().all(|&i| !a.found_anywhere(i) && !a.under_lead_in(i))
}

fn unrelated_document(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let n = ctx.schema.sections.iter().filter(|s| !s.optional).count();
    // One finding, at the rule's level: a document in review with none of the sections
    // must still fail its template (the hub gates approval on it).
    out.push(
        ctx.diag(
            &MissingSection::META,
            first_line(ctx),
            format!("none of the template's {n} sections is here: this does not read as a document of the template"),
        )
        .with_help("a design doc starts from `designdoc new`; a supporting page or a stub can be listed under `exclude` in designdoc.toml"),
    );
}

fn empty_document(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut skeleton = String::new();
    for spec in &ctx.schema.sections {
        skeleton.push_str(&spec.skeleton);
        skeleton.push_str("\n\n");
    }
    let n = ctx.schema.sections.iter().filter(|s| !s.optional).count();
    if n == 0 {
        return;
    }
    out.push(
        ctx.diag(
            &MissingSection::META,
            first_line(ctx),
            format!("document has no sections: all {n} sections of the template are missing"),
        )
        .with_help("start from `designdoc new`, or run `designdoc fix` to insert the template's sections")
        .with_fix(Fix {
            message: "insert every section of the template".to_string(),
            safety: Safety::Safe,
            edits: vec![insert_block(ctx.source, ctx.source.len(), &skeleton)],
        }),
    );
}
