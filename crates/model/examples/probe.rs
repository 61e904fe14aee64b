//! Prints our verdict for each mermaid file: `cargo run -p designdoc-model --example probe -- FILES`.

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let d = designdoc_model::mermaid::parse_diagram(&src);
        let first = d.errors.first().map(|e| e.message.clone()).unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or("");
        let verdict = if d.errors.is_empty() { "ok" } else { "REJECT" };
        println!("{name}\t{:?}\t{verdict}\t{first}", d.kind);
    }
}
