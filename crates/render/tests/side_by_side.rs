//! Ours beside Mermaid's: for 20 diagrams of each main kind from ../shared/corpus/mermaid
//! (the largest, the most nested, and the rest spread over the sizes), our drawing and
//! mermaid-cli's, rendered to one PNG per diagram by headless chromium, to be looked at.
//! The pictures go to `target/side-by-side/` (their paths are printed); the verdicts
//! are in BENCHMARKS.md, "Diagrams beside mermaid-cli's".

use designdoc_model::mermaid::{DiagramKind, DiagramModel, parse_diagram};
use designdoc_testkit::{repo_root, require_chromium, require_mermaid_cli, require_shared};
use std::path::{Path, PathBuf};
use std::process::Command;

const PER_KIND: usize = 20;

fn kind_of(mermaid_type: &str) -> Option<(&'static str, DiagramKind)> {
    match mermaid_type {
        "flowchart-v2" | "flowchart" => Some(("flowchart", DiagramKind::Flowchart)),
        "er" => Some(("er", DiagramKind::Er)),
        "sequence" => Some(("sequence", DiagramKind::Sequence)),
        "classDiagram" | "class" => Some(("class", DiagramKind::Class)),
        "stateDiagram" | "state" => Some(("state", DiagramKind::State)),
        _ => None,
    }
}

/// How deeply a diagram's groups nest: subgraphs, composite states, namespaces, blocks.
fn nesting(src: &str) -> usize {
    match parse_diagram(src).model {
        DiagramModel::Flowchart(f) => {
            let mut depth = 0usize;
            let mut deepest = 0;
            for line in src.lines() {
                let word = line.split_whitespace().next().unwrap_or("");
                if word == "subgraph" {
                    depth += 1;
                    deepest = deepest.max(depth);
                } else if word == "end" {
                    depth = depth.saturating_sub(1);
                }
            }
            deepest * 1000 + f.subgraphs.len()
        }
        DiagramModel::Sequence(s) => s.blocks.iter().map(|b| b.depth + 1).max().unwrap_or(0) * 1000 + s.blocks.len(),
        DiagramModel::State(st) => {
            let depth_of = |mut at: Option<usize>| {
                let mut d = 0;
                while let Some(i) = at {
                    d += 1;
                    if d > st.states.len() {
                        break;
                    }
                    at = st.states[i].parent;
                }
                d
            };
            st.states.iter().map(|s| depth_of(s.parent)).max().unwrap_or(0) * 1000
                + st.states.iter().filter(|s| s.composite).count()
        }
        DiagramModel::Class(c) => c.namespaces.len() * 1000 + c.classes.len(),
        DiagramModel::Er(e) => e.entities.len(),
        DiagramModel::Other => 0,
    }
}

/// The diagrams shown for one kind: the largest source, the most nested, then the rest
/// evenly over the sizes; never two with the same source.
fn pick(mut candidates: Vec<(String, String)>) -> Vec<(String, String)> {
    candidates.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(&b.0)));
    candidates.dedup_by(|a, b| a.1.trim() == b.1.trim());
    let mut chosen: Vec<(String, String)> = Vec::new();
    if let Some(largest) = candidates.last() {
        chosen.push(largest.clone());
    }
    if let Some(nested) = candidates.iter().max_by_key(|c| (nesting(&c.1), c.1.len()))
        && !chosen.contains(nested)
    {
        chosen.push(nested.clone());
    }
    let rest: Vec<&(String, String)> = candidates.iter().filter(|c| !chosen.contains(c)).collect();
    let want = PER_KIND.saturating_sub(chosen.len()).min(rest.len());
    for k in 0..want {
        let at = if want > 1 { k * (rest.len() - 1) / (want - 1) } else { 0 };
        chosen.push(rest[at].clone());
    }
    chosen
}

fn size_of(svg: &str) -> (u32, u32) {
    let root = &svg[..svg.find('>').unwrap_or(svg.len())];
    let attr = |name: &str| {
        root.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.trim_end_matches("px").parse::<f64>().ok())
    };
    let view: Vec<f64> = root
        .split("viewBox=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|v| v.split([' ', ',']).filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    let max_width = root
        .split("max-width:")
        .nth(1)
        .and_then(|r| r.split("px").next())
        .and_then(|v| v.trim().parse::<f64>().ok());
    let w = attr("width").or(max_width).or(view.get(2).copied()).unwrap_or(400.0);
    let h = match (view.get(2), view.get(3)) {
        (Some(&vw), Some(&vh)) if vw > 0.0 => w * vh / vw,
        _ => attr("height").unwrap_or(300.0),
    };
    (w.ceil() as u32, h.ceil() as u32)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[test]
fn ours_beside_mermaid_cli() {
    let Some(corpus) = require_shared("corpus/mermaid/diagrams.jsonl") else {
        return;
    };
    let Some(mmdc) = require_mermaid_cli() else { return };
    let Some(chromium) = require_chromium() else { return };
    let data = std::fs::read_to_string(&corpus).expect("read the corpus");
    let out = repo_root().join("target/side-by-side");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output folder");
    let css = designdoc_render::site::CSS;

    let mut by_kind: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if v["mermaid_ok"] != true {
            continue;
        }
        let Some((name, _)) = kind_of(v["mermaid_type"].as_str().unwrap_or("")) else {
            continue;
        };
        // Mermaid's own examples, not the corpus's mutants of them (near copies).
        if v["origin"].as_str().is_some_and(|o| o.starts_with("mutant")) {
            continue;
        }
        let src = v["src"].as_str().unwrap_or("").to_string();
        // Only what we draw: a diagram we refuse shows nothing to compare (our parser is
        // asked first; it is cheap).
        if !parse_diagram(&src).errors.is_empty() || designdoc_render::render_svg(&src).is_err() {
            continue;
        }
        let id = v["id"].as_str().unwrap_or("?").to_string();
        match by_kind.iter_mut().find(|(k, _)| *k == name) {
            Some((_, list)) => list.push((id, src)),
            None => by_kind.push((name, vec![(id, src)])),
        }
    }

    let mut pictures: Vec<PathBuf> = Vec::new();
    for (kind, candidates) in by_kind {
        let chosen = pick(candidates);
        assert_eq!(chosen.len(), PER_KIND, "{kind}: not enough diagrams drawn");
        // One mermaid-cli run per kind (one browser start): a Markdown file of its diagrams.
        let dir = out.join(kind);
        std::fs::create_dir_all(&dir).expect("kind folder");
        let mut md = String::new();
        for (_, src) in &chosen {
            md.push_str(&format!("```mermaid\n{}\n```\n\n", src.trim_end()));
        }
        std::fs::write(dir.join("in.md"), &md).expect("write the Markdown");
        let run = Command::new(&mmdc)
            .arg("-q")
            .arg("-p")
            .arg(repo_root().join("tools/mermaid-cli/puppeteer.json"))
            .arg("-i")
            .arg(dir.join("in.md"))
            .arg("-o")
            .arg(dir.join("theirs.md"))
            .arg("-e")
            .arg("svg")
            .output()
            .expect("run mmdc");
        assert!(
            run.status.success(),
            "mmdc failed on {kind}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut shots: Vec<(PathBuf, PathBuf, u32, u32)> = Vec::new();
        for (n, (id, src)) in chosen.iter().enumerate() {
            let ours = designdoc_render::render_svg(src).expect("drawn above");
            let theirs_file = dir.join(format!("theirs-{}.svg", n + 1));
            let theirs = std::fs::read_to_string(&theirs_file)
                .unwrap_or_else(|e| panic!("mermaid-cli drew no {}: {e}", theirs_file.display()));
            let (ow, oh) = size_of(&ours);
            let (tw, th) = size_of(&theirs);
            let page = format!(
                "<!doctype html><html><head><meta charset=utf-8><style>{css}\n\
                 body{{margin:0;padding:12px;background:#fff;color:#1d232a;font:14px system-ui,sans-serif}}\
                 .pair{{display:flex;gap:24px;align-items:flex-start}} .pair > div{{flex:none}}\
                 h2{{font-size:14px;margin:0 0 6px}}</style></head><body>\
                 <p>{kind} {id} ({} bytes of source)</p><div class=pair>\
                 <div><h2>designdoc</h2><div class=diagram>{ours}</div></div>\
                 <div><h2>mermaid-cli</h2><img src=\"{}\" width=\"{tw}\" height=\"{th}\"></div>\
                 </div></body></html>",
                src.len(),
                escape(
                    &theirs_file
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ),
            );
            let html = dir.join(format!("{:02}-{id}.html", n + 1));
            std::fs::write(&html, page).expect("write the page");
            let png = dir.join(format!("{:02}-{id}.png", n + 1));
            shots.push((
                html,
                png,
                (ow + tw + 80).clamp(600, 6000),
                (oh.max(th) + 90).clamp(300, 6000),
            ));
        }
        // Two browsers at a time (one per core).
        for pair in shots.chunks(2) {
            std::thread::scope(|scope| {
                for (html, png, width, height) in pair {
                    let chromium = &chromium;
                    scope.spawn(move || {
                        let shot = Command::new(chromium)
                            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
                            .arg(format!("--user-data-dir={}", html.with_extension("profile").display()))
                            .arg(format!("--window-size={width},{height}"))
                            .arg(format!("--screenshot={}", png.display()))
                            .arg(format!("file://{}", html.display()))
                            .output()
                            .expect("run chromium");
                        assert!(
                            shot.status.success(),
                            "chromium: {}",
                            String::from_utf8_lossy(&shot.stderr)
                        );
                        let _profile_gone = std::fs::remove_dir_all(html.with_extension("profile"));
                    });
                }
            });
        }
        for (_, png, _, _) in shots {
            let bytes = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
            assert!(bytes > 1000, "{}: an empty picture", png.display());
            pictures.push(png);
        }
    }
    assert_eq!(pictures.len(), 5 * PER_KIND, "20 pictures for each of the five kinds");
    println!(
        "side by side, ours left, mermaid-cli right ({} pictures):",
        pictures.len()
    );
    for p in &pictures {
        println!("  {}", p.strip_prefix(repo_root()).unwrap_or(Path::new(p)).display());
    }
}
