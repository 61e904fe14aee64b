//! Writes the seed corpora under fuzz/corpus/ (gitignored): run `./seed.sh`, or
//! `cargo run --release --example seed -- [path/to/diagrams.jsonl]` from fuzz/.
//!
//! - render_svg, mermaid: every diagram's "src" of the shared mermaid corpus.
//! - parse, check: the repository's example documents and design doc, the default
//!   template, and documents wrapping a sample of the diagrams in ```mermaid fences.
//! - svg_differential: the drawing library's raw SVG for a sample of the diagrams (what
//!   the sanitizer really receives) plus hand-written XSS-style payloads.

use std::fs;
use std::path::{Path, PathBuf};

const DEFAULT_JSONL: &str = "/work/shared/corpus/mermaid/diagrams.jsonl";

/// Markup a hostile label or a broken drawing library could put in an SVG.
const PAYLOADS: &[&str] = &[
    r#"<svg><rect fill="red" onmouseover="alert(1)" stroke="blue"/></svg>"#,
    r#"<svg><rect fill="red" onmouseover="alert(1)"/></svg>"#,
    r#"<svg><rect fill="red&quot; onmouseover=&quot;alert(1)"/></svg>"#,
    r#"<svg><rect fill="red&#34; onmouseover=&#x22;alert(1)"/></svg>"#,
    r#"<svg><rect /onmouseover="alert(1)" width="2"/></svg>"#,
    r#"<svg><rect/onload=alert(1)></svg>"#,
    r#"<svg><rect "onclick=alert(1) x="1"/></svg>"#,
    r#"<svg><rect x='1' onclick='alert(1)'/><rect x=1 onclick=alert(1)></rect></svg>"#,
    r#"<svg><script>alert(1)</script><script/><SCRIPT>alert(2)</SCRIPT></svg>"#,
    r#"<svg><script><script>alert(1)</script>alert(2)</script><g>ok</g></svg>"#,
    r#"<svg><![CDATA[<script>alert(1)</script>]]><g/></svg>"#,
    r#"<svg><text><![CDATA[ ]]><script>alert(1)</script></text></svg>"#,
    r#"<svg><!-- <script>alert(1)</script> --><g/><!--></svg><script>alert(2)</script>--></svg>"#,
    r#"<svg><!--><script>alert(1)</script>--></svg>"#,
    r#"<svg><a href="javascript:alert(1)"><text>x</text></a><a xlink:href="javascript:alert(1)">y</a></svg>"#,
    r#"<svg><foreignObject><div onclick="alert(1)">hi</div><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>"#,
    r#"<svg><style>*{background:url(http://evil/x)}</style><rect style="fill:url(http://evil/x)"/></svg>"#,
    r#"<svg><rect style="fill:red;stroke:url(#ok);stroke-width:expression(alert(1))"/></svg>"#,
    r#"<svg><rect fill="url(#a)" stroke="url( http://evil/ )" marker-end="url(#arrow)"/></svg>"#,
    r#"<svg><rect fill="&#106;avascript:alert(1)" class="javascript:x"/></svg>"#,
    r#"<svg><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/></svg>"#,
    r#"<svg><image href="x" onerror="alert(1)"/><use href="data:image/svg+xml,<svg onload=alert(1)>"/></svg>"#,
    r#"<svg><object data="x"></object><embed src="x"/><iframe srcdoc="<script>alert(1)</script>"></iframe></svg>"#,
    r#"<svg><g id="a"><text class='x"onmouseover="alert(1)'>t</text></g></svg>"#,
    r#"<svg><text x="1">a &lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; &#60;b&#62; &#x3c;i&#x3e;</text></svg>"#,
    r#"<svg><?xml version="1.0"?><!DOCTYPE svg><g/></svg>"#,
    r#"<svg><g><text>x</g></text></svg></g><a><g></a></g>"#,
    r#"<svg><tspan aria-label="url(http://evil)" id="javascript:1">x</tspan></svg>"#,
    r#"<svg><title><script>alert(1)</script></title><desc>&lt;img src=x onerror=alert(1)&gt;</desc></svg>"#,
    "<svg><rect\tonclick=x\nfill=red\x0conload=y/></svg>",
    "<svg><rect fill=\"red\u{0}\" onload\u{0}=x/></svg>",
    r##"<svg xmlns:xlink="http://www.w3.org/1999/xlink"><linearGradient xlink:href="#g" id="h"/></svg>"##,
];

fn write(dir: &Path, name: &str, content: &str) {
    fs::write(dir.join(name), content).unwrap_or_else(|e| panic!("write {}: {e}", dir.join(name).display()));
}

fn dir(root: &Path, target: &str) -> PathBuf {
    let d = root.join("corpus").join(target);
    fs::create_dir_all(&d).unwrap();
    d
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz.parent().unwrap();
    let jsonl = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_JSONL.to_string());
    let text = fs::read_to_string(&jsonl).unwrap_or_else(|e| panic!("read {jsonl}: {e}"));
    let diagrams: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let id = v["id"].as_str().unwrap_or("noid").to_string();
            (id, v["src"].as_str().unwrap_or_default().to_string())
        })
        .collect();

    for target in ["render_svg", "mermaid"] {
        let d = dir(fuzz, target);
        for (id, src) in &diagrams {
            write(&d, id, src);
        }
    }

    let docs: Vec<PathBuf> = ["examples", "docs"]
        .iter()
        .filter_map(|d| fs::read_dir(repo.join(d)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    for target in ["parse", "check"] {
        let d = dir(fuzz, target);
        for path in &docs {
            let name = path.file_name().unwrap().to_string_lossy();
            write(&d, &name, &fs::read_to_string(path).unwrap());
        }
        write(&d, "default-template.md", designdoc_check::DEFAULT_TEMPLATE);
        for (id, src) in diagrams.iter().step_by(50) {
            let doc = format!(
                "---\ntitle: Seed {id}\nstatus: draft\n---\n\n# Seed {id}\n\n## Overview\n\nText.\n\n```mermaid\n{src}\n```\n"
            );
            write(&d, &format!("doc-{id}.md"), &doc);
        }
    }

    let svg = dir(fuzz, "svg_differential");
    let mut drawn = 0;
    let mut kinds = std::collections::HashMap::new();
    for (id, src) in &diagrams {
        // A few drawings per kind of diagram, small ones only.
        let kind = src.split_whitespace().next().unwrap_or("").to_string();
        let n = kinds.entry(kind).or_insert(0);
        if *n >= 3 || src.len() > 2_000 {
            continue;
        }
        let src = src.clone();
        let out = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || std::panic::catch_unwind(|| mermaid_svg::render(&src)).ok().and_then(Result::ok))
            .unwrap()
            .join()
            .ok()
            .flatten();
        if let Some(out) = out
            && out.len() < 100_000
        {
            write(&svg, &format!("mermaid-{id}.svg"), &out);
            *n += 1;
            drawn += 1;
        }
    }
    for (i, p) in PAYLOADS.iter().enumerate() {
        write(&svg, &format!("payload-{i:02}.svg"), p);
    }
    eprintln!(
        "seeded: render_svg {}, parse/check {} each, svg_differential {} drawings + {} payloads",
        diagrams.len(),
        docs.len() + 1 + diagrams.iter().step_by(50).count(),
        drawn,
        PAYLOADS.len()
    );
}
