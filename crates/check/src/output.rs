//! Report formats: rustc-style human text, JSON, SARIF 2.1.0 and GitHub annotations.
//! Everything renders to a `String`; printing is the binary's job.

use crate::diagnostic::{Diagnostic, Level, Safety};
use crate::rules::{self, RuleMeta};
use designdoc_model::{LineCol, LineIndex, Span};
use serde_json::{Value, json};
use std::fmt::Write;
use unicode_width::UnicodeWidthChar;

/// The diagnostics of one file, with what is needed to show positions and source lines.
#[derive(Debug)]
pub struct FileReport {
    /// Path as shown to the user.
    pub path: String,
    pub source: String,
    pub line_index: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// The last position computed (byte offset, its line:col): positions are asked for in
    /// order, so the next column is counted from here, not from the start of the line
    /// (a 500 KB line with thousands of findings would otherwise cost quadratic time).
    last: std::cell::Cell<Option<(usize, LineCol)>>,
}

impl FileReport {
    pub fn new(path: String, source: String, diagnostics: Vec<Diagnostic>) -> Self {
        let line_index = LineIndex::new(&source);
        FileReport {
            path,
            source,
            line_index,
            diagnostics,
            last: std::cell::Cell::new(None),
        }
    }

    pub fn position(&self, offset: usize) -> LineCol {
        let offset = designdoc_model::floor_char_boundary(&self.source, offset.min(self.source.len()));
        let line = self.line_index.line_of(offset);
        let line_start = self.line_index.line_start(line);
        let col = match self.last.get() {
            Some((at, pos)) if pos.line == line + 1 && at <= offset && offset - at < offset - line_start => {
                pos.col + self.source.get(at..offset).map_or(0, |s| s.chars().count())
            }
            Some((at, pos)) if pos.line == line + 1 && offset < at && at - offset < offset - line_start => {
                pos.col - self.source.get(offset..at).map_or(0, |s| s.chars().count())
            }
            _ => self.source.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1,
        };
        let pos = LineCol { line: line + 1, col };
        self.last.set(Some((offset, pos)));
        pos
    }

    /// Start and (exclusive) end positions of a span.
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        (self.position(span.start), self.position(span.end.max(span.start)))
    }
}

/// Counts by level across reports.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings whose fix `designdoc fix` applies (safe fixes).
    pub fixable: usize,
    /// Findings whose fix needs `--unsafe-fixes`.
    pub unsafe_fixable: usize,
}

pub fn totals(reports: &[FileReport]) -> Totals {
    let mut t = Totals::default();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        match d.level {
            Level::Error => t.errors += 1,
            Level::Warning => t.warnings += 1,
            Level::Info => t.infos += 1,
            Level::Off => {}
        }
        match d.fix.as_ref().map(|f| f.safety) {
            Some(Safety::Safe) => t.fixable += 1,
            Some(Safety::Unsafe) => t.unsafe_fixable += 1,
            None => {}
        }
    }
    t
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn level(&self, level: Level) -> String {
        let (code, name) = match level {
            Level::Error => ("1;31", "error"),
            Level::Warning => ("1;33", "warning"),
            Level::Info => ("1;36", "info"),
            Level::Off => ("0", "off"),
        };
        self.paint(code, name)
    }
    fn gutter(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
    fn caret(&self, level: Level, text: &str) -> String {
        let code = match level {
            Level::Error => "1;31",
            Level::Warning => "1;33",
            _ => "1;36",
        };
        self.paint(code, text)
    }
}

/// Longest stretch of a source line shown; longer lines are cut around the span.
const MAX_LINE_WIDTH: usize = 140;

/// rustc-style text: header, `--> file:line:col`, the source line with carets, help.
pub fn human(reports: &[FileReport], color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            render_one(&mut out, r, d, &style);
        }
    }
    out
}

fn render_one(out: &mut String, r: &FileReport, d: &Diagnostic, style: &Style) {
    let (start, _) = r.range(d.span);
    let header = style.paint("1", &format!("[{}]: {}", d.code, d.message));
    let _ = writeln!(out, "{}{}", style.level(d.level), header);
    let line_no = start.line.to_string();
    let pad = " ".repeat(line_no.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.gutter("-->"),
        r.path,
        start.line,
        start.col
    );
    let line_span = r.line_index.line_span(&r.source, start.line - 1);
    let line = &r.source[line_span.start..line_span.end];
    let span_start = d.span.start.clamp(line_span.start, line_span.end) - line_span.start;
    let span_end = d
        .span
        .end
        .clamp(line_span.start, line_span.end)
        .max(line_span.start + span_start)
        - line_span.start;
    let (shown, caret_at, caret_len) = display_window(line, span_start, span_end);
    let _ = writeln!(out, "{pad} {}", style.gutter("|"));
    let _ = writeln!(
        out,
        "{} {} {}",
        style.gutter(&line_no),
        style.gutter("|"),
        shown.trim_end()
    );
    let carets = "^".repeat(caret_len.max(1));
    let label = d.label.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {} {}{}",
        style.gutter("|"),
        " ".repeat(caret_at),
        style.caret(d.level, &format!("{carets}{label}"))
    );
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} {}", style.gutter("|"));
        let _ = writeln!(out, "{pad} {} {}: {help}", style.gutter("="), style.paint("1", "help"));
    }
    if let Some(fix) = &d.fix {
        let how = match fix.safety {
            crate::diagnostic::Safety::Safe => "`designdoc fix`",
            crate::diagnostic::Safety::Unsafe => "`designdoc fix --unsafe-fixes`",
        };
        if d.help.is_none() {
            let _ = writeln!(out, "{pad} {}", style.gutter("|"));
        }
        let _ = writeln!(
            out,
            "{pad} {} {}: {} ({how})",
            style.gutter("="),
            style.paint("1", "fix"),
            fix.message
        );
    }
    out.push('\n');
}

/// Cuts a long line to a window around the span, expands tabs, and returns the text with
/// the caret's display column and width.
fn display_window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    let start = designdoc_model::floor_char_boundary(line, start);
    let end = designdoc_model::floor_char_boundary(line, end.max(start));
    // Only whether the line is wider than the window matters: stop counting there, so a
    // long line costs the window, not the line, per finding.
    let mut width_so_far = 0;
    let wide = line.chars().any(|c| {
        width_so_far += char_width(c);
        width_so_far > MAX_LINE_WIDTH
    });
    let (mut from, mut to) = (0, line.len());
    let mut prefix = "";
    let mut suffix = "";
    if wide {
        // Keep some context before the span, then as much as fits.
        from = back_chars(line, start, 30);
        let mut width = 0;
        to = from;
        for (i, c) in line[from..].char_indices() {
            width += char_width(c);
            if width > MAX_LINE_WIDTH {
                break;
            }
            to = from + i + c.len_utf8();
        }
        if from > 0 {
            prefix = "…";
        }
        if to < line.len() {
            suffix = "…";
        }
    }
    let shown = format!("{prefix}{}{suffix}", expand(&line[from..to]));
    let caret_at = prefix.chars().count() + width_of(&line[from..start.max(from).min(to)]);
    let caret_len = width_of(&line[start.max(from).min(to)..end.min(to).max(start.max(from).min(to))]);
    (shown, caret_at, caret_len)
}

fn back_chars(s: &str, at: usize, n: usize) -> usize {
    s[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn char_width(c: char) -> usize {
    if c == '\t' {
        4
    } else if c.is_control() {
        1
    } else {
        c.width().unwrap_or(0)
    }
}

fn width_of(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Tabs to spaces; control characters (from binary input) to U+FFFD so they cannot
/// drive the terminal.
fn expand(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let (rep, n) = match c {
                '\t' => (' ', 4),
                c if c.is_control() => ('\u{fffd}', 1),
                c => (c, 1),
            };
            std::iter::repeat_n(rep, n)
        })
        .collect()
}

#[derive(serde::Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'a str,
    name: &'a str,
    level: Level,
    message: &'a str,
    label: Option<&'a str>,
    help: Option<&'a str>,
    start: Position,
    end: Position,
    span: Span,
    fix: Option<&'a crate::diagnostic::Fix>,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    fixable: usize,
    unsafe_fixable: usize,
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: JsonSummary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// One JSON document: `{version, summary, diagnostics: [...]}`, serialised straight from
/// borrowed data (no intermediate JSON tree: large reports stay cheap).
pub fn json(reports: &[FileReport], files_checked: usize) -> String {
    let t = totals(reports);
    let diagnostics = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| {
                let (start, end) = r.range(d.span);
                JsonDiagnostic {
                    file: &r.path,
                    code: d.code,
                    name: d.name,
                    level: d.level,
                    message: &d.message,
                    label: d.label.as_deref(),
                    help: d.help.as_deref(),
                    start: Position {
                        line: start.line,
                        column: start.col,
                    },
                    end: Position {
                        line: end.line,
                        column: end.col,
                    },
                    span: d.span,
                    fix: d.fix.as_ref(),
                }
            })
        })
        .collect();
    let report = JsonReport {
        version: 1,
        summary: JsonSummary {
            files: files_checked,
            errors: t.errors,
            warnings: t.warnings,
            infos: t.infos,
            fixable: t.fixable,
            unsafe_fixable: t.unsafe_fixable,
        },
        diagnostics,
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info | Level::Off => "note",
    }
}

fn rule_json(m: &RuleMeta) -> Value {
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": {"text": m.summary()},
        "fullDescription": {"text": m.doc.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim()},
        "help": {"text": m.doc.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim()},
        "helpUri": rules::docs_url(m.code),
        "defaultConfiguration": {"level": sarif_level(m.default_level), "enabled": m.default_level != Level::Off},
    })
}

/// A stable hash (FNV-1a) for SARIF fingerprints: same finding, same print across runs.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// SARIF 2.1.0 for code-scanning uploads.
pub fn sarif(reports: &[FileReport], version: &str) -> String {
    let all = rules::all();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| {
                let (start, end) = r.range(d.span);
                let index = rules::all().iter().position(|m| m.code == d.code).unwrap_or(0);
                let line_text = {
                    let s = r.line_index.line_span(&r.source, start.line - 1);
                    r.source[s.start..s.end].trim().to_string()
                };
                json!({
                    "ruleId": d.code,
                    "ruleIndex": index,
                    "level": sarif_level(d.level),
                    "message": {"text": match &d.help { Some(h) => format!("{}\n{h}", d.message), None => d.message.clone() }},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": r.path.replace('\\', "/")},
                            "region": {"startLine": start.line, "startColumn": start.col, "endLine": end.line, "endColumn": end.col},
                        }
                    }],
                    "partialFingerprints": {"designdoc/v1": fingerprint(&[d.code, &r.path, &d.message, &line_text])},
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "designdoc",
                "version": version,
                "informationUri": rules::REPOSITORY,
                "rules": all.iter().map(rule_json).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=...::message`).
pub fn github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let (start, end) = r.range(d.span);
            let kind = match d.level {
                Level::Error => "error",
                Level::Warning => "warning",
                _ => "notice",
            };
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let _ = writeln!(
                out,
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&r.path),
                start.line,
                start.col,
                end.line,
                end.col,
                escape_property(&format!("{} {}", d.code, d.name)),
                escape_data(&message)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_of_long_line_keeps_span_visible() {
        let line = format!("{}[Goal 1]{}", "x".repeat(70_000), "y".repeat(500));
        let (shown, at, len) = display_window(&line, 70_000, 70_008);
        assert!(shown.chars().count() <= MAX_LINE_WIDTH + 2);
        assert_eq!(&shown.chars().skip(at).take(len).collect::<String>(), "[Goal 1]");
    }

    #[test]
    fn wide_chars_and_tabs() {
        let (shown, at, len) = display_window("\t概述 [x]", 8, 11);
        assert_eq!(shown, "    概述 [x]");
        assert_eq!((at, len), (9, 3));
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("a\nb"), "a%0Ab");
    }
}
