//! Every diagram of the shared Mermaid corpus (../shared/corpus/mermaid, 3,474 diagrams
//! with Mermaid's verdicts) goes through `render_svg`: nothing panics or hangs, every SVG
//! drawn is free of active content as a browser's tokenizer reads it, almost every
//! diagram of the kinds we draw that Mermaid accepts is drawn (within the drawing
//! limits), and every other kind is "not drawn" by name, never a broken drawing.

use designdoc_render::DiagramError;
use designdoc_render::diagram::active_content;

#[test]
fn shared_corpus_draws_within_limits_and_sanitized() {
    let Some(path) = designdoc_testkit::require_shared("corpus/mermaid/diagrams.jsonl") else {
        return;
    };
    let data = std::fs::read_to_string(&path).expect("the shared Mermaid corpus");
    let (mut drawn, mut over_limits, mut valid) = (0, Vec::new(), 0);
    let mut valid_drawn = 0;
    // Mermaid-valid diagrams of the five drawn kinds, and of the others.
    let (mut valid_drawable, mut others_not_drawn, mut others) = (0, 0, 0);
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let src = v["src"].as_str().unwrap_or("");
        let ok = v["mermaid_ok"].as_bool().unwrap_or(false);
        valid += usize::from(ok);
        let drawable = matches!(
            v["mermaid_type"].as_str().unwrap_or(""),
            "flowchart-v2" | "flowchart" | "flowchart-elk" | "er" | "sequence" | "classDiagram" | "stateDiagram"
        );
        valid_drawable += usize::from(ok && drawable);
        others += usize::from(ok && !drawable);
        match designdoc_render::render_svg(src) {
            Ok(svg) => {
                assert_eq!(active_content(&svg), None, "{}", v["id"]);
                drawn += 1;
                valid_drawn += usize::from(ok);
            }
            Err(DiagramError::TooLarge(m) | DiagramError::Refused(m)) if ok => {
                over_limits.push(format!("{}: {m}", v["id"]));
            }
            Err(DiagramError::NotDrawn(kind)) if ok => {
                assert!(!drawable, "{}: a {kind} diagram is drawn", v["id"]);
                assert!(!kind.is_empty());
                others_not_drawn += 1;
            }
            Err(_) => {}
        }
    }
    // Valid diagrams refused by a limit are rare and each is extreme (a 15 MB drawing,
    // tasks until the year 9999, a CSS escape in themeCSS): at most 1 in 500.
    assert!(over_limits.len() * 500 <= valid, "{over_limits:#?}");
    // What Mermaid accepts of the five kinds, we draw: nearly every one (a few use math
    // labels or syntax corners the drawing library does not know, or are over a limit).
    println!(
        "drawn {drawn}, of them {valid_drawn} of {valid_drawable} valid diagrams of the kinds drawn; \
         {others_not_drawn} of {others} valid diagrams of other kinds shown as source"
    );
    assert!(
        valid_drawn * 100 >= valid_drawable * 95,
        "only {valid_drawn} of {valid_drawable} valid diagrams drawn"
    );
    assert_eq!(others_not_drawn, others, "every other kind is not drawn, by name");
}
