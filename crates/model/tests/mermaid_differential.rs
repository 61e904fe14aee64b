//! Differential testing against real Mermaid. Valid diagrams (our own corpus, and the
//! shared corpus when it is beside the repository) are mutated the way people break
//! diagrams (a bracket dropped or doubled, a line cut short, an arrow mangled, an `end`
//! removed, a stray token inserted); real Mermaid (tools/mermaid-oracle: npm `mermaid` +
//! `jsdom`) and our parser each judge every mutant.
//!
//! Every disagreement is written to `tests/mermaid-fuzz/found.jsonl` with Mermaid's verdict,
//! and `saved_disagreements_agree` replays that file without Node: a disagreement found
//! once is fixed in the parser and stays fixed.
//!
//! `MERMAID_FUZZ_SEED` and `MERMAID_FUZZ_COUNT` (default 600 mutants, about 8 s of Mermaid)
//! pick another sample; CI runs the default seed.

mod common;

use common::Tally;
use designdoc_model::mermaid::{DiagramKind, parse_diagram};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn found_file() -> PathBuf {
    manifest_dir().join("tests/mermaid-fuzz/found.jsonl")
}

/// A small deterministic generator (xorshift64*): the same seed gives the same mutants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const ARROWS: &[&str] = &[
    "-->", "->>", "-->>", "->", "--", "---", "..>", "..", "<|--", "*--", "o--", "||--o{", "}o--||", "-.->", "==>",
    "--x", "-x", "-)", "--o", "<-->", "~~~",
];
const STRAY: &[&str] = &[
    "end", "}", "{", "[", "]", "(", ")", "\"", ":", ";", "-->", "|", "<<", ">>", "note", "class", "state", "loop", "@",
    "#", "&", ",", "%%",
];

/// One mutation of `src`, or `None` when the chosen mutation does not apply.
fn mutate(src: &str, rng: &mut Rng) -> Option<String> {
    let lines: Vec<&str> = src.lines().collect();
    // The header line stays: a broken header is the kind detector's business.
    let body: Vec<usize> = (1..lines.len()).filter(|&i| !lines[i].trim().is_empty()).collect();
    if body.is_empty() {
        return None;
    }
    let li = body[rng.below(body.len())];
    let line = lines[li];
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let new_line: Option<String> = match rng.below(7) {
        // Drop one bracket or quote.
        0 => {
            let at: Vec<usize> = chars
                .iter()
                .filter(|(_, c)| "[](){}\"|".contains(*c))
                .map(|&(i, _)| i)
                .collect();
            let i = *at.get(rng.below(at.len()))?;
            let c = line[i..].chars().next()?;
            Some(format!("{}{}", &line[..i], &line[i + c.len_utf8()..]))
        }
        // Double one bracket.
        1 => {
            let at: Vec<usize> = chars
                .iter()
                .filter(|(_, c)| "[](){}".contains(*c))
                .map(|&(i, _)| i)
                .collect();
            let i = *at.get(rng.below(at.len()))?;
            let c = line[i..].chars().next()?;
            Some(format!("{}{c}{}", &line[..i], &line[i..]))
        }
        // Cut the line short.
        2 => {
            let (i, _) = *chars.get(rng.below(chars.len().max(1)))?;
            Some(line[..i].to_string())
        }
        // Mangle an arrow: replace it with another, or drop one of its characters.
        3 => {
            let (start, arrow) = ARROWS
                .iter()
                .filter_map(|a| line.find(a).map(|i| (i, *a)))
                .max_by_key(|(_, a)| a.len())?;
            let replacement = if rng.below(2) == 0 {
                ARROWS[rng.below(ARROWS.len())].to_string()
            } else {
                let k = rng.below(arrow.len());
                format!("{}{}", &arrow[..k], &arrow[k + 1..])
            };
            Some(format!(
                "{}{replacement}{}",
                &line[..start],
                &line[start + arrow.len()..]
            ))
        }
        // Remove a closing line (`end`, `}`), else this line.
        4 => {
            let closers: Vec<usize> = body
                .iter()
                .copied()
                .filter(|&i| matches!(lines[i].trim(), "end" | "}"))
                .collect();
            let target = closers.get(rng.below(closers.len())).copied().unwrap_or(li);
            let mut out: Vec<&str> = lines.clone();
            out.remove(target);
            return Some(out.join("\n") + "\n");
        }
        // Insert a stray token at a word boundary.
        5 => {
            let at: Vec<usize> = chars
                .iter()
                .filter(|(_, c)| c.is_whitespace())
                .map(|&(i, _)| i)
                .chain([line.len()])
                .collect();
            let i = at[rng.below(at.len())];
            Some(format!(
                "{} {} {}",
                &line[..i],
                STRAY[rng.below(STRAY.len())],
                &line[i..]
            ))
        }
        // Duplicate the line's first word (`participant participant A`).
        _ => {
            let word = line.split_whitespace().next()?;
            let lead = line.len() - line.trim_start().len();
            Some(format!("{}{word} {}", &line[..lead], &line[lead..]))
        }
    };
    let new_line = new_line?;
    if new_line == line {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[li] = new_line;
    Some(out.join("\n") + "\n")
}

/// The diagrams to mutate: valid ones of the kinds we validate.
fn seeds() -> Vec<String> {
    let mut out = Vec::new();
    let dir = manifest_dir().join("tests/mermaid-corpus");
    if let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) {
        for line in manifest.lines().skip(1) {
            if let Some((file, "yes")) = line.split_once('\t')
                && let Ok(src) = std::fs::read_to_string(dir.join(file))
            {
                out.push(src);
            }
        }
    }
    let shared = designdoc_testkit::shared_root().join("corpus/mermaid/diagrams.jsonl");
    if let Ok(data) = std::fs::read_to_string(shared) {
        for line in data.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            // The corpus's own mutants are already scored by the agreement test.
            if v["mermaid_ok"] == true && v["origin"].as_str().is_some_and(|o| !o.contains("mutant")) {
                out.push(v["src"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    out.retain(|s| validated(s));
    out
}

fn validated(src: &str) -> bool {
    matches!(
        DiagramKind::of_source(src),
        Some(
            DiagramKind::Flowchart | DiagramKind::Er | DiagramKind::Sequence | DiagramKind::Class | DiagramKind::State
        )
    )
}

/// Real Mermaid's verdict for each source, in order (the oracle in `harness`); `None`
/// when it does not answer for each.
fn oracle(harness: &Path, sources: &[String]) -> Option<Vec<bool>> {
    let answers = common::ask_oracle("node", &harness.join("oracle.mjs"), sources)?;
    Some(answers.iter().map(|v| v["ok"] == true).collect())
}

#[test]
fn mutants_agree_with_mermaid() {
    let Some(harness) = designdoc_testkit::require_node_oracle() else {
        return;
    };
    let seed: u64 = std::env::var("MERMAID_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_d1a6);
    let count: usize = std::env::var("MERMAID_FUZZ_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seeds = seeds();
    assert!(seeds.len() >= 40, "only {} seed diagrams", seeds.len());
    let mut rng = Rng(seed | 1);
    let mut mutants = Vec::with_capacity(count);
    while mutants.len() < count {
        let src = &seeds[rng.below(seeds.len())];
        if let Some(m) = mutate(src, &mut rng) {
            mutants.push(m);
        }
    }
    let verdicts = oracle(&harness, &mutants).expect("Mermaid answered for every mutant");
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let mut found = Vec::new();
    for (src, &mermaid_ok) in mutants.iter().zip(&verdicts) {
        let parsed = parse_diagram(src);
        let rejected = !parsed.errors.is_empty();
        let kind = parsed.kind.map_or("none".to_string(), |k| format!("{k:?}"));
        let t = tally.entry(kind).or_default();
        t.add(mermaid_ok, rejected);
        if rejected == mermaid_ok {
            found.push(serde_json::json!({"mermaid_ok": mermaid_ok, "src": src}).to_string());
        }
    }
    println!("mutants of seed {seed:#x}: kind, false alarms, caught");
    for (kind, t) in &tally {
        println!(
            "{kind:18} {:>3}/{:<3}  {:>3}/{:<3}",
            t.false_alarms, t.valid, t.caught, t.invalid
        );
    }
    if !found.is_empty() {
        save_found(&found);
    }
    let false_alarms: usize = tally.values().map(|t| t.false_alarms).sum();
    let valid: usize = tally.values().map(|t| t.valid).sum();
    let caught: usize = tally.values().map(|t| t.caught).sum();
    let invalid: usize = tally.values().map(|t| t.invalid).sum();
    assert!(
        false_alarms * 100 <= valid && caught * 100 >= invalid * 95,
        "{} disagreements with Mermaid (false alarms {false_alarms}/{valid}, caught {caught}/{invalid}), saved to {}",
        found.len(),
        found_file().display()
    );
}

/// Adds new disagreements to the saved file, without duplicates.
fn save_found(lines: &[String]) {
    let path = found_file();
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut all: Vec<&str> = old.lines().collect();
    for l in lines {
        if !all.contains(&l.as_str()) {
            all.push(l);
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create tests/mermaid-fuzz");
    }
    std::fs::write(&path, all.join("\n") + "\n").expect("write found.jsonl");
}

#[test]
fn saved_disagreements_agree() {
    let Ok(data) = std::fs::read_to_string(found_file()) else {
        return;
    };
    let mut wrong = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let src = v["src"].as_str().unwrap_or_default();
        let mermaid_ok = v["mermaid_ok"] == true;
        let parsed = parse_diagram(src);
        if parsed.errors.is_empty() != mermaid_ok {
            let ours = parsed
                .errors
                .first()
                .map_or("accepted".to_string(), |e| e.message.clone());
            wrong.push(format!("mermaid_ok={mermaid_ok} ours={ours}\n{src}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} saved diagrams disagree with Mermaid:\n{}",
        wrong.len(),
        wrong.join("\n---\n")
    );
}

#[test]
fn mutations_are_deterministic() {
    let src = "graph TD\n  A[Gateway] --> B(Service)\n  subgraph S\n    B --> C{Q}\n  end\n";
    let run = |seed| {
        let mut rng = Rng(seed);
        (0..20).filter_map(|_| mutate(src, &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    assert!(run(7).iter().all(|m| m != src && m.starts_with("graph TD")));
}
