//! Data-driven model tests: each input is parsed and printed as an outline that shows
//! what the model understood (sections, blocks, fields, placeholders, metadata, errors).

use designdoc_model::{BlockKind, Document, parse};
use std::fmt::Write;

fn outline(source: &str) -> String {
    let (doc, errors) = parse(source);
    let mut out = String::new();
    let index = designdoc_model::LineIndex::new(source);
    let pos = |_: &Document, offset: usize| {
        let lc = index.line_col(source, offset);
        format!("{}:{}", lc.line, lc.col)
    };
    for f in &doc.metadata {
        let _ = writeln!(
            out,
            "meta {} = {:?} @{} ({:?})",
            f.key,
            f.values,
            pos(&doc, f.value_span.start),
            f.source
        );
    }
    for (i, s) in doc.sections.iter().enumerate() {
        let indent = "  ".repeat(usize::from(s.level.saturating_sub(1)));
        let _ = writeln!(
            out,
            "{indent}h{} {:?} key={:?} #{} @{}",
            s.level,
            s.title,
            s.key,
            s.anchor,
            pos(&doc, s.heading_span.start)
        );
        for &b in &s.blocks {
            let block = &doc.blocks[b];
            let desc = match &block.kind {
                BlockKind::Paragraph(t) => format!("para {:?}", truncate(&t.text)),
                BlockKind::List(l) => {
                    let items: Vec<String> = l
                        .items
                        .iter()
                        .map(|it| {
                            let label = it
                                .label
                                .as_ref()
                                .map_or(String::new(), |l| format!("<{}={:?}>", l.name, l.value));
                            format!(
                                "{}{}{}",
                                "-".repeat(it.depth as usize + 1),
                                label,
                                truncate(&it.text.text)
                            )
                        })
                        .collect();
                    format!("list ordered={} [{}]", l.ordered, items.join(" | "))
                }
                BlockKind::Table(t) => format!(
                    "table {:?} rows={}",
                    t.header.iter().map(|c| c.text.text.as_str()).collect::<Vec<_>>(),
                    t.rows.len()
                ),
                BlockKind::Code(c) => format!(
                    "code lang={:?} content@{} lines={}",
                    c.lang,
                    pos(&doc, c.content_span.start),
                    c.content.lines().count()
                ),
                BlockKind::Html(h) => format!("html {:?}", truncate(h)),
                BlockKind::NestedHeading(t) => format!("nested-heading {:?}", t.text),
                BlockKind::Rule => "rule".to_string(),
            };
            let _ = writeln!(out, "{indent}  {desc}");
        }
        let _ = i;
    }
    for p in &doc.placeholders {
        let _ = writeln!(
            out,
            "placeholder [{}] @{}..{} whole={}",
            p.text,
            pos(&doc, p.span.start),
            pos(&doc, p.span.end),
            p.whole
        );
    }
    for l in &doc.links {
        let _ = writeln!(out, "link {:?} {:?} @{}", l.kind, l.dest, pos(&doc, l.span.start));
    }
    for e in &errors {
        let _ = writeln!(out, "error {:?} @{}: {}", e.kind, pos(&doc, e.span.start), e.message);
    }
    out
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn check(name: &str, source: &str) {
    insta::assert_snapshot!(name, outline(source));
}

#[test]
fn seed_template() {
    check(
        "seed_template",
        // The seed template as the repository embeds it (a copy of ../shared/seed, so the
        // tests compile on a fresh clone; check's template tests keep the two equal).
        include_str!("../../check/templates/default.md"),
    );
}

#[test]
fn front_matter_and_drifted_headings() {
    check(
        "drifted",
        "---\ntitle: Rate limiter\nstatus: review\nauthors:\n  - Ann\n  - Bob\ncreated: 2026-01-05\n---\n\
         Rate Limiter\n============\n\n## 1. Overview\n\nText with a [link](other.md) and `[code]`.\n\n\
         ## 🎯 **Goals & Non-Goals**\n\n- [x] done\n- Purpose: limit\n- Responsibilities:\n  - count\n\n\
         ```sh\n# not a heading\n```\n\n### A. Performance\n\n| Risk | Impact |\n|---|---|\n| [Risk 1] | High/Med/Low |\n\n## 1 概述\n",
    );
}

#[test]
fn inline_metadata_in_preamble() {
    check(
        "inline_meta",
        "# Title\n\n> **Status:** Draft  \n> **Authors:** Ann, Bob  \n\n**Created**: 2026-02-01\n\n## Overview\n\n**Status:** not metadata here\n",
    );
}

#[test]
fn broken_front_matter() {
    check("unterminated", "---\ntitle: x\n\n# Heading\n");
    check("bad_yaml", "---\ntitle: [unclosed\nstatus: draft\n---\n# Heading\n");
    check("not_a_map", "---\n- a\n- b\n---\n# Heading\n");
}

#[test]
fn mermaid_content_position() {
    check(
        "mermaid",
        "## Design\n\n```mermaid\ngraph TD\n  A --> B\n```\n\n```mermaid\n```\n",
    );
}

#[test]
fn embedded_seed_is_the_shared_seed() {
    let Some(shared) = designdoc_testkit::require_shared("seed/design-doc-template.md") else {
        return;
    };
    let seed = std::fs::read_to_string(&shared).expect("the shared seed");
    assert_eq!(
        seed,
        include_str!("../../check/templates/default.md"),
        "crates/check/templates/default.md differs from ../shared/seed"
    );
}
