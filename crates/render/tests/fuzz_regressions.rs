//! Every input the fuzzers (../../fuzz) found and saved under `fuzz/regressions/` is
//! replayed: documents through the parser, the checker and the page renderer, diagrams
//! through `render_svg`, SVG through the sanitizer. None may panic or abort, and the
//! sanitizer's output must pass its own browser-tokenizer re-read.

use designdoc_render::diagram::{active_content, sanitize_svg};
use std::path::Path;

fn inputs(target: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let bytes = std::fs::read(e.path()).expect("regression input");
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn saved_fuzz_findings_stay_fixed() {
    let (checker, _) = designdoc_check::Checker::new(
        designdoc_check::DEFAULT_TEMPLATE,
        designdoc_check::RuleConfig::default(),
    );
    let docs: Vec<_> = inputs("parse").into_iter().chain(inputs("check")).collect();
    assert!(!docs.is_empty(), "fuzz/regressions is part of the repository");
    for (name, text) in &docs {
        let checked = checker.check(text);
        let page = designdoc_render::site::body_html(&designdoc_render::site::PageInput {
            rel_path: name.clone(),
            source: text,
            doc: &checked.doc,
            diagnostics: &checked.diagnostics,
            modified: None,
        });
        assert!(!page.is_empty(), "{name}");
    }
    for (name, src) in inputs("render_svg") {
        match designdoc_render::render_svg(&src) {
            Ok(svg) => assert_eq!(active_content(&svg), None, "{name}"),
            Err(e) => assert!(!e.to_string().is_empty(), "{name}"),
        }
    }
    let cycle = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/regressions/render_svg/state-composite-contains-itself-stack-overflow.mmd"),
    )
    .expect("the state cycle input");
    assert_eq!(
        designdoc_render::render_svg(&cycle).map_err(|e| e.to_string()),
        Err("diagram too large to draw: state `A` contains itself".to_string())
    );
    for (name, svg) in inputs("svg_differential") {
        let clean = sanitize_svg(&svg);
        assert_eq!(active_content(&clean), None, "{name}: {clean}");
    }
}
