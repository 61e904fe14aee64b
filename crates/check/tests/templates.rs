//! A template checked against itself reports its own blanks and nothing else: the built-in
//! template and templates in the styles of Rust RFCs, MADR, Nygard ADRs, Google-style
//! design docs and KEPs (`tests/templates/`). Its status choice line, `YYYY-MM-DD` dates,
//! `{...}` front matter and the fields under its bold sub-titles are the template's own
//! shape, not findings.

use designdoc_check::output::{FileReport, human};
use designdoc_check::{Checker, DEFAULT_TEMPLATE, RuleConfig};
use std::path::Path;

/// Findings that report a template's blanks: unfilled placeholders (DD010), empty
/// `- Label:` fields (DD011), a table's list of choices (DD013), sample diagrams (DD016).
const PLACEHOLDER_CODES: &[&str] = &["DD010", "DD011", "DD013", "DD016"];

/// The template's report on itself, and whether it holds anything but placeholders.
fn self_report(name: &str, template: &str, also_allowed: &[&str]) -> (String, bool) {
    let (checker, errors) = Checker::new(template, RuleConfig::default());
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let diagnostics = checker.check(template).diagnostics;
    let text = human(
        &[FileReport::new(
            name.to_string(),
            template.to_string(),
            diagnostics.clone(),
        )],
        false,
    );
    let other: Vec<_> = diagnostics
        .iter()
        .filter(|d| !PLACEHOLDER_CODES.contains(&d.code) && !also_allowed.contains(&d.code))
        .collect();
    (text, other.is_empty())
}

#[test]
fn templates_report_only_their_placeholders() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/templates"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("templates dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    let mut failed = Vec::new();
    for path in files {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let template = std::fs::read_to_string(&path).expect("template");
        let (text, clean) = self_report(&name, &template, &[]);
        if !clean {
            failed.push(text.clone());
        }
        insta::assert_snapshot!(format!("template__{}", name.trim_end_matches(".md")), text);
    }
    assert!(
        failed.is_empty(),
        "templates that report more than their placeholders:\n{}",
        failed.join("\n")
    );
}

#[test]
fn default_template_reports_only_its_placeholders() {
    // The built-in template writes no status line, yet asks documents for a status (the
    // lifecycle and the hub rest on it): itself included.
    let (text, clean) = self_report("default.md", DEFAULT_TEMPLATE, &["DD025"]);
    assert!(clean, "{text}");
    assert_eq!(text.matches("[DD025]").count(), 1, "{text}");
}
