//! Templates in the styles teams use (MADR, Nygard ADR, Google-style design doc,
//! Rust-RFC-like, numbered, Chinese with aliases), each with documents written from it
//! the way people write them: bold lead-ins, reworded or renumbered headings, optional
//! sections dropped, other heading levels. `tests/families/<family>/template.md` is the
//! template; `ok-*.md` must raise no structural finding above info level; a case whose
//! first line is `<!-- expect missing: Title -->` must raise exactly that one
//! missing-section finding and no other structural finding.

use designdoc_check::{Checker, Diagnostic, Level, RuleConfig};
use std::path::Path;

/// Rules about the outline: missing, out of order, unexpected, wrong level, empty
/// section, unclosed fence.
const STRUCTURAL: &[&str] = &["DD001", "DD002", "DD003", "DD004", "DD005", "DD006"];

fn structural(d: &[Diagnostic]) -> Vec<&Diagnostic> {
    d.iter()
        .filter(|d| STRUCTURAL.contains(&d.code) && d.level > Level::Info)
        .collect()
}

fn show(d: &[&Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("{} {}: {}\n", d.code, d.level.as_str(), d.message))
        .collect()
}

#[test]
fn template_families() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/families"));
    let mut families: Vec<_> = std::fs::read_dir(root)
        .expect("families")
        .flatten()
        .map(|e| e.path())
        .collect();
    families.sort();
    assert!(families.len() >= 6, "{families:?}");
    let mut config = RuleConfig::default();
    // Strict templates switch unexpected-section on: conforming docs must pass that too.
    let unexpected = designdoc_check::rules::by_name_or_code("unexpected-section").expect("rule");
    config.set(&unexpected, Level::Warning);
    let mut checked = 0;
    for family in families {
        let template = std::fs::read_to_string(family.join("template.md")).expect("template");
        let (checker, errors) = Checker::new(&template, config.clone());
        assert!(errors.is_empty(), "{}: {errors:?}", family.display());
        let mut cases: Vec<_> = std::fs::read_dir(&family)
            .expect("family")
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        let (mut ok, mut missing) = (0, 0);
        for case in cases {
            let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
            if name == "template.md" {
                continue;
            }
            let source = std::fs::read_to_string(&case).expect("case");
            let diagnostics = checker.check(&source).diagnostics;
            let found = structural(&diagnostics);
            let shown = format!("{}/{name}", family.file_name().unwrap_or_default().to_string_lossy());
            if name.starts_with("ok-") {
                ok += 1;
                assert!(found.is_empty(), "{shown} must be clean:\n{}", show(&found));
            } else {
                missing += 1;
                let title = source
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("<!-- expect missing: "))
                    .and_then(|l| l.strip_suffix(" -->"))
                    .unwrap_or_else(|| panic!("{shown}: first line must be `<!-- expect missing: Title -->`"));
                let expected = format!("missing section `{title}`");
                assert!(
                    found.len() == 1 && found[0].code == "DD001" && found[0].message == expected,
                    "{shown} must raise exactly `{expected}`:\n{}",
                    show(&found)
                );
            }
            checked += 1;
        }
        assert!(
            ok >= 2 && missing >= 1,
            "{}: two conforming docs and one missing",
            family.display()
        );
    }
    assert!(checked >= 18);
}
