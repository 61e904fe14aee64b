//! Times parse and check of one file: `cargo run --release --example timing -- FILE`.

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let Ok(src) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        std::process::exit(2);
    };
    let checker = designdoc_check::Checker::with_default_template();
    let t = std::time::Instant::now();
    let events = pulldown_cmark::Parser::new_ext(&src, pulldown_cmark::Options::all())
        .into_offset_iter()
        .count();
    println!("pulldown alone {:?} ({events} events)", t.elapsed());
    let t = std::time::Instant::now();
    let (doc, errors) = designdoc_model::parse(&src);
    let parsed = t.elapsed();
    let diags = checker.check_parsed(&src, &doc, &errors);
    let checked = t.elapsed();
    drop(doc);
    let dropped = t.elapsed();
    println!(
        "parse {parsed:?} check {:?} drop {:?} findings {}",
        checked - parsed,
        dropped - checked,
        diags.len()
    );
}
