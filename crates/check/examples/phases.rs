//! Single-thread time per phase over a folder of docs:
//! `cargo run --release -p designdoc-check --example phases -- DIR`.

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut sources = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            if let Ok(s) = std::fs::read_to_string(e.path()) {
                sources.push(s);
            }
        }
    }
    let mb = sources.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let checker = designdoc_check::Checker::with_default_template();
    let t = std::time::Instant::now();
    let mut events = 0;
    for s in &sources {
        events += pulldown_cmark::Parser::new_ext(
            s,
            pulldown_cmark::Options::ENABLE_TABLES
                | pulldown_cmark::Options::ENABLE_TASKLISTS
                | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
                | pulldown_cmark::Options::ENABLE_FOOTNOTES
                | pulldown_cmark::Options::ENABLE_GFM,
        )
        .into_offset_iter()
        .count();
    }
    let pd = t.elapsed();
    let t = std::time::Instant::now();
    let docs: Vec<_> = sources.iter().map(|s| designdoc_model::parse(s)).collect();
    let parse = t.elapsed();
    let t = std::time::Instant::now();
    let mut n = 0;
    for (s, (d, e)) in sources.iter().zip(&docs) {
        n += checker.check_parsed(s, d, e).len();
    }
    let check = t.elapsed();
    let t = std::time::Instant::now();
    for s in &sources {
        if let Some(end) = s[4..].find("\n---\n") {
            let _ = serde_saphyr::from_str::<serde_json::Value>(&s[4..4 + end]);
        }
    }
    println!("yaml only {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for s in &sources {
        let _ = designdoc_model::LineIndex::new(s);
    }
    println!("line index only {:?}", t.elapsed());
    println!(
        "{} docs, {mb:.1} MB, {events} events: pulldown {pd:?}, parse (incl. pulldown) {parse:?}, rules {check:?}, {n} findings",
        sources.len()
    );
}
