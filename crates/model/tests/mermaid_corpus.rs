//! The mermaid corpus: 60+ diagrams of every common kind, each with real Mermaid's verdict
//! (mermaid-cli 11 with Debian's chromium) recorded in MANIFEST.tsv. Our parser must never
//! panic, must accept what Mermaid accepts (no false alarms) and, for the kinds it models
//! (flowchart, ER), reject what Mermaid rejects. The verdict table is a snapshot.

use designdoc_model::mermaid::{DiagramKind, parse_diagram};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// mmdc exits 0 for these but draws its "Syntax error in text" picture: Mermaid picks the
/// type by prefix (`architectureDiagramz` -> architecture) and then fails to parse.
const MERMAID_DRAWS_AN_ERROR: &[&str] = &["71-invalid-architecture-typo-header.mmd"];

#[test]
fn corpus_agrees_with_mermaid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid-corpus");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut truth: BTreeMap<String, bool> = BTreeMap::new();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (file, verdict) = line.split_once('\t').expect("file<TAB>verdict");
        truth.insert(file.trim().to_string(), verdict.trim() == "yes");
    }
    assert!(truth.len() >= 50, "corpus has {} diagrams", truth.len());
    let mut table = String::new();
    let mut false_alarms = Vec::new();
    let mut missed = Vec::new();
    for (file, &mermaid_accepts) in &truth {
        let src = std::fs::read_to_string(dir.join(file)).expect("diagram file");
        let parsed = parse_diagram(&src);
        let we_accept = parsed.errors.is_empty();
        let modeled = matches!(parsed.kind, Some(DiagramKind::Flowchart | DiagramKind::Er));
        let first_error = parsed.errors.first().map(|e| e.message.as_str()).unwrap_or("");
        let _ = writeln!(
            table,
            "{file}\tmermaid={}\tours={}\t{first_error}",
            if mermaid_accepts { "ok" } else { "reject" },
            if we_accept { "ok" } else { "reject" }
        );
        if mermaid_accepts && !we_accept && !MERMAID_DRAWS_AN_ERROR.contains(&file.as_str()) {
            false_alarms.push(format!("{file}: {first_error}"));
        }
        if !mermaid_accepts && we_accept && modeled {
            missed.push(file.clone());
        }
    }
    assert!(
        false_alarms.is_empty(),
        "we reject diagrams Mermaid draws:\n{}",
        false_alarms.join("\n")
    );
    assert!(
        missed.is_empty(),
        "we accept flowchart/ER diagrams Mermaid rejects: {missed:?}"
    );
    insta::assert_snapshot!(table);
}
