//! Our Markdown reader against GitHub's: cmark-gfm (PyPI `cmarkgfm`, driven by
//! tools/cmark-oracle/oracle.py) and `designdoc_model::parse` must find the same top-level
//! headings (line, level, text, anchor) and the same top-level code blocks (line,
//! language, content) in every RFC of ../shared/corpus/rust-rfcs and in a generated
//! torture set built from the constructs where Markdown readers differ (fences closed
//! with tabs or longer runs, indented fences, setext headings, closing `#`s, HTML blocks,
//! unclosed fences, tildes and backticks mixed, headings in containers).

mod common;

use designdoc_model::{BlockKind, Document, LineIndex};
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq)]
struct Structure {
    headings: Vec<(usize, u8, String, String)>,
    code: Vec<(usize, String, String)>,
}

fn ours(src: &str) -> Structure {
    let (doc, _errors): (Document, _) = designdoc_model::parse(src);
    let index = LineIndex::new(src);
    let line = |at: usize| index.line_col(src, at).line;
    let headings = doc
        .sections
        .iter()
        .map(|s| (line(s.heading_span.start), s.level, s.title.clone(), s.anchor.clone()))
        .collect();
    let code = doc
        .blocks
        .iter()
        .filter(|b| !b.quoted)
        .filter_map(|b| match &b.kind {
            BlockKind::Code(c) => Some((line(b.span.start), c.lang.clone(), c.content.clone())),
            _ => None,
        })
        .collect();
    Structure { headings, code }
}

/// GitHub's structure of each source, or `None` when the oracle does not answer.
fn github(sources: &[String]) -> Option<Vec<Structure>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let answers = common::ask_oracle("python3", &root.join("tools/cmark-oracle/oracle.py"), sources)?;
    let mut out = Vec::new();
    for v in answers {
        let headings = v["headings"]
            .as_array()?
            .iter()
            .map(|h| {
                let line = h[0].as_u64().unwrap_or(0) as usize;
                let level = h[1].as_u64().unwrap_or(0) as u8;
                (
                    line,
                    level,
                    h[2].as_str().unwrap_or("").to_string(),
                    h[3].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let code = v["code"]
            .as_array()?
            .iter()
            .map(|c| {
                let line = c[0].as_u64().unwrap_or(0) as usize;
                (
                    line,
                    c[1].as_str().unwrap_or("").to_lowercase(),
                    c[2].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.push(Structure { headings, code });
    }
    Some(out)
}

/// Fragments where Markdown readers are known to differ, each ending in a new line.
const FRAGMENTS: &[&str] = &[
    "```mermaid\ngraph TD\n  A --> B\n```\t\n",
    "```mermaid \ngraph TD\n```  \t\n",
    "```\ncode\n````\n",
    "````\ncode\n```\nstill code\n````\n",
    "~~~\ntilde\n```\n~~~\n",
    "~~~ rust\nfn main() {}\n~~~~~\n",
    "   ```\nindented three\n   ```\n",
    "    ```\nindented four: code, not a fence\n    ```\n",
    "```rust,ignore\nlet x = 1;\n```\n",
    "``` {.python}\nx = 1\n```\n",
    "```a`b\nnot a fence: backtick in info\n```\n",
    "\tindented with a tab\n",
    "## Closing hashes ##\n",
    "## Closing hashes with tab\t##\t\n",
    "#NoSpace is not a heading\n",
    "#\n",
    "### \n",
    "#######  seven is not a heading\n",
    "Setext one\n===\n",
    "Setext two\n---\n",
    "A paragraph\nthen a line\n- - -\n",
    "## Heading with `code` and *emphasis* and [a link](x.md)\n",
    "## Heading with trailing spaces   \n",
    "## Überschrift – mit Zeichen & Symbolen!\n",
    "## 设计 概述\n",
    "<details>\n<summary>More</summary>\n\n## Inside details\n\n</details>\n",
    "<!--\n## In a comment\n-->\n",
    "<div>\n## Not a heading inside an HTML block\n</div>\n",
    "> ## Quoted heading\n> ```\n> quoted code\n> ```\n",
    "- item\n\n  ## Heading in an item\n\n  ```\n  item code\n  ```\n",
    "1. one\n2. two\n   ```mermaid\n   graph LR\n   ```\n",
    "| a | b |\n|---|---|\n| `x|y` | 2 |\n",
    "Text with ``` inline backticks ``` here.\n",
    "\\## escaped hash\n",
    " ## one space of indent\n",
    "   ## three spaces of indent\n",
    "    ## four spaces: code\n",
    "## Duplicate\n",
    "## Duplicate\n",
    "Line one  \nhard break\n",
    "---\n",
    "***\n",
];

fn torture_docs() -> Vec<String> {
    let mut docs = Vec::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    // Every fragment alone between two headings, then random sequences of them.
    for f in FRAGMENTS {
        docs.push(format!("# Title\n\n## Before\n\n{f}\n## After\n\nText.\n"));
    }
    for _ in 0..400 {
        let mut doc = String::from("# Torture\n\n");
        for i in 0..next(8) + 2 {
            doc.push_str(FRAGMENTS[next(FRAGMENTS.len())]);
            if next(3) == 0 {
                doc.push('\n');
            }
            doc.push_str(&format!("## Section {i}\n\n"));
        }
        // Sometimes end inside an unclosed fence.
        if next(4) == 0 {
            doc.push_str("```\nnever closed\n## swallowed\n");
        }
        docs.push(doc);
    }
    docs
}

/// How to get GitHub's Markdown reader, the oracle these tests compare with.
const CMARK_INSTALL: &str = "pip install -r tools/cmark-oracle/requirements.txt";

fn rfc_docs(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(src) = std::fs::read_to_string(&p) {
                out.push((p.file_name().unwrap_or_default().to_string_lossy().into_owned(), src));
            }
        }
    }
    out
}

fn compare(named: Vec<(String, String)>) -> Option<Vec<String>> {
    let sources: Vec<String> = named.iter().map(|(_, s)| s.clone()).collect();
    let theirs = github(&sources)?;
    let mut differences = Vec::new();
    for ((name, src), github) in named.iter().zip(theirs) {
        let ours = ours(src);
        if ours.headings != github.headings {
            let first = ours.headings.iter().zip(&github.headings).find(|(a, b)| a != b);
            differences.push(format!(
                "{name}: headings differ (ours {}, GitHub {}); first: {first:?}",
                ours.headings.len(),
                github.headings.len()
            ));
        }
        if ours.code != github.code {
            let first = ours.code.iter().zip(&github.code).find(|(a, b)| a != b);
            differences.push(format!(
                "{name}: code blocks differ (ours {}, GitHub {}); first: {first:?}",
                ours.code.len(),
                github.code.len()
            ));
        }
    }
    Some(differences)
}

#[test]
fn rfc_corpus_reads_as_github_reads_it() {
    let Some(dir) = designdoc_testkit::require_shared("corpus/rust-rfcs/text") else {
        return;
    };
    if !designdoc_testkit::require_python_module("cmarkgfm", CMARK_INSTALL) {
        return;
    }
    let docs = rfc_docs(&dir);
    assert!(!docs.is_empty(), "no RFCs in {}", dir.display());
    let n = docs.len();
    let differences = compare(docs).expect("cmark-gfm answered for every RFC");
    println!("{n} RFCs: {} differ from cmark-gfm", differences.len());
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn torture_set_reads_as_github_reads_it() {
    if !designdoc_testkit::require_python_module("cmarkgfm", CMARK_INSTALL) {
        return;
    }
    let docs: Vec<(String, String)> = torture_docs()
        .into_iter()
        .enumerate()
        .map(|(i, d)| (format!("torture {i}:\n{d}\n"), d))
        .collect();
    let n = docs.len();
    let differences = compare(docs).expect("cmark-gfm answered for every torture doc");
    println!("{n} torture docs: {} differ from cmark-gfm", differences.len());
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
