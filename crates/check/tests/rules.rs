//! Per-rule fixtures: `tests/fixtures/<rule-name>/<case>.md`, checked against
//! `tests/fixtures/template.md` (or the folder's own `template.md`). A subfolder
//! `<rule-name>/<group>/` holds cases checked against its own `template.md` (which is not a
//! case). Each case's full report is a snapshot; a case must raise its directory's rule
//! unless its name starts with `ok-`, and then it must not.

use designdoc_check::output::{FileReport, human};
use designdoc_check::rules::by_name_or_code;
use designdoc_check::{Checker, Level, RuleConfig};
use std::path::Path;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// A folder's own `template.md` if it has one, else the shared fixture template.
fn checker_for(rule: &str) -> Checker {
    let own = fixtures().join(rule).join("template.md");
    let path = if own.is_file() {
        own
    } else {
        fixtures().join("template.md")
    };
    checker_with(rule, &path)
}

fn checker_with(rule: &str, path: &Path) -> Checker {
    let template = std::fs::read_to_string(path).expect("fixture template");
    let mut config = RuleConfig::default();
    // Rules that are off by default are switched on for their own fixtures.
    if let Some(meta) = by_name_or_code(rule)
        && meta.default_level == Level::Off
    {
        config.set(&meta, Level::Warning);
    }
    let (checker, errors) = Checker::new(&template, config);
    assert!(errors.is_empty(), "{errors:?}");
    checker
}

fn report(checker: &Checker, path: &str, source: &str) -> (String, Vec<designdoc_check::Diagnostic>) {
    let checked = checker.check(source);
    let diagnostics = checked.diagnostics.clone();
    let text = human(
        &[FileReport::new(
            path.to_string(),
            source.to_string(),
            checked.diagnostics,
        )],
        false,
    );
    (text, diagnostics)
}

#[test]
fn rule_fixtures() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    dirs.sort_by_key(|e| e.file_name());
    assert!(dirs.len() >= 15, "expected a fixture folder per rule");
    for dir in dirs {
        let rule = dir.file_name().to_string_lossy().into_owned();
        let meta = by_name_or_code(&rule).unwrap_or_else(|| panic!("fixture folder `{rule}` names no rule"));
        let checker = checker_for(&rule);
        let mut cases: Vec<_> = std::fs::read_dir(dir.path())
            .expect("case dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        let mut runs: Vec<(Checker, String, std::path::PathBuf)> = Vec::new();
        for case in cases {
            if case.is_dir() {
                let group = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
                let group_checker = checker_with(&rule, &case.join("template.md"));
                let mut inner: Vec<_> = std::fs::read_dir(&case)
                    .expect("group dir")
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.file_name().is_some_and(|n| n != "template.md"))
                    .collect();
                inner.sort();
                for c in inner {
                    runs.push((group_checker.clone(), format!("{group}/"), c));
                }
            } else {
                runs.push((checker.clone(), String::new(), case));
            }
        }
        for (checker, group, case) in runs {
            let name = case.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&case).expect("fixture");
            let shown = format!("{rule}/{group}{name}.md");
            let ok = name.starts_with("ok-");
            let name = format!("{}{name}", group.replace('/', "__"));
            let (text, diagnostics) = report(&checker, &shown, &source);
            let raised = diagnostics.iter().any(|d| d.code == meta.code);
            if ok {
                assert!(!raised, "{shown} must not raise {}:\n{text}", meta.name);
            } else {
                assert!(raised, "{shown} must raise {}:\n{text}", meta.name);
            }
            insta::assert_snapshot!(format!("{rule}__{name}"), text);
        }
    }
}

#[test]
fn complete_document_is_clean() {
    let source = std::fs::read_to_string(fixtures().join("complete.md")).expect("complete.md");
    let (text, diagnostics) = report(&checker_for("missing-section"), "complete.md", &source);
    assert!(diagnostics.is_empty(), "{text}");
}

/// Applying the safe fixes removes every finding they claimed to address, and keeps
/// every byte of the original text in order.
#[test]
fn fixes_address_their_findings() {
    let checker = checker_for("missing-section");
    let mut fixed_any = 0;
    for rule in ["missing-section", "missing-metadata", "section-out-of-order"] {
        for case in std::fs::read_dir(fixtures().join(rule)).expect("dir").flatten() {
            if case.path().is_dir() {
                continue;
            }
            let source = std::fs::read_to_string(case.path()).expect("fixture");
            let before = checker.check(&source).diagnostics;
            let (fixed, applied) = checker.fix(&source, false);
            if applied.is_empty() {
                continue;
            }
            fixed_any += 1;
            assert!(
                is_subsequence(&source, &fixed),
                "fix lost text of {}",
                case.path().display()
            );
            let after = checker.check(&fixed).diagnostics;
            for d in before.iter().filter(|d| d.fix.is_some()) {
                assert!(
                    !after.iter().any(|a| a.code == d.code && a.message == d.message),
                    "{}: fix did not address `{}`\n{}",
                    case.path().display(),
                    d.message,
                    fixed
                );
            }
            let name = case
                .path()
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            insta::assert_snapshot!(format!("fixed__{rule}__{name}"), fixed);
        }
    }
    assert!(fixed_any >= 3);
}

fn is_subsequence(original: &str, fixed: &str) -> bool {
    let mut it = fixed.chars();
    original.chars().all(|c| it.any(|f| f == c))
}

#[test]
fn lifecycle_sets_strictness() {
    let checker = checker_for("unfilled-placeholder");
    let base = std::fs::read_to_string(fixtures().join("unfilled-placeholder/left-in.md")).expect("fixture");
    let level_for = |status: &str| {
        let source = base.replace("status: review", &format!("status: {status}"));
        let d = checker.check(&source).diagnostics;
        let levels: Vec<Level> = d
            .iter()
            .filter(|d| d.name == "unfilled-placeholder")
            .map(|d| d.level)
            .collect();
        assert!(!levels.is_empty());
        levels[0]
    };
    assert_eq!(level_for("draft"), Level::Warning);
    assert_eq!(level_for("review"), Level::Error);
    assert_eq!(level_for("approved"), Level::Error);
    assert_eq!(level_for("rejected"), Level::Warning);
}

#[test]
fn seed_template_reports_itself_as_unfilled() {
    let checker = Checker::with_default_template();
    let d = checker.check(designdoc_check::DEFAULT_TEMPLATE).diagnostics;
    let count = |name: &str| d.iter().filter(|x| x.name == name).count();
    assert!(count("unfilled-placeholder") >= 30, "{d:#?}");
    assert_eq!(count("unedited-sample-diagram"), 2);
    assert_eq!(count("missing-section"), 0);
    assert!(d.iter().any(|x| x.message.contains("[Design Document Title]")));
}
