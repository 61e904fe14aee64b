//! Template compiler: an ordinary Markdown template -> [`Schema`].
//!
//! The heading tree gives required sections and their order; counter-named siblings
//! become repeatable; bracketed text is a placeholder; `- Label:` items are fields; a
//! table header gives columns and `A/B/C` cells give allowed values; a mermaid block gives
//! the expected diagram kind; a list asks for at least one real item. HTML comments of the
//! form `<!-- designdoc: optional; repeat 1..5; aliases Summary, Abstract -->` placed in a
//! section override what is inferred.

use crate::schema::*;
use designdoc_model::{BlockKind, Document, Span, heading_key, parse, split_counter, strip_optional_marker};
use std::fmt;

/// The seed template, built in as the default.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/default.md");

/// A problem in the template itself (bad override comment, unreadable YAML...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub span: Span,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Names that mean the same section in real documents, applied to every template.
const BUILTIN_ALIASES: &[(&str, &[&str])] = &[
    (
        "overview",
        &[
            "summary",
            "abstract",
            "introduction",
            "tl dr",
            "tldr",
            "executive summary",
        ],
    ),
    (
        "background",
        &[
            "context",
            "motivation",
            "problem statement",
            "background and motivation",
        ],
    ),
    (
        "goals and non goals",
        &["goals and nongoals", "scope", "objectives", "goals non goals"],
    ),
    ("non goals", &["nongoals", "out of scope"]),
    (
        "system design",
        &[
            "design",
            "proposed design",
            "detailed design",
            "technical design",
            "architecture",
            "proposal",
        ],
    ),
    (
        "high level design",
        &["architecture overview", "high level architecture", "overview diagram"],
    ),
    ("apis and interfaces", &["api", "apis", "interfaces", "api design"]),
    ("security considerations", &["security"]),
    ("data model", &["data", "schema", "data schema"]),
    (
        "implementation plan",
        &["implementation", "milestones", "plan", "timeline"],
    ),
    ("testing strategy", &["testing", "test plan"]),
    ("monitoring and alerting", &["monitoring", "observability"]),
    (
        "rollout plan",
        &["rollout", "deployment", "deployment plan", "launch plan"],
    ),
    ("risks and mitigations", &["risks", "risks and mitigation"]),
    (
        "alternative approaches considered",
        &[
            "alternatives",
            "alternatives considered",
            "considered options",
            "considered alternatives",
            "rejected alternatives",
            "options considered",
        ],
    ),
    // RFC-style templates (Rust, Ember, React, Yarn, ...) renamed their sections over the
    // years; documents written from an earlier version use the earlier names.
    (
        "reference level explanation",
        &["detailed design", "technical design", "specification", "design details"],
    ),
    (
        "guide level explanation",
        &["how we teach this", "how to teach this", "teaching", "user guide"],
    ),
    ("prior art", &["related work", "prior work"]),
    (
        "future possibilities",
        &["future work", "future directions", "future extensions"],
    ),
    ("unresolved questions", &["open questions", "outstanding questions"]),
    ("references", &["links", "further reading", "see also"]),
    ("appendix", &["appendices"]),
];

/// Sections that are optional by convention in any template.
const OPTIONAL_BY_CONVENTION: &[&str] = &["appendix"];

/// Compiles a template. Override comments that cannot be read are returned as errors
/// beside the schema (the rest of the template still applies).
pub fn compile(template: &str) -> (Schema, Vec<TemplateError>) {
    let (doc, _) = parse(template);
    let mut errors = Vec::new();
    let mut schema = Schema::default();
    // A single leading H1 is the document title, not a section.
    let h1s: Vec<usize> = doc
        .roots
        .iter()
        .copied()
        .filter(|&i| doc.sections[i].level == 1)
        .collect();
    let top: Vec<usize> = if h1s.len() == 1 && doc.roots.first() == h1s.first() {
        let title = &doc.sections[h1s[0]];
        schema.needs_title = true;
        let _ = title;
        let mut v = title.children.clone();
        v.extend(doc.roots.iter().skip(1));
        v
    } else {
        doc.roots.clone()
    };
    schema.top_level = top.first().map_or(2, |&i| doc.sections[i].level);
    schema.sections = compile_siblings(&doc, template, &top, 0, &mut errors);
    let mut placeholders: Vec<String> = doc
        .placeholders
        .iter()
        .map(|p| normalize_placeholder(&p.text))
        .collect();
    placeholders.sort();
    placeholders.dedup();
    schema.placeholders = placeholders;
    schema.sample_items = sample_items(&doc);
    for block in &doc.blocks {
        if let BlockKind::Code(code) = &block.kind
            && code.lang == "mermaid"
        {
            schema.samples.push(SampleDiagram {
                kind: DiagramKind::of_source(&code.content),
                tokens: diagram_tokens(&code.content),
            });
        }
    }
    schema.metadata = MetadataSpec::of_template(&doc);
    if template == DEFAULT_TEMPLATE {
        // The seed template writes no metadata, yet designdoc's own lifecycle is built on
        // it: `designdoc new` scaffolds front matter with status and authors, and the hub
        // keys its workflow on the status. Documents of the built-in template keep
        // being asked for both.
        schema.metadata.status = true;
        schema.metadata.authors = true;
    }
    (schema, errors)
}

/// The template's list items that are a short name with a counter (`- Goal 1`,
/// `- Non-goal 2`, `- Risk A`): samples the author is meant to replace.
fn sample_items(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::List(list) => Some(list.items.iter()),
            _ => None,
        })
        .flatten()
        // Bracketed items (`- [Goal 1]`) are placeholders already.
        .filter(|item| item.label.is_none() && !item.text.text.contains('['))
        .filter_map(|item| {
            let key = heading_key(item.text.text.trim());
            let words = key.split(' ').count();
            (words <= 4 && split_counter(&key).is_some()).then(|| normalize_placeholder(&key))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Lowercase, counters replaced by `n`: "Goal 2" and "goal 3" both read "goal n".
pub fn normalize_placeholder(text: &str) -> String {
    let key = heading_key(text);
    match split_counter(&key) {
        Some((stem, _)) => format!("{stem} n"),
        None => key,
    }
}

fn compile_siblings(
    doc: &Document,
    src: &str,
    siblings: &[usize],
    depth: usize,
    errors: &mut Vec<TemplateError>,
) -> Vec<SectionSpec> {
    let mut out: Vec<SectionSpec> = Vec::new();
    let mut i = 0;
    while i < siblings.len() {
        let first = siblings[i];
        // "Alternative 1: [Name]" counts as "Alternative 1": the placeholder is the name.
        let (key, has_placeholder) = counter_key(&doc.sections[first].title);
        // Group consecutive siblings sharing a counter stem.
        let mut group_end = i + 1;
        if let Some((stem, _)) = split_counter(&key) {
            while group_end < siblings.len()
                && split_counter(&counter_key(&doc.sections[siblings[group_end]].title).0)
                    .is_some_and(|(s, _)| s == stem)
            {
                group_end += 1;
            }
        }
        let mut spec = compile_section(doc, src, first, depth, errors);
        if has_placeholder && key.is_empty() {
            // A heading that is all placeholder (`### [option 1]`) names a section the
            // author names: one or more of any name.
            spec.repeat = Some(Repeat {
                min: 1,
                max: None,
                stem: String::new(),
            });
        } else if (group_end - i >= 2 || has_placeholder)
            && let Some((stem, _)) = split_counter(&key)
        {
            spec.repeat = Some(Repeat {
                min: 1,
                max: None,
                stem: stem.to_string(),
            });
            spec.title = strip_counter_title(&without_placeholders(&spec.title));
            spec.key = stem.to_string();
        }
        apply_overrides(doc, first, &mut spec, errors);
        out.push(spec);
        i = group_end;
    }
    out
}

/// The heading's key with bracketed placeholders removed, and whether there were any.
fn counter_key(title: &str) -> (String, bool) {
    let stripped = without_placeholders(title);
    let had = stripped.len() != title.len();
    (heading_key(&stripped), had)
}

/// `Alternative 1: [Name]` -> `Alternative 1:`; `<name>` and `{name}` count too.
fn without_placeholders(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut close: Option<char> = None;
    for ch in title.chars() {
        match close {
            Some(c) if ch == c => close = None,
            Some(_) => {}
            None => match ch {
                '[' => close = Some(']'),
                '<' => close = Some('>'),
                '{' => close = Some('}'),
                _ => out.push(ch),
            },
        }
    }
    if close.is_some() {
        // An unclosed bracket is text, not a placeholder.
        return title.to_string();
    }
    out
}

fn strip_counter_title(title: &str) -> String {
    let title = title.trim().trim_end_matches([':', '-', ' ', '\u{2013}', '\u{2014}']);
    match title.trim().rsplit_once(' ') {
        Some((stem, _)) => stem.to_string(),
        None => title.to_string(),
    }
}

fn compile_section(
    doc: &Document,
    src: &str,
    index: usize,
    depth: usize,
    errors: &mut Vec<TemplateError>,
) -> SectionSpec {
    let section = &doc.sections[index];
    // `(optional)`, `[optional]`, `(if applicable)`, `- optional` make the section optional.
    let (stripped, mut optional) = strip_optional_marker(&section.title);
    let title = stripped.to_string();
    let key = heading_key(&title);
    let conventional = OPTIONAL_BY_CONVENTION.contains(&key.as_str());
    optional |= conventional;
    let aliases = BUILTIN_ALIASES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, a)| a.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    let mut children = compile_siblings(doc, src, &section.children, depth + 1, errors);
    if conventional {
        // An appendix holds what the author chooses: none of its parts is required.
        for child in &mut children {
            child.optional = true;
        }
    }
    SectionSpec {
        title,
        key,
        aliases,
        depth,
        optional,
        repeat: None,
        body: body_spec(doc, index),
        children,
        skeleton: src[section.span.start..section.span.end].trim_end().to_string(),
        level: section.level,
    }
}

fn body_spec(doc: &Document, index: usize) -> BodySpec {
    let mut body = BodySpec::default();
    for &b in &doc.sections[index].blocks {
        match &doc.blocks[b].kind {
            BlockKind::Html(_) => continue,
            BlockKind::List(list) => {
                let labeled: Vec<&str> = list
                    .items
                    .iter()
                    .filter(|it| it.depth == 0)
                    .filter_map(|it| it.label.as_ref().map(|l| l.name.as_str()))
                    .collect();
                if !labeled.is_empty() {
                    body.fields.extend(labeled.iter().map(|s| s.to_string()));
                } else if body.list.is_none() {
                    body.list = Some(ListSpec {
                        ordered: list.ordered,
                        min_items: 1,
                    });
                }
            }
            BlockKind::Table(table) => {
                let columns: Vec<String> = table.header.iter().map(|c| c.text.text.trim().to_string()).collect();
                let allowed = (0..columns.len())
                    .map(|col| {
                        table
                            .rows
                            .first()
                            .and_then(|row| row.get(col))
                            .and_then(|cell| choice_list(&cell.text.text))
                    })
                    .collect();
                body.tables.push(TableSpec { columns, allowed });
            }
            BlockKind::Code(code) if code.lang == "mermaid" => {
                body.diagram = DiagramKind::of_source(&code.content);
            }
            _ => {}
        }
        body.needs_content = true;
    }
    body
}

/// `High/Med/Low` -> ["High", "Med", "Low"]: short alternatives separated by slashes.
pub fn choice_list(cell: &str) -> Option<Vec<String>> {
    let cell = cell.trim();
    if cell.starts_with('[') || !cell.contains('/') {
        return None;
    }
    let parts: Vec<String> = cell.split('/').map(|p| p.trim().to_string()).collect();
    let ok = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty() && p.len() <= 24 && p.split_whitespace().count() <= 2 && p.chars().any(char::is_alphanumeric)
        });
    ok.then_some(parts)
}

/// Applies `<!-- designdoc: ... -->` comments found among the section's own blocks.
fn apply_overrides(doc: &Document, index: usize, spec: &mut SectionSpec, errors: &mut Vec<TemplateError>) {
    for &b in &doc.sections[index].blocks {
        let BlockKind::Html(html) = &doc.blocks[b].kind else {
            continue;
        };
        let Some(body) = directive_body(html) else { continue };
        for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            if let Err(message) = apply_directive(part, spec) {
                errors.push(TemplateError {
                    message: format!("template directive `{part}`: {message}"),
                    span: doc.blocks[b].span,
                });
            }
        }
    }
}

fn directive_body(html: &str) -> Option<&str> {
    let inner = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    inner.strip_prefix("designdoc:").map(str::trim)
}

fn apply_directive(part: &str, spec: &mut SectionSpec) -> Result<(), String> {
    let (word, rest) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
    let rest = rest.trim().trim_start_matches([':', '=']).trim();
    match word.trim_end_matches(':') {
        "optional" => spec.optional = true,
        "required" => spec.optional = false,
        "aliases" | "alias" => {
            // Commas of any script separate names: `aliases 概述、Overview`.
            spec.aliases
                .extend(rest.split([',', '，', '、']).map(heading_key).filter(|k| !k.is_empty()));
        }
        "repeat" => {
            let (min, max) = parse_bounds(rest)?;
            let stem = spec
                .repeat
                .as_ref()
                .map_or_else(|| spec.key.clone(), |r| r.stem.clone());
            spec.repeat = Some(Repeat { min, max, stem });
        }
        "allowed" => {
            // allowed Impact = High, Medium, Low
            let (column, values) = rest.split_once('=').ok_or("expected `allowed COLUMN = A, B, C`")?;
            let column_key = heading_key(column);
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            let mut found = false;
            for table in &mut spec.body.tables {
                for (i, c) in table.columns.iter().enumerate() {
                    if heading_key(c) == column_key {
                        table.allowed[i] = Some(values.clone());
                        found = true;
                    }
                }
            }
            if !found {
                return Err(format!("no table column `{}` in this section", column.trim()));
            }
        }
        other => {
            return Err(format!(
                "unknown directive `{other}` (expected optional, required, aliases, repeat, allowed)"
            ));
        }
    }
    Ok(())
}

/// `1..5`, `2..`, `3` -> (min, max).
fn parse_bounds(s: &str) -> Result<(usize, Option<usize>), String> {
    let bad = || format!("expected bounds like `1..5` or `2..`, found `{s}`");
    if let Some((a, b)) = s.split_once("..") {
        let min = a.trim().parse().map_err(|_| bad())?;
        let b = b.trim().trim_start_matches('=');
        let max = if b.is_empty() {
            None
        } else {
            Some(b.parse().map_err(|_| bad())?)
        };
        Ok((min, max))
    } else {
        let n = s.trim().parse().map_err(|_| bad())?;
        Ok((n, Some(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    fn outline(specs: &[SectionSpec], out: &mut String) {
        for s in specs {
            let _ = write!(out, "{}{}", "  ".repeat(s.depth), s.key);
            if s.optional {
                out.push_str(" optional");
            }
            if let Some(r) = &s.repeat {
                let _ = write!(out, " repeat({}..{:?} stem={})", r.min, r.max, r.stem);
            }
            let b = &s.body;
            if !b.fields.is_empty() {
                let _ = write!(out, " fields={:?}", b.fields);
            }
            for t in &b.tables {
                let _ = write!(out, " table={:?} allowed={:?}", t.columns, t.allowed);
            }
            if let Some(l) = &b.list {
                let _ = write!(out, " list(ordered={})", l.ordered);
            }
            if let Some(d) = b.diagram {
                let _ = write!(out, " diagram={d:?}");
            }
            if b.needs_content {
                out.push_str(" content");
            }
            out.push('\n');
            outline(&s.children, out);
        }
    }

    fn check(template: &str, expect: &str) {
        let (schema, errors) = compile(template);
        let mut out = String::new();
        outline(&schema.sections, &mut out);
        for e in errors {
            let _ = writeln!(out, "error: {}", e.message);
        }
        assert_eq!(out.trim(), expect.trim(), "\n{out}");
    }

    #[test]
    fn seed_template_compiles() {
        let (schema, errors) = compile(DEFAULT_TEMPLATE);
        assert!(errors.is_empty());
        assert!(schema.needs_title);
        let mut out = String::new();
        outline(&schema.sections, &mut out);
        insta::assert_snapshot!(out);
        assert!(schema.placeholders.contains(&"goal n".to_string()));
        assert_eq!(schema.samples.len(), 2);
    }

    #[test]
    fn overrides() {
        check(
            "# [T]\n## Summary\n<!-- designdoc: optional; aliases Abstract, TLDR -->\ntext\n## Steps\n<!-- designdoc: repeat 2..4 -->\n- [x]\n## Risks\n<!-- designdoc: allowed Impact = High, Medium, Low -->\n| Risk | Impact |\n|-|-|\n| [r] | x |\n## Bad\n<!-- designdoc: frobnicate -->\n",
            "summary optional content\nsteps repeat(2..Some(4) stem=steps) list(ordered=false) content\nrisks table=[\"Risk\", \"Impact\"] allowed=[None, Some([\"High\", \"Medium\", \"Low\"])] content\nbad\nerror: template directive `frobnicate`: unknown directive `frobnicate` (expected optional, required, aliases, repeat, allowed)",
        );
    }

    #[test]
    fn optional_marker_in_heading() {
        check("## Glossary (optional)\ntext\n", "glossary optional content");
        check("## Glossary [Optional]\ntext\n", "glossary optional content");
        check("## Migration (if applicable)\ntext\n", "migration optional content");
        check("## Migration - optional\ntext\n", "migration optional content");
        check("## Optional features\ntext\n", "optional features content");
    }

    #[test]
    fn counter_with_placeholder_is_repeatable() {
        check(
            "## Alternatives\n### Alternative 1: [Name]\n[Why not]\n",
            "alternatives\n  alternative repeat(1..None stem=alternative) content",
        );
        check(
            "## Options\n### Option 1 - [Name]\ntext\n### Option 2 - [Name]\ntext\n",
            "options\n  option repeat(1..None stem=option) content",
        );
        let (schema, _) = compile("## Options\n### Option 1: [Name]\ntext\n");
        assert_eq!(schema.sections[0].children[0].title, "Option");
    }

    #[test]
    fn cjk_aliases() {
        let (schema, errors) = compile("## 概述\n<!-- designdoc: aliases Overview，Summary、摘要 -->\ntext\n");
        assert!(errors.is_empty());
        assert_eq!(schema.sections[0].aliases, ["overview", "summary", "摘要"]);
    }

    #[test]
    fn choice_lists() {
        assert_eq!(
            choice_list("High/Med/Low"),
            Some(vec!["High".into(), "Med".into(), "Low".into()])
        );
        assert_eq!(choice_list("[Mitigation strategy]"), None);
        assert_eq!(choice_list("read/write access to the whole cluster and more"), None);
    }
}
