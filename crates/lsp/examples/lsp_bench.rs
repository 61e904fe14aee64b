//! Times `designdoc lsp` as an editor meets it: the real binary over stdio, didChange to
//! publishDiagnostics for an 8 KB and a 400 KB doc, in a workspace of generated docs, and
//! the server's memory (RSS) once it holds that workspace.
//!
//! ```sh
//! cargo build --release -p designdoc
//! cargo run --release -p designdoc-check --example gen_corpus -- /tmp/corpus 1000
//! cargo run --release -p designdoc-lsp --example lsp_bench -- target/release/designdoc /tmp/corpus
//! ```
//!
//! Each edit puts a placeholder in or takes it out again, so every change has new
//! findings to publish; the debounce is set to 0 so the figure is the server's work
//! (an editor adds the 150 ms debounce on top).

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lsp_server::{Message, Notification, Request, RequestId};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(bin), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: lsp_bench DESIGNDOC_BINARY CORPUS_DIR");
        std::process::exit(2);
    };
    let dir = std::fs::canonicalize(dir).expect("corpus folder");
    let seed = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .min()
        .expect("a .md file in the corpus");
    let seed = std::fs::read_to_string(seed).expect("read a corpus doc");
    let small = grow(&seed, 8 * 1024);
    let large = grow(&seed, 400 * 1024);

    let mut child = Command::new(bin)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start designdoc lsp");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let root = url(&dir);
    let started = Instant::now();
    send(
        &mut stdin,
        Request::new(
            RequestId::from(1),
            "initialize".to_string(),
            serde_json::json!({
                "processId": null, "rootUri": root, "capabilities": {},
                "workspaceFolders": [{ "uri": root, "name": "corpus" }],
                "initializationOptions": { "debounceMs": 0 },
            }),
        )
        .into(),
    );
    wait(&mut stdout, |m| matches!(m, Message::Response(_)));
    notify(&mut stdin, "initialized", serde_json::json!({}));
    println!(
        "workspace: {} docs, initialize answered in {:?}",
        count_docs(&dir),
        started.elapsed()
    );
    let mut rss_idle = None;
    for (name, text, rounds) in [("8 KB", &small, 200), ("400 KB", &large, 100)] {
        let file = dir.join(format!("zz-bench-{}.md", name.replace(' ', "")));
        let uri = url(&file);
        let opened = Instant::now();
        notify(
            &mut stdin,
            "textDocument/didOpen",
            serde_json::json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
        wait_diagnostics(&mut stdout, &uri, 1);
        let first = opened.elapsed();
        // The first open waits for the workspace to be read: the memory of 1,000 docs.
        rss_idle.get_or_insert_with(|| rss(pid));
        let line = text.lines().count().saturating_sub(2);
        let mut times = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let version = round as i64 + 2;
            // Odd rounds take out what even rounds put in.
            let change = if round % 2 == 0 {
                serde_json::json!({ "range": range(line, 0, line, 0), "text": "[Goal 1] " })
            } else {
                serde_json::json!({ "range": range(line, 0, line, 9), "text": "" })
            };
            let t = Instant::now();
            notify(
                &mut stdin,
                "textDocument/didChange",
                serde_json::json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
            );
            wait_diagnostics(&mut stdout, &uri, version);
            times.push(t.elapsed());
        }
        times.sort();
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{name} doc ({} bytes): open -> diagnostics {:.1?}; didChange -> publishDiagnostics over {rounds} edits: p50 {:.1?}, p90 {:.1?}, p99 {:.1?}, max {:.1?}",
            text.len(),
            first,
            p(0.5),
            p(0.9),
            p(0.99),
            times[times.len() - 1]
        );
    }
    println!(
        "RSS: {:.1} MB with the workspace read and the 8 KB doc open, {:.1} MB with both docs open, peak {:.1} MB",
        rss_idle.map_or(0.0, |r| r.0),
        rss(pid).0,
        rss(pid).1
    );
    send(
        &mut stdin,
        Request::new(RequestId::from(2), "shutdown".to_string(), serde_json::Value::Null).into(),
    );
    wait(&mut stdout, |m| matches!(m, Message::Response(_)));
    notify(&mut stdin, "exit", serde_json::Value::Null);
    let _ = child.wait();
}

/// `seed` with its sections' prose repeated until the text is about `target` bytes:
/// the shape of a real doc, only longer (a long design doc has long sections).
fn grow(seed: &str, target: usize) -> String {
    let filler = "The cache keeps a bounded window of recent reads per tenant, and a miss falls back \
                  to the replica — Über-latency stays below the budget (概述: 予算内).\n\n";
    if seed.len() >= target {
        return seed.to_string();
    }
    let mut out = String::with_capacity(target + seed.len());
    let parts: Vec<&str> = seed.split("\n## ").collect();
    let per_section = target.saturating_sub(seed.len()) / filler.len() / parts.len().saturating_sub(1).max(1) + 1;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str("\n## ");
        }
        match part.split_once('\n') {
            Some((heading, body)) if i > 0 => {
                out.push_str(heading);
                out.push('\n');
                for _ in 0..per_section {
                    out.push_str(filler);
                }
                out.push_str(body);
            }
            _ => out.push_str(part),
        }
    }
    out
}

fn url(path: &Path) -> String {
    lsp_types::Url::from_file_path(path).expect("absolute path").to_string()
}

fn range(l1: usize, c1: usize, l2: usize, c2: usize) -> serde_json::Value {
    serde_json::json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
}

fn send(stdin: &mut ChildStdin, msg: Message) {
    msg.write(stdin).expect("write to the server");
    stdin.flush().expect("flush");
}

fn notify(stdin: &mut ChildStdin, method: &str, params: serde_json::Value) {
    send(stdin, Notification::new(method.to_string(), params).into());
}

fn wait(stdout: &mut BufReader<ChildStdout>, done: impl Fn(&Message) -> bool) -> Message {
    loop {
        match Message::read(stdout) {
            Ok(Some(m)) if done(&m) => return m,
            Ok(Some(_)) => {}
            other => panic!("server closed: {other:?}"),
        }
    }
}

fn wait_diagnostics(stdout: &mut BufReader<ChildStdout>, uri: &str, version: i64) {
    wait(stdout, |m| {
        matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == uri && n.params["version"] == version)
    });
}

/// (current RSS, peak RSS) in MB, from /proc.
fn rss(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn count_docs(dir: &PathBuf) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                .count()
        })
        .unwrap_or(0)
}
