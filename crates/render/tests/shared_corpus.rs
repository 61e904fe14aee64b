//! Every diagram of the shared Mermaid corpus (../shared/corpus/mermaid, 3,474 diagrams
//! with Mermaid's verdicts) goes through `render_svg`: nothing panics or hangs, every SVG
//! drawn is free of active content as a browser's tokenizer reads it, and almost every
//! diagram Mermaid accepts and we draw stays within the drawing limits.

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
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let src = v["src"].as_str().unwrap_or("");
        let ok = v["mermaid_ok"].as_bool().unwrap_or(false);
        valid += usize::from(ok);
        match designdoc_render::render_svg(src) {
            Ok(svg) => {
                assert_eq!(active_content(&svg), None, "{}", v["id"]);
                drawn += 1;
                valid_drawn += usize::from(ok);
            }
            Err(DiagramError::TooLarge(m) | DiagramError::Refused(m)) if ok => {
                over_limits.push(format!("{}: {m}", v["id"]));
            }
            Err(_) => {}
        }
    }
    // Valid diagrams refused by a limit are rare and each is extreme (a 15 MB drawing,
    // tasks until the year 9999, a CSS escape in themeCSS): at most 1 in 500.
    assert!(over_limits.len() * 500 <= valid, "{over_limits:#?}");
    // What Mermaid accepts, we draw: nearly every valid diagram (the drawing library knows
    // fewer kinds than Mermaid, and some are over the limits above).
    println!("drawn {drawn}, of them {valid_drawn} of {valid} valid diagrams");
    assert!(
        valid_drawn * 100 >= valid * 85,
        "only {valid_drawn} of {valid} valid diagrams drawn"
    );
}
