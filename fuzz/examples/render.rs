//! Triage helper: prints what `designdoc_render::render_svg` returns for each file given
//! (or stdin): `cargo run --release --example render -- FILE...`.

use std::io::Read;

fn show(name: &str, src: &str) {
    let started = std::time::Instant::now();
    let result = designdoc_render::render_svg(src);
    let took = started.elapsed();
    match result {
        Ok(svg) => println!("{name}: Ok, {} bytes of SVG in {took:?}", svg.len()),
        Err(e) => println!("{name}: Err({e:?}) in {took:?}"),
    }
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        let mut src = String::new();
        std::io::stdin().read_to_string(&mut src).unwrap();
        show("stdin", &src);
    }
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        show(&f, &String::from_utf8_lossy(&bytes));
    }
}
