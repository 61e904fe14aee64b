//! Every diagram of the mermaid corpus that real Mermaid draws goes through `render_svg`:
//! no panic, sanitized output, and the drawing library's gaps listed by name.

use std::path::Path;

#[test]
fn corpus_renders_sanitized_svg() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/mermaid-corpus");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut drawn = 0;
    let mut not_drawn = Vec::new();
    for line in manifest.lines().skip(1) {
        let Some((file, "yes")) = line.split_once('\t') else {
            continue;
        };
        let src = std::fs::read_to_string(dir.join(file)).expect("diagram");
        match designdoc_render::render_svg(&src) {
            Ok(svg) => {
                assert!(
                    svg.starts_with("<svg") && !svg.to_ascii_lowercase().contains("<script"),
                    "{file}"
                );
                drawn += 1;
            }
            Err(e) => not_drawn.push(format!("{file}: {e}")),
        }
    }
    not_drawn.sort();
    insta::assert_snapshot!(format!("drawn: {drawn}\nnot drawn:\n{}", not_drawn.join("\n")));
    assert!(drawn >= 60, "only {drawn} diagrams drawn");
}
