//! YAML front matter and `**Status:** Draft` style metadata lines.

use crate::document::{FrontMatter, FrontMatterEntry, MetaField, MetaSource};
use crate::span::{LineIndex, Span};
use crate::{ParseError, ParseErrorKind};

/// Finds a `---` fenced block at the very start of `source`. Returns the front matter
/// span (fences included) and the YAML span, or an error if the block never closes.
pub(crate) fn split(source: &str) -> Result<Option<(Span, Span)>, ParseError> {
    let first_line_end = source.find('\n').unwrap_or(source.len());
    if source[..first_line_end].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = (first_line_end + 1).min(source.len());
    let mut pos = yaml_start;
    while pos < source.len() {
        let end = source[pos..].find('\n').map_or(source.len(), |i| pos + i);
        let line = source[pos..end].trim_end();
        if line == "---" || line == "..." {
            let block_end = (end + 1).min(source.len());
            return Ok(Some((Span::new(0, block_end), Span::new(yaml_start, pos))));
        }
        pos = end + 1;
    }
    Err(ParseError {
        kind: ParseErrorKind::FrontMatter,
        message: "front matter opened with `---` is never closed".to_string(),
        help: Some("add a line with `---` after the last metadata line".to_string()),
        span: Span::new(0, first_line_end),
    })
}

/// Parses the YAML between the fences. Keys and value positions come from a line scan of
/// top-level keys (YAML positions would need a second parser); values from serde-saphyr.
pub(crate) fn parse(
    source: &str,
    index: &LineIndex,
    span: Span,
    yaml_span: Span,
    errors: &mut Vec<ParseError>,
) -> FrontMatter {
    let yaml = &source[yaml_span.start..yaml_span.end];
    let mut entries = Vec::new();
    let value: Option<serde_json::Map<String, serde_json::Value>> = if yaml.trim().is_empty() {
        Some(serde_json::Map::new())
    } else {
        match serde_saphyr::from_str::<serde_json::Value>(yaml) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            Ok(serde_json::Value::Null) => Some(serde_json::Map::new()),
            Ok(_) => {
                errors.push(ParseError {
                    kind: ParseErrorKind::FrontMatter,
                    message: "front matter is not a mapping of keys to values".to_string(),
                    help: Some("write one `key: value` per line".to_string()),
                    span: yaml_span,
                });
                None
            }
            Err(err) => {
                let at = err.location().map_or(yaml_span.start, |loc| {
                    let first_line = index.line_of(yaml_span.start);
                    let line = first_line + usize::try_from(loc.line()).unwrap_or(1).max(1);
                    let col = usize::try_from(loc.column()).unwrap_or(1).max(1);
                    index.offset_of(source, line, col).min(yaml_span.end)
                });
                let message = first_line_of(&err.to_string());
                errors.push(ParseError {
                    kind: ParseErrorKind::FrontMatter,
                    message: format!("front matter is not valid YAML: {message}"),
                    help: None,
                    span: Span::new(at, at),
                });
                None
            }
        }
    };
    let Some(map) = value else {
        return FrontMatter {
            span,
            yaml_span,
            entries,
        };
    };
    // Top-level keys start at column 0; their value runs until the next top-level key.
    let mut key_lines: Vec<(String, Span, usize)> = Vec::new();
    let mut pos = yaml_span.start;
    while pos < yaml_span.end {
        let end = source[pos..yaml_span.end].find('\n').map_or(yaml_span.end, |i| pos + i);
        let line = &source[pos..end];
        if let Some((key, _)) = line.split_once(':') {
            let is_top = !line.starts_with([' ', '\t', '-', '#']) && !key.is_empty();
            if is_top {
                let k = key.trim().trim_matches(['"', '\'']);
                key_lines.push((k.to_string(), Span::new(pos, pos + key.len()), end));
            }
        }
        pos = end + 1;
    }
    for (i, (key, key_span, line_end)) in key_lines.iter().enumerate() {
        let Some(value) = map.get(key) else { continue };
        let next_start = key_lines.get(i + 1).map_or(yaml_span.end, |(_, s, _)| s.start);
        let value_start = (key_span.end + 1).min(*line_end);
        let trimmed_start =
            value_start + source[value_start..*line_end].len() - source[value_start..*line_end].trim_start().len();
        let value_end = trim_end_offset(source, trimmed_start, next_start);
        entries.push(FrontMatterEntry {
            key: key.clone(),
            key_span: *key_span,
            value_span: Span::new(trimmed_start, value_end.max(trimmed_start)),
            value: value.clone(),
        });
    }
    FrontMatter {
        span,
        yaml_span,
        entries,
    }
}

fn trim_end_offset(source: &str, start: usize, end: usize) -> usize {
    start + source[start..end].trim_end().len()
}

/// The first line of a YAML error without the "error: line N column M:" prefix that
/// our own position already says.
fn first_line_of(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let line = line.strip_prefix("error:").unwrap_or(line).trim_start();
    let line = match line.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, msg)| msg),
        None => line,
    };
    line.trim().to_string()
}

/// Maps the spellings people use to one canonical key, or `None` for keys we do not
/// interpret (which are kept for front matter but not picked out of prose lines).
pub fn canonical_meta_key(key: &str) -> Option<&'static str> {
    let k = key
        .trim()
        .trim_matches(['*', '_'])
        .trim()
        .to_lowercase()
        .replace(['-', '_'], " ");
    Some(match k.as_str() {
        "id" | "doc id" | "number" => "id",
        "title" => "title",
        "status" | "state" => "status",
        "author" | "authors" | "owner" | "owners" | "author(s)" => "authors",
        "reviewer" | "reviewers" => "reviewers",
        "created" | "date" | "created at" | "start date" | "created on" => "created",
        "updated" | "last updated" | "last modified" | "updated at" | "modified" => "updated",
        "tags" | "labels" => "tags",
        "supersedes" | "replaces" => "supersedes",
        "superseded by" | "replaced by" => "superseded_by",
        _ => return None,
    })
}

/// Metadata fields from parsed front matter (`source` is the text its spans point into).
pub(crate) fn fields_from_front_matter(fm: &FrontMatter, source: &str) -> Vec<MetaField> {
    fm.entries
        .iter()
        .map(|e| MetaField {
            key: canonical_meta_key(&e.key).map_or_else(|| e.key.to_lowercase(), str::to_string),
            values: source
                .get(e.value_span.start..e.value_span.end)
                .and_then(|raw| numbers_as_written(&e.value, raw))
                .unwrap_or_else(|| value_strings(&e.value)),
            key_span: e.key_span,
            value_span: e.value_span,
            source: MetaSource::FrontMatter,
        })
        .collect()
}

/// Numbers as the author wrote them: YAML reads `supersedes: 0001` as the number 1 and
/// `version: 1.10` as 1.1, but both name something by their text. A plain scalar on one
/// line (a trailing `# comment` dropped), or the items of a list written `[0001, 0002]` or
/// one `- 0001` per line; anything else keeps the parsed value.
fn numbers_as_written(value: &serde_json::Value, raw: &str) -> Option<Vec<String>> {
    let raw = strip_comment(raw);
    match value {
        serde_json::Value::Number(_) if !raw.contains('\n') => plain(raw).map(|w| vec![w]),
        serde_json::Value::Array(items) if items.iter().any(serde_json::Value::is_number) => {
            let written: Vec<&str> = if let Some(inner) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                inner.split(',').map(str::trim).collect()
            } else {
                let lines: Vec<&str> = raw.lines().map(strip_comment).filter(|l| !l.is_empty()).collect();
                lines
                    .iter()
                    .map(|l| l.strip_prefix("- ").map(str::trim))
                    .collect::<Option<_>>()?
            };
            if written.len() != items.len() {
                return None;
            }
            let mut out = Vec::new();
            for (item, w) in items.iter().zip(written) {
                match (item.is_number(), plain(w)) {
                    (true, Some(w)) => out.push(w),
                    _ => out.extend(value_strings(item)),
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// A line without its trailing ` # comment`, trimmed.
fn strip_comment(line: &str) -> &str {
    line.split(" #").next().unwrap_or(line).trim()
}

/// `written` if it is a plain scalar that YAML can read as a number.
fn plain(written: &str) -> Option<String> {
    let ok = !written.is_empty()
        && written
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-._".contains(&b));
    ok.then(|| written.to_string())
}

fn value_strings(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items.iter().flat_map(value_strings).collect(),
        serde_json::Value::Object(map) => map
            .get("name")
            .map(value_strings)
            .unwrap_or_else(|| vec![value.to_string()]),
        other => vec![other.to_string()],
    }
}

/// Scans the preamble (`start..end`, before the first section) for metadata lines:
/// `**Status:** Draft`, `**Status**: Draft`, `- Status: Draft`, `Status: Draft`,
/// `| Status | Draft |`, also inside block quotes and with trailing hard-break spaces.
pub(crate) fn inline_fields(source: &str, start: usize, end: usize) -> Vec<MetaField> {
    let mut out: Vec<MetaField> = Vec::new();
    let mut pos = start;
    let mut in_fence = false;
    while pos < end {
        let line_end = source[pos..end].find('\n').map_or(end, |i| pos + i);
        let line = &source[pos..line_end];
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && let Some(field) = inline_field(source, pos, line) {
            // A line can carry several `**A:** x | **B:** y` pairs only rarely; one per line.
            if !out.iter().any(|f| f.key == field.key) {
                out.push(field);
            }
        }
        pos = line_end + 1;
    }
    out
}

fn inline_field(source: &str, line_start: usize, line: &str) -> Option<MetaField> {
    let mut rest = line;
    let mut offset = line_start;
    let advance = |rest: &mut &str, by: usize, offset: &mut usize| {
        *offset += by;
        *rest = &rest[by..];
    };
    // Leading whitespace, quote markers and a list bullet.
    loop {
        let trimmed = rest.trim_start();
        let ws = rest.len() - trimmed.len();
        advance(&mut rest, ws, &mut offset);
        if rest.starts_with('>') {
            advance(&mut rest, 1, &mut offset);
        } else {
            break;
        }
    }
    let bulleted = rest.starts_with("- ") || rest.starts_with("* ") || rest.starts_with("+ ");
    if bulleted {
        advance(&mut rest, 2, &mut offset);
    }
    let (key_raw, key_len, value_rel) = if let Some(row) = rest.strip_prefix('|') {
        // Two-cell table row: | Status | Draft |
        let cells: Vec<&str> = row.trim_end().trim_end_matches('|').split('|').collect();
        if cells.len() != 2 {
            return None;
        }
        let key = cells[0];
        let value_rel = 1 + key.len() + 1;
        (key, 1 + key.len(), value_rel)
    } else if rest.starts_with("**") || rest.starts_with("__") {
        let marker = &rest[..2];
        let close = rest[2..].find(marker)? + 2;
        let inner = &rest[2..close];
        if let Some(key) = inner.strip_suffix(':') {
            (key, close + 2, close + 2)
        } else {
            let after = &rest[close + 2..];
            if !after.starts_with(':') {
                return None;
            }
            (inner, close + 2, close + 3)
        }
    } else {
        let (key, _) = rest.split_once(':')?;
        (key, key.len(), key.len() + 1)
    };
    let key = canonical_meta_key(key_raw)?;
    if key_raw.len() > 40 {
        return None;
    }
    let value_raw = rest.get(value_rel..).unwrap_or("");
    let value_trimmed = value_raw.trim_start();
    let value_start = offset + value_rel + (value_raw.len() - value_trimmed.len());
    let value = value_trimmed
        .trim_end()
        .trim_end_matches('\\')
        .trim_end_matches('|')
        .trim()
        .trim_matches(['*', '_', '`'])
        .trim();
    let value_end = value_start + value_trimmed.trim_end().len();
    let values = if key == "authors" || key == "reviewers" || key == "tags" {
        value
            .split([',', ';'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    } else if value.is_empty() {
        Vec::new()
    } else {
        vec![value.to_string()]
    };
    let _ = source;
    Some(MetaField {
        key: key.to_string(),
        values,
        key_span: Span::new(offset, offset + key_len),
        value_span: Span::new(value_start, value_end.max(value_start)),
        source: MetaSource::Inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, expect: Option<(&str, &[&str])>) {
        let got = inline_field(line, 0, line);
        let got = got
            .as_ref()
            .map(|f| (f.key.as_str(), f.values.iter().map(String::as_str).collect::<Vec<_>>()));
        assert_eq!(got, expect.map(|(k, v)| (k, v.to_vec())), "line {line:?}");
    }

    #[test]
    fn inline_metadata_forms() {
        check("**Status:** Draft", Some(("status", &["Draft"])));
        check("**Status**: Draft  ", Some(("status", &["Draft"])));
        check("> **Status:** In Review  ", Some(("status", &["In Review"])));
        check("- Status: Approved", Some(("status", &["Approved"])));
        check("Authors: Ann, Bob", Some(("authors", &["Ann", "Bob"])));
        check("| Status | Draft |", Some(("status", &["Draft"])));
        check("**Owner:** @ann", Some(("authors", &["@ann"])));
        check("Note: this is prose", None);
        check("**Important:** read this", None);
    }

    /// The values of each front matter key of `doc`, as the checker reads them.
    fn front_matter_values(doc: &str) -> Vec<(String, Vec<String>)> {
        let (doc, _) = crate::parse(doc);
        doc.metadata.into_iter().map(|f| (f.key, f.values)).collect()
    }

    #[test]
    fn numbers_keep_their_written_form() {
        let got = front_matter_values(
            "---\nid: 0007\nsupersedes: 0001 # the old cache\nversion: 1.10\nsuperseded_by: [0009, 12]\nstatus: draft\nreviewers: 3\ncount: {a: 1}\nreplaces:\n  - 0003\n  - ADR-4 # text\n---\n# T\n",
        );
        let want: Vec<(String, Vec<String>)> = [
            ("id", vec!["0007"]),
            ("supersedes", vec!["0001"]),
            ("version", vec!["1.10"]),
            ("superseded_by", vec!["0009", "12"]),
            ("status", vec!["draft"]),
            ("reviewers", vec!["3"]),
            ("count", vec!["{\"a\":1}"]),
            ("supersedes", vec!["0003", "ADR-4"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
        .collect();
        assert_eq!(got, want);
    }
}
