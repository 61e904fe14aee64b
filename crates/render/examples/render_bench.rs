//! Mean time to check-parse and render each diagram file given:
//! `cargo run --release -p designdoc-render --example render_bench -- FILE.mmd...`.

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(src) = std::fs::read_to_string(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        // Warm up, then time enough iterations for a stable mean.
        let _ = designdoc_render::render_svg(&src);
        let iterations = 200;
        let t = std::time::Instant::now();
        let mut bytes = 0;
        for _ in 0..iterations {
            match designdoc_render::render_svg(&src) {
                Ok(svg) => bytes = svg.len(),
                Err(e) => {
                    eprintln!("{path}: {e}");
                    break;
                }
            }
        }
        let render = t.elapsed() / iterations;
        let t = std::time::Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(designdoc_model::mermaid::parse_diagram(&src));
        }
        let parse = t.elapsed() / iterations;
        println!("{path}\tparse {parse:?}\trender {render:?}\t{bytes} bytes");
    }
}
