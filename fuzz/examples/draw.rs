//! Triage helper: runs the drawing library alone (`mermaid_svg::parse` + `render`, no
//! designdoc limits, no time budget) on a 256 MiB stack, as the render worker does, and
//! prints how long it took: `cargo run --release --example draw -- FILE`.

fn main() {
    let file = std::env::args().nth(1).expect("FILE");
    let src = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
    let started = std::time::Instant::now();
    let out = std::thread::Builder::new()
        .name("draw".to_string())
        .stack_size(256 << 20)
        .spawn(move || {
            let parsed = mermaid_svg::parse(&src).map(|_| ()).map_err(|e| e.to_string());
            (parsed, mermaid_svg::render(&src).map(|s| s.len()).map_err(|e| e.to_string()))
        })
        .unwrap()
        .join();
    println!("{file}: {out:?} in {:?}", started.elapsed());
}
