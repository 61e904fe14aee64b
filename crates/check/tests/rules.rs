//! Per-rule fixtures: `tests/fixtures/<rule-name>/<case>.md`, checked against
//! `<case>.template.md` beside it if there is one, else the folder's `template.md`, else
//! `tests/fixtures/template.md`. Each case's full report is a snapshot; a case must raise
//! its directory's rule unless its name starts with `ok-`, and then it must not. A
//! folder's `template.md` is checked against itself as a case too (it is a document of
//! its own template) but need not raise the rule; `<case>.template.md` files are not cases.
//! The cases of a cross-document rule's folder are checked together as one project, and
//! each case's report holds that rule's findings too. A subfolder `<rule-name>/<group>/`
//! holds cases checked against its own `template.md` (which is not a case).

use designdoc_check::output::{FileReport, human};
use designdoc_check::project::{DocSummary, FileLookup, check_project};
use designdoc_check::rules::{RuleMeta, SupersedesNotFound, by_name_or_code};
use designdoc_check::{Checker, Diagnostic, Level, RuleConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Cross-document rules whose fixture folders are checked as a project.
const PROJECT_RULES: &[RuleMeta] = &[SupersedesNotFound::META];

/// Files of the fixtures folder, looked up by their path below it.
struct FixtureFiles;

impl FileLookup for FixtureFiles {
    fn exists(&self, path: &Path) -> bool {
        fixtures().join(path).exists()
    }
}

/// The project findings of `meta` for each case (keyed by the path shown in reports).
fn project_findings(checker: &Checker, meta: &RuleMeta, cases: &[PathBuf]) -> HashMap<String, Vec<Diagnostic>> {
    let summaries: Vec<DocSummary> = cases
        .iter()
        .map(|case| {
            let source = std::fs::read_to_string(case).expect("fixture");
            let shown = case.strip_prefix(fixtures()).expect("below fixtures");
            DocSummary::new(shown, &checker.check(&source).doc)
        })
        .collect();
    let mut out: HashMap<String, Vec<Diagnostic>> = HashMap::new();
    for (i, d) in check_project(&summaries, &FixtureFiles, &checker.config) {
        if d.code == meta.code {
            out.entry(summaries[i].path.display().to_string()).or_default().push(d);
        }
    }
    out
}

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

/// A checker for `template` with the levels the fixtures of `rule` run at.
fn checker_with(rule: &str, template: &Path) -> Checker {
    let template = std::fs::read_to_string(template).expect("fixture template");
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

fn report(checker: &Checker, path: &str, source: &str) -> (String, Vec<Diagnostic>) {
    report_with(checker, path, source, Vec::new())
}

/// The report of one case, with findings made outside [`Checker::check`] added.
fn report_with(checker: &Checker, path: &str, source: &str, extra: Vec<Diagnostic>) -> (String, Vec<Diagnostic>) {
    let mut diagnostics = checker.check(source).diagnostics;
    diagnostics.extend(extra);
    designdoc_check::sort(&mut diagnostics);
    let text = human(
        &[FileReport::new(
            path.to_string(),
            source.to_string(),
            diagnostics.clone(),
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
        let folder_checker = checker_for(&rule);
        let mut cases: Vec<_> = std::fs::read_dir(dir.path())
            .expect("case dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.to_string_lossy().ends_with(".template.md"))
            .collect();
        cases.sort();
        let files: Vec<PathBuf> = cases.iter().filter(|c| c.is_file()).cloned().collect();
        let mut project = PROJECT_RULES
            .iter()
            .find(|m| m.code == meta.code)
            .map(|m| project_findings(&folder_checker, m, &files))
            .unwrap_or_default();
        // `(checker for a group, group prefix, case)`; ungrouped cases use their own or the
        // folder's template.
        let mut runs: Vec<(Option<Checker>, String, PathBuf)> = Vec::new();
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
                    runs.push((Some(group_checker.clone()), format!("{group}/"), c));
                }
            } else {
                runs.push((None, String::new(), case));
            }
        }
        for (group_checker, group, case) in runs {
            let name = case.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&case).expect("fixture");
            let shown = format!("{rule}/{group}{name}.md");
            let ok = name.starts_with("ok-");
            let is_template = group.is_empty() && name == "template";
            let own_template = case.with_extension("template.md");
            let own_checker = own_template.is_file().then(|| checker_with(&rule, &own_template));
            let checker = group_checker
                .as_ref()
                .or(own_checker.as_ref())
                .unwrap_or(&folder_checker);
            let extra = project.remove(&shown).unwrap_or_default();
            let (text, diagnostics) = report_with(checker, &shown, &source, extra);
            let raised = diagnostics.iter().any(|d| d.code == meta.code);
            if ok {
                assert!(!raised, "{shown} must not raise {}:\n{text}", meta.name);
            } else if !is_template {
                assert!(raised, "{shown} must raise {}:\n{text}", meta.name);
            }
            let name = format!("{}{name}", group.replace('/', "__"));
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
            // Cases of another template (and those templates, and groups) are not this
            // checker's.
            let path = case.path();
            if path.is_dir()
                || path.to_string_lossy().ends_with(".template.md")
                || path.with_extension("template.md").is_file()
            {
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

/// A template without metadata asks for none, unless `[rules]` names the rules: then they
/// run as before, whatever the template.
#[test]
fn config_switches_metadata_rules_on() {
    let dir = fixtures().join("missing-metadata");
    let template = std::fs::read_to_string(dir.join("ok-template-without-status.template.md")).expect("template");
    let source = std::fs::read_to_string(dir.join("ok-template-without-status.md")).expect("case");
    let codes = |config: RuleConfig| -> Vec<&'static str> {
        let (checker, _) = Checker::new(&template, config);
        checker.check(&source).diagnostics.iter().map(|d| d.code).collect()
    };
    assert!(!codes(RuleConfig::default()).contains(&"DD025"));
    let on = RuleConfig::from_map([("missing-metadata", "warning")]).expect("config");
    assert!(codes(on).contains(&"DD025"));
    let off = RuleConfig::from_map([("missing-metadata", "off")]).expect("config");
    assert!(!codes(off).contains(&"DD025"));
    let authors = RuleConfig::from_map([("DD023", "error")]).expect("config");
    let with_status = source.replace("- Start Date", "- Status: review\n- Start Date");
    let (checker, _) = Checker::new(&template, authors);
    assert!(
        checker
            .check(&with_status)
            .diagnostics
            .iter()
            .any(|d| d.code == "DD023")
    );
}
